package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/opsdeck/opsdeck/demo"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

func demoStore(b *testing.B) *store.Store {
	b.Helper()
	s, err := store.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := demo.Load(context.Background(), s); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkOffboardingWalk measures starting Bill's offboarding, marking
// every step done and completing it: the keyboard walk, one write per key.
func BenchmarkOffboardingWalk(b *testing.B) {
	ctx := context.Background()
	actor := model.LocalActor("bench")
	for b.Loop() {
		b.StopTimer()
		s := demoStore(b)
		bill, err := s.FindPerson(ctx, "bill@example.com")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		var off model.Offboarding
		if err := s.Write(ctx, actor, func(t *store.Tx) error {
			off, err = t.StartOffboarding(bill.ID, "", nil)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		for n := 1; n <= len(off.Steps); n++ {
			if err := s.Write(ctx, actor, func(t *store.Tx) error {
				_, err := t.MarkStep(off.ID, n, model.StepMark{State: model.StateDone})
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Write(ctx, actor, func(t *store.Tx) error {
			_, err := t.CompleteOffboarding(off.ID, false, "")
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRisks measures the whole risk report on the demo company.
func BenchmarkRisks(b *testing.B) {
	s := demoStore(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.Risks(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
