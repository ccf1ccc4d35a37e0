package ui

import (
	"testing"

	"github.com/opsdeck/opsdeck/demo"
	"github.com/opsdeck/opsdeck/internal/testenv/storetest"
	"github.com/opsdeck/opsdeck/model"
)

// BenchmarkLedgerTabView is one frame of the ledger tab on the demo at
// 200×50; the status bar's timer redraws the screen once a second.
func BenchmarkLedgerTabView(b *testing.B) {
	s := storetest.Open(b, nil, demo.Load)
	a := newApp(Options{StartTab: "people", Store: s, Actor: model.LocalActor("bench"), Width: 200, Height: 50})
	a.Update(a.switchTab(4)()) // load the ledger tab
	b.ResetTimer()
	for range b.N {
		_ = a.View()
	}
}
