package ops_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
)

// On the start date a joining hire becomes active; an onboarding still
// open then is a risk; completing stops the ledger timer it started.
func TestOnboardingLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, true)
	start := pinned.AddDate(0, 0, 2).Local().Format(model.DateLayout)
	_, err := ops.Onboard(ctx, e, model.Hire{Email: "zoe@example.com", Profile: "sre", Start: start}, false)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.Store.FindPerson(ctx, "zoe@example.com")
	if p.Status != "joining" || p.Name != "Zoe" {
		t.Fatalf("hire %+v", p)
	}
	// A second onboarding of the same person is refused.
	_, err = ops.Onboard(ctx, e, model.Hire{Email: "zoe@example.com", Profile: "developer", Start: start}, false)
	wantField(t, err, "email", "already has an open onboarding")
	// A profile loop is refused.
	err = e.Store.Write(ctx, e.Actor, func(t *store.Tx) error {
		dev, err := t.FindProfile("developer")
		if err != nil {
			return err
		}
		dev.Extends = "sre"
		return t.SaveProfile(&dev)
	})
	wantField(t, err, "extends", "loop")

	if done, err := ops.ActivateJoiners(ctx, e); err != nil || len(done) != 0 {
		t.Fatalf("activated before the start date: %v %v", done, err)
	}
	rep, _ := e.Store.Risks(ctx)
	for _, r := range rep.Risks {
		if r.Rule == model.RuleOnboardingOpen {
			t.Fatalf("risk before the start date: %+v", r)
		}
	}
	e.Clock.(interface{ Advance(d time.Duration) }).Advance(49 * time.Hour)
	done, err := ops.ActivateJoiners(ctx, e)
	if err != nil || len(done) != 1 || done[0].Status != "active" {
		t.Fatalf("activate: %v %+v", err, done)
	}
	rep, _ = e.Store.Risks(ctx)
	found := false
	for _, r := range rep.Risks {
		found = found || (r.Rule == model.RuleOnboardingOpen && r.Name == "Zoe")
	}
	if !found {
		t.Error("no risk for the onboarding open on the start date")
	}
	got, err := ops.CompleteChecklist(ctx, e, ops.ChecklistRef{Kind: ops.OnboardingKind, Ref: "zoe@example.com"}, true, "remote start, badge later")
	if err != nil || !strings.Contains(got.Summary, "min of planned onboarding work in the ledger") {
		t.Fatalf("complete: %v %q", err, got.Summary)
	}
	entries, _ := e.Store.LedgerEntries(ctx, store.LedgerQuery{})
	n := 0
	for _, en := range entries {
		if en.PersonID == nil || *en.PersonID != p.ID {
			continue
		}
		n++
		if en.Category != "onboarding" || en.Kind != "planned" || en.Status != "stopped" || !strings.Contains(got.Summary, fmt.Sprintf("(entry %d)", en.ID)) {
			t.Errorf("ledger entry %+v", en)
		}
	}
	if n != 1 {
		t.Errorf("%d ledger entries for the hire, want 1", n)
	}
}
