package ui

import (
	"testing"

	"github.com/opsdeck/opsdeck/internal/instants"
)

func TestPrintLedgerAtEveryInstant(t *testing.T) {
	instants.Each(t, func(t *testing.T, in instants.Instant) {
		a := testApp(t, openStoreAt(t, in.Clock(), true))
		send(t, a, "5")
		t.Log(screen(a))
	})
}
