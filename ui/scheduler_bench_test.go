package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/checks"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// BenchmarkConsoleWhileScheduling is the console on the database the
// check scheduler is writing to, in the same process, as `opsdeck` runs
// the schedule itself when no other process holds it (issue 24): N HTTP
// checks every 30 s (OPSDECK_BENCH_SCHED_CHECKS, default 20,000) against
// a loopback server, 1 % of them failing with their alerts open, the
// scheduler at full rate while the console is measured.
//
//	key:    a keystroke (cursor down/up on the alerts tab) to a rendered
//	        frame, Update + View: what the scheduler's CPU and garbage
//	        collection take from the console.
//	reload: the alerts tab's reload (its Cmd: reading the open alerts and
//	        services from SQLite while the writer commits a batch twice a
//	        second) delivered and rendered.
//	poll:   the once-a-second poll (change mark, results mark, counts).
//
// Each reports its p50 and p99 per operation, and the scheduler's checks
// per second during the measurement (it must be at N/30 for the figure
// to mean anything). The loopback server runs in this process too, so
// the console shares the cores with the probes' both ends: a worst case.
func BenchmarkConsoleWhileScheduling(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("OPSDECK_BENCH_SCHED_CHECKS")); err == nil && v > 0 {
		n = v
	}
	s, err := store.Open(filepath.Join(b.TempDir(), "sched.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	b.Cleanup(srv.Close)
	ctx := context.Background()
	admin := model.LocalActor("bench")
	sv := model.Service{Name: "Bench"}
	if err := s.Write(ctx, admin, func(t *store.Tx) error { return t.AddService(&sv) }); err != nil {
		b.Fatal(err)
	}
	var failing []int64
	for from := 0; from < n; from += 5000 {
		err = s.Write(ctx, admin, func(t *store.Tx) error {
			for i := from; i < min(n, from+5000); i++ {
				c := model.Check{Name: fmt.Sprintf("c%05d", i), Kind: "http", Target: fmt.Sprintf("%s/health/%d", srv.URL, i), ServiceID: &sv.ID, IntervalS: 30}
				if i%100 == 0 {
					c.Kind, c.Target = "tcp", "127.0.0.1:1" // refused: fails on every run
				}
				if err := t.AddCheck(&c); err != nil {
					return err
				}
				if c.Kind == "tcp" {
					failing = append(failing, c.ID)
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	// The failing checks' alerts are open before the scheduler starts
	// (results through the engine, as the scheduler writes them).
	at := time.Now().Add(-10 * time.Minute)
	for round := range model.DefaultFailAfter {
		var outs []store.Outcome
		for _, id := range failing {
			outs = append(outs, store.Outcome{Result: model.CheckResult{CheckID: id, At: at.Add(time.Duration(round) * 30 * time.Second), Status: "down", Message: "connection refused"}})
		}
		if err := s.Write(ctx, model.SystemActor("bench"), func(t *store.Tx) error { return t.ApplyResults(outs, store.DefaultNotifyPolicy) }); err != nil {
			b.Fatal(err)
		}
	}

	sc := checks.NewScheduler(s, checks.Config{})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- sc.Run(runCtx) }()
	b.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			b.Error(err)
		}
	})
	// Checks found overdue at start are spread over the first interval,
	// so the rate is N/30 a second from the first second on.
	for deadline := time.Now().Add(time.Minute); sc.Runs.Load() < int64(n/30); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("the scheduler ran %d checks in a minute", sc.Runs.Load())
		}
	}

	a := newApp(Options{StartTab: "alerts", Store: s, Actor: admin, Width: 120, Height: 40})
	reload := func() {
		if cmd := a.tab().Load(); cmd != nil {
			a.Update(cmd())
		}
		_ = a.View()
	}
	reload()
	measure := func(b *testing.B, op func(i int)) {
		var ds []time.Duration
		runs0, t0 := sc.Runs.Load(), time.Now()
		i := 0
		for b.Loop() {
			start := time.Now()
			op(i)
			ds = append(ds, time.Since(start))
			i++
		}
		runs, secs := sc.Runs.Load()-runs0, time.Since(t0).Seconds()
		slices.Sort(ds)
		b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(ds[min(len(ds)-1, len(ds)*99/100)].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(runs)/secs, "checks/s")
	}
	b.Run("key", func(b *testing.B) {
		keys := []tea.KeyPressMsg{{Code: tea.KeyDown}, {Code: tea.KeyUp}}
		measure(b, func(i int) {
			a.Update(keys[i/10%2]) // ten down, ten up
			_ = a.View()
		})
	})
	b.Run("reload", func(b *testing.B) { measure(b, func(int) { reload() }) })
	b.Run("poll", func(b *testing.B) {
		measure(b, func(int) {
			if _, err := s.ChangeMark(ctx); err != nil {
				b.Fatal(err)
			}
			if _, err := readOpsPoll(ctx, s); err != nil {
				b.Fatal(err)
			}
		})
	})
	// The failing checks' alerts, and opsdeck's own if the pool
	// saturated meanwhile (a stall of the machine).
	if got := len(a.tab().(*alertsTab).ids); got < len(failing) {
		b.Fatalf("the alerts tab lists %d alerts, want at least the %d failing checks'", got, len(failing))
	}
}
