package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/transfer"
)

// BenchmarkReportLines100kBad renders the dry run of a 100,000-row file in
// which every row is bad: the worst report the view can be asked to show.
func BenchmarkReportLines100kBad(b *testing.B) {
	s, err := store.Open(filepath.Join(b.TempDir(), "opsdeck.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var csv strings.Builder
	csv.WriteString("name,email,status\n")
	for i := range 100_000 {
		fmt.Fprintf(&csv, "Person %d,not-an-email-%d,active\n", i, i)
	}
	rep, err := transfer.PlanData(context.Background(), s, "people", "bad.csv", []byte(csv.String()), transfer.Options{})
	if err != nil || len(rep.Problems) != 100_000 {
		b.Fatalf("%d problems, %v", len(rep.Problems), err)
	}
	a := newApp(Options{Store: s, Width: 120, Height: 40, NoColor: true})
	b.ResetTimer()
	for range b.N {
		reportLines(a.env, rep, 120)
	}
}
