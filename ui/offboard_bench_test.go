package ui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/demo"
	"github.com/opsdeck/opsdeck/internal/testenv/storetest"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
)

// benchChecklist is an 80×24 console showing Jenny's open checklist on the
// demo company.
func benchChecklist(b *testing.B) *app {
	b.Helper()
	s := storetest.Open(b, nil, demo.Load)
	ctx := context.Background()
	p, err := s.FindPerson(ctx, "jenny@example.com")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ops.StartOffboarding(ctx, ops.Env{Store: s, Actor: model.LocalActor("bench")}, ops.LeaverID(p.ID), "", "", false); err != nil {
		b.Fatal(err)
	}
	a := newApp(Options{StartTab: "people", Store: s, Actor: model.LocalActor("bench"), Width: 80, Height: 24})
	benchRun(a, a.pushScreen(pushScreenMsg{screen: newOffboardingScreen(a.env, p.ID)}))
	return a
}

// benchRun runs cmd and feeds its message back, as the program would.
func benchRun(a *app, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	if msg := cmd(); msg != nil {
		_, next := a.Update(msg)
		benchRun(a, next)
	}
}

// BenchmarkChecklistMove is j/k on the checklist to a rendered frame.
func BenchmarkChecklistMove(b *testing.B) {
	a := benchChecklist(b)
	keys := []tea.KeyPressMsg{press("j"), press("k")}
	for i := 0; b.Loop(); i++ {
		_, cmd := a.Update(keys[i%2])
		benchRun(a, cmd)
		_ = a.View()
	}
}

// BenchmarkChecklistMarkUndo is one write key (space on the last step, a
// template step that asks nothing, then u) to a rendered frame: the store
// transaction with its audit row, the re-read of the checklist, the render.
func BenchmarkChecklistMarkUndo(b *testing.B) {
	a := benchChecklist(b)
	_, cmd := a.Update(press("G"))
	benchRun(a, cmd)
	keys := []tea.KeyPressMsg{{Code: tea.KeySpace, Text: " "}, press("u")}
	for i := 0; b.Loop(); i++ {
		_, cmd := a.Update(keys[i%2])
		benchRun(a, cmd)
		_ = a.View()
	}
	if s := screen(a); !strings.Contains(s, "step 12 done") && !strings.Contains(s, "step 12 undone") {
		b.Fatalf("the marks did not go through:\n%s", s)
	}
}
