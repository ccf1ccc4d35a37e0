package table

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/themes"
)

func newTable(n int) Model {
	st := themes.NewStyles(themes.Mono())
	m := New(&st, Column{Title: "name", Min: 8}, Column{Title: "email", Min: 10, Drop: 1}, Column{Title: "n", Min: 3, Numeric: true})
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("person %03d", i), fmt.Sprintf("p%d@example.com", i), fmt.Sprint(n - i)}
	}
	m.SetRows(rows)
	m.SetSize(60, 10)
	return m
}

func down(m Model, n int) Model {
	for range n {
		m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	return m
}

func TestRendersOnlyVisibleRows(t *testing.T) {
	m := newTable(100_000)
	v := ansi.Strip(m.View())
	if lines := strings.Count(v, "\n") + 1; lines != 10 {
		t.Fatalf("%d lines for height 10", lines)
	}
	m = down(m, 25)
	v = ansi.Strip(m.View())
	if !strings.Contains(v, "person 025") || strings.Contains(v, "person 000") {
		t.Fatalf("window did not follow the cursor:\n%s", v)
	}
	if m.Selected() != 25 {
		t.Fatalf("selected %d", m.Selected())
	}
}

func TestSortNumericAndReverse(t *testing.T) {
	m := newTable(20)
	m.SortBy(2, false) // "n" counts down, so numeric ascending reverses the rows
	if m.view[0] != 19 {
		t.Fatalf("first row after numeric sort: %d", m.view[0])
	}
	m.SortBy(2, true)
	if m.view[0] != 0 {
		t.Fatalf("first row descending: %d", m.view[0])
	}
	if !strings.Contains(ansi.Strip(m.View()), "N ▼") {
		t.Fatalf("no direction arrow:\n%s", m.View())
	}
}

func TestSortKeepsSelection(t *testing.T) {
	m := newTable(50)
	m = down(m, 7)
	m, _ = m.Update(tea.KeyPressMsg{Code: 'S', Text: "S"})
	if m.Selected() != 7 {
		t.Fatalf("selection moved to %d", m.Selected())
	}
}

func TestFilterModes(t *testing.T) {
	m := newTable(200)
	m.SetFilter("p19@", false)
	if m.Len() != 1 {
		t.Fatalf("substring p19@: %d rows", m.Len())
	}
	m.SetFilter("prs019", true)
	if m.Len() != 1 || m.Selected() != 19 {
		t.Fatalf("fuzzy prs019: %d rows", m.Len())
	}
	// Fuzzy matches within one cell: "n" from "person" and "@" from the
	// email must not combine.
	m.SetFilter("n@", true)
	if m.Len() != 0 {
		t.Fatalf("fuzzy across cells matched %d rows", m.Len())
	}
	m.SetFilter("", true)
	if m.Len() != 200 {
		t.Fatalf("cleared filter shows %d", m.Len())
	}
}

// TestIncrementalFilterAgreesWithFullScan types queries letter by letter
// (the narrowing path) and compares with filtering from scratch.
func TestIncrementalFilterAgreesWithFullScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	letters := "aeiou@.0123 xp"
	for _, fuzzy := range []bool{true, false} {
		for range 200 {
			q := ""
			for range 1 + r.IntN(4) {
				q += string(letters[r.IntN(len(letters))])
			}
			inc := newTable(300)
			for i := 1; i <= len(q); i++ {
				inc.SetFilter(q[:i], fuzzy)
			}
			full := newTable(300)
			full.SetFilter(q, fuzzy)
			if !slices.Equal(inc.view, full.view) { // same rows, same ranking
				t.Fatalf("q=%q fuzzy=%v: incremental %d rows, full %d", q, fuzzy, len(inc.view), len(full.view))
			}
			for _, i := range full.view {
				if !match(full.row(i), full.query, fuzzy) {
					t.Fatalf("q=%q: scan kept row %d that match() rejects", q, i)
				}
			}
			if want := countMatches(full, q, fuzzy); want != len(full.view) {
				t.Fatalf("q=%q fuzzy=%v: scan found %d, per-row check %d", q, fuzzy, len(full.view), want)
			}
		}
	}
}

func countMatches(m Model, q string, fuzzy bool) int {
	n := 0
	for i := range m.rows {
		if match(m.row(i), q, fuzzy) {
			n++
		}
	}
	return n
}

func TestColumnsAdaptToWidth(t *testing.T) {
	m := newTable(10)
	m.SetSize(20, 5)
	hdr := ansi.Strip(strings.Split(m.View(), "\n")[0])
	if strings.Contains(hdr, "EMAIL") || !strings.Contains(hdr, "NAME") {
		t.Fatalf("narrow header %q: email should be dropped first", hdr)
	}
	m.SetSize(120, 5)
	hdr = ansi.Strip(strings.Split(m.View(), "\n")[0])
	if !strings.Contains(hdr, "EMAIL") {
		t.Fatalf("wide header %q", hdr)
	}
	for _, l := range strings.Split(m.View(), "\n") {
		if w := ansi.StringWidth(l); w > 120 {
			t.Fatalf("line %d wide", w)
		}
	}
}

func TestZeroSizeAndEmpty(t *testing.T) {
	m := newTable(0)
	m = down(m, 3)
	if m.Selected() != -1 {
		t.Fatalf("selected %d in an empty table", m.Selected())
	}
	m.SetSize(0, 0)
	if m.View() != "" {
		t.Fatal("drew at 0×0")
	}
}

func BenchmarkSetRows100k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		newTable(100_000)
	}
}

