package checks

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// A use of a leaver's account after their last day raises a critical
// used_after_departure alert within one scheduler pass (sync, then the
// check's first run), naming the person, the service, the moment and the
// evidence row; it does not resolve by itself.
func TestUsedAfterDepartureFiresInOnePass(t *testing.T) {
	s, svc := testDB(t)
	ctx := context.Background()
	var acct model.Account
	used := s.Now().Add(-48 * time.Hour).UTC().Truncate(time.Minute)
	err := s.Write(ctx, admin, func(t *store.Tx) error {
		p := model.Person{Name: "Bill Carter", Email: "bill@example.com", Status: "departed",
			EndDate: s.Now().AddDate(0, 0, -7).UTC().Format(model.DateLayout)}
		p.Normalize()
		if err := t.AddPerson(&p); err != nil {
			return err
		}
		acct = model.Account{PersonID: p.ID, ServiceID: svc.ID, Username: "bill", Status: "revoked"}
		acct.Normalize()
		if err := t.AddAccount(&acct); err != nil {
			return err
		}
		_, err := t.AddSignal(&model.AccountSignal{AccountID: acct.ID, Kind: model.SignalPassword, At: &used,
			Source: "aws-credential-report.csv", Row: 5, Column: "password_last_used"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	plan := syncSources(t, s)
	if names(plan.Add) != "used-after-departure-bill-carter-web" {
		t.Fatalf("sync added %q, want the used-after-departure check", names(plan.Add))
	}
	res, al := judge(t, s, "used-after-departure-bill-carter-web")
	if al == nil || al.State != "firing" || al.Severity != "critical" {
		t.Fatalf("after one run: result %+v, alert %+v; want a critical firing alert", res, al)
	}
	for _, want := range []string{"Bill Carter", "Web", used.Format("2006-01-02 15:04 UTC"), "aws-credential-report.csv row 5 (password_last_used)"} {
		if !strings.Contains(al.Summary, want) {
			t.Errorf("alert summary %q does not name %q", al.Summary, want)
		}
	}
	// It does not resolve by itself: the evidence stands.
	for range 3 {
		if _, al = judge(t, s, "used-after-departure-bill-carter-web"); al == nil || al.State != "firing" {
			t.Fatalf("the alert resolved by itself: %+v", al)
		}
	}
	if names(syncSources(t, s).Retire) != "" {
		t.Fatal("sync retired the check while its evidence stands")
	}
}
