// Package confirm is a yes/no dialog that shows what an action will change
// before it happens.
package confirm

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/themes"
)

// ResultMsg is sent when the user answers; Tag identifies the question.
type ResultMsg struct {
	Tag string
	Yes bool
}

// KeyMap is the dialog's bindings.
type KeyMap struct{ Yes, No key.Binding }

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Yes, k.No} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// Model is the dialog.
type Model struct {
	Keys          KeyMap
	Tag           string
	title         string
	lines         []string
	styles        *themes.Styles
	width, height int
}

// New asks title, showing lines (the preview of the change).
func New(st *themes.Styles, tag, title string, lines []string) Model {
	return Model{Tag: tag, title: title, lines: lines, styles: st, Keys: KeyMap{
		Yes: key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes, do it")),
		No:  key.NewBinding(key.WithKeys("n", "N", "esc", "q"), key.WithHelp("n/esc", "cancel")),
	}}
}

// SetSize sets the area the dialog is centred in.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Update answers on y or n/esc. Enter is deliberately not "yes": a
// destructive action needs a deliberate key.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	answer := func(yes bool) tea.Cmd {
		return func() tea.Msg { return ResultMsg{Tag: m.Tag, Yes: yes} }
	}
	switch {
	case key.Matches(k, m.Keys.Yes):
		return m, answer(true)
	case key.Matches(k, m.Keys.No):
		return m, answer(false)
	}
	return m, nil
}

// View renders the dialog box.
func (m Model) View() string {
	inner := max(min(m.width-4, 72), 10)
	var b strings.Builder
	b.WriteString(m.styles.Title.Render(ansi.Truncate(m.title, inner, "…")))
	b.WriteString("\n")
	for _, l := range m.lines {
		b.WriteString("\n" + m.styles.Text.Render(ansi.Truncate(l, inner, "…")))
	}
	b.WriteString("\n\n" + m.styles.Accent.Render("y") + m.styles.Muted.Render(" confirm   ") +
		m.styles.Accent.Render("n/esc") + m.styles.Muted.Render(" cancel"))
	return m.styles.Dialog.Render(b.String())
}
