package form

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/themes"
)

func keys(m Model, ks ...tea.KeyPressMsg) (Model, tea.Msg) {
	var last tea.Msg
	for _, k := range ks {
		var cmd tea.Cmd
		m, cmd = m.Update(k)
		if cmd != nil {
			last = cmd()
		}
	}
	return m, last
}

func typed(s string) []tea.KeyPressMsg {
	var out []tea.KeyPressMsg
	for _, r := range s {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

var (
	enter = tea.KeyPressMsg{Code: tea.KeyEnter}
	save  = tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
	right = tea.KeyPressMsg{Code: tea.KeyRight}
	esc   = tea.KeyPressMsg{Code: tea.KeyEscape}
)

func newForm() Model {
	st := themes.NewStyles(themes.Mono())
	m := New(&st, "person", "Add a person", []Field{
		{Key: "name", Label: "name"},
		{Key: "status", Label: "status", Value: "active", Choices: []string{"active", "leaving"}},
	})
	m.Check = func(v map[string]string) error {
		if v["name"] == "" {
			return model.Invalid("name", "", "is required")
		}
		return nil
	}
	m.SetSize(60, 10)
	return m
}

func TestErrorsShowUnderTheirField(t *testing.T) {
	m, msg := keys(newForm(), save)
	if msg != nil {
		t.Fatalf("submitted an invalid form: %v", msg)
	}
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	found := false
	for i, l := range lines {
		if strings.HasPrefix(l, "▸ name") {
			found = i+1 < len(lines) && strings.Contains(lines[i+1], `✗ name: "" is required`)
		}
	}
	if !found {
		t.Fatalf("error not under the focused name field:\n%s", strings.Join(lines, "\n"))
	}
	// Fixing the value clears the message as you type.
	m, _ = keys(m, typed("Ann")...)
	if m.Error("name") != "" {
		t.Fatalf("error stayed: %q", m.Error("name"))
	}
	// A non-field error goes under the title.
	m.SetError(errors.New("database is locked"))
	if !strings.Contains(ansi.Strip(m.View()), "✗ database is locked") {
		t.Fatal("form-level error not shown")
	}
}

func TestChoicesEnterAndSubmit(t *testing.T) {
	m, _ := keys(newForm(), typed("Ann")...)
	m, _ = keys(m, enter, right) // enter moves to status; right picks "leaving"
	m, msg := keys(m, enter)     // enter on the last field submits
	sub, ok := msg.(SubmitMsg)
	if !ok || sub.Values["name"] != "Ann" || sub.Values["status"] != "leaving" {
		t.Fatalf("submitted %#v", msg)
	}
	if _, msg = keys(m, esc); msg != (CancelMsg{Tag: "person"}) {
		t.Fatalf("esc sent %#v", msg)
	}
}
