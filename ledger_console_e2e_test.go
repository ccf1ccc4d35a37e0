package main

// End-to-end test of capturing work from the console: the real binary in
// tmux (helpers in console_e2e_test.go), then the ledger CLI reading what
// the console wrote.

import (
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// weekReport is the part of `ledger report --week --json` this test reads.
type weekReport struct {
	Entries int `json:"entries"`
	Top     struct {
		Devices []struct {
			Key     string  `json:"key"`
			Hours   float64 `json:"hours"`
			Entries int     `json:"entries"`
		} `json:"devices"`
	} `json:"top_sources"`
}

func (r weekReport) device(tag string) (hours float64, entries int) {
	for _, d := range r.Top.Devices {
		if d.Key == tag {
			return d.Hours, d.Entries
		}
	}
	return 0, 0
}

func TestLedgerCaptureFromTheDevicesTab(t *testing.T) { eachInstant(t, ledgerCaptureFromTheDevicesTab) }

func ledgerCaptureFromTheDevicesTab(t *testing.T) {
	db := demoDB(t)
	var before weekReport
	runJSON(t, db, &before, "ledger", "report", "--week")
	_, lt015Before := before.device("LT-015")
	// Planned work runs when the laptop breaks.
	mustRun(t, db, "ledger", "start", "--planned", "--category", "project", "--note", "backup automation")

	tm := startConsole(t, db, 80, 24)
	tm.waitFor("Kristen Park", "● project")
	tm.keys("2", "/", "text:LT-015", "Enter")
	tm.waitFor("tom-laptop", "devices 1/30")

	// L, a note, enter: an interruption linked to the laptop and its holder.
	tm.keys("L")
	tm.waitFor("log work", "UNPLANNED", "link: device LT-015 tom-laptop · for Tom O'Brien", "laptop support")
	tm.keys("text:dock fills the disk", "Enter")
	tm.waitFor("started unplanned laptop support (LT-015, for Tom O'Brien); paused project", "● laptop support 0:0")
	tm.waitFor("● laptop support 0:02") // it ticks
	tm.keys("X")
	tm.waitFor("stopped unplanned laptop support", "resumed planned project", "● project")

	// The same laptop again, as time already spent: "2h" in the time field.
	tm.keys("L")
	tm.waitFor("link: device LT-015")
	tm.keys("text:reinstalled", "Tab", "text:2h", "Enter")
	tm.waitFor("logged 2h00m of unplanned laptop support (LT-015, for Tom O'Brien)")

	// The ledger tab shows both, at 80×24 and at 200×50.
	tm.keys("5")
	tm.waitFor("this week", "50%╌", "laptop support", "LT-015, for Tom")
	tm.tmux("resize-window", "-t", "e2e", "-x", "200", "-y", "50")
	tm.waitFor("biggest sources of unplanned hours", "REQUESTER", "dock fills the disk", "reinstalled")
	tm.keys("q")
	tm.waitExit()

	var after weekReport
	runJSON(t, db, &after, "ledger", "report", "--week")
	hours, entries := after.device("LT-015")
	// The 2 h end now; only what falls in this week counts (a Monday
	// 00:30 has half an hour of them).
	now := binClock(t)
	want := min(2*time.Hour, now.Sub(model.WeekStart(now, now.Location()))).Hours() - 0.02
	if entries != lt015Before+2 || hours < want {
		t.Fatalf("LT-015 in the week's report: %.2f h over %d entries, want ≥ 2 h over %d\n%+v", hours, entries, lt015Before+2, after.Top.Devices)
	}
	if after.Entries < before.Entries+3 { // the project timer, the interruption, the 2h
		t.Fatalf("report counts %d entries, had %d", after.Entries, before.Entries)
	}
	var list []struct {
		Kind, Category, Note, Status, Device, Person string
		InterruptsID                                 *int64 `json:"interrupts_id"`
	}
	runJSON(t, db, &list, "ledger", "list", "--week")
	var found int
	for _, e := range list {
		if e.Device != "LT-015" || e.Person != "Tom O'Brien" || e.Kind != "unplanned" || e.Category != "laptop support" {
			continue
		}
		switch e.Note {
		case "dock fills the disk":
			if e.Status != "stopped" || e.InterruptsID == nil {
				t.Fatalf("the interruption: %+v", e)
			}
			found++
		case "reinstalled":
			found++
		}
	}
	if found != 2 {
		t.Fatalf("ledger list --week lacks the console's entries:\n%+v", list)
	}
	if out := mustRun(t, db, "ledger", "list", "--open"); !strings.Contains(out, "running") || !strings.Contains(out, "backup automation") {
		t.Fatalf("the project did not resume:\n%s", out)
	}
}
