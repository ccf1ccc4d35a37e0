package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// TestLedgerFlowInRealProgram logs a laptop-support interruption from the
// devices tab in a real Bubble Tea program (fixed colour profile and
// theme), stops it, and finds it on the ledger tab. The demo ledger is
// relative to now, so the frame is checked by content, not a golden file.
func TestLedgerFlowInRealProgram(t *testing.T) {
	s := openStore(t, true)
	opts := testerOptions(s)
	actor := opts.Actor
	tm := realProgram(t, New(opts), 80, 24)
	waitFor := func(what string) { t.Helper(); waitOutput(t, tm, what) }
	if err := s.Write(context.Background(), actor, func(tx *store.Tx) error {
		_, err := tx.StartEntry(&model.WorkEntry{Kind: "planned", Category: "project", Note: "backup automation"})
		return err
	}); err != nil {
		t.Fatal(err)
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
	// The renderer writes only the cells that changed, so wait for words
	// the previous frame did not have at that place.
	waitFor("paused project") // "started unplanned laptop support (LT-015, …); paused project"
	tm.Type("X")
	waitFor("resumed") // "stopped unplanned laptop support after 1s; resumed planned project"
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
	if err != nil || len(es) != 2 || es[1].DeviceTag != "LT-015" || es[1].Status != "stopped" || es[1].Note != "dock" || es[0].Status != "running" {
		t.Fatalf("entries %+v %v", es, err)
	}
}
