package model

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestRisks(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	ago := func(days int) *time.Time { v := now.AddDate(0, 0, -days); return &v }
	acct := func(id, svc, person int64, pname, pstatus, service, ent, status string) Account {
		return Account{ID: id, ServiceID: svc, PersonID: person, PersonName: pname, PersonStatus: pstatus,
			ServiceName: service, Username: strings.ToLower(pname), Entitlement: ent, Status: status}
	}
	in := RiskInputs{
		Now: now,
		Services: []Service{
			{ID: 1, Name: "Jira", Criticality: "high", Status: "active"},
			{ID: 2, Name: "GitHub", Criticality: "critical", Status: "active"},
			{ID: 3, Name: "Postgres", Criticality: "critical", Status: "active"},
			{ID: 4, Name: "Old CRM", Criticality: "low", Status: "active"},
			{ID: 5, Name: "Retired", Criticality: "critical", Status: "retired"},
		},
		Accounts: []Account{
			acct(10, 1, 100, "Jenny", "active", "Jira", "admin", "active"),
			acct(11, 1, 101, "Dave", "active", "Jira", "member", "active"),
			acct(12, 2, 101, "Dave", "active", "GitHub", "admin", "active"),
			acct(13, 2, 102, "Oscar", "active", "GitHub", "admin", "active"),
			acct(14, 2, 103, "Bill", "departed", "GitHub", "admin", "active"),
			acct(15, 4, 103, "Bill", "departed", "Old CRM", "admin", "revoked"),
			acct(16, 3, 104, "Lea", "leaving", "Postgres", "member", "active"),
			acct(17, 5, 100, "Jenny", "active", "Retired", "admin", "active"),
		},
		Hosts: map[int64][]Device{
			3: {{AssetTag: "SRV-DB-01", Name: "db-01", Status: "in_use"}, {AssetTag: "SRV-DB-09", Status: "retired"}},
			2: {{AssetTag: "A", Status: "in_use"}, {AssetTag: "B", Status: "in_use"}},
		},
		Secrets: []Secret{
			{ID: 20, Name: "AWS root", RotationDays: 90, LastRotatedAt: ago(200),
				Holders: []SecretHolder{{PersonID: 102, Name: "Oscar", Status: "active"}, {PersonID: 103, Name: "Bill", Status: "departed"}}},
			{ID: 21, Name: "Wi-Fi", RotationDays: 365, LastRotatedAt: ago(10),
				Holders: []SecretHolder{{Name: "Olivia", Status: "active"}, {Name: "Oscar", Status: "active"}}},
			{ID: 22, Name: "Deploy key", RotationDays: 0, Holders: []SecretHolder{{Name: "Dave", Status: "active"}}},
		},
		Coverage: []Coverage{{Rule: "no_check", What: "check", Covered: map[int64]bool{2: true}}},
	}
	var got []string
	for _, r := range Risks(in) {
		got = append(got, fmt.Sprintf("%s %s %s:%d:%s", r.Severity, r.Rule, r.Kind, r.ID, r.Name))
	}
	want := []string{
		"high access_still_present account:14:GitHub:bill",
		"high bus_factor_person person:100:Jenny",
		"high no_admin service:4:Old CRM",
		"high no_check service:3:Postgres",
		"high secret_known_by_leaver secret:20:AWS root",
		"high single_admin service:1:Jira",
		"high single_host service:3:Postgres",
		"medium access_still_present account:16:Postgres:lea",
		"medium secret_overdue secret:20:AWS root",
		"low secret_single_holder secret:20:AWS root",
		"low secret_single_holder secret:22:Deploy key",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestSecretRotation(t *testing.T) {
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	at := func(d int) *time.Time { v := now.AddDate(0, 0, -d); return &v }
	tests := []struct {
		s       Secret
		overdue bool
		status  string
	}{
		{Secret{RotationDays: 90, LastRotatedAt: at(100)}, true, "overdue 10d"},
		{Secret{RotationDays: 90, LastRotatedAt: at(78)}, false, "due in 12d"},
		{Secret{RotationDays: 90}, true, "overdue (never rotated)"},
		{Secret{RotationDays: 0, LastRotatedAt: at(1000)}, false, "no period"},
	}
	for _, tc := range tests {
		if got := tc.s.Overdue(now); got != tc.overdue {
			t.Errorf("%+v overdue = %v", tc.s, got)
		}
		if got := tc.s.RotationStatus(now); got != tc.status {
			t.Errorf("status %q, want %q", got, tc.status)
		}
	}
	bad := Secret{Name: "x", RotationDays: -1}
	if err := bad.Validate(); err == nil || err.Error() != `rotation_days: "-1" is not between 0 (never) and 3650` {
		t.Errorf("validate: %v", err)
	}
}
