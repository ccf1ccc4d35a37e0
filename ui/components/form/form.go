// Package form is an add/edit form whose validation errors appear on the
// line under the field they name. It is small on purpose: huh reports
// errors in a footer and refreshes titles asynchronously, while an
// operator fixing "email: already belongs to Bill" needs the message next
// to the email field, including errors only the store can find.
package form

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui/components/textin"
)

// Field is one input. With Choices it is a picker (left/right cycles).
type Field struct {
	Key     string // the model's field name, as errors name it
	Label   string
	Value   string
	Choices []string
	Hint    string
}

// SubmitMsg carries the values when the user submits; CancelMsg on esc.
type SubmitMsg struct {
	Tag    string
	Values map[string]string
}
type CancelMsg struct{ Tag string }

// KeyMap is the form's bindings.
type KeyMap struct {
	Next, Prev, Choice, Submit, Cancel key.Binding
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Next, k.Submit, k.Cancel} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Next, k.Prev, k.Choice}, {k.Submit, k.Cancel}}
}

// Model is the form.
type Model struct {
	Keys  KeyMap
	Tag   string
	Title string
	// Note is a warning under the title (the record is managed elsewhere,
	// so a change here will not last).
	Note   string
	fields []Field
	inputs []textinput.Model
	errs   map[string]string
	focus  int
	// Check validates the values as the model would (no I/O); its
	// *model.FieldError is shown under the field it names.
	Check         func(values map[string]string) error
	styles        *themes.Styles
	width, height int
	offset        int
}

// New builds a form.
func New(st *themes.Styles, tag, title string, fields []Field) Model {
	m := Model{Tag: tag, Title: title, fields: fields, styles: st, errs: map[string]string{}, Keys: KeyMap{
		Next:   key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Choice: key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "change choice")),
		Submit: key.NewBinding(key.WithKeys("ctrl+s", "enter"), key.WithHelp("enter/ctrl+s", "save (enter on a field: next)")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}}
	for _, f := range fields {
		ti := textin.New(st, "")
		ti.CharLimit = model.MaxText
		ti.SetValue(f.Value)
		ti.Placeholder = f.Hint
		m.inputs = append(m.inputs, ti)
	}
	if len(m.inputs) > 0 {
		m.inputs[0].Focus()
	}
	return m
}

// SetSize sets the area the form may paint.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	for i := range m.inputs {
		m.inputs[i].SetWidth(max(w-m.labelWidth()-7, 4))
	}
}

// Values returns the current values by field key.
func (m Model) Values() map[string]string {
	out := make(map[string]string, len(m.fields))
	for i, f := range m.fields {
		if f.Choices != nil {
			out[f.Key] = f.Value
		} else {
			out[f.Key] = m.inputs[i].Value()
		}
	}
	return out
}

// SetError shows err under its field (a *model.FieldError names it; any
// other error goes under the form title) and focuses that field.
func (m *Model) SetError(err error) {
	m.errs = map[string]string{}
	if err == nil {
		return
	}
	fe, ok := model.AsFieldError(err)
	if !ok {
		m.errs[""] = err.Error()
		return
	}
	i := m.index(fe.Field)
	if i < 0 {
		m.errs[""] = err.Error()
		return
	}
	m.errs[fe.Field] = fe.Error()
	m.setFocus(i)
}

// Error returns the message shown for field key ("" for the form).
func (m Model) Error(key string) string { return m.errs[key] }

func (m Model) index(k string) int {
	return slices.IndexFunc(m.fields, func(f Field) bool { return f.Key == k })
}

func (m *Model) setFocus(i int) {
	m.inputs[m.focus].Blur()
	m.focus = (i + len(m.fields)) % len(m.fields)
	m.inputs[m.focus].Focus()
}

