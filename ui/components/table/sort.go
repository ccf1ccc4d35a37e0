package table

import (
	"slices"
	"strconv"

	tea "charm.land/bubbletea/v2"
)

// SortBy sorts by column c, descending if desc.
func (m *Model) SortBy(c int, desc bool) {
	if c < 0 || c >= len(m.cols) {
		return
	}
	sel := m.Selected()
	m.sortCol, m.desc = c, desc
	m.sort()
	m.refilter(false)
	if sel >= 0 {
		m.Select(sel)
	}
}

func (m *Model) sort() { sortRows(m.order, m.rows, m.cols, m.sortCol, m.desc) }

// sortRows sorts the row numbers in order by column c.
func sortRows(order []int, rows [][]string, cols []Column, c int, desc bool) {
	if len(cols) == 0 {
		return
	}
	numeric, age := cols[c].Numeric, cols[c].Age
	cell := func(i int) string {
		if c < len(rows[i]) {
			return rows[i][c]
		}
		return ""
	}
	slices.SortStableFunc(order, func(a, b int) int {
		var r int
		switch {
		case age:
			r = cmpFloat(ageSeconds(cell(a)), ageSeconds(cell(b)))
		case numeric:
			x, _ := strconv.ParseFloat(cell(a), 64)
			y, _ := strconv.ParseFloat(cell(b), 64)
			r = cmpFloat(x, y)
		default:
			r = cmpFold(cell(a), cell(b))
		}
		if desc {
			r = -r
		}
		return r
	})
}

// ageSeconds reads model.Ago's output ("40s ago", "5m ago", "3h ago",
// "12d ago", "just now", "never") as seconds; "never" is the oldest.
func ageSeconds(v string) float64 {
	n, unit := 0.0, byte(0)
	for i := 0; i < len(v); i++ {
		if c := v[i]; c >= '0' && c <= '9' {
			n = n*10 + float64(c-'0')
		} else {
			unit = c
			break
		}
	}
	switch {
	case v == "never" || v == "" || v == "-":
		return 1e18
	case unit == 'm':
		return n * 60
	case unit == 'h':
		return n * 3600
	case unit == 'd':
		return n * 86400
	}
	return n
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// cmpFold compares case-insensitively for ASCII without allocating; "-"
// (the empty marker) and "" sort last.
func cmpFold(a, b string) int {
	ea, eb := a == "" || a == "-", b == "" || b == "-"
	if ea != eb {
		if ea {
			return 1
		}
		return -1
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

// asyncSortRows is the size from which sorting moves off the UI goroutine
// (100,000 rows take tens of milliseconds to sort).
const asyncSortRows = 20_000

// SortedMsg carries an order computed by a sort Cmd; the table that asked
// for it (same rows) applies it in Update.
type SortedMsg struct {
	col   int
	desc  bool
	order []int
	rows  [][]string
}

// sortTo sorts small tables at once and large ones in a Cmd.
func (m *Model) sortTo(c int, desc bool) tea.Cmd {
	if len(m.rows) < asyncSortRows {
		m.SortBy(c, desc)
		m.clamp()
		return nil
	}
	order, rows, cols := slices.Clone(m.order), m.rows, m.cols
	return func() tea.Msg {
		sortRows(order, rows, cols, c, desc)
		return SortedMsg{col: c, desc: desc, order: order, rows: rows}
	}
}

// ApplySort installs a finished sort if it belongs to this table and its
// rows were not replaced meanwhile; it reports whether it did.
func (m *Model) ApplySort(msg SortedMsg) bool {
	if len(msg.rows) != len(m.rows) || len(m.rows) == 0 || &msg.rows[0] != &m.rows[0] {
		return false
	}
	sel := m.Selected()
	m.sortCol, m.desc, m.order = msg.col, msg.desc, msg.order
	m.refilter(false)
	if sel >= 0 {
		m.Select(sel)
	}
	return true
}
