// Package table is a virtual table: it keeps all rows in memory but sorts
// and filters an index of row numbers and renders only the visible rows,
// so 100,000 rows cost the same per keystroke as 100.
package table

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/themes"
)

// Column describes one column. Min is the narrowest it may be squeezed to;
// Max caps its natural width (0: no cap). When the terminal is too narrow
// for every column, the ones with the highest Drop go first (0: never).
type Column struct {
	Title   string
	Min     int
	Max     int
	Drop    int
	Numeric bool // sort numerically, align right
	Age     bool // values like "5h ago" / "never": sort by the duration
	// Domain names what the values are (themes.DomainAlert, …): each cell
	// is drawn with its state's symbol and role colour, the same on every
	// tab and theme (themes/state.go).
	Domain string
}

// KeyMap is the table's bindings; the app shows them in its help.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom, Sort, Reverse key.Binding
	// Left and Right scroll the columns when the width hides some: the
	// first column stays, the others slide.
	Left, Right key.Binding
}

// DefaultKeyMap is k9s/vim-flavoured navigation.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", "space"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first row")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last row")),
		Sort:     key.NewBinding(key.WithKeys("s", ">"), key.WithHelp("s", "sort by next column")),
		Reverse:  key.NewBinding(key.WithKeys("S", "<"), key.WithHelp("S", "reverse sort")),
		Left:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "columns to the left")),
		Right:    key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "more columns (when hidden)")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down, k.Sort} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Top, k.Bottom, k.Sort, k.Reverse}, {k.Left, k.Right}}
}

// Model is the table. Its zero value is not usable; call New.
type Model struct {
	Keys KeyMap
	// Faded, when set, marks rows drawn muted (departed people, retired
	// devices): still there, but not what the eye should land on.
	Faded  func(row []string) bool
	styles *themes.Styles

	cols    []Column
	natural []int // natural column widths (capped by Max), measured on SetRows
	full    []int // the widest value of each column, uncapped
	widths  []int // rendered widths (0: column hidden)
	rows    [][]string
	// hay is every row's lower-cased text in one string, cells separated
	// by NUL and rows ended by '\n'; start[i] is where row i begins. One
	// buffer lets the filter run a single vectorized search over all rows.
	hay   string
	start []int

	order []int // every row, sorted
	view  []int // the rows that pass the filter, in sort order

	sortCol int
	desc    bool
	query   string
	fuzzy   bool

	cursor, offset int
	width, height  int
	// skip is how many columns after the first are scrolled out to the
	// left (Keys.Left/Right); the layout then fits the rest as usual.
	skip int
}

// New makes a table with columns, sorted by the first column.
func New(st *themes.Styles, cols ...Column) Model {
	return Model{Keys: DefaultKeyMap(), styles: st, cols: cols, fuzzy: true}
}

// SetSize sets the area the table may paint, header included.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 0), max(h, 0)
	m.layout()
	m.clamp()
}

// Data is rows made ready for the table: searchable text, natural column
// widths and the sort order. Prepare builds it off the UI goroutine.
type Data struct {
	rows    [][]string
	hay     string
	start   []int
	natural []int
	full    []int
	order   []int
	sortCol int
	desc    bool
}

// Prepare builds Data for rows, sorted the way m is sorted now. It only
// reads m, so a tea.Cmd may call it on a copy of the model: the costly part
// of a reload (100,000 rows: tens of milliseconds) stays out of Update.
func (m Model) Prepare(rows [][]string) *Data {
	d := &Data{rows: rows, sortCol: m.sortCol, desc: m.desc}
	var b strings.Builder
	d.start = make([]int, len(rows)+1)
	for i, r := range rows {
		d.start[i] = b.Len()
		for c, cell := range r {
			if c > 0 {
				b.WriteByte(0)
			}
			b.WriteString(strings.ToLower(strings.ReplaceAll(cell, "\n", " ")))
		}
		b.WriteByte('\n')
	}
	d.start[len(rows)] = b.Len()
	d.hay = b.String()
	d.natural, d.full = measure(m.cols, rows)
	d.order = make([]int, len(rows))
	for i := range d.order {
		d.order[i] = i
	}
	sortRows(d.order, rows, m.cols, m.sortCol, m.desc)
	return d
}

// SetData installs prepared rows. Sort and filter are kept; the cursor
// stays at the same position (use Select to follow a row).
func (m *Model) SetData(d *Data) {
	m.rows, m.hay, m.start, m.natural, m.full, m.order = d.rows, d.hay, d.start, d.natural, d.full, d.order
	if d.sortCol != m.sortCol || d.desc != m.desc { // sorted differently while loading
		m.sort()
	}
	cur := m.cursor
	m.refilter(false)
	m.cursor = cur
	m.layout()
	m.clamp()
}

