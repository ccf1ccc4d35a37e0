package model

import (
	"strings"
	"testing"
)

func TestPlanOffboarding(t *testing.T) {
	acct := func(id, svc int64, service, user, ent, status string) Account {
		return Account{ID: id, ServiceID: svc, ServiceName: service, Username: user, Entitlement: ent, Status: status}
	}
	tmpl := []OffboardingTemplate{
		{ID: 2, Position: 2, Title: "Send payroll notice", Active: true},
		{ID: 1, Position: 1, Title: "Collect badge", Active: true},
		{ID: 3, Position: 3, Title: "Retired step", Active: false},
	}
	tests := []struct {
		name string
		h    Holdings
		want []string // "kind title [bus]"
	}{
		{
			name: "nothing held: template steps only, in position order, inactive skipped",
			h:    Holdings{Templates: tmpl},
			want: []string{"template Collect badge", "template Send payroll notice"},
		},
		{
			name: "admin accounts first, then by service and username; revoked and suspended left out",
			h: Holdings{
				Accounts: []Account{
					acct(1, 10, "AWS", "bill", "member", "active"),
					acct(2, 11, "GitHub", "billc-dev", "admin", "active"),
					acct(3, 12, "Slack", "bill", "member", "revoked"),
					acct(4, 13, "Jira", "bill", "member", "suspended"),
					acct(5, 14, "Confluence", "bill", "member", "unverified"),
					acct(6, 15, "AWS Root", "b", "admin", "active"),
				},
				OtherAdmins: map[int64]int{11: 2, 15: 1},
			},
			want: []string{
				"account Revoke AWS Root admin account b",
				"account Revoke GitHub admin account billc-dev",
				"account Revoke AWS member account bill",
				"account Revoke Confluence member account bill",
			},
		},
		{
			name: "the only admin of a service is flagged bus factor 1",
			h: Holdings{
				Accounts:    []Account{acct(7, 20, "Jira", "jenny", "admin", "active"), acct(8, 21, "Confluence", "jenny", "admin", "active")},
				OtherAdmins: map[int64]int{21: 1},
			},
			want: []string{"account Revoke Confluence admin account jenny", "account Revoke Jira admin account jenny [bus]"},
		},
		{
			name: "every kind in order: accounts, devices, secrets, services (bus factor first), templates",
			h: Holdings{
				Accounts: []Account{acct(1, 10, "AWS", "bill", "member", "active")},
				Devices: []Device{
					{ID: 9, AssetTag: "PH-002", Name: "bill-phone", Kind: "phone"},
					{ID: 8, AssetTag: "LT-006", Name: "bill-laptop", Kind: "laptop", Serial: "SN1", Model: "MacBook"},
				},
				Secrets: []Secret{{ID: 4, Name: "Wi-Fi password"}, {ID: 3, Name: "AWS root credentials", Holders: []SecretHolder{{PersonID: 1}, {PersonID: 2}}}},
				Services: []OwnedService{
					{Service: Service{ID: 30, Name: "Analytics DB"}, OtherAdmins: 1},
					{Service: Service{ID: 31, Name: "Zendesk"}, OtherAdmins: 0},
				},
				Successor: "Dave Kim",
				Templates: tmpl[:1],
			},
			want: []string{
				"account Revoke AWS member account bill",
				"device Recover laptop LT-006 (bill-laptop)",
				"device Recover phone PH-002 (bill-phone)",
				"secret Rotate AWS root credentials",
				"secret Rotate Wi-Fi password",
				"service Hand over Zendesk to Dave Kim [bus]",
				"service Hand over Analytics DB to Dave Kim",
				"template Send payroll notice",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			steps := PlanOffboarding(tc.h)
			var got []string
			for i, s := range steps {
				if s.N != i+1 || s.State != StateOpen || s.RefID == nil {
					t.Errorf("step %d: n=%d state=%s ref=%v", i, s.N, s.State, s.RefID)
				}
				line := s.Kind + " " + s.Title
				if s.BusFactorOne {
					line += " [bus]"
				}
				got = append(got, line)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

func TestPlanOffboardingDetails(t *testing.T) {
	steps := PlanOffboarding(Holdings{
		Devices: []Device{{ID: 8, AssetTag: "LT-006", Name: "bill-laptop", Kind: "laptop", Serial: "SN4205196", Model: "MacBook Pro"}},
		Secrets: []Secret{{ID: 3, Name: "Prod DB password", Location: "1Password", ServiceName: "Postgres", Holders: make([]SecretHolder, 3)}},
	})
	if d := steps[0].Detail; !strings.Contains(d, "serial SN4205196") || !strings.Contains(d, "model MacBook Pro") || !strings.Contains(d, "asset tag LT-006") {
		t.Errorf("device detail %q lacks asset tag, serial or model", d)
	}
	if d := steps[1].Detail; d != "kept in 1Password, for Postgres, 2 other holder(s) need the new value" {
		t.Errorf("secret detail %q", d)
	}
}

func TestStepTransitions(t *testing.T) {
	tests := []struct {
		from string
		mark StepMark
		err  string // "" means allowed
	}{
		{StateOpen, StepMark{State: "done"}, ""},
		{StateOpen, StepMark{State: "skipped", Reason: "no such account"}, ""},
		{StateOpen, StepMark{State: "skipped"}, `reason: "" is required to skip a step`},
		{StateOpen, StepMark{State: "blocked"}, `reason: "" is required to block a step`},
		{StateOpen, StepMark{State: "blocked", Reason: "courier booked"}, ""},
		{StateBlocked, StepMark{State: "done"}, ""},
		{StateBlocked, StepMark{State: "blocked", Reason: "x"}, `state: "blocked" is the step's state already`},
		{StateDone, StepMark{State: "skipped", Reason: "x"}, `state: "skipped" cannot follow done; undo the step first`},
		{StateSkipped, StepMark{State: "done"}, `state: "done" cannot follow skipped; undo the step first`},
		{StateOpen, StepMark{State: "open"}, `state: "open" is not one of done, skipped, blocked`},
		{StateOpen, StepMark{State: "done", DeviceStatus: "trash"}, `device_status: "trash" is not one of spare, repair, lost`},
	}
	for _, tc := range tests {
		m := tc.mark
		m.Normalize()
		err := m.Transition(tc.from)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.err {
			t.Errorf("%s → %+v: got %q, want %q", tc.from, tc.mark, got, tc.err)
		}
	}
	if err := CanUndo(3, StateOpen); err == nil || err.Error() != `step: "3" is open; there is nothing to undo` {
		t.Errorf("undo open: %v", err)
	}
	for _, s := range []string{StateDone, StateSkipped, StateBlocked} {
		if err := CanUndo(1, s); err != nil {
			t.Errorf("undo %s: %v", s, err)
		}
	}
}

func TestProgress(t *testing.T) {
	p := CountProgress([]OffboardingStep{{State: StateDone}, {State: StateSkipped}, {State: StateBlocked}, {State: StateOpen}})
	if p != (Progress{Total: 4, Open: 1, Done: 1, Skipped: 1, Blocked: 1}) {
		t.Fatalf("progress %+v", p)
	}
	if got := p.Bar(8); got != "[####----] 2/4" {
		t.Errorf("bar %q", got)
	}
	if got := (Progress{}).Bar(4); got != "[----] 0/0" {
		t.Errorf("empty bar %q", got)
	}
}
