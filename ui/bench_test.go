package ui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/internal/testenv/storetest"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ui/components/table"
)

// benchApp is a console at 120×40 whose people tab holds n synthetic rows,
// injected the way a finished load delivers them.
func benchApp(b *testing.B, n int) *app {
	b.Helper()
	s := storetest.Open(b, nil)
	a := newApp(Options{StartTab: "people", Store: s, Actor: model.LocalActor("bench"), Width: 120, Height: 40})
	rows := benchRows(n)
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	a.Update(rowsMsg{tab: "people", data: a.tab().(*listTab).table.Prepare(rows), ids: ids})
	return a
}

func benchRows(n int) [][]string {
	rows := make([][]string, n)
	first := []string{"Ada", "Ben", "Cleo", "Dan", "Eve", "Finn", "Gus", "Hana"}
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("%s Person %d", first[i%len(first)], i), fmt.Sprintf("user%d@example.com", i),
			"Engineer", "Engineering", "active", "viewer", "2024-01-01"}
	}
	return rows
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// BenchmarkCursorMove is one keystroke (cursor down) to a rendered frame.
func BenchmarkCursorMove(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			a := benchApp(b, n)
			down := press("down")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				a.Update(down)
				_ = a.View()
			}
		})
	}
}

// BenchmarkFilterChar is typing one filter character to a rendered
// frame. "first" types into an empty filter (a scan of every row);
// "second" types the second letter after "e", which matched every row, so
// the fuzzy per-cell check runs on all of them. The backspace that resets
// the filter between iterations is not timed.
func BenchmarkFilterChar(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		for _, mode := range []string{"fuzzy", "substring"} {
			for _, step := range []string{"first", "second"} {
				b.Run(fmt.Sprintf("%d/%s/%s", n, mode, step), func(b *testing.B) {
					a := benchApp(b, n)
					a.Update(press("/"))
					if mode == "substring" {
						a.Update(tea.KeyPressMsg{Code: 't', Mod: tea.ModCtrl})
					}
					ch := press("7")
					if step == "second" {
						a.Update(press("e"))
						ch = press("n")
					}
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						a.Update(ch)
						_ = a.View()
						b.StopTimer()
						a.Update(press("backspace"))
						b.StartTimer()
					}
				})
			}
		}
	}
}

// BenchmarkReloadUpdate is the part of a reload that runs in Update: the
// rows were prepared (sorted, indexed) in the load Cmd.
func BenchmarkReloadUpdate(b *testing.B) {
	a := benchApp(b, 100_000)
	tab := a.tab().(*listTab)
	data := make([]*table.Data, b.N)
	for i := range data {
		data[i] = tab.table.Prepare(benchRows(100_000))
	}
	ids := tab.ids
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Update(rowsMsg{tab: "people", data: data[i], ids: ids})
		_ = a.View()
	}
}

// BenchmarkSortKey is pressing "s" (sort by the next column) at 100k
// rows: "key" is the keystroke to a frame (the sort starts in a Cmd),
// "apply" is installing the finished order to a frame.
func BenchmarkSortKey(b *testing.B) {
	a := benchApp(b, 100_000)
	var key, apply time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		_, cmd := a.Update(press("s"))
		_ = a.View()
		t1 := time.Now()
		msg := cmd()
		t2 := time.Now()
		a.Update(msg)
		_ = a.View()
		key, apply = key+t1.Sub(t0), apply+time.Since(t2)
	}
	b.ReportMetric(float64(key.Nanoseconds())/float64(b.N), "key-ns/op")
	b.ReportMetric(float64(apply.Nanoseconds())/float64(b.N), "apply-ns/op")
}