// SetRows prepares and installs rows at once (small tables, tests).
func (m *Model) SetRows(rows [][]string) { m.SetData(m.Prepare(rows)) }

// measure finds natural widths (capped by Max) and full widths (the
// widest value) from the titles and a sample of rows: an exact maximum
// over 100k rows is not worth its cost for a column width.
func measure(cols []Column, rows [][]string) (natural, full []int) {
	natural, full = make([]int, len(cols)), make([]int, len(cols))
	for c, col := range cols {
		natural[c] = ansi.StringWidth(col.Title) + 2 // room for the sort arrow
	}
	for i, r := range rows {
		if i >= 2000 {
			break
		}
		for c, col := range cols {
			if c < len(r) {
				w := ansi.StringWidth(r[c])
				if col.Domain != "" {
					w += 2 // the state's symbol and a space
				}
				natural[c] = max(natural[c], w)
			}
		}
	}
	for c, col := range cols {
		full[c] = max(natural[c], col.Min)
		if col.Max > 0 {
			natural[c] = min(natural[c], col.Max)
		}
		natural[c] = max(natural[c], col.Min)
	}
	return natural, full
}

// layout fits columns to the width: drop the most droppable columns until
// the minimums fit, then grow columns toward their natural widths, and give
// what is left to the widest column.
func (m *Model) layout() {
	n := len(m.cols)
	m.widths = make([]int, n)
	if n == 0 || m.width <= 0 {
		return
	}
	if len(m.natural) != n || len(m.full) != n {
		m.natural, m.full = measure(m.cols, m.rows)
	}
	shown := make([]bool, n)
	for i := range shown {
		shown[i] = i == 0 || i > m.skip
	}
	need := func() int {
		sum, k := 0, 0
		for i, s := range shown {
			if s {
				sum += m.cols[i].Min
				k++
			}
		}
		return sum + max(k-1, 0)
	}
	// Drop columns while even their minimums do not fit, or while the
	// natural widths overflow by more than a little truncation can absorb:
	// four readable columns beat seven clipped ones.
	want := func() int {
		sum, k := 0, 0
		for i, s := range shown {
			if s {
				sum += m.natural[i]
				k++
			}
		}
		return sum + max(k-1, 0)
	}
	for need() > m.width || want() > m.width {
		worst := -1
		for i, s := range shown {
			if s && m.cols[i].Drop > 0 && (worst < 0 || m.cols[i].Drop > m.cols[worst].Drop) {
				worst = i
			}
		}
		if worst < 0 {
			break
		}
		shown[worst] = false
	}
	left := m.width
	k := 0
	for i, s := range shown {
		if s {
			m.widths[i] = m.cols[i].Min
			left -= m.cols[i].Min
			k++
		}
	}
	left -= max(k-1, 0)
	for i, s := range shown { // grow toward natural widths, left to right
		if s && left > 0 {
			add := min(m.natural[i]-m.widths[i], left)
			if add > 0 {
				m.widths[i] += add
				left -= add
			}
		}
	}
	if left >= 2*k { // room to breathe: a two-space gap between columns
		for i, s := range shown {
			if s {
				m.widths[i]++
				left--
			}
		}
	}
	for i, s := range shown { // still room: show values whole before padding
		if s && left > 0 {
			add := min(m.full[i]+1-m.widths[i], left)
			if m.full[i] > m.natural[i] && add > 0 {
				m.widths[i] += add
				left -= add
			}
		}
	}
	if left > 0 { // slack goes to the last shown text column
		for i := n - 1; i >= 0; i-- {
			if shown[i] && !m.cols[i].Numeric {
				m.widths[i] += left
				break
			}
		}
	}
	for i := range m.widths {
		if m.widths[i] < 1 && shown[i] {
			m.widths[i] = 1
		}
	}
}

// Hidden counts the columns out of sight: scrolled out to the left, and
// not shown on the right because the width does not hold them.
func (m Model) Hidden() (left, right int) {
	for c := 1; c < len(m.cols) && c < len(m.widths); c++ {
		switch {
		case c <= m.skip:
			left++
		case m.widths[c] == 0:
			right++
		}
	}
	return left, right
}

// Len is the number of rows that pass the filter; Total all rows.
func (m Model) Len() int   { return len(m.view) }
func (m Model) Total() int { return len(m.rows) }

// Query is the active filter text.
func (m Model) Query() string { return m.query }

