package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/opsdeck/opsdeck/internal/instants"
	"github.com/opsdeck/opsdeck/store"
)

// offboardJenny starts Jenny's offboarding in a real Bubble Tea program
// with a fixed colour profile and theme, marks the first step and returns
// the final frame's lines.
func offboardJenny(t *testing.T, s *store.Store) []string {
	t.Helper()
	tm := realProgram(t, New(testerOptions(s)), 80, 24)
	// The renderer only rewrites cells that changed, so each wait is for
	// text that is new on the screen as a whole.
	waitFor := func(what string) { t.Helper(); waitOutput(t, tm, what) }
	waitFor("Kristen Park")
	tm.Type("/jenny")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("/jenny")
	tm.Type("o")
	waitFor("Start offboarding Jenny Alvarez")
	tm.Type("dave")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	waitFor("dave@example.com")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("Start it?")
	tm.Type("y")
	waitFor("Offboarding Jenny Alvarez <jenny@example.com>")
	tm.Send(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
	waitFor("active → revoked")
	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*app)
	return strings.Split(final.View().Content, "\n")
}

// TestOffboardFlowInRealProgram compares the checklist frame (bus-factor
// lines in the warning colour, who and when) with a golden file (-update
// rewrites it). The clock stands still at the pinned instant's wall time
// in the local zone, so the frame is the same on every machine and day.
func TestOffboardFlowInRealProgram(t *testing.T) {
	s := openStoreAt(t, clockworkAt(instants.Pinned.Wall()), true)
	lines := offboardJenny(t, s)
	plain := ansi.Strip(strings.Join(lines, "\n"))
	for _, want := range []string{"1 [x] done    Revoke Confluence admin account jenny", "tester 18:00",
		"last day 2026-11-27", "started 2026-11-27 18:00",
		"▸  2 [ ] open    Revoke Jira admin account jenny", "⚠ bus factor 1", "successor Dave Kim"} {
		if !strings.Contains(plain, want) {
			t.Fatalf("frame lacks %q:\n%s", want, plain)
		}
	}
	teatest.RequireEqualOutput(t, []byte(strings.Join(lines[:len(lines)-1], "\n")))
}

// At every instant of the date matrix the checklist says the same things
// about "today": the default last day is the local date, the start and
// the first step carry the local time.
func TestOffboardChecklistAtEveryInstant(t *testing.T) {
	instants.Each(t, func(t *testing.T, in instants.Instant) {
		now := in.Time()
		s := openStoreAt(t, in.Clock(), true)
		plain := ansi.Strip(strings.Join(offboardJenny(t, s), "\n"))
		for _, want := range []string{"last day " + now.Format("2006-01-02"), "started " + now.Format("2006-01-02 15:04"),
			"1 [x] done    Revoke Confluence admin account jenny", "tester " + now.Format("15:04"), "successor Dave Kim"} {
			if !strings.Contains(plain, want) {
				t.Fatalf("frame lacks %q:\n%s", want, plain)
			}
		}
	})
}
