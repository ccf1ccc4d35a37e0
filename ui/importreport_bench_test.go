package ui

import (
	tea "charm.land/bubbletea/v2"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/opsdeck/opsdeck/internal/testenv/storetest"
	"github.com/opsdeck/opsdeck/transfer"
)

// BenchmarkReportLines100kBad renders the dry run of a 100,000-row file in
// which every row is bad: the worst report the view can be asked to show.
func BenchmarkReportLines100kBad(b *testing.B) {
	a, rep := bigReport(b)
	b.ResetTimer()
	for range b.N {
		reportLines(a.env, rep, 120)
	}
}

// BenchmarkReportScroll100kBad is one keystroke (down) in that report to a
// rendered frame: the view slices the rendered lines, whatever their number.
func BenchmarkReportScroll100kBad(b *testing.B) {
	a, rep := bigReport(b)
	v := newImportView(a.env, "people", transfer.Options{})
	v.rep, v.state, v.lines, v.linesW = rep, importReport, reportLines(a.env, rep, 120), 120
	a.openScreen("import", v)
	down := tea.KeyPressMsg{Code: tea.KeyDown}
	b.ResetTimer()
	for range b.N {
		a.Update(down)
		_ = a.View()
	}
	if v.off == 0 {
		b.Fatal("did not scroll")
	}
}

func bigReport(b *testing.B) (*app, *transfer.Report) {
	b.Helper()
	s := storetest.Open(b, nil)
	var csv strings.Builder
	csv.WriteString("name,email,status\n")
	for i := range 100_000 {
		fmt.Fprintf(&csv, "Person %d,not-an-email-%d,active\n", i, i)
	}
	rep, err := transfer.PlanData(context.Background(), s, "people", "bad.csv", []byte(csv.String()), transfer.Options{})
	if err != nil || len(rep.Problems) != 100_000 {
		b.Fatalf("%d problems, %v", len(rep.Problems), err)
	}
	return newApp(Options{StartTab: "people", Store: s, Width: 120, Height: 40, NoColor: true}), rep
}
