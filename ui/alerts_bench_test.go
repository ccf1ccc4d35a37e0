package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/testenv/storetest"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// alertsBenchStore has n checks with a state each, the first nAlerts of
// them failing long enough to fire (results applied through the engine).
func alertsBenchStore(b *testing.B, n, nAlerts int) TabEnv {
	b.Helper()
	s := storetest.Open(b, nil)
	env := TabEnv{Ctx: context.Background(), Store: s, Actor: model.LocalActor("bench"), Clock: s.Clock()}
	ids := make([]int64, n)
	err := s.Write(env.Ctx, env.Actor, func(t *store.Tx) error {
		sv := model.Service{Name: "Bench"}
		if err := t.AddService(&sv); err != nil {
			return err
		}
		for i := range ids {
			c := model.Check{Name: fmt.Sprintf("c%05d", i), Kind: "tcp", Target: "127.0.0.1:1", ServiceID: &sv.ID, IntervalS: 30}
			if err := t.AddCheck(&c); err != nil {
				return err
			}
			ids[i] = c.ID
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().Add(-time.Hour)
	for round := range model.DefaultFailAfter {
		var outs []store.Outcome
		for i, id := range ids {
			st := "up"
			if i < nAlerts {
				st = "down"
			}
			outs = append(outs, store.Outcome{Result: model.CheckResult{CheckID: id, At: now.Add(time.Duration(round) * 30 * time.Second), Status: st, LatencyMs: 3}})
		}
		if err := s.Write(env.Ctx, model.SystemActor("bench"), func(t *store.Tx) error { return t.ApplyResults(outs, store.DefaultNotifyPolicy) }); err != nil {
			b.Fatal(err)
		}
	}
	return env
}

// BenchmarkPoll is the console's once-a-second poll (ChangeMark,
// ResultsMark, AlertCounts) on 5,000 checks with 50 open alerts.
func BenchmarkPoll(b *testing.B) {
	env := alertsBenchStore(b, 5000, 50)
	b.ResetTimer()
	for b.Loop() {
		if _, err := env.Store.ChangeMark(env.Ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := readOpsPoll(env.Ctx, env.Store); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAlertsLoad is a reload of the alerts tab with 50 open alerts.
func BenchmarkAlertsLoad(b *testing.B) {
	env := alertsBenchStore(b, 5000, 50)
	b.ResetTimer()
	for b.Loop() {
		rows, _, _, err := loadAlertRows(env, time.Now())
		if err != nil || len(rows) != 50 {
			b.Fatal(len(rows), err)
		}
	}
}
