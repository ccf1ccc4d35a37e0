package ui

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/opsdeck/opsdeck/demo"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// BenchmarkLedgerTabView is one frame of the ledger tab on the demo at
// 200×50; the status bar's timer redraws the screen once a second.
func BenchmarkLedgerTabView(b *testing.B) {
	s, err := store.Open(filepath.Join(b.TempDir(), "opsdeck.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := demo.Load(context.Background(), s); err != nil {
		b.Fatal(err)
	}
	a := newApp(Options{StartTab: "people", Store: s, Actor: model.LocalActor("bench"), Width: 200, Height: 50})
	a.Update(a.switchTab(4)()) // load the ledger tab
	b.ResetTimer()
	for range b.N {
		_ = a.View()
	}
}
