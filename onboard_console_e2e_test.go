package main

// End-to-end test of onboarding in the console: a new hire is started from
// the people tab (N) and walked from the keyboard in a real terminal
// (tmux): the accounts are recorded with the prefilled usernames and the
// spare laptop is assigned and passes its build check. Uses startConsole
// from console_e2e_test.go.

import (
	"testing"

	"github.com/opsdeck/opsdeck/model"
)

func TestOnboardInTheConsole(t *testing.T) {
	db := demoDB(t)
	tm := startConsole(t, db, 120, 32)
	tm.waitFor("Kristen Park", "live")

	tm.keys("N")
	tm.waitFor("Onboard a new hire from a role profile", "email")
	tm.keys("text:lee.park@example.com", "Tab", "text:Lee Park", "Tab", "text:developer", "Tab", "Tab", "text:LT-090", "Enter")
	tm.waitFor("Onboarding Lee Park (developer)", "onboarding started: Lee Park is joining", "0/9",
		"▸  1 [ ] open    Create AWS member account", "how: IAM Identity Center")

	// Five accounts: space asks for the username, prefilled; enter records it.
	for i, p := range []string{"1/9", "2/9", "3/9", "4/9", "5/9"} {
		tm.keys("Space")
		if i == 0 {
			tm.waitFor("username on AWS member: lee.park")
		}
		tm.keys("Enter")
		tm.waitFor(p)
	}
	tm.waitFor("account Slack:lee.park member recorded")
	// The laptop: asset tag prefilled from the start form.
	tm.keys("Space")
	tm.waitFor("step 6, asset tag: LT-090")
	tm.keys("Enter")
	tm.waitFor("6/9", "LT-090 (spare-laptop-90) assigned to Lee Park")
	tm.keys("Space")
	tm.waitFor("7/9", "LT-090 built: no drift from the baseline")
	// Completing is refused while template steps are open.
	tm.keys("c")
	tm.waitFor("unfinished step(s)")
	tm.keys("q")
	tm.waitExit()

	var accts []model.Account
	runJSON(t, db, &accts, "accounts", "list", "--person", "lee.park@example.com")
	if len(accts) != 5 {
		t.Fatalf("%d accounts recorded, want 5: %+v", len(accts), accts)
	}
	for _, a := range accts {
		if a.Username != "lee.park" || a.Entitlement != "member" || a.Status != "active" {
			t.Errorf("account %+v", a)
		}
	}
	var d model.Device
	runJSON(t, db, &d, "devices", "show", "LT-090")
	if d.Status != "in_use" || d.HolderID == nil {
		t.Errorf("LT-090: %s %v", d.Status, d.HolderID)
	}
}
