package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui/components/detail"
)

// Home (tab 0, ":home") answers "what needs me now": firing alerts first,
// then what is due or overdue today, then the week's unplanned share. It
// knows no feature: each section is registered with registerHomeSection
// from the feature's own file (home_sections.go holds the first ones), and
// every line links to its record, or names the ":" command that lists it.

// homeSection is one registered part of Home.
type homeSection struct {
	order int    // sections are shown by order: alerts 10, due today 20–70, the week 90
	title string // "Firing, not acknowledged"
	// load reads the section (inside a tea.Cmd). A section with no lines
	// and no Empty text is left out: Home shows only what needs a look.
	load func(env TabEnv) (homeData, error)
}

// homeData is what a section's load found.
type homeData struct {
	Note  string // beside the title: "on call: Dave Kim"
	Lines []homeLine
	Empty string // said when there are no lines; "" hides the section then
}

// homeLine is one line of a section.
type homeLine struct {
	// Domain and State draw the line's state mark (themes.MarkOf), the
	// same symbol and colour as in every table.
	Domain, State string
	Text          string // the line
	Extra         string // more, shown when there is room
	// Link is the record enter (or a click) opens; Go, when Link is nil,
	// is a ":" command line that lists the rest ("alerts", "backups").
	Link *detail.Link
	Go   string
}

var homeSections []homeSection

// registerHomeSection adds a section to Home; sections are kept by order.
func registerHomeSection(s homeSection) {
	for _, o := range homeSections {
		if o.title == s.title {
			panic("ui: home section " + s.title + " registered twice")
		}
	}
	homeSections = append(homeSections, s)
	slices.SortStableFunc(homeSections, func(a, b homeSection) int { return a.order - b.order })
}

func init() {
	registerTab(tabDef{name: "home", key: "0", aliases: []string{"h"}, results: true,
		help: "what needs you now: firing alerts, what is due today, the week's unplanned share",
		new:  func(env TabEnv) Tab { return &homeTab{env: env} }})
}

// homeBlock is a loaded section.
type homeBlock struct {
	title string
	homeData
	err error
}

type homeMsg struct{ blocks []homeBlock }

// homeTab draws the sections, fitted to the height, with a cursor over
// the lines that lead somewhere.
type homeTab struct {
	env    TabEnv
	blocks []homeBlock
	loaded bool
	loadGate
	w, h int
	// lines is the last layout: what each body line shows and where it
	// leads; sel indexes the selectable ones.
	lines  []homeRow
	cursor int // index into selectable rows
	keys   homeKeys
}

// homeRow is one laid-out body line.
type homeRow struct {
	text string // rendered (titles, blanks, notes)
	line *homeLine
	sw   int // the width of its section's state column (0 for "… N more")
}

type homeKeys struct{ Up, Down key.Binding }

func (k homeKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Up, k.Down} }
func (k homeKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

func (t *homeTab) Name() string { return "home" }

func (t *homeTab) SetSize(w, h int) { t.w, t.h = w, h; t.layout() }

func (t *homeTab) Load() tea.Cmd {
	if !t.start() {
		return nil
	}
	env := t.env
	return func() tea.Msg {
		blocks := make([]homeBlock, 0, len(homeSections))
		for _, s := range homeSections {
			d, err := s.load(env)
			blocks = append(blocks, homeBlock{title: s.title, homeData: d, err: err})
		}
		return homeMsg{blocks: blocks}
	}
}

func (t *homeTab) Update(msg tea.Msg) (Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case homeMsg:
		next := t.done(t.Load)
		keep := t.selectedLine()
		t.blocks, t.loaded = msg.blocks, true
		t.layout()
		t.reselect(keep)
		return t, next
	case tea.KeyPressMsg:
		n := len(t.selectable())
		switch {
		case key.Matches(msg, t.homeKeys().Up):
			t.cursor = max(t.cursor-1, 0)
		case key.Matches(msg, t.homeKeys().Down):
			t.cursor = max(min(t.cursor+1, n-1), 0)
		case msg.String() == "g" || msg.String() == "home":
			t.cursor = 0
		case msg.String() == "G" || msg.String() == "end":
			t.cursor = max(n-1, 0)
		}
	}
	return t, nil
}

