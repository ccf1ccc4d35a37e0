package checks

import (
	"container/heap"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// TestDispatchCoalesces drives startDue on a stopped fake clock: a
// wake-up for a due check also starts the checks due within coalesce (on
// time, each keeping its own beat), at most coalesceMax of them ahead of
// their slot, and leaves the rest waiting for their instant.
func TestDispatchCoalesces(t *testing.T) {
	s, _ := testDB(t)
	clock := clockwork.NewFakeClockAt(s.Now().Truncate(time.Minute))
	now := clock.Now()
	type started struct {
		id   int64
		late time.Duration
		next time.Time
	}
	got := make(chan started, 64)
	sc := NewScheduler(s, Config{Clock: clock, OnResult: func(o store.Outcome, late time.Duration) {
		got <- started{o.Check.ID, late, o.NextRun}
	}})
	add := func(id int64, at time.Duration) {
		c := &model.Check{ID: id, Name: "hb", Kind: "heartbeat", IntervalS: 30, CreatedAt: now}
		e := &entry{check: c, next: now.Add(at), idx: -1}
		sc.entries[id] = e
		heap.Push(&sc.due, e)
	}
	collect := func(n int) map[int64]started {
		t.Helper()
		m := map[int64]started{}
		for range n {
			r := <-got
			m[r.id] = r
		}
		select {
		case r := <-got:
			t.Fatalf("check %d started too, want %d runs", r.id, n)
		default:
		}
		return m
	}

	// Due now, due in 30 ms (within the window), due in 80 ms (beyond).
	add(1, 0)
	add(2, 30*time.Millisecond)
	add(3, 80*time.Millisecond)
	wait, ok := sc.startDue(t.Context())
	if !ok || wait != 80*time.Millisecond {
		t.Fatalf("startDue = %v, %v; want to sleep 80ms until check 3", wait, ok)
	}
	sc.mu.Lock()
	e3 := sc.entries[3]
	waiting := e3.idx >= 0 && !e3.running
	sc.mu.Unlock()
	if !waiting {
		t.Fatal("check 3, due beyond the window, was started")
	}
	runs := collect(2)
	slot2 := now.Add(30 * time.Millisecond)
	if r := runs[2]; r.late != 0 || !r.next.After(slot2) || r.next.After(slot2.Add(30*time.Second)) {
		t.Errorf("check 2 started early: late %v, next run %v; want on time (0) and its next slot after %v", r.late, r.next, slot2)
	}
	if _, ok := runs[1]; !ok {
		t.Errorf("check 1 (due now) did not start: %v", runs)
	}

	// Twelve checks 1 ms apart, the first due now: it starts with at most
	// coalesceMax more; the dispatcher sleeps until the next one's slot.
	sc.mu.Lock()
	for len(sc.due) > 0 { // the first part's checks, back on the heap for their next run
		e := heap.Pop(&sc.due).(*entry)
		delete(sc.entries, e.check.ID)
	}
	sc.mu.Unlock()
	for i := range int64(12) {
		add(10+i, time.Duration(i)*time.Millisecond)
	}
	wait, ok = sc.startDue(t.Context())
	if !ok || wait != time.Duration(coalesceMax+1)*time.Millisecond {
		t.Fatalf("startDue = %v, %v; want to sleep %v (the check after the %d started early)", wait, ok, time.Duration(coalesceMax+1)*time.Millisecond, coalesceMax)
	}
	if runs := collect(1 + coalesceMax); len(runs) != 1+coalesceMax {
		t.Errorf("started %d checks, want %d", len(runs), 1+coalesceMax)
	}
}
