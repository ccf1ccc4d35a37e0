package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/instants"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// demoPastWeeks is the demo ledger's trend before this week: built
// relative to the clock, it has the same shape whatever day it is loaded.
const demoPastWeeks = "hours  49h   50h   50h   51h   51h   49h   53h   53h   61h   56h   56h"

// The ledger tab at every instant of the date matrix: the trend ends with
// this week and its labels are the right Mondays, the eleven weeks before
// have the demo's shape, and this week's entries are this week's.
func TestLedgerTabAtEveryInstant(t *testing.T) {
	instants.Each(t, func(t *testing.T, in instants.Instant) {
		now := in.Time()
		s := openStoreAt(t, in.Clock(), true)
		a := testApp(t, s)
		send(t, a, "5")
		ws := model.WeekStart(now, time.Local)
		var labels []string
		for w := model.TrendWeeks - 1; w > 0; w-- {
			labels = append(labels, ws.AddDate(0, 0, -7*w).Format("01-02"))
		}
		mustContain(t, a, "this week  planned", demoPastWeeks, "week  "+strings.Join(labels, " ")+" this")
		es, err := s.LedgerEntries(context.Background(), store.LedgerQuery{From: ws, To: ws.AddDate(0, 0, 7)})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.StartedAt.Before(ws) || e.EndedAt == nil || e.EndedAt.After(now) {
				t.Fatalf("entry %d (%s – %v) is not this week's finished work at %s", e.ID, e.StartedAt, e.EndedAt, now)
			}
		}
		if len(es) == 0 {
			mustContain(t, a, "nothing logged this week yet")
		}
		mustFitScreen(t, a)
	})
}