func (t *homeTab) homeKeys() homeKeys {
	if t.keys.Up.Keys() == nil {
		t.keys = homeKeys{
			Up:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous line")),
			Down: key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next line")),
		}
	}
	return t.keys
}

// selectable are the indexes of the laid-out lines that lead somewhere.
func (t *homeTab) selectable() []int {
	var out []int
	for i, r := range t.lines {
		if r.line != nil && (r.line.Link != nil || r.line.Go != "") {
			out = append(out, i)
		}
	}
	return out
}

func (t *homeTab) selectedLine() *homeLine {
	sel := t.selectable()
	if t.cursor < 0 || t.cursor >= len(sel) {
		return nil
	}
	return t.lines[sel[t.cursor]].line
}

// reselect keeps the cursor on the same line after a reload.
func (t *homeTab) reselect(l *homeLine) {
	sel := t.selectable()
	t.cursor = max(min(t.cursor, len(sel)-1), 0)
	if l == nil {
		return
	}
	for i, j := range sel {
		if r := t.lines[j].line; r.Text == l.Text && r.Go == l.Go && ((r.Link == nil) == (l.Link == nil)) && (r.Link == nil || *r.Link == *l.Link) {
			t.cursor = i
			return
		}
	}
}

// layout fits the sections to the height: every section with lines gets
// its title and at least its first line, then the sections fill up in
// order (alerts first); what does not fit becomes "… N more", which opens
// the full list when the section names one.
func (t *homeTab) layout() {
	t.lines = t.lines[:0]
	if !t.loaded || t.w <= 0 || t.h <= 0 {
		return
	}
	var shown []homeBlock
	for _, b := range t.blocks {
		if b.err != nil || len(b.Lines) > 0 || b.Empty != "" {
			shown = append(shown, b)
		}
	}
	n := make([]int, len(shown))
	gap := 1 // a blank line between sections, dropped when the titles and first lines need it
	cost := func() int {
		c := 0
		for i, b := range shown {
			if i > 0 {
				c += gap
			}
			c++ // the title
			switch {
			case b.err != nil || len(b.Lines) == 0:
				c++
			default:
				c += n[i]
				if n[i] < len(b.Lines) {
					c++ // "… N more"
				}
			}
		}
		return c
	}
	for i, b := range shown {
		n[i] = min(len(b.Lines), 1)
	}
	if cost() > t.h {
		gap = 0
	}
	for i, b := range shown { // fill in order of importance
		for n[i] < len(b.Lines) {
			n[i]++
			if cost() > t.h {
				n[i]--
				break
			}
		}
	}
	st := t.env.Styles
	for i, b := range shown {
		if i > 0 && gap > 0 {
			t.lines = append(t.lines, homeRow{})
		}
		title := st.Title.Render(b.title)
		if len(b.Lines) > 0 {
			title += st.Muted.Render(fmt.Sprintf(" (%d)", len(b.Lines)))
		}
		if b.Note != "" {
			title += st.Muted.Render(" · " + b.Note)
		}
		t.lines = append(t.lines, homeRow{text: title})
		switch {
		case b.err != nil:
			t.lines = append(t.lines, homeRow{text: "  " + st.Error.Render("could not load: ") + st.Text.Render(b.err.Error())})
			continue
		case len(b.Lines) == 0:
			t.lines = append(t.lines, homeRow{text: "  " + st.Muted.Render(b.Empty)})
			continue
		}
		sw := 0 // the section's state column, so texts line up
		for _, l := range b.Lines[:n[i]] {
			if l.Domain != "" {
				sw = max(sw, ansi.StringWidth(l.State)+2)
			}
		}
		for j := range b.Lines[:n[i]] {
			l := &b.Lines[j]
			t.lines = append(t.lines, homeRow{line: l})
		}
		if rest := len(b.Lines) - n[i]; rest > 0 {
			more := &homeLine{Text: fmt.Sprintf("… %d more", rest), Go: b.Lines[0].Go}
			if g := moreCommand(b); g != "" {
				more.Go = g
				more.Text += " — enter shows them (:" + g + ")"
			}
			t.lines = append(t.lines, homeRow{line: more})
		}
		for k := len(t.lines) - 1; k >= 0 && t.lines[k].line != nil; k-- {
			if !strings.HasPrefix(t.lines[k].line.Text, "… ") || t.lines[k].line.Domain != "" {
				t.lines[k].sw = sw
			}
		}
	}
	if len(shown) == 0 {
		t.lines = append(t.lines, homeRow{text: st.OK.Render("✓ Nothing needs you right now.")},
			homeRow{text: st.Muted.Render("No firing alerts, nothing late or due today. 1–9 show the lists; ? every key.")})
	}
}