// Fuzzy reports the filter mode: fuzzy (subsequence) or substring.
func (m Model) Fuzzy() bool { return m.fuzzy }

// SortColumn is the column the rows are sorted by, and whether descending.
func (m Model) SortColumn() (int, bool) { return m.sortCol, m.desc }

// Selected is the row number (into the rows given to SetRows) under the
// cursor, or -1 when nothing is shown.
func (m Model) Selected() int {
	if m.cursor < 0 || m.cursor >= len(m.view) {
		return -1
	}
	return m.view[m.cursor]
}

// Cursor is the cursor's position among the shown rows.
func (m Model) Cursor() int { return m.cursor }

// Select moves the cursor to row number row if it is shown.
func (m *Model) Select(row int) bool {
	if i := slices.Index(m.view, row); i >= 0 {
		m.cursor = i
		m.clamp()
		return true
	}
	return false
}

// SelectVisible moves the cursor to the n-th visible row (0 is the first
// under the header), as a mouse click does; false if there is none.
func (m *Model) SelectVisible(n int) bool {
	i := m.offset + n
	if n < 0 || n >= m.height-1 || i >= len(m.view) {
		return false
	}
	m.cursor = i
	return true
}

// Update handles navigation and sort keys.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	page := max(m.height-2, 1)
	switch {
	case key.Matches(k, m.Keys.Up):
		m.cursor--
	case key.Matches(k, m.Keys.Down):
		m.cursor++
	case key.Matches(k, m.Keys.PageUp):
		m.cursor -= page
	case key.Matches(k, m.Keys.PageDown):
		m.cursor += page
	case key.Matches(k, m.Keys.Top):
		m.cursor = 0
	case key.Matches(k, m.Keys.Bottom):
		m.cursor = len(m.view) - 1
	case key.Matches(k, m.Keys.Sort):
		next := m.sortCol
		for range m.cols { // skip columns hidden by the width
			next = (next + 1) % len(m.cols)
			if m.widths[next] > 0 {
				break
			}
		}
		return m, m.sortTo(next, false)
	case key.Matches(k, m.Keys.Reverse):
		return m, m.sortTo(m.sortCol, !m.desc)
	case key.Matches(k, m.Keys.Left):
		if m.skip > 0 {
			m.skip--
			m.layout()
		}
	case key.Matches(k, m.Keys.Right):
		if _, right := m.Hidden(); right > 0 {
			m.skip++
			m.layout()
		}
	}
	m.clamp()
	return m, nil
}

func (m *Model) clamp() {
	m.cursor = max(min(m.cursor, len(m.view)-1), 0)
	body := max(m.height-1, 1)
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+body {
		m.offset = m.cursor - body + 1
	}
	m.offset = max(min(m.offset, len(m.view)-body), 0)
}

// View renders the header and the visible rows only.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.styles
	var b strings.Builder
	hdr := make([]string, 0, len(m.cols))
	for c, col := range m.cols {
		if m.widths[c] == 0 {
			continue
		}
		t := strings.ToUpper(col.Title)
		if c == m.sortCol {
			t += map[bool]string{false: " ▲", true: " ▼"}[m.desc]
		}
		hdr = append(hdr, m.cell(t, c))
	}
	b.WriteString(st.Header.Render(m.cue(strings.Join(hdr, " "))))
	body := m.height - 1
	end := min(m.offset+body, len(m.view))
	pt := painters{text: newPainter(st.Text), sel: newPainter(st.Selected), faded: newPainter(st.Muted)}
	for i := m.offset; i < end; i++ {
		b.WriteByte('\n')
		r := m.rows[m.view[i]]
		row := rowText
		switch {
		case i == m.cursor:
			row = rowSelected
		case m.Faded != nil && m.Faded(r):
			row = rowFaded
		}
		m.renderRow(&b, r, row, &pt)
	}
	return b.String()
}

// cue marks the header's ends when columns are out of sight: "‹" after
// the first column (more to the left), "›" at the end (more to the right).
func (m Model) cue(hdr string) string {
	left, right := m.Hidden()
	if left > 0 && len(m.widths) > 0 && m.widths[0] > 0 {
		w := m.widths[0]
		hdr = ansi.Truncate(hdr, w, "") + "‹" + ansi.TruncateLeft(hdr, w+1, "")
	}
	if right > 0 {
		if w := ansi.StringWidth(hdr); w > 0 {
			hdr = ansi.Truncate(hdr, w-1, "") + "›"
		}
	}
	return hdr
}

