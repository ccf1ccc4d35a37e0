package checklist

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/themes"
)

func press(s string) tea.KeyPressMsg {
	switch s {
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	}
	return tea.KeyPressMsg{Code: rune(s[0]), Text: s}
}

func run(t *testing.T, cmd tea.Cmd) ActionMsg {
	t.Helper()
	if cmd == nil {
		t.Fatal("no action emitted")
	}
	a, ok := cmd().(ActionMsg)
	if !ok {
		t.Fatalf("emitted %T", cmd())
	}
	return a
}

func steps() []model.ChecklistStep {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	return []model.ChecklistStep{
		{N: 1, Kind: "account", Title: "Create GitHub account", State: model.StateDone, By: "local:oscar", At: &at, Effect: "account added"},
		{N: 2, Kind: "account", Title: "Create AWS account", State: model.StateOpen, Input: "username", Default: "kim",
			Procedure: "IAM → Users → Add", Link: "https://wiki/aws", Warn: "critical"},
		{N: 3, Kind: "laptop", Title: "Assign a laptop", State: model.StateOpen},
	}
}

func newModel() Model {
	st := themes.NewStyles(themes.Mono())
	m := New(&st, func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) })
	m.Tag = 7
	m.SetSize(100, 20)
	return m
}

func TestWalkEmitsActions(t *testing.T) {
	m := newModel()
	m.AskDone = func(s model.ChecklistStep) *Ask {
		switch {
		case s.Input != "":
			return &Ask{Label: "username: ", Default: s.Default, Required: "a username is required"}
		case s.Kind == "laptop":
			return &Ask{Label: "goes to ", Choices: []string{"LT-1", "LT-2"}}
		}
		return nil
	}
	m.SetData(Header{Title: "Onboarding Kim", Sub: "developer"}, steps(), false, 0)
	if s, _ := m.Current(); s.N != 2 {
		t.Fatalf("cursor starts on step %d, want the first open (2)", s.N)
	}
	view := ansi.Strip(m.View())
	for _, want := range []string{"Onboarding Kim", "[##", "1/3", "[x] done", "⚠ critical", "how: IAM → Users → Add · https://wiki/aws", "oscar 09:00"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	// space asks for the username, prefilled; enter answers with it.
	if cmd := m.Update(press("space")); cmd != nil || !m.Capturing() {
		t.Fatal("space on a step with an input should ask first")
	}
	if a := run(t, m.Update(press("enter"))); a != (ActionMsg{Tag: 7, Action: ActDone, N: 2, Value: "kim"}) {
		t.Fatalf("done: %+v", a)
	}
	if !m.Busy() {
		t.Fatal("a write in flight should hold off keys")
	}
	m.SetData(Header{}, steps(), false, 2) // re-read after the write: move past step 2
	if s, _ := m.Current(); s.N != 3 {
		t.Fatalf("after done the cursor is on %d, want 3", s.N)
	}
	// A choice question.
	m.Update(press("space"))
	m.Update(press("right"))
	if a := run(t, m.Update(press("enter"))); a.Value != "LT-2" || a.N != 3 {
		t.Fatalf("choice: %+v", a)
	}
	m.SetData(Header{}, steps(), false, 0)
	// skip needs a reason: empty is refused without emitting.
	m.Update(press("s"))
	if cmd := m.Update(press("enter")); cmd != nil {
		t.Fatal("empty reason emitted")
	}
	if !strings.Contains(ansi.Strip(m.View()), "a reason is required") {
		t.Fatal("no refusal shown")
	}
	for _, r := range "no laptop" {
		m.Update(press(string(r)))
	}
	if a := run(t, m.Update(press("enter"))); a.Action != ActSkip || a.Value != "no laptop" {
		t.Fatalf("skip: %+v", a)
	}
	m.SetData(Header{}, steps(), false, 0)
	m.Update(press("k"))
	m.Update(press("k"))
	if cmd := m.Update(press("space")); cmd != nil {
		t.Fatal("done on a done step emitted")
	}
	if a := run(t, m.Update(press("u"))); a.Action != ActUndo || a.N != 1 {
		t.Fatalf("undo: %+v", a)
	}
	m.SetData(Header{}, steps(), false, 0)
	if a := run(t, m.Update(press("c"))); a.Action != ActComplete || a.N != 0 {
		t.Fatalf("complete: %+v", a)
	}
	m.SetData(Header{}, steps(), false, 0)
	m.Update(press("C"))
	for _, r := range "gone" {
		m.Update(press(string(r)))
	}
	if a := run(t, m.Update(press("enter"))); a.Action != ActForce || a.Value != "gone" || a.N != 0 {
		t.Fatalf("force: %+v", a)
	}
}

func TestSmallSizesDoNotPanic(t *testing.T) {
	m := newModel()
	m.SetData(Header{Title: "x"}, steps(), false, 0)
	for _, wh := range [][2]int{{0, 0}, {1, 1}, {20, 5}, {200, 60}} {
		m.SetSize(wh[0], wh[1])
		_ = m.View()
	}
	if len(m.Keys.ShortHelp()) == 0 || len(m.Keys.FullHelp()) == 0 {
		t.Fatal("no help")
	}
}
