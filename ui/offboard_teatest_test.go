package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/themes"
)

// TestOffboardFlowInRealProgram starts Jenny's offboarding in a real Bubble
// Tea program with a fixed colour profile, theme and clock, marks the first
// step, and compares the checklist frame (bus-factor lines in the warning
// colour, who and when) with a golden file (-update rewrites it).
func TestOffboardFlowInRealProgram(t *testing.T) {
	s := openStore(t, true)
	// The checklist shows local times: a clock fixed in the local zone
	// draws the same frame on every machine.
	at := time.Date(2026, 11, 2, 9, 30, 0, 0, time.Local)
	s.Now = func() time.Time { return at }

	dark := themes.Default(true)
	tm := teatest.NewTestModel(t, New(Options{Store: s, Actor: model.LocalActor("tester"), Theme: &dark}),
		teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ANSI256)))
	// The renderer only rewrites cells that changed, so each wait is for
	// text that is new on the screen as a whole.
	waitFor := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
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
	lines := strings.Split(final.View().Content, "\n")
	plain := ansi.Strip(final.View().Content)
	for _, want := range []string{"1 [x] done    Revoke Confluence admin account jenny", "tester 11-02",
		"▸  2 [ ] open    Revoke Jira admin account jenny", "⚠ bus factor 1", "successor Dave Kim"} {
		if !strings.Contains(plain, want) {
			t.Fatalf("frame lacks %q:\n%s", want, plain)
		}
	}
	teatest.RequireEqualOutput(t, []byte(strings.Join(lines[:len(lines)-1], "\n")))
}
