package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/opsdeck/opsdeck/demo"
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
