package main

// End-to-end test of the monthly review in the console: on the demo (last
// month's review signed off), `:review` generates this month's, the keys
// walk it (decide each item), `c` signs it off, and the frozen report
// says what changed since last month.

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

func TestReviewInTheConsole(t *testing.T) {
	db := demoDB(t)
	month := binNow().In(time.Local).Format("2006-01")
	tm := startConsole(t, db, 120, 40)
	tm.waitFor("Kristen Park", "live")
	tm.keys(":", "text:review", "Enter")
	tm.waitFor("Monthly security review "+month, "Finding #2")

	var steps []model.ChecklistStep
	runJSON(t, db, &steps, "review", "steps", month)
	if len(steps) < 4 || steps[0].RefKind != "finding" {
		t.Fatalf("review steps: %+v", steps)
	}
	// The first item is the overdue finding (#2, GitHub two-step): accept its risk by typing.
	tm.keys("Space")
	tm.waitFor("step 1 decision:")
	tm.keys("C-u", "text:accepted: enforcement scheduled with the GitHub org owners until "+binNow().In(time.Local).AddDate(0, 0, 20).Format(time.DateOnly), "Enter")
	tm.waitFor("1/")
	// Every other item: the default decision (fixed).
	for i := 2; i <= len(steps); i++ {
		askDecision(tm, i)
		tm.keys("Enter")
		tm.waitFor(itoa(i) + "/")
	}
	tm.keys("c")
	tm.waitFor("completed")
	tm.keys("q")
	tm.waitExit()

	var rep model.ChecklistReport
	runJSON(t, db, &rep, "review", "report", month)
	if rep.Checklist.Status != model.ChecklistCompleted || !strings.Contains(rep.Checklist.Summary, "since") {
		t.Fatalf("review not signed off with a comparison: %+v", rep.Checklist)
	}
	md := mustRun(t, db, "review", "report", month, "--format", "md")
	for _, want := range []string{"Changed since last month", "New", "Still open", "No two-step verification", "no_mfa"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	var f model.Finding
	runJSON(t, db, &f, "findings", "show", "2")
	if f.State != model.FindingAccepted || f.AcceptReason != "enforcement scheduled with the GitHub org owners" {
		t.Fatalf("the decision did not reach the finding: %+v", f)
	}
	b, _ := json.Marshal(rep)
	if !strings.Contains(string(b), `"sections"`) {
		t.Fatal("json report lacks sections")
	}
}

// askDecision presses space on step n until its decision prompt shows: a
// key that lands while the last decision is still being saved is answered
// "still saving the last change…" and changes nothing, as it should, so a
// slow machine (the race detector) may need a second press.
func askDecision(tm *term, n int) {
	want := "step " + itoa(n) + " decision:"
	for try := 0; try < 5; try++ {
		tm.keys("Space")
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if strings.Contains(tm.screen(), want) {
				return
			}
		}
	}
	tm.waitFor(want)
}
