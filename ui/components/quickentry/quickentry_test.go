package quickentry

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/themes"
)

func typeText(m Model, s string) Model {
	for _, r := range s {
		m, _ = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return m
}

func press(m Model, k tea.KeyPressMsg) (Model, tea.Msg) {
	m, cmd := m.Update(k)
	if cmd == nil {
		return m, nil
	}
	return m, cmd()
}

func TestCompletionToggleAndSubmit(t *testing.T) {
	st := themes.NewStyles(themes.Mono())
	m := New(&st, model.DefaultLedgerCategories, Prefill{})
	m.SetWidth(80)
	if m.Focused() != FieldCategory {
		t.Fatalf("no category prefilled: focus %d", m.Focused())
	}
	m = typeText(m, "sup")                             // a substring match only
	m, _ = press(m, tea.KeyPressMsg{Code: tea.KeyTab}) // completes
	if got := m.Value(FieldCategory); got != "laptop support" {
		t.Fatalf("completed to %q", got)
	}
	m, _ = press(m, tea.KeyPressMsg{Code: tea.KeyTab}) // a category: moves on
	if m.Focused() != FieldNote {
		t.Fatalf("focus %d", m.Focused())
	}
	m = typeText(m, "VPN")
	m, _ = press(m, tea.KeyPressMsg{Code: 't', Mod: tea.ModCtrl})
	if !m.Planned() || !strings.Contains(ansi.Strip(m.View()), "PLANNED") {
		t.Fatalf("ctrl+t did not toggle:\n%s", ansi.Strip(m.View()))
	}
	m, _ = press(m, tea.KeyPressMsg{Code: tea.KeyTab})
	m = typeText(m, "1h30")
	_, msg := press(m, tea.KeyPressMsg{Code: tea.KeyEnter})
	sub, ok := msg.(SubmitMsg)
	want := Values{Kind: "planned", Category: "laptop support", Note: "VPN", Duration: 90 * time.Minute}
	if !ok || sub.Values != want {
		t.Fatalf("submitted %#v", msg)
	}
	if lines := strings.Split(m.View(), "\n"); len(lines) != Height {
		t.Fatalf("%d lines, want %d", len(lines), Height)
	}
}

func TestFieldErrorMarksItsField(t *testing.T) {
	st := themes.NewStyles(themes.Mono())
	m := New(&st, model.DefaultLedgerCategories, Prefill{Category: "other", Link: "device LT-001"})
	m.SetError(model.Invalid("category", "nope", "is not a ledger category"))
	if m.Focused() != FieldCategory || m.Err() == nil || !strings.Contains(ansi.Strip(m.View()), `✗ category: "nope"`) {
		t.Fatalf("focus %d:\n%s", m.Focused(), ansi.Strip(m.View()))
	}
	m = typeText(m, "x") // editing the field clears its error
	if m.Err() != nil {
		t.Fatal("error kept after an edit")
	}
	_, msg := press(m, tea.KeyPressMsg{Code: tea.KeyEscape})
	if _, ok := msg.(CancelMsg); !ok {
		t.Fatalf("esc sent %#v", msg)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"": 0, "20": 20 * time.Minute, "20m": 20 * time.Minute, "1h": time.Hour, "1h30": 90 * time.Minute,
		"1h30m": 90 * time.Minute, "1:30": 90 * time.Minute, "1.5h": 90 * time.Minute, " 45 m ": 45 * time.Minute,
	} {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"abc", "0", "-5m", "1:75", "200h", "20s"} {
		if _, err := ParseDuration(in); err == nil || !strings.HasPrefix(err.Error(), "time: ") {
			t.Errorf("ParseDuration(%q) err = %v, want a time field error", in, err)
		}
	}
}
