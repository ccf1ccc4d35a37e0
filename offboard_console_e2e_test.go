package main

// End-to-end test of offboarding in the console: the demo's Bill (who left
// but still holds a GitHub admin account and an AWS login) is walked out by
// keys in a real terminal (tmux), then the binary's own reports say what
// happened. Uses startConsole from console_e2e_test.go.

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/opsdeck/opsdeck/model"
)

func TestOffboardBillInTheConsole(t *testing.T) { eachInstant(t, offboardBillInTheConsole) }

func offboardBillInTheConsole(t *testing.T) {
	db := demoDB(t)
	tm := startConsole(t, db, 80, 24)
	tm.waitFor("Kristen Park", "live")

	tm.keys("/", "text:bill", "Enter", "Enter")
	tm.waitFor("people › Bill Carter", "Accounts (5)")
	tm.keys("o")
	tm.waitFor("Start offboarding Bill Carter", "The checklist will have 10 steps",
		"1  account  Revoke GitHub admin account billc-dev", "2  account  Revoke AWS member account bill")
	tm.keys("text:Dave", "Tab")
	tm.waitFor("successor  dave@example.com", "Dave Kim <dave@example.com>")
	tm.keys("Enter")
	tm.waitFor("Start it? 10 steps")
	tm.keys("y")
	tm.waitFor("› offboarding Bill Carter", "successor Dave Kim", "0/10", "▸  1 [ ] open    Revoke GitHub admin")

	// Admin account first, then AWS, then the laptop (back to spare).
	tm.keys("Space")
	tm.waitFor("1/10", "account GitHub:billc-dev active → revoked")
	tm.keys("Space")
	tm.waitFor("2/10", "account AWS:bill active → revoked")
	tm.keys("Space")
	tm.waitFor("step 3: the device goes to", "spare", "repair")
	tm.keys("Enter")
	tm.waitFor("3/10", "LT-006 in_use → spare, holder cleared")

	// Skip a template step: an empty reason is refused inline.
	tm.keys("j", "j", "s", "Enter")
	tm.waitFor("skip step 6, reason:", "a reason is required")
	tm.keys("text:no badge was ever issued", "Enter")
	tm.waitFor("4/10", "6 [-] skipped")

	// Undo the laptop and do it again.
	tm.keys("g", "j", "j", "u")
	tm.waitFor("step 3 undone", "3/10", "▸  3 [ ] open")
	tm.keys("Space")
	tm.waitFor("the device goes to")
	tm.keys("Enter")
	tm.waitFor("4/10", "in_use → spare")

	// Completing is refused while steps are open.
	tm.keys("c")
	tm.waitFor("unfinished step(s)")

	// The rest: two secrets (cursor moved on to 4), then templates 7-10.
	tm.keys("Space")
	tm.waitFor("5/10")
	tm.keys("Space")
	tm.waitFor("6/10")
	tm.keys("j")
	for _, p := range []string{"7/10", "8/10", "9/10", "10/10"} {
		tm.keys("Space")
		tm.waitFor(p)
	}
	tm.keys("c")
	tm.waitFor("offboarding completed: Bill Carter is departed", "completed 20")
	tm.keys("q")
	tm.waitExit()

	var accts []model.Account
	runJSON(t, db, &accts, "accounts", "list", "--person", "bill@example.com")
	revoked := map[string]bool{}
	for _, a := range accts {
		if a.Status == "active" {
			t.Fatalf("%s account %s still active", a.ServiceName, a.Username)
		}
		revoked[a.ServiceName] = a.Status == "revoked"
	}
	if !revoked["GitHub"] || !revoked["AWS"] {
		t.Fatalf("GitHub and AWS not revoked: %+v", accts)
	}
	var dev model.Device
	runJSON(t, db, &dev, "devices", "show", "LT-006")
	if dev.Status != "spare" || dev.HolderID != nil {
		t.Fatalf("laptop %s holder %v", dev.Status, dev.HolderID)
	}
	var rep model.OffboardingReport
	if err := json.Unmarshal([]byte(mustRun(t, db, "offboard", "report", "bill@example.com", "--format", "json")), &rep); err != nil {
		t.Fatal(err)
	}
	o := rep.Offboarding
	if o.Status != "completed" || o.Forced || o.SuccessorName != "Dave Kim" || o.PersonStatus != "departed" {
		t.Fatalf("offboarding %+v", o)
	}
	actor := o.CompletedBy
	if !strings.HasPrefix(actor, "local:") || o.StartedBy != actor {
		t.Fatalf("started by %q, completed by %q", o.StartedBy, actor)
	}
	var undo, skip bool
	for _, e := range rep.Trail {
		if e.Actor != actor {
			t.Fatalf("trail entry by %q, not the console user %q: %+v", e.Actor, actor, e)
		}
		undo = undo || (e.Action == "undo" && e.Step == 3)
		skip = skip || (e.Action == "skip" && e.Step == 6 && strings.Contains(e.Summary, "no badge was ever issued"))
	}
	if !undo || !skip || len(rep.Trail) < 14 {
		t.Fatalf("trail lacks the undo or the skip (%d entries): %+v", len(rep.Trail), rep.Trail)
	}
}