// Update edits the focused field, moves focus, and submits.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || len(m.fields) == 0 {
		return m, nil
	}
	f := &m.fields[m.focus]
	switch {
	case key.Matches(k, m.Keys.Cancel):
		return m, func() tea.Msg { return CancelMsg{Tag: m.Tag} }
	case k.String() == "enter" && m.focus < len(m.fields)-1:
		m.setFocus(m.focus + 1)
		return m, nil
	case key.Matches(k, m.Keys.Submit):
		if m.check() {
			vals := m.Values()
			return m, func() tea.Msg { return SubmitMsg{Tag: m.Tag, Values: vals} }
		}
		return m, nil
	case key.Matches(k, m.Keys.Next):
		m.setFocus(m.focus + 1)
		return m, nil
	case key.Matches(k, m.Keys.Prev):
		m.setFocus(m.focus - 1)
		return m, nil
	case f.Choices != nil:
		i := slices.Index(f.Choices, f.Value)
		switch k.String() {
		case "left", "h":
			f.Value = f.Choices[(i-1+len(f.Choices))%len(f.Choices)]
		case "right", "l", "space":
			f.Value = f.Choices[(i+1)%len(f.Choices)]
		}
		m.recheck()
		return m, nil
	}
	var cmd tea.Cmd
	m.inputs[m.focus], cmd = m.inputs[m.focus].Update(msg)
	m.recheck()
	return m, cmd
}

// check runs Check and shows its error; true when the values pass.
func (m *Model) check() bool {
	if m.Check == nil {
		return true
	}
	err := m.Check(m.Values())
	m.SetError(err)
	return err == nil
}

// recheck re-validates while an error is showing, so the message goes away
// as soon as the value is fixed (and is replaced if another field is bad).
func (m *Model) recheck() {
	if len(m.errs) == 0 || m.Check == nil {
		return
	}
	focus := m.focus
	if err := m.Check(m.Values()); err == nil {
		m.errs = map[string]string{}
	} else if fe, ok := model.AsFieldError(err); ok {
		m.errs = map[string]string{fe.Field: fe.Error()}
	}
	m.focus = focus
}

func (m Model) labelWidth() int {
	w := 0
	for _, f := range m.fields {
		w = max(w, ansi.StringWidth(f.Label))
	}
	return w
}

// View renders the fields, each error on the line under its field, and
// scrolls to keep the focused field visible.
func (m Model) View() string {
	st := m.styles
	lw := m.labelWidth()
	var lines []string
	focusLine := 0
	for i, f := range m.fields {
		label := f.Label + strings.Repeat(" ", lw-ansi.StringWidth(f.Label))
		marker := "  "
		lstyle := st.Muted
		if i == m.focus {
			marker, lstyle = "▸ ", st.Accent
			focusLine = len(lines)
		}
		var val string
		if f.Choices != nil {
			val = st.Text.Render("‹ " + f.Value + " ›")
			if i == m.focus {
				val += st.Muted.Render("  " + strings.Join(f.Choices, " · "))
			}
		} else {
			val = m.inputs[i].View()
		}
		lines = append(lines, ansi.Truncate(marker+lstyle.Render(label)+"  "+val, m.width, "…"))
		if e := m.errs[f.Key]; e != "" {
			indent := strings.Repeat(" ", lw+4)
			for _, l := range strings.Split(ansi.Wrap("✗ "+e, max(m.width-len(indent), 10), " "), "\n") {
				lines = append(lines, st.Error.Render(indent+l))
			}
		}
	}
	head := []string{st.Title.Render(m.Title)}
	if m.Note != "" {
		for _, l := range strings.Split(ansi.Wrap("! "+m.Note, max(m.width, 20), " "), "\n") {
			head = append(head, st.Warn.Render(l))
		}
	}
	if e := m.errs[""]; e != "" {
		head = append(head, st.Error.Render(ansi.Truncate("✗ "+e, m.width, "…")))
	}
	head = append(head, "")
	body := max(m.height-len(head), 1)
	off := 0
	if focusLine >= body {
		off = focusLine - body + 2
	}
	end := min(off+body, len(lines))
	off = min(off, end)
	return strings.Join(append(head, lines[off:end]...), "\n")
}
