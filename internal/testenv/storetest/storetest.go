// Package storetest opens the real store a package's tests run on: a new
// SQLite file in the test's own temp dir, seeded as the test asks and
// closed when it ends. Every package's tests spelled this out; they share
// it here. It imports only the store, so any package's tests may use it
// (seed with demo.Load where the demo company is wanted).
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jonboulle/clockwork"
	"github.com/opsdeck/opsdeck/store"
)

// Open opens a new database file in tb.TempDir() on clock (nil: the real
// one), runs each seed on it (demo.Load, a generator) and closes it when
// tb ends; any error fails tb.
func Open(tb testing.TB, clock clockwork.Clock, seed ...func(context.Context, *store.Store) error) *store.Store {
	tb.Helper()
	s, err := store.OpenWith(filepath.Join(tb.TempDir(), "opsdeck.db"), store.OpenOptions{Create: true, Clock: clock})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	for _, fn := range seed {
		if err := fn(context.Background(), s); err != nil {
			tb.Fatal(err)
		}
	}
	return s
}
