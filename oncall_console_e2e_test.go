package main

// On call in the console: the status bar names who is on call now and
// next (on the alerts tab too), ":oncall" shows the demo's two rotations
// with the override beside the shift it covers, and O there adds an
// override (a viewer refused inline) that the CLI then shows.

import (
	"strings"
	"testing"
)

func TestOnCallInTheConsole(t *testing.T) {
	db := demoDB(t)
	now := oncallNow(t, db)
	primary, next := now.Now[0].Person, now.Next.Person
	tm := startConsole(t, db, 140, 32)
	first := func(n string) string { f, _, _ := strings.Cut(n, " "); return f }
	tm.waitFor("on call " + first(primary) + " · next " + first(next))
	tm.keys("4")
	tm.waitFor("analytics-db-backup", "on call "+first(primary))

	tm.keys(":", "text:oncall", "Enter")
	s := tm.waitFor("On call", "primary (primary)", "secondary (secondary)", "covering")
	if !strings.Contains(s, now.Now[1].Person) {
		t.Errorf("the schedule lacks the secondary on call %s:\n%s", now.Now[1].Person, s)
	}
	// O on the schedule: the override form.
	tm.keys("O")
	tm.waitFor("Add an on-call override", "person", "rotation", "until")
	tm.keys("text:olivia@example.com", "C-s")
	tm.waitFor(`"olivia@example.com" is a viewer; only operators and admins can be on call`)
	for range len("olivia@example.com") {
		tm.keys("BSpace")
	}
	other := "chen@example.com"
	if now.Now[0].Email == other {
		other = "dave@example.com"
	}
	tm.keys("text:"+other, "C-s")
	tm.waitFor("override", "on call until")
	cur := oncallNow(t, db)
	if cur.Now[0].Email != other || cur.Now[0].OverrideID == nil || cur.Now[0].Covers != primary {
		t.Errorf("after O in the console: %+v", cur.Now[0])
	}
	tm.keys("Escape", "q")
	tm.waitExit()
}
