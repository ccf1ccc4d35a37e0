package checks

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

var wrongClock = time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC)

// A lease left by a dead process whose clock said 2035 must not make a
// new scheduler wait ten years: it is taken over at once, and said.
func TestFutureLeaseDoesNotBlockScheduling(t *testing.T) {
	s, _ := testDB(t)
	now := time.Now()
	s.Now = func() time.Time { return wrongClock }
	err := s.Write(context.Background(), system, func(t *store.Tx) error {
		_, _, err := t.AcquireLease(LeaseName, "dead-host:1", 30*time.Second)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return now }
	var mu sync.Mutex
	var log []string
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	sc := NewScheduler(s, Config{Holder: "me:2", LeaseTTL: 3 * time.Second, Logf: func(f string, a ...any) {
		mu.Lock()
		log = append(log, strings.TrimSpace(fmtLine(f, a...)))
		mu.Unlock()
	}})
	go func() { done <- sc.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		l, err := s.GetLease(context.Background(), LeaseName)
		if err != nil {
			t.Fatal(err)
		}
		if l.Holder == "me:2" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scheduler still waits for the 2035 lease: %+v", l)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(strings.Join(log, "\n"), "wrong clock") {
		t.Errorf("the distrusted lease was not reported: %q", log)
	}
	// A lease a live holder renews within its term still holds.
	s.Write(context.Background(), system, func(t *store.Tx) error {
		_, _, err := t.AcquireLease(LeaseName, "live:3", 30*time.Second)
		return err
	})
	var ok bool
	var cur store.Lease
	s.Write(context.Background(), system, func(tx *store.Tx) (err error) {
		ok, cur, err = tx.AcquireLease(LeaseName, "other:4", 30*time.Second)
		return err
	})
	if ok || cur.Holder != "live:3" {
		t.Errorf("a valid lease was taken over: ok=%v %+v", ok, cur)
	}
}

// A ping recorded by a clock set to 2035 must not make a heartbeat never
// late: the check reports it as not trusted (down), and a later result is
// not "overtaken" by it.
func TestFuturePingDoesNotSilenceHeartbeat(t *testing.T) {
	s, svc := testDB(t)
	hb := &model.Check{Name: "nightly", Kind: "heartbeat", ServiceID: &svc.ID, IntervalS: 60}
	addChecks(t, s, hb)
	now := time.Now()
	s.Now = func() time.Time { return wrongClock }
	if err := s.Write(context.Background(), admin, func(t *store.Tx) error {
		_, err := t.RecordPing(hb.ID, false, "", store.DefaultNotifyPolicy)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return now }
	st, err := s.CheckState(context.Background(), hb.ID)
	if err != nil || st.LastPingAt == nil || st.LastPingAt.Year() != 2035 {
		t.Fatalf("setup: %+v %v", st, err)
	}
	r := NewRunner()
	defer r.Close()
	r.Clock = clockwork.NewFakeClockAt(now)
	c, _ := s.GetCheck(context.Background(), hb.ID)
	res := r.Run(context.Background(), &c, &st)
	if res.Status != "down" || !strings.Contains(res.Message, "in the future") {
		t.Fatalf("heartbeat with a 2035 ping: %s %q", res.Status, res.Message)
	}
	if err := s.Write(context.Background(), system, func(t *store.Tx) error {
		return t.ApplyResults([]store.Outcome{{Result: res, NextRun: now.Add(time.Minute)}}, store.DefaultNotifyPolicy)
	}); err != nil {
		t.Fatal(err)
	}
	st, _ = s.CheckState(context.Background(), hb.ID)
	if st.Status != "down" {
		t.Fatalf("the lateness verdict was overtaken by the 2035 ping: %+v", st)
	}
}

// A check whose stored next run a wrong clock put in 2035 runs now.
func TestFutureNextRunIsNotObeyed(t *testing.T) {
	s, svc := testDB(t)
	hb := &model.Check{Name: "beat", Kind: "heartbeat", ServiceID: &svc.ID, IntervalS: 60}
	addChecks(t, s, hb)
	if err := s.Write(context.Background(), system, func(t *store.Tx) error {
		return t.ApplyResults([]store.Outcome{{Result: model.CheckResult{CheckID: hb.ID}, NextRun: wrongClock}}, store.DefaultNotifyPolicy)
	}); err != nil {
		t.Fatal(err)
	}
	var logged []string
	sc := NewScheduler(s, Config{Logf: func(f string, a ...any) { logged = append(logged, fmtLine(f, a...)) }})
	now := time.Now()
	sc.r.Clock = clockwork.NewFakeClockAt(now)
	if err := sc.reload(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	if e := sc.entries[hb.ID]; e == nil || e.next.After(now) {
		t.Fatalf("next run %v, want now", e)
	}
	if len(logged) != 1 || !strings.Contains(logged[0], "wrong clock") {
		t.Errorf("not reported: %q", logged)
	}
}

func fmtLine(format string, args ...any) string { return fmt.Sprintf(format, args...) }
