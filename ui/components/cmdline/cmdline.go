// Package cmdline is the ":" command line: one input with history (up and
// down) and tab completion against a list of words.
package cmdline

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui/components/textin"
)

// SubmitMsg is sent on enter with the trimmed line; CancelMsg on esc.
type SubmitMsg struct{ Line string }
type CancelMsg struct{}

// KeyMap is the command line's bindings.
type KeyMap struct{ Run, Cancel, Complete, Older, Newer key.Binding }

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Run, k.Complete, k.Older, k.Cancel} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Run, k.Cancel}, {k.Complete, k.Older, k.Newer}}
}

// Model is the command line.
type Model struct {
	Keys    KeyMap
	input   textinput.Model
	words   []string // completion candidates for the first word
	history []string
	hist    int    // index into history while browsing; len(history) = the new line
	draft   string // what was typed before browsing history
	hint    string // candidates shown after an ambiguous tab
	styles  *themes.Styles
	width   int
}

// New makes a command line completing against words.
func New(st *themes.Styles, words []string) Model {
	return Model{input: textin.New(st, ":"), words: words, styles: st, Keys: KeyMap{
		Run:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run command")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
		Complete: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete")),
		Older:    key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "older command")),
		Newer:    key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "newer command")),
	}}
}

// Restyle re-applies the (changed) theme to the input.
func (m *Model) Restyle() { textin.Style(&m.input, m.styles) }

// Open focuses an empty line.
func (m *Model) Open() tea.Cmd {
	m.input.SetValue("")
	m.hist, m.hint = len(m.history), ""
	return m.input.Focus()
}

// SetWidth sets the width of the line.
func (m *Model) SetWidth(w int) { m.width = w; m.input.SetWidth(max(w-2, 1)) }

// History returns past commands, oldest first.
func (m Model) History() []string { return m.history }

// Value is the current text.
func (m Model) Value() string { return m.input.Value() }

// Update edits the line.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(k, m.Keys.Cancel):
		m.input.Blur()
		return m, func() tea.Msg { return CancelMsg{} }
	case key.Matches(k, m.Keys.Run):
		line := strings.TrimSpace(m.input.Value())
		if line != "" && (len(m.history) == 0 || m.history[len(m.history)-1] != line) {
			m.history = append(m.history, line)
		}
		m.input.Blur()
		return m, func() tea.Msg { return SubmitMsg{Line: line} }
	case key.Matches(k, m.Keys.Complete):
		m.complete()
		return m, nil
	case key.Matches(k, m.Keys.Older):
		if m.hist > 0 {
			if m.hist == len(m.history) {
				m.draft = m.input.Value()
			}
			m.hist--
			m.setLine(m.history[m.hist])
		}
		return m, nil
	case key.Matches(k, m.Keys.Newer):
		if m.hist < len(m.history) {
			m.hist++
			if m.hist == len(m.history) {
				m.setLine(m.draft)
			} else {
				m.setLine(m.history[m.hist])
			}
		}
		return m, nil
	}
	m.hint = ""
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return m, cmd
}

func (m *Model) setLine(s string) {
	m.input.SetValue(s)
	m.input.CursorEnd()
}

// complete extends the first word to the longest common prefix of the
// matching words; when several remain, it lists them.
func (m *Model) complete() {
	v := m.input.Value()
	if strings.Contains(v, " ") {
		return
	}
	var match []string
	for _, w := range m.words {
		if strings.HasPrefix(w, strings.ToLower(v)) {
			match = append(match, w)
		}
	}
	switch len(match) {
	case 0:
		m.hint = "no command starts with " + v
	case 1:
		m.setLine(match[0] + " ")
		m.hint = ""
	default:
		p := match[0]
		for _, w := range match[1:] {
			for !strings.HasPrefix(w, p) {
				p = p[:len(p)-1]
			}
		}
		m.setLine(p)
		m.hint = strings.Join(match, "  ")
	}
}

// View renders the line and, after an ambiguous tab, the candidates.
func (m Model) View() string {
	v := m.input.View()
	if m.hint != "" {
		v += m.styles.Muted.Render("   " + m.hint)
	}
	return ansi.Truncate(v, m.width, "…")
}
