package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/opsdeck/opsdeck/model"
)

// fillPeople inserts n people in write transactions of batch rows each,
// through the audited path that the CLI and importer use.
func fillPeople(tb testing.TB, s *Store, n, batch int) {
	tb.Helper()
	ctx := context.Background()
	statuses := []string{"active", "active", "active", "leaving", "departed"}
	for start := 0; start < n; start += batch {
		err := s.Write(ctx, admin, func(tx *Tx) error {
			for i := start; i < min(n, start+batch); i++ {
				p := model.Person{Name: fmt.Sprintf("Person %06d", i), Email: fmt.Sprintf("p%06d@example.com", i),
					Title: "Engineer", Department: "Dept " + fmt.Sprint(i%17), Status: statuses[i%len(statuses)]}
				if err := tx.AddPerson(&p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkInsertPeople100k: 100,000 people in batches of 1,000, each
// row validated, uniqueness-checked and audited.
func BenchmarkInsertPeople100k(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s := openTest(b)
		b.StartTimer()
		fillPeople(b, s, 100_000, 1_000)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100_000, "ns/row")
}

func BenchmarkListPeople100k(b *testing.B) { benchListPeople(b, PeopleQuery{}, 100_000) }

func BenchmarkFilterPeople100k(b *testing.B) {
	benchListPeople(b, PeopleQuery{Status: "leaving"}, 20_000)
}

// benchListPeople times ListPeople(q) over 100,000 people, of whom want
// match q.
func benchListPeople(b *testing.B, q PeopleQuery, want int) {
	s := openTest(b)
	fillPeople(b, s, 100_000, 5_000)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		ps, err := s.ListPeople(ctx, q)
		if err != nil || len(ps) != want {
			b.Fatalf("%d people, %v", len(ps), err)
		}
	}
}

func BenchmarkFindPersonByEmail100k(b *testing.B) {
	s := openTest(b)
	fillPeople(b, s, 100_000, 5_000)
	ctx := context.Background()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := s.FindPerson(ctx, fmt.Sprintf("p%06d@example.com", i%100_000)); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}