func TestAgeColumnsSortByDuration(t *testing.T) {
	st := themes.NewStyles(themes.Mono())
	m := New(&st, Column{Title: "seen", Min: 8, Age: true})
	m.SetRows([][]string{{"never"}, {"14h ago"}, {"2h ago"}, {"3d ago"}, {"45s ago"}, {"5m ago"}})
	m.SortBy(0, false)
	var got []string
	for _, i := range m.view {
		got = append(got, m.rows[i][0])
	}
	if strings.Join(got, ",") != "45s ago,5m ago,2h ago,14h ago,3d ago,never" {
		t.Fatalf("age order: %v", got)
	}
}

func TestFuzzyRanksTypedTextFirst(t *testing.T) {
	st := themes.NewStyles(themes.Mono())
	m := New(&st, Column{Title: "name", Min: 8}, Column{Title: "email", Min: 8})
	m.SetRows([][]string{{"Ahmed Hassan", "ahmed@example.com"}, {"Bob Okafor", "bob@example.com"}, {"Leo Tanaka", "leo@example.com"}})
	m.SetFilter("leo", true)
	if m.Len() != 3 || m.Selected() != 2 {
		t.Fatalf("leo: %d rows, first %d", m.Len(), m.Selected())
	}
	if !slices.Equal(m.view, []int{2, 0, 1}) {
		t.Fatalf("order %v", m.view)
	}
}

func TestHighlight(t *testing.T) {
	show := func(cell string, mask []bool) string {
		var b strings.Builder
		for i := range cell {
			if mask[i] {
				b.WriteByte(cell[i] - 'a' + 'A')
			} else {
				b.WriteByte(cell[i])
			}
		}
		return b.String()
	}
	for _, c := range []struct {
		cell, q string
		fuzzy   bool
		want    string
	}{
		{"kristen park", "park", true, "kristen PARK"},
		{"kristen park", "krpk", true, "KRisten ParK"},
		{"kristen park", "krpk", false, "kristen park"},
		{"kristen park", "zz", true, "kristen park"},
	} {
		if got := show(c.cell, highlight(c.cell, c.q, c.fuzzy)); got != c.want {
			t.Errorf("%q/%q fuzzy=%v: %q, want %q", c.cell, c.q, c.fuzzy, got, c.want)
		}
	}
}

func TestLargeTablesSortInACmd(t *testing.T) {
	m := newTable(asyncSortRows)
	m = down(m, 3)
	m2, cmd := m.Update(tea.KeyPressMsg{Code: 'S', Text: "S"})
	if cmd == nil {
		t.Fatal("a large table sorted in Update")
	}
	if c, desc := m2.SortColumn(); c != 0 || desc {
		t.Fatalf("sorted before the Cmd finished: %d %v", c, desc)
	}
	msg := cmd().(SortedMsg)
	other := newTable(asyncSortRows)
	if other.ApplySort(msg) {
		t.Fatal("another table took the sort")
	}
	if !m2.ApplySort(msg) {
		t.Fatal("the table refused its own sort")
	}
	first, second := m2.rows[m2.view[0]][0], m2.rows[m2.view[1]][0]
	if c, desc := m2.SortColumn(); c != 0 || !desc || m2.Selected() != 3 || first < second {
		t.Fatalf("after apply: col %d desc %v selected %d, %q before %q", c, desc, m2.Selected(), first, second)
	}
}

func TestParallelRankedScanAgreesWithPerRowCheck(t *testing.T) {
	m := newTable(parallelRows)
	for _, q := range []string{"p1", "son 19", "1@ex", "zz"} {
		m.SetFilter("", true)
		m.SetFilter(q, true)
		if want := countMatches(m, q, true); want != m.Len() {
			t.Fatalf("%q: %d rows, per-row check %d", q, m.Len(), want)
		}
		exact := true
		for _, i := range m.view { // rows containing q as typed come first
			has := strings.Contains(m.row(i), q)
			if has && !exact {
				t.Fatalf("%q: an exact match ranked after a fuzzy one", q)
			}
			exact = has
		}
	}
}

// A matrix wider than the window scrolls its columns: the first stays,
// → brings the hidden ones into view, ← goes back, and the header's
// ends say when columns are out of sight.
func TestColumnsScrollSideways(t *testing.T) {
	st := themes.NewStyles(themes.Mono())
	cols := []Column{{Title: "person", Min: 10}}
	for i := range 12 {
		cols = append(cols, Column{Title: fmt.Sprintf("svc%02d", i), Min: 7, Drop: i + 1})
	}
	m := New(&st, cols...)
	row := []string{"Ada Lovelace"}
	for i := range 12 {
		row = append(row, fmt.Sprintf("v%02d", i))
	}
	m.SetRows([][]string{row})
	m.SetSize(40, 5)
	right := func() { m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyRight}) }
	left := func() { m, _ = m.Update(tea.KeyPressMsg{Code: 'h', Text: "h"}) }
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "SVC00") || strings.Contains(v, "SVC11") || !strings.Contains(strings.Split(v, "\n")[0], "›") {
		t.Fatalf("at 40 columns the first services show, the last are cued:\n%s", v)
	}
	if l, r := m.Hidden(); l != 0 || r == 0 {
		t.Fatalf("hidden %d left, %d right", l, r)
	}
	for range 20 { // more presses than columns: stops at the last
		right()
	}
	v = ansi.Strip(m.View())
	hdr := strings.Split(v, "\n")[0]
	if !strings.Contains(v, "Ada Lovelace") || !strings.Contains(v, "v11") || strings.Contains(v, "SVC00") ||
		!strings.Contains(hdr, "‹") || strings.Contains(hdr, "›") {
		t.Fatalf("scrolled right: the person stays, the last service shows:\n%s", v)
	}
	for range 20 {
		left()
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "SVC00") || strings.Contains(strings.Split(v, "\n")[0], "‹") {
		t.Fatalf("scrolled back:\n%s", v)
	}
}