// How a row is drawn: plain, under the cursor, or faded.
const (
	rowText = iota
	rowSelected
	rowFaded
)

// painters are one frame's painters: the row bases and, made on first
// use, each state role's on each base.
type painters struct {
	text, sel, faded painter
	roles            map[[2]string]painter // {role, "sel"|""}
	matches          map[string]painter    // the filter's highlight on a painter, by its prefix
}

// match is the filter's highlight drawn over p.
func (p *painters) match(st *themes.Styles, on painter) painter {
	if pr, ok := p.matches[on.pre]; ok {
		return pr
	}
	if p.matches == nil {
		p.matches = map[string]painter{}
	}
	pr := newPainter(st.Match.Inherit(on.style))
	p.matches[on.pre] = pr
	return pr
}

func (p *painters) base(row int) painter {
	switch row {
	case rowSelected:
		return p.sel
	case rowFaded:
		return p.faded
	}
	return p.text
}

// role is the painter of a state role on a row: the role's colour, on the
// selection's background under the cursor.
func (p *painters) role(st *themes.Styles, role string, row int) painter {
	k := [2]string{role, ""}
	if row == rowSelected {
		k[1] = "sel"
	}
	if pr, ok := p.roles[k]; ok {
		return pr
	}
	if p.roles == nil {
		p.roles = map[[2]string]painter{}
	}
	rs := st.Role(role)
	if row == rowSelected {
		rs = rs.Inherit(st.Selected)
	}
	pr := newPainter(rs)
	p.roles[k] = pr
	return pr
}

// painter is a style split into the escape codes before and after the
// text, so a row of many highlighted segments costs string appends rather
// than a full Lip Gloss render per segment.
type painter struct {
	pre, post string
	style     lipgloss.Style
}

func newPainter(s lipgloss.Style) painter {
	r := s.Render("\x00")
	i := strings.IndexByte(r, 0)
	if i < 0 {
		return painter{style: s}
	}
	return painter{pre: r[:i], post: r[i+1:], style: s}
}

func (p painter) paint(b *strings.Builder, text string) {
	b.WriteString(p.pre)
	b.WriteString(text)
	b.WriteString(p.post)
}

// renderRow draws one row: each cell in the row's base, a state column's
// cell with its symbol in its role's colour, and the filter's matches
// highlighted (only the visible rows pay for this).
func (m Model) renderRow(b *strings.Builder, r []string, row int, pt *painters) {
	base := pt.base(row)
	// Cells in the same painter are drawn as one run: a row without
	// states or a filter costs one pair of escape codes, as before.
	var run strings.Builder
	cur := base
	flush := func() {
		if run.Len() > 0 {
			cur.paint(b, run.String())
			run.Reset()
		}
	}
	first := true
	for c, col := range m.cols {
		if m.widths[c] == 0 {
			continue
		}
		v := ""
		if c < len(r) {
			v = r[c]
		}
		p := base
		if col.Domain != "" {
			if mk, ok := themes.MarkOf(col.Domain, v); ok {
				v = mk.Symbol + " " + v
				p = pt.role(m.styles, mk.Role, row)
			} else {
				v = "  " + v
			}
		}
		if m.query != "" { // per cell: the matches are highlighted in the cell's own colour
			flush()
			if !first {
				base.paint(b, " ")
			}
			first = false
			m.paintMatches(b, m.cell(v, c), p, pt)
			continue
		}
		if p.pre != cur.pre {
			flush()
			if !first {
				base.paint(b, " ")
			}
			cur = p
		} else if !first {
			run.WriteByte(' ')
		}
		first = false
		run.WriteString(m.cell(v, c))
	}
	flush()
}

// paintMatches draws cell in p with the filter's matches highlighted.
func (m Model) paintMatches(b *strings.Builder, cell string, p painter, pt *painters) {
	hl := pt.match(m.styles, p)
	mask := highlight(cell, m.query, m.fuzzy)
	for i := 0; i < len(cell); {
		j := i
		for j < len(cell) && mask[j] == mask[i] {
			j++
		}
		if mask[i] {
			hl.paint(b, cell[i:j])
		} else {
			p.paint(b, cell[i:j])
		}
		i = j
	}
}

// cell fits v into column c's width: truncated with "…", padded.
func (m Model) cell(v string, c int) string {
	w := m.widths[c]
	v = ansi.Truncate(v, w, "…")
	pad := w - ansi.StringWidth(v)
	if pad <= 0 {
		return v
	}
	if m.cols[c].Numeric {
		return strings.Repeat(" ", pad) + v
	}
	return v + strings.Repeat(" ", pad)
}
