// Package quickentry is the ledger's quick-entry panel: a few lines at the
// bottom of the screen to log work without leaving what one is looking at.
// It knows nothing of the store: the caller prefills it (the selected row
// becomes the link), and it answers with a SubmitMsg the caller writes.
package quickentry

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui/components/textin"
)

// The editable fields, in tab order.
const (
	FieldCategory = iota
	FieldNote
	FieldTime
	nFields
)

// Height is how many lines View draws (always the same, so the screen
// under it does not jump when an error appears).
const Height = 6

// KeyMap is the panel's bindings.
type KeyMap struct {
	Submit, Cancel, Toggle, Next, Prev key.Binding
}

// DefaultKeyMap: ctrl+t toggles planned/unplanned because every printable
// key is text in one of the fields.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start timer / log")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Toggle: key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "planned⇄unplanned")),
		Next:   key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "complete/next")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Submit, k.Toggle, k.Next, k.Cancel} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp(), {k.Prev}} }

// Prefill is what the panel opens with.
type Prefill struct {
	Planned  bool
	Category string
	// Link describes what the entry will be linked to ("device LT-015 ·
	// for Tom"); empty: nothing.
	Link string
}

// Values is a submitted entry. Duration zero means "start a timer".
type Values struct {
	Kind, Category, Note string
	Duration             time.Duration
}

// SubmitMsg is sent on enter with valid values; CancelMsg on esc.
type (
	SubmitMsg struct{ Values Values }
	CancelMsg struct{}
)

// Model is the panel.
type Model struct {
	Keys    KeyMap
	styles  *themes.Styles
	planned bool
	link    string
	cats    []string
	inputs  [nFields]textinput.Model
	focus   int
	err     error
	errAt   int // field the error is about, -1 for the whole entry
	width   int
}

// New opens a panel with the category choices cats (active ones, in order).
func New(st *themes.Styles, cats []string, p Prefill) Model {
	m := Model{Keys: DefaultKeyMap(), styles: st, planned: p.Planned, link: p.Link, cats: cats, errAt: -1}
	for i, ph := range [nFields]string{"tab completes", "what is it about", "empty: start a timer · 20m, 1h30: log time already spent"} {
		m.inputs[i] = textin.New(st, "")
		m.inputs[i].Placeholder = ph
		m.inputs[i].CharLimit = 200
	}
	m.inputs[FieldCategory].SetValue(p.Category)
	m.inputs[FieldCategory].CursorEnd()
	m.focusField(FieldNote)
	if p.Category == "" {
		m.focusField(FieldCategory)
	}
	return m
}

// SetWidth sets the panel's width.
func (m *Model) SetWidth(w int) {
	m.width = w
	for i := range m.inputs {
		m.inputs[i].SetWidth(max(w-14, 8))
	}
	// The category stays short: its completions are listed after it.
	m.inputs[FieldCategory].SetWidth(min(max(w-14, 8), 22))
}

// Planned reports the kind chosen now.
func (m Model) Planned() bool { return m.planned }

// Focused is the field being edited.
func (m Model) Focused() int { return m.focus }

// Value is the text of field f.
func (m Model) Value(f int) string { return m.inputs[f].Value() }

// Err is the error shown, if any.
func (m Model) Err() error { return m.err }

func (m *Model) focusField(f int) {
	for i := range m.inputs {
		m.inputs[i].Blur()
	}
	m.focus = (f + nFields) % nFields
	m.inputs[m.focus].Focus()
}

// SetError shows err under the panel; a *model.FieldError also marks its
// field (category, note, or a time field).
func (m *Model) SetError(err error) {
	m.err, m.errAt = err, -1
	var fe *model.FieldError
	if errors.As(err, &fe) {
		switch fe.Field {
		case "category":
			m.errAt = FieldCategory
		case "note":
			m.errAt = FieldNote
		case "time", "minutes", "at", "end":
			m.errAt = FieldTime
		}
		if m.errAt >= 0 {
			m.focusField(m.errAt)
		}
	}
}

// Matches lists the categories that contain the category field's text,
// those starting with it first.
func (m Model) Matches() []string {
	q := model.NormalizeCategory(m.inputs[FieldCategory].Value())
	var pre, mid []string
	for _, c := range m.cats {
		switch {
		case strings.HasPrefix(c, q):
			pre = append(pre, c)
		case strings.Contains(c, q):
			mid = append(mid, c)
		}
	}
	return append(pre, mid...)
}

