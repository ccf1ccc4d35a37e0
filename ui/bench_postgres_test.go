package ui

import (
	"context"
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/internal/testenv/pg"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// BenchmarkPeople100kOnPostgres is the console's keystroke benchmarks with
// the people tab loaded from a PostgreSQL store holding 100,000 people
// (make bench): load is the tab's load Cmd (the store read, sorting,
// indexing) delivered to Update and rendered; cursor and filter are
// BenchmarkCursorMove and BenchmarkFilterChar's worst case on those rows.
// Skipped without a PostgreSQL server (internal/testenv/pg).
func BenchmarkPeople100kOnPostgres(b *testing.B) {
	const n = 100_000
	s, err := store.Open(pg.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	actor := model.LocalActor("bench")
	for start := 0; start < n; start += 5_000 {
		err := s.Write(context.Background(), actor, func(tx *store.Tx) error {
			for i := start; i < min(n, start+5_000); i++ {
				p := model.Person{Name: fmt.Sprintf("Person %06d", i), Email: fmt.Sprintf("p%06d@example.com", i), Title: "Engineer", Department: fmt.Sprintf("Dept %d", i%17)}
				if err := tx.AddPerson(&p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	a := newApp(Options{StartTab: "people", Store: s, Actor: actor, Width: 120, Height: 40})
	load := func() {
		cmd := a.tab().(*listTab).Load()
		if cmd == nil {
			b.Fatal("the people tab did not load")
		}
		msg := cmd()
		if m, ok := msg.(rowsMsg); !ok || m.err != nil || len(m.ids) != n {
			b.Fatalf("load: %T %+v", msg, msg)
		}
		a.Update(msg)
		_ = a.View()
	}
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			load()
		}
	})
	b.Run("cursor", func(b *testing.B) {
		down := press("down")
		for b.Loop() {
			a.Update(down)
			_ = a.View()
		}
	})
	b.Run("filter", func(b *testing.B) {
		a.Update(press("/"))
		a.Update(press("e"))
		ch := press("n")
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			a.Update(ch)
			_ = a.View()
			b.StopTimer()
			a.Update(press("backspace"))
			b.StartTimer()
		}
		b.StopTimer()
		a.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	})
}
