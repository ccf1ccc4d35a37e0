// Package detail renders one record: its fields, then sections of related
// rows. Rows that carry a Link can be selected and followed.
package detail

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/themes"
)

// Link points at another record: Kind is "person", "device" or "service".
type Link struct {
	Kind string
	ID   int64
}

// Row is one line of a section; Link is nil when there is nowhere to go.
type Row struct {
	Text string
	Link *Link
	Warn bool // needs attention (a leaver's active account, ...)
}

// Section is a titled list of related rows.
type Section struct {
	Title string
	Empty string // shown when Rows is empty
	Rows  []Row
}

// Data is what a detail view shows.
type Data struct {
	Title string
	// States are the record's state words, drawn after the title with
	// their symbol and colour (themes.MarkOf), as the lists draw them.
	States   []State
	Subtitle string
	Fields   [][2]string
	Sections []Section
}

// State is one state word of a domain (themes.DomainAlert, …).
type State struct{ Domain, Value string }

// KeyMap is the detail view's bindings.
type KeyMap struct {
	Up, Down, Follow key.Binding
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down, k.Follow} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// Model is a scrollable detail view with a cursor over linked rows.
type Model struct {
	Keys KeyMap
	// Passive draws no cursor: a preview beside a list, not the page the
	// keys move in.
	Passive bool
	styles  *themes.Styles
	data    Data
	links   []int // line numbers (in lines) that carry a link
	lines   []line
	cursor  int // index into links
	offset  int
	width   int
	height  int
}

type line struct {
	text  string
	style string // "title", "field", "section", "row", "muted"
	link  *Link
	warn  bool
}

// New makes an empty detail view.
func New(st *themes.Styles) Model {
	return Model{styles: st, Keys: KeyMap{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous link")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next link")),
		Follow: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open linked record")),
	}}
}

// SetSize sets the painting area.
func (m *Model) SetSize(w, h int) { m.width, m.height = max(w, 0), max(h, 0); m.follow(); m.clamp() }

// SetData replaces what is shown, keeping the cursor where it was.
func (m *Model) SetData(d Data) {
	m.data = d
	m.lines = m.lines[:0]
	m.links = m.links[:0]
	add := func(l line) {
		if l.link != nil {
			m.links = append(m.links, len(m.lines))
		}
		m.lines = append(m.lines, l)
	}
	kw := 0
	for _, f := range d.Fields {
		kw = max(kw, len(f[0]))
	}
	for _, f := range d.Fields {
		add(line{text: f[0] + strings.Repeat(" ", kw-len(f[0])) + "  " + f[1], style: "field"})
	}
	defer m.follow()
	for _, s := range d.Sections {
		add(line{})
		add(line{text: s.Title, style: "section"})
		if len(s.Rows) == 0 {
			add(line{text: "  " + s.Empty, style: "muted"})
		}
		for _, r := range s.Rows {
			add(line{text: "  " + r.Text, style: "row", link: r.Link, warn: r.Warn})
		}
	}
	m.clamp()
}

// Data returns what is shown.
func (m Model) Data() Data { return m.data }

// Selected is the link under the cursor, if any.
func (m Model) Selected() *Link {
	if m.cursor < len(m.links) {
		if l := m.links[m.cursor]; l >= m.offset && l < m.offset+m.body() {
			return m.lines[l].link
		}
	}
	return nil // scrolled away from every link: enter does nothing
}

// Update moves between links; past the first or last link it scrolls, so
// sections without links (toolchain, history) can still be read.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(k, m.Keys.Up):
		if len(m.links) > 0 && m.cursor > 0 && m.links[m.cursor-1] >= m.offset-1 {
			m.cursor--
			m.follow()
		} else if m.offset > 0 {
			m.offset--
			m.cursorToView()
		}
	case key.Matches(k, m.Keys.Down):
		if len(m.links) > 0 && m.cursor < len(m.links)-1 && m.links[m.cursor+1] <= m.offset+m.body() {
			m.cursor++
			m.follow()
		} else {
			m.offset++
			m.cursorToView()
		}
	}
	m.clamp()
	return m, nil
}

func (m Model) body() int { return max(m.height-2, 1) }

// follow scrolls so the selected link is visible.
func (m *Model) follow() {
	if len(m.links) == 0 {
		return
	}
	l := m.links[m.cursor]
	if l < m.offset {
		m.offset = l
		if m.cursor == 0 {
			m.offset = 0 // show the fields above the first link
		}
	}
	if l >= m.offset+m.body() {
		m.offset = l - m.body() + 1
	}
}

// cursorToView keeps the selection on a visible link after scrolling.
func (m *Model) cursorToView() {
	m.offset = max(min(m.offset, len(m.lines)-m.body()), 0)
	for len(m.links) > 0 && m.links[m.cursor] < m.offset && m.cursor < len(m.links)-1 && m.links[m.cursor+1] < m.offset+m.body() {
		m.cursor++
	}
	for len(m.links) > 0 && m.links[m.cursor] >= m.offset+m.body() && m.cursor > 0 && m.links[m.cursor-1] >= m.offset {
		m.cursor--
	}
}

func (m *Model) clamp() {
	m.cursor = max(min(m.cursor, len(m.links)-1), 0)
	m.offset = max(min(m.offset, len(m.lines)-m.body()), 0)
}

// View renders the title and the visible lines.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.styles
	var b strings.Builder
	title := st.Title.Render(ansi.Truncate(m.data.Title, m.width, "…"))
	used := ansi.StringWidth(m.data.Title)
	for _, s := range m.data.States {
		badge, style := s.Value, st.Text
		if mk, ok := themes.MarkOf(s.Domain, s.Value); ok {
			badge, style = mk.Symbol+" "+s.Value, st.Role(mk.Role)
		}
		if s.Value == "" || used+2+ansi.StringWidth(badge) > m.width {
			continue
		}
		used += 2 + ansi.StringWidth(badge)
		title += "  " + style.Render(badge)
	}
	if m.data.Subtitle != "" {
		title += st.Muted.Render(ansi.Truncate("  "+m.data.Subtitle, max(m.width-used, 0), "…"))
	}
	b.WriteString(title + "\n")
	body := max(m.height-2, 1)
	end := min(m.offset+body, len(m.lines))
	sel := -1
	if len(m.links) > 0 && !m.Passive {
		sel = m.links[m.cursor]
	}
	for i := m.offset; i < end; i++ {
		b.WriteByte('\n')
		l := m.lines[i]
		text := ansi.Truncate(l.text, m.width, "…")
		switch {
		case i == sel:
			text = "▸" + strings.TrimPrefix(text, " ")
			b.WriteString(st.Selected.Render(text + strings.Repeat(" ", max(m.width-ansi.StringWidth(text), 0))))
		case l.style == "section":
			b.WriteString(st.Accent.Render(text))
		case l.style == "muted":
			b.WriteString(st.Muted.Render(text))
		case l.warn:
			b.WriteString(st.Warn.Render(text))
		case l.style == "field":
			b.WriteString(st.Text.Render(text))
		case l.link != nil:
			b.WriteString(st.Text.Render(text))
		default:
			b.WriteString(st.Muted.Render(text))
		}
	}
	return b.String()
}