// complete fills the category field with the next match; it reports false
// when the field already holds a category (tab then moves on).
func (m *Model) complete() bool {
	cur := model.NormalizeCategory(m.inputs[FieldCategory].Value())
	ms := m.Matches()
	if len(ms) == 0 {
		return false
	}
	for _, c := range ms {
		if c == cur {
			return false
		}
	}
	m.inputs[FieldCategory].SetValue(ms[0])
	m.inputs[FieldCategory].CursorEnd()
	return true
}

// Update handles a key while the panel is open.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(k, m.Keys.Cancel):
		return m, func() tea.Msg { return CancelMsg{} }
	case key.Matches(k, m.Keys.Toggle):
		m.planned = !m.planned
		return m, nil
	case key.Matches(k, m.Keys.Submit):
		v, err := m.values()
		if err != nil {
			m.SetError(err)
			return m, nil
		}
		return m, func() tea.Msg { return SubmitMsg{Values: v} }
	case key.Matches(k, m.Keys.Next):
		if m.focus == FieldCategory && k.String() == "tab" && m.complete() {
			return m, nil
		}
		m.focusField(m.focus + 1)
		return m, nil
	case key.Matches(k, m.Keys.Prev):
		m.focusField(m.focus - 1)
		return m, nil
	}
	var cmd tea.Cmd
	m.inputs[m.focus], cmd = m.inputs[m.focus].Update(k)
	if m.errAt == m.focus {
		m.err, m.errAt = nil, -1
	}
	return m, cmd
}

// values checks what the panel can check itself: the duration's syntax.
// The store checks the rest (category exists, links, timer rules).
func (m Model) values() (Values, error) {
	d, err := ParseDuration(m.inputs[FieldTime].Value())
	if err != nil {
		return Values{}, err
	}
	kind := "unplanned"
	if m.planned {
		kind = "planned"
	}
	return Values{Kind: kind, Category: m.inputs[FieldCategory].Value(), Note: m.inputs[FieldNote].Value(), Duration: d}, nil
}

// ParseDuration reads the time field: "" (start a timer), minutes ("20",
// "20m"), hours ("1h", "1.5h") or both ("1h30", "1h30m", "1:30").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if s == "" {
		return 0, nil
	}
	bad := model.Invalid("time", s, "is not a duration: try 20m, 1h30 or 1.5h (empty starts a timer)")
	var d time.Duration
	if h, mm, ok := strings.Cut(s, ":"); ok {
		hn, err1 := strconv.Atoi(h)
		mn, err2 := strconv.Atoi(mm)
		if err1 != nil || err2 != nil || hn < 0 || mn < 0 || mn >= 60 {
			return 0, bad
		}
		d = time.Duration(hn)*time.Hour + time.Duration(mn)*time.Minute
	} else {
		if n, err := strconv.Atoi(s); err == nil {
			s = fmt.Sprintf("%dm", n)
		} else if strings.Contains(s, "h") && !strings.HasSuffix(s, "h") && !strings.HasSuffix(s, "m") {
			s += "m" // "1h30"
		}
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, bad
		}
	}
	d = d.Round(time.Minute)
	if _, err := model.ParseMinutes("time", int(d/time.Minute)); err != nil {
		return 0, model.Invalid("time", s, err.(*model.FieldError).Reason)
	}
	return d, nil
}

// View draws Height lines, m.width wide.
func (m Model) View() string {
	st := m.styles
	w := max(m.width, 20)
	title := " log work "
	rule := st.Muted.Render("─") + st.Title.Render(title) + st.Muted.Render(strings.Repeat("─", max(w-ansi.StringWidth(title)-1, 0)))
	badge := st.Warn.Bold(true).Render("UNPLANNED")
	if m.planned {
		badge = st.OK.Bold(true).Render("PLANNED")
	}
	link := st.Muted.Render("link: none")
	if m.link != "" {
		link = st.Muted.Render("link: ") + st.Text.Render(m.link)
	}
	lines := []string{rule, " " + badge + st.Muted.Render("  (ctrl+t toggles)  ") + link}
	labels := [nFields]string{"category", "note", "time"}
	for i, in := range m.inputs {
		lab := st.Muted
		if i == m.focus {
			lab = st.Accent
		}
		if i == m.errAt {
			lab = st.Error
		}
		line := " " + lab.Render(fmt.Sprintf("%-9s", labels[i])) + " " + in.View()
		if i == FieldCategory && m.focus == FieldCategory {
			if ms := m.Matches(); len(ms) > 0 {
				line += "  " + st.Muted.Render(strings.Join(ms, " · "))
			} else {
				line += "  " + st.Warn.Render("no such category")
			}
		}
		lines = append(lines, line)
	}
	if m.err != nil {
		lines = append(lines, " "+st.Error.Render("✗ "+m.err.Error()))
	} else {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	return strings.Join(lines, "\n")
}
