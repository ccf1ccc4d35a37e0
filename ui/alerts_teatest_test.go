package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/opsdeck/opsdeck/store"
)

// TestAlertTriageInRealProgram triages the demo's db-01 outage in a real
// Bubble Tea program with a fixed colour profile: open the alerts tab,
// acknowledge the root alert with a reason, open its detail. (No golden
// frame: the demo's alert ages depend on when it was loaded.)
func TestAlertTriageInRealProgram(t *testing.T) {
	s := openStore(t, true)
	tm := realProgram(t, New(testerOptions(s)), 80, 24)
	waitFor := func(what ...string) { t.Helper(); waitOutput(t, tm, what...) }
	waitFor("Kristen Park", "2 firing")
	tm.Type("4")
	waitFor("postgres-primary")
	tm.Type("j")
	tm.Type("a")
	waitFor("Acknowledge alert", "db-01-up")
	tm.Type("power cycling db-01")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("acknowledged alert", "1 firing · 1") // the renderer repaints only what changed
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("Timeline", "Explains (1")
	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*app)
	frame := ansi.Strip(final.View().Content)
	for _, want := range []string{"alerts › db-01-up · ACKED", "by local:tester", "power cycling db-01", "1 firing · 1 acked"} {
		if !strings.Contains(frame, want) {
			t.Fatalf("final frame lacks %q:\n%s", want, frame)
		}
	}
	as, err := s.ListAlerts(context.Background(), store.AlertQuery{State: "acknowledged"})
	if err != nil || len(as) != 1 || as[0].CheckName != "db-01-up" || as[0].AckedBy != "local:tester" {
		t.Fatalf("acknowledged: %+v %v", as, err)
	}
}
