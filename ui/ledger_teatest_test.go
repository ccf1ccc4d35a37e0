package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/themes"
)

// TestLedgerFlowInRealProgram logs a laptop-support interruption from the
// devices tab in a real Bubble Tea program (fixed colour profile and
// theme), stops it, and finds it on the ledger tab. The demo ledger is
// relative to now, so the frame is checked by content, not a golden file.
func TestLedgerFlowInRealProgram(t *testing.T) {
	s := openStore(t, true)
	dark := themes.Default(true)
	actor := model.LocalActor("tester")
	tm := teatest.NewTestModel(t, New(Options{Store: s, Actor: actor, Theme: &dark}),
		teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ANSI256)))
	waitFor := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	waitFor("Kristen Park")
	tm.Type("2")
	waitFor("tom-laptop")
	tm.Type("/LT-015")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("/lt-015")
	tm.Type("L")
	waitFor("log work")
	tm.Type("dock")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("laptop support 0:0") // the status bar's timer (the renderer only
	tm.Type("X")                  // writes cells that changed: match short strings)
	waitFor("after 0m")           // "stopped unplanned laptop support after 0m"
	tm.Type("5")
	waitFor("last 12 weeks")
	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*app)
	frame := ansi.Strip(final.View().Content)
	for _, want := range []string{"5 ledger", "this week", " 50%╌", "LT-015, for Tom", "dock"} {
		if !strings.Contains(frame, want) {
			t.Errorf("final frame lacks %q:\n%s", want, frame)
		}
	}
	es, err := s.LedgerEntries(context.Background(), store.LedgerQuery{Actor: actor.String()})
	if err != nil || len(es) != 1 || es[0].DeviceTag != "LT-015" || es[0].Status != "stopped" || es[0].Note != "dock" {
		t.Fatalf("entries %+v %v", es, err)
	}
}
