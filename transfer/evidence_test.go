package transfer_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/transfer"
)

// accessCompany is Alice (active), Bob (departed on 2026-11-18) and Carol,
// with accounts on Google Workspace, GitHub and AWS (not deploy-bot, not
// "stranger": those rows have no account and no holder).
func accessCompany(t *testing.T) *store.Store {
	t.Helper()
	s := openStore(t, false)
	err := s.Write(context.Background(), actor, func(tx *store.Tx) error {
		ids := map[string]int64{}
		for _, p := range []model.Person{{Name: "Alice Adams", Email: "alice@example.com"},
			{Name: "Bob Brown", Email: "bob@example.com", Status: "departed", EndDate: "2026-11-18"},
			{Name: "Carol Clark", Email: "carol@example.com"}} {
			p.Normalize()
			if err := tx.AddPerson(&p); err != nil {
				return err
			}
			ids[p.Email] = p.ID
		}
		svc := map[string]int64{}
		for _, n := range []string{"Google Workspace", "GitHub", "AWS"} {
			sv := model.Service{Name: n}
			sv.Normalize()
			if err := tx.AddService(&sv); err != nil {
				return err
			}
			svc[n] = sv.ID
		}
		for _, a := range []struct{ svc, email, user, ent string }{
			{"Google Workspace", "alice@example.com", "alice@example.com", "admin"},
			{"Google Workspace", "bob@example.com", "bob@example.com", "member"},
			{"GitHub", "alice@example.com", "alice-gh", "admin"},
			{"GitHub", "bob@example.com", "bob-gh", "member"},
			{"AWS", "alice@example.com", "alice", "admin"},
			{"AWS", "bob@example.com", "bob", "member"},
		} {
			acct := model.Account{PersonID: ids[a.email], ServiceID: svc[a.svc], Username: a.user, Entitlement: a.ent}
			acct.Normalize()
			if err := tx.AddAccount(&acct); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func importFile(t *testing.T, s *store.Store, kind, name, service string) *transfer.Report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "import", "access", name))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := transfer.Plan(context.Background(), s, kind, file, transfer.Options{Service: service})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range rep.Notes {
		for _, col := range []string{"2sv", "Last Sign In", "mfa_active", "password_last_used", "two_factor_enabled", "last_active", "last_used_date"} {
			if strings.Contains(n, col) {
				t.Errorf("%s: evidence column %s reported as not imported: %s", name, col, n)
			}
		}
	}
	return rep
}

func access(t *testing.T, s *store.Store, ref string) model.AccountAccess {
	t.Helper()
	a, err := s.FindAccount(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	full, err := s.AccountWithAccess(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return *full.Access
}

// The three exports, with their real headers, fill two-step and last
// activity for every matched account, each naming the file, row and
// column; rows with evidence for no account are listed; importing the same
// file again adds no evidence.
func TestImportEvidenceFromThreeExports(t *testing.T) {
	ctx := context.Background()
	s := accessCompany(t)

	g := importFile(t, s, "people", "google-users.csv", "")
	if len(g.Unmatched) != 1 || !strings.Contains(g.Unmatched[0], "carol@example.com") {
		t.Fatalf("google unmatched = %q, want Carol's row (she has no Google Workspace account)", g.Unmatched)
	}
	if err := g.Commit(ctx, s, actor, nil); err != nil {
		t.Fatal(err)
	}
	gh := importFile(t, s, "accounts", "github-members.csv", "GitHub")
	if len(gh.Problems) != 1 || gh.Problems[0].Row != 4 {
		t.Fatalf("github problems = %+v, want only row 4 (stranger: no holder)", gh.Problems)
	}
	if err := gh.Commit(ctx, s, actor, nil); err == nil {
		t.Fatal("an atomic import with a bad row committed")
	}
	gh = importFile(t, s, "accounts", "github-members.csv", "GitHub")
	gh.Mode = transfer.ModeSkipBad
	if err := gh.Commit(ctx, s, actor, nil); err != nil {
		t.Fatal(err)
	}
	aws := importFile(t, s, "accounts", "aws-credential-report.csv", "AWS")
	if aws.Summary.Bad != 1 { // deploy-bot: no holder
		t.Fatalf("aws bad = %d, want 1 (deploy-bot has no holder): %+v", aws.Summary.Bad, aws.Problems)
	}
	aws.Mode = transfer.ModeSkipBad
	if err := aws.Commit(ctx, s, actor, nil); err != nil {
		t.Fatal(err)
	}

	cases := []struct{ ref, twoStep, last, kind, source string }{
		{"Google Workspace:alice@example.com", model.TwoStepEnforced, "2026-11-27 07:55", model.SignalSignIn, "google-users.csv row 2 (Last Sign In [READ ONLY])"},
		{"Google Workspace:bob@example.com", model.TwoStepEnrolled, "2026-11-23 19:02", model.SignalSignIn, "google-users.csv row 3 (Last Sign In [READ ONLY])"},
		{"GitHub:alice-gh", model.TwoStepEnrolled, "2026-11-27 10:12", model.SignalSignIn, "github-members.csv row 2 (last_active)"},
		{"GitHub:bob-gh", model.TwoStepOff, "2026-11-21 09:00", model.SignalSignIn, "github-members.csv row 3 (last_active)"},
		{"AWS:alice", model.TwoStepEnrolled, "2026-11-27 08:01", model.SignalPassword, "aws-credential-report.csv row 3 (password_last_used)"},
		{"AWS:bob", model.TwoStepOff, "2026-11-22 07:00", model.SignalKey, "aws-credential-report.csv row 4 (access_key_2_last_used_date)"},
	}
	for _, c := range cases {
		x := access(t, s, c.ref)
		if x.TwoStep != c.twoStep || x.LastActivity == nil || x.LastActivity.Format("2006-01-02 15:04") != c.last ||
			x.LastActivityKind != c.kind || x.LastActivityFrom.Evidence() != c.source {
			t.Errorf("%s: two-step %s, last %v (%s from %s); want %s, %s (%s from %s)", c.ref, x.TwoStep, x.LastActivity,
				x.LastActivityKind, x.LastActivityFrom.Evidence(), c.twoStep, c.last, c.kind, c.source)
		}
	}

	// Bob left on 2026-11-18: every later use is a finding naming the evidence.
	used, err := s.UsedAfterDeparture(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range used {
		got = append(got, u.ServiceName+":"+u.Username+"@"+u.UsedAt.Format("01-02"))
	}
	if strings.Join(got, " ") != "Google Workspace:bob@example.com@11-23 AWS:bob@11-22 GitHub:bob-gh@11-21 AWS:bob@11-20" {
		t.Fatalf("used after departure = %v", got)
	}

	before, err := s.AccountSignals(ctx, mustFind(t, s, "AWS:bob"))
	if err != nil {
		t.Fatal(err)
	}
	again := importFile(t, s, "accounts", "aws-credential-report.csv", "AWS")
	again.Mode = transfer.ModeSkipBad
	if err := again.Commit(ctx, s, actor, nil); err != nil {
		t.Fatal(err)
	}
	after, _ := s.AccountSignals(ctx, mustFind(t, s, "AWS:bob"))
	if len(after) != len(before) {
		t.Fatalf("re-importing the same report: %d pieces of evidence, was %d", len(after), len(before))
	}
}

func mustFind(t *testing.T, s *store.Store, ref string) int64 {
	t.Helper()
	a, err := s.FindAccount(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// A time cell that is not a time is a problem naming the row, the column
// and the value; nothing is written.
func TestEvidenceBadTime(t *testing.T) {
	ctx := context.Background()
	s := accessCompany(t)
	rep, err := transfer.PlanData(ctx, s, "accounts", "bad.csv",
		[]byte("user,arn,password_last_used,mfa_active\nalice,arn:x,last tuesday,maybe\n"), transfer.Options{Service: "AWS"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 2 || rep.Problems[0].Column != "password_last_used" || rep.Problems[1].Column != "mfa_active" {
		t.Fatalf("problems = %+v, want password_last_used and mfa_active of row 2", rep.Problems)
	}
	if err := rep.Commit(ctx, s, actor, nil); err == nil {
		t.Fatal("a file with a bad time committed")
	}
	if ev, _ := s.AccountSignals(ctx, mustFind(t, s, "AWS:alice")); len(ev) != 0 {
		t.Fatalf("evidence written from a rejected file: %+v", ev)
	}
}
