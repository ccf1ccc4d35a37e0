package model

import (
	"strings"
	"testing"
	"time"
)

func TestParseMomentAndTwoStep(t *testing.T) {
	for _, c := range []struct{ in, want, why string }{
		{"2026/11/20 09:14:02", "2026-11-20T09:14:02Z", ""},
		{"2026-11-02T22:13:00+00:00", "2026-11-02T22:13:00Z", ""},
		{"2026-11-02T23:13:00+01:00", "2026-11-02T22:13:00Z", ""},
		{"2026-11-27", "2026-11-27T00:00:00Z", ""},
		{"N/A", "", ""}, {"no_information", "", ""}, {"Never logged in", "", ""}, {"", "", ""},
		{"last tuesday", "", "is not a time"},
	} {
		got, ok, why := ParseMoment(c.in)
		if (c.want != "") != ok || (ok && got.Format(time.RFC3339) != c.want) || (c.why == "") != (why == "") {
			t.Errorf("ParseMoment(%q) = %v %v %q, want %q (why %q)", c.in, got, ok, why, c.want, c.why)
		}
	}
	for _, c := range []struct{ enrolled, enforced, want string }{
		{"True", "True", TwoStepEnforced}, {"True", "False", TwoStepEnrolled}, {"False", "", TwoStepOff},
		{"true", "", TwoStepEnrolled}, {"N/A", "", ""},
	} {
		got, _, _ := ParseTwoStep(c.enrolled, c.enforced)
		if got != c.want {
			t.Errorf("ParseTwoStep(%q, %q) = %q, want %q", c.enrolled, c.enforced, got, c.want)
		}
	}
	if _, _, why := ParseTwoStep("perhaps", ""); why == "" {
		t.Error("ParseTwoStep accepted perhaps")
	}
}

func TestDeriveAccess(t *testing.T) {
	at := func(s string) *time.Time { v, _ := time.Parse(time.RFC3339, s); return &v }
	learned := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	x := DeriveAccess([]AccountSignal{
		{ID: 1, Kind: SignalTwoStep, Value: TwoStepOff, LearnedAt: learned},
		{ID: 2, Kind: SignalTwoStep, Value: TwoStepEnrolled, LearnedAt: learned.Add(time.Hour), Source: "b.csv", Row: 3},
		{ID: 3, Kind: SignalSignIn, At: at("2026-11-20T09:00:00Z")},
		{ID: 4, Kind: SignalKey, At: at("2026-11-25T09:00:00Z"), Source: "aws.csv", Row: 4, Column: "access_key_1_last_used_date"},
		{ID: 5, Kind: SignalPassword, At: at("2026-11-22T09:00:00Z")},
	})
	if x.TwoStep != TwoStepEnrolled || x.TwoStepFrom.ID != 2 {
		t.Errorf("two-step %s from %+v, want enrolled (the latest learned)", x.TwoStep, x.TwoStepFrom)
	}
	if x.LastActivityKind != SignalKey || x.LastActivityFrom.Evidence() != "aws.csv row 4 (access_key_1_last_used_date)" {
		t.Errorf("last activity %s from %s, want the key use", x.LastActivityKind, x.LastActivityFrom.Evidence())
	}
	if DeriveAccess(nil).TwoStep != TwoStepUnknown {
		t.Error("no evidence is not unknown")
	}
}

func TestUsedAfterDepartureAndRisks(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	bill := Person{Status: "departed", EndDate: "2026-11-09"}
	cut, why, ok := DepartureCutoff(bill, nil)
	if !ok || cut.Format(time.RFC3339) != "2026-11-10T00:00:00Z" || why != "last day 2026-11-09" {
		t.Fatalf("cutoff %v %q %v", cut, why, ok)
	}
	started := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	if c, _, ok := DepartureCutoff(Person{Status: "leaving"}, &started); !ok || !c.Equal(started) {
		t.Fatalf("no last day: cutoff %v, want the offboarding start", c)
	}
	if _, _, ok := DepartureCutoff(Person{Status: "active", EndDate: "2026-11-09"}, nil); ok {
		t.Fatal("an active person has a departure cutoff")
	}
	a := Account{ID: 7, PersonName: "Bill Carter", ServiceName: "AWS", Username: "bill"}
	on, after := time.Date(2026, 11, 9, 23, 0, 0, 0, time.UTC), time.Date(2026, 11, 15, 22, 13, 0, 0, time.UTC)
	got := UsedAfterDeparture(a, cut, why, []AccountSignal{
		{AccountID: 7, Kind: SignalPassword, At: &on}, {AccountID: 7, Kind: SignalPassword, At: &after, Source: "aws.csv", Row: 5},
	})
	if len(got) != 1 || got[0].Message != "Bill Carter's AWS account bill: password use at 2026-11-15 22:13 UTC, after last day 2026-11-09 (evidence: aws.csv row 5)" {
		t.Fatalf("findings %+v", got)
	}

	old := now.AddDate(0, 0, -200)
	accts := []Account{
		{ID: 1, Status: "active", PersonStatus: "active", Entitlement: "admin", CreatedAt: old, PersonName: "T"},
		{ID: 2, Status: "active", PersonStatus: "active", Entitlement: "member", CreatedAt: now},
		{ID: 3, Status: "revoked", PersonStatus: "active", Entitlement: "admin", CreatedAt: old},
	}
	recent := now.AddDate(0, 0, -1)
	acc := map[int64]AccountAccess{
		1: {TwoStep: TwoStepOff, TwoStepFrom: &AccountSignal{Source: "aws.csv"}},
		2: {TwoStep: TwoStepEnrolled, LastActivity: &recent, LastReviewedAt: &recent},
	}
	rs := AccessRisks(AccessPolicy{DormantAfter: 30 * 24 * time.Hour}, now, accts, acc, got)
	var rules []string
	for _, r := range rs {
		rules = append(rules, r.Rule+"/"+r.Severity)
	}
	want := "no_mfa/high dormant_account/low review_overdue/low used_after_departure/high"
	if s := strings.Join(rules, " "); s != want {
		t.Fatalf("risks %s, want %s", s, want)
	}
}

func TestParseDecision(t *testing.T) {
	for _, c := range []struct{ value, reason, want, err string }{
		{"keep", "on the team", "keep", ""},
		{"revoke: left", "", "revoke", ""},
		{"change member: no longer admin", "", "change member", ""},
		{"keep", "", "", "reason"},
		{"change admin", "x", "", "entitlement"},
		{"change", "x", "", "decision"},
		{"maybe", "x", "", "decision"},
		{"", "x", "", "decision"},
	} {
		d, err := ParseDecision(c.value, c.reason, "admin")
		got := d.Decision
		if d.NewEntitlement != "" {
			got += " " + d.NewEntitlement
		}
		fe, _ := AsFieldError(err)
		if (c.err == "" && (err != nil || got != c.want)) || (c.err != "" && (err == nil || fe.Field != c.err)) {
			t.Errorf("ParseDecision(%q, %q) = %q, %v; want %q (error on %q)", c.value, c.reason, got, err, c.want, c.err)
		}
	}
}
