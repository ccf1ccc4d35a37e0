package cmdline

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/themes"
)

func typeIn(m Model, keys ...tea.KeyPressMsg) Model {
	for _, k := range keys {
		m, _ = m.Update(k)
	}
	return m
}

func text(s string) []tea.KeyPressMsg {
	var out []tea.KeyPressMsg
	for _, r := range s {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

var (
	tab   = tea.KeyPressMsg{Code: tea.KeyTab}
	enter = tea.KeyPressMsg{Code: tea.KeyEnter}
	up    = tea.KeyPressMsg{Code: tea.KeyUp}
	down  = tea.KeyPressMsg{Code: tea.KeyDown}
)

func TestCompletion(t *testing.T) {
	st := themes.NewStyles(themes.Mono())
	m := New(&st, []string{"people", "devices", "services", "theme"})
	m.Open()
	m = typeIn(m, text("de")...)
	m = typeIn(m, tab)
	if m.Value() != "devices " {
		t.Fatalf("unique prefix completed to %q", m.Value())
	}
	m.Open()
	m = typeIn(m, text("xx")...)
	m = typeIn(m, tab)
	if m.Value() != "xx" {
		t.Fatalf("no match changed the line to %q", m.Value())
	}
	m2 := New(&st, []string{"people", "peers"})
	m2.Open()
	m2 = typeIn(m2, append(text("p"), tab)...)
	if m2.Value() != "pe" {
		t.Fatalf("common prefix: %q", m2.Value())
	}
}

func TestHistory(t *testing.T) {
	st := themes.NewStyles(themes.Mono())
	m := New(&st, nil)
	for _, line := range []string{"people", "dev kristen", "dev kristen"} {
		m.Open()
		m = typeIn(m, append(text(line), enter)...)
	}
	if len(m.History()) != 2 {
		t.Fatalf("history %q: repeats are kept once", m.History())
	}
	m.Open()
	m = typeIn(m, text("draft")...)
	m = typeIn(m, up)
	if m.Value() != "dev kristen" {
		t.Fatalf("up: %q", m.Value())
	}
	m = typeIn(m, up, up)
	if m.Value() != "people" {
		t.Fatalf("up at the oldest: %q", m.Value())
	}
	m = typeIn(m, down, down)
	if m.Value() != "draft" {
		t.Fatalf("back to the draft: %q", m.Value())
	}
}