// moreCommand is the ":" command that lists a section in full: the Go of
// its lines, when they all name the same one.
func moreCommand(b homeBlock) string {
	g := ""
	for _, l := range b.Lines {
		if l.Go != "" {
			if g != "" && g != l.Go {
				return ""
			}
			g = l.Go
		}
	}
	return g
}

func (t *homeTab) View() string {
	st := t.env.Styles
	if !t.loaded {
		return st.Muted.Render("loading…")
	}
	sel := t.selectable()
	cur := -1
	if t.cursor >= 0 && t.cursor < len(sel) {
		cur = sel[t.cursor]
	}
	// Scroll so the cursor's line is on screen (layout fits the height,
	// this only matters for a very short window).
	off := 0
	if cur >= t.h {
		off = cur - t.h + 1
	}
	var b strings.Builder
	for i := off; i < len(t.lines) && i < off+t.h; i++ {
		if i > off {
			b.WriteByte('\n')
		}
		r := t.lines[i]
		if r.line == nil {
			b.WriteString(r.text)
			continue
		}
		b.WriteString(t.renderLine(r.line, r.sw, i == cur))
	}
	return b.String()
}

// renderLine draws a line: cursor, state mark, text, and the extra when
// it fits.
func (t *homeTab) renderLine(l *homeLine, sw int, selected bool) string {
	st := t.env.Styles
	lead := "  "
	if selected {
		lead = st.Accent.Render("▸ ")
	}
	state := ""
	if sw > 0 {
		state = strings.Repeat(" ", sw) + " "
		if l.Domain != "" {
			state = stateCell(st, l.Domain, l.State, sw+1)
		}
	}
	room := t.w - 2 - ansi.StringWidth(state)
	text := ansi.Truncate(l.Text, max(room, 1), "…")
	txt := st.Text
	if selected {
		txt = st.Selected
	}
	out := lead + state + txt.Render(text)
	if l.Extra != "" {
		if left := room - ansi.StringWidth(text) - 3; left >= 12 {
			out += st.Muted.Render("   " + ansi.Truncate(l.Extra, left, "…"))
		}
	}
	return out
}

func (t *homeTab) Counts() (int, int) {
	n := 0
	for _, b := range t.blocks {
		n += len(b.Lines)
	}
	return n, n
}

func (t *homeTab) KeyMap() help.KeyMap { return t.homeKeys() }

// Selected is the record under the cursor (enter opens it).
func (t *homeTab) Selected() (detail.Link, bool) {
	if l := t.selectedLine(); l != nil && l.Link != nil {
		return *l.Link, true
	}
	return detail.Link{}, false
}

// Go is the ":" command of the line under the cursor when it has no
// record of its own ("… 5 more", the week's ledger line).
func (t *homeTab) Go() string {
	if l := t.selectedLine(); l != nil && l.Link == nil {
		return l.Go
	}
	return ""
}

// Click selects the line at body line y; a second click on it opens it.
func (t *homeTab) Click(y int) (detail.Link, bool) {
	for i, j := range t.selectable() {
		if j == y {
			again := i == t.cursor
			t.cursor = i
			if again {
				if l, ok := t.Selected(); ok {
					return l, true
				}
				return detail.Link{}, t.Go() != "" // the shell runs Go
			}
			return detail.Link{}, false
		}
	}
	return detail.Link{}, false
}

// Position is the cursor's line of the lines that lead somewhere.
func (t *homeTab) Position() (int, int) { return t.cursor + 1, len(t.selectable()) }

// stateCell is a state drawn with its mark (themes.Styles.State), padded
// to w cells: a column of states in a screen that is not a table.
func stateCell(st *themes.Styles, domain, value string, w int) string {
	s := st.State(domain, value)
	return s + strings.Repeat(" ", max(w-ansi.StringWidth(s), 0))
}
