package model

import (
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// run feeds a sequence of results ('+' up, '-' down, 'w' warn) through the
// engine, carrying state and the open alert the way the store does, and
// returns the alert seen last plus every event kind in order.
func run(p AlertPolicy, seq string, ctx func(i int) EvalContext) (CheckState, *Alert, []string, int) {
	var st CheckState
	var open, last *Alert
	var kinds []string
	resolvedPages := 0
	for i, c := range seq {
		r := CheckResult{CheckID: 7, CheckName: "web", At: t0.Add(time.Duration(i) * time.Minute), Status: "up"}
		switch c {
		case '-':
			r.Status, r.Message = "down", "status 503"
		case 'w':
			r.Status, r.Message = "warn", "disk 85%"
		}
		var c EvalContext
		if ctx != nil {
			c = ctx(i)
		}
		ev := Evaluate(p, st, open, r, c)
		st = ev.State
		for _, e := range ev.Events {
			kinds = append(kinds, e.Kind)
		}
		if ev.NotifyResolved {
			resolvedPages++
		}
		if ev.Alert != nil {
			last = ev.Alert
			if last.ID == 0 {
				last.ID = 1
			}
			if DuePage(last, r.At, time.Hour) {
				now := r.At
				last.LastNotifiedAt, last.NotifyCount = &now, last.NotifyCount+1
			}
		}
		open = nil
		if last != nil && last.Open() {
			open = last
		}
	}
	return st, last, kinds, resolvedPages
}

func TestAlertTransitions(t *testing.T) {
	dev := int64(3)
	sil := int64(9)
	deviceDown := func(i int) EvalContext {
		return EvalContext{CausedByDeviceID: &dev, CausedBy: "app-01"}
	}
	cases := []struct {
		name      string
		policy    AlertPolicy
		seq       string
		ctx       func(int) EvalContext
		state     string // "" = no alert
		kinds     string
		pages     int
		flapping  bool
		causedBy  string
		resolvedN int
	}{
		{name: "two failures do not fire", seq: "+--", state: ""},
		{name: "three failures fire", seq: "+---", state: "firing", kinds: "fired", pages: 1},
		{name: "failures must be consecutive", seq: "--+--+--", state: ""},
		{name: "one success does not resolve", seq: "---+", state: "firing", kinds: "fired", pages: 1},
		{name: "two successes resolve", seq: "---++", state: "resolved", kinds: "fired resolved", pages: 1, resolvedN: 1},
		{name: "success streak broken", seq: "---+-+", state: "firing", kinds: "fired", pages: 1},
		{name: "custom thresholds", policy: AlertPolicy{FailThreshold: 1, SuccessThreshold: 3}, seq: "-++", state: "firing", kinds: "fired", pages: 1},
		{name: "custom thresholds resolve", policy: AlertPolicy{FailThreshold: 1, SuccessThreshold: 3}, seq: "-+++", state: "resolved", kinds: "fired resolved", pages: 1, resolvedN: 1},
		{name: "warn counts as failure", seq: "www", state: "firing", kinds: "fired", pages: 1},
		{name: "refires after resolve", seq: "---++---", state: "firing", kinds: "fired resolved fired", pages: 1, resolvedN: 1},
		{name: "flapping notifies once", seq: "+-+-+-+-+-+-+-+-", state: "firing", kinds: "flapping", pages: 1, flapping: true},
		{name: "flapping does not resolve", seq: "+-+-+-+-+-++", state: "firing", kinds: "flapping", pages: 1, flapping: true},
		{name: "flapping ends then resolves", seq: "+-+-+-+-+-" + strings.Repeat("+", 20), state: "resolved", kinds: "flapping flap_ended resolved", pages: 1, resolvedN: 1},
		{name: "device down: caused by, no page", seq: "---", ctx: deviceDown, state: "firing", kinds: "fired caused_by", pages: 0, causedBy: "app-01"},
		{name: "device down then resolves: no resolved page", seq: "---++", ctx: deviceDown, state: "resolved", kinds: "fired caused_by resolved", pages: 0, causedBy: "app-01", resolvedN: 0},
		{name: "device comes back, service still down: pages", seq: "-----", ctx: func(i int) EvalContext {
			if i < 4 {
				return deviceDown(i)
			}
			return EvalContext{}
		}, state: "firing", kinds: "fired caused_by cause_cleared", pages: 1},
		{name: "silenced: no page", seq: "---", ctx: func(int) EvalContext { return EvalContext{SilenceID: &sil} }, state: "firing", kinds: "fired silenced", pages: 0},
		{name: "silence ends: pages", seq: "----", ctx: func(i int) EvalContext {
			if i < 3 {
				return EvalContext{SilenceID: &sil}
			}
			return EvalContext{}
		}, state: "firing", kinds: "fired silenced unsilenced", pages: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, a, kinds, resolved := run(c.policy, c.seq, c.ctx)
			state := ""
			if a != nil {
				state = a.State
			}
			if state != c.state {
				t.Fatalf("state %q, want %q (events %v)", state, c.state, kinds)
			}
			if got := strings.Join(kinds, " "); got != c.kinds {
				t.Errorf("events %q, want %q", got, c.kinds)
			}
			if a == nil {
				return
			}
			if a.NotifyCount != c.pages {
				t.Errorf("pages %d, want %d", a.NotifyCount, c.pages)
			}
			if a.Flapping != c.flapping {
				t.Errorf("flapping %v, want %v", a.Flapping, c.flapping)
			}
			if a.CausedBy != c.causedBy {
				t.Errorf("caused by %q, want %q", a.CausedBy, c.causedBy)
			}
			if resolved != c.resolvedN {
				t.Errorf("resolved notifications %d, want %d", resolved, c.resolvedN)
			}
		})
	}
}

func TestOperatorTransitions(t *testing.T) {
	firing := Alert{ID: 1, State: "firing", OpenedAt: t0}
	now := t0.Add(time.Hour)

	if _, _, err := Ack(firing, "local:oscar", "  ", now); err == nil || !strings.HasPrefix(err.Error(), "reason:") {
		t.Errorf("ack without reason: %v", err)
	}
	acked, ev, err := Ack(firing, "local:oscar", "looking at it", now)
	if err != nil || acked.State != "acknowledged" || acked.AckedBy != "local:oscar" || ev.Kind != "acknowledged" || ev.Actor != "local:oscar" {
		t.Fatalf("ack: %+v %+v %v", acked, ev, err)
	}
	if _, _, err := Ack(acked, "local:oscar", "again", now); err == nil {
		t.Error("acknowledged twice")
	}
	if DuePage(&acked, now.Add(5*time.Hour), time.Hour) {
		t.Error("acknowledged alert repeats")
	}

	if _, _, err := Snooze(firing, "local:oscar", "deploy", now.Add(-time.Minute), now); err == nil {
		t.Error("snooze into the past accepted")
	}
	snoozed, ev, err := Snooze(firing, "local:oscar", "vendor maintenance", now.Add(2*time.Hour), now)
	if err != nil || ev.Kind != "snoozed" || !strings.Contains(ev.Message, "vendor maintenance") {
		t.Fatalf("snooze: %v %+v", err, ev)
	}
	if DuePage(&snoozed, now.Add(time.Hour), time.Hour) {
		t.Error("snoozed alert pages")
	}
	if !DuePage(&snoozed, now.Add(3*time.Hour), time.Hour) {
		t.Error("alert does not page after the snooze expired")
	}

	if _, _, err := Resolve(firing, "local:oscar", "", now); err == nil {
		t.Error("resolve without note accepted")
	}
	res, ev, err := Resolve(acked, "local:oscar", "restarted nginx", now)
	if err != nil || res.State != "resolved" || res.ResolvedBy != "local:oscar" || ev.Kind != "resolved" {
		t.Fatalf("resolve: %+v %v", res, err)
	}
	if _, _, err := Resolve(res, "local:oscar", "again", now); err == nil {
		t.Error("resolved twice")
	}
	if _, _, err := Snooze(res, "local:oscar", "x", now.Add(time.Hour), now); err == nil {
		t.Error("snoozed a resolved alert")
	}
}

func TestRepeatUntilAcknowledged(t *testing.T) {
	last := t0
	a := Alert{State: "firing", LastNotifiedAt: &last, NotifyCount: 1}
	if DuePage(&a, t0.Add(59*time.Minute), time.Hour) {
		t.Error("repeated early")
	}
	if !DuePage(&a, t0.Add(time.Hour), time.Hour) {
		t.Error("did not repeat after the interval")
	}
	a.Flapping = true
	if DuePage(&a, t0.Add(5*time.Hour), time.Hour) {
		t.Error("flapping alert repeated")
	}
}

func TestSilenceMatching(t *testing.T) {
	svc, dev, other := int64(2), int64(5), int64(6)
	c := &Check{ID: 10, ServiceID: &svc}
	win := func(s Silence) Silence {
		s.StartsAt, s.EndsAt, s.Reason = t0, t0.Add(time.Hour), "maintenance"
		return s
	}
	cases := []struct {
		name string
		s    Silence
		at   time.Time
		want bool
	}{
		{"by check", win(Silence{CheckID: &c.ID}), t0.Add(time.Minute), true},
		{"by service", win(Silence{ServiceID: &svc}), t0, true},
		{"by host device", win(Silence{DeviceID: &dev}), t0, true},
		{"other device", win(Silence{DeviceID: &other}), t0, false},
		{"before window", win(Silence{CheckID: &c.ID}), t0.Add(-time.Second), false},
		{"after window", win(Silence{CheckID: &c.ID}), t0.Add(time.Hour), false},
	}
	for _, tc := range cases {
		if got := tc.s.Matches(c, []int64{dev}, tc.at); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	bad := Silence{StartsAt: t0, EndsAt: t0, Reason: "x", CheckID: &c.ID}
	if err := bad.Validate(); err == nil || !strings.HasPrefix(err.Error(), "until:") {
		t.Errorf("empty window: %v", err)
	}
}

func TestNextRunStableOffset(t *testing.T) {
	iv := 30 * time.Second
	off := Offset(42, iv)
	if off != Offset(42, iv) || off < 0 || off >= iv {
		t.Fatalf("offset %v not stable or out of range", off)
	}
	spread := map[time.Duration]bool{}
	for id := int64(1); id <= 1000; id++ {
		spread[Offset(id, iv)/time.Second] = true
	}
	if len(spread) < 28 {
		t.Errorf("offsets cluster: %d distinct seconds of 30", len(spread))
	}
	// Neighbouring ids run close together (their results share pages),
	// a block apart they do not.
	for id := int64(8); id < 8+OffsetBlock-1; id++ {
		if d := Offset(id+1, iv) - Offset(id, iv); d < 0 || d > iv/1000 {
			t.Errorf("checks %d and %d run %v apart, want within %v", id, id+1, d, iv/1000)
		}
	}
	blocks := map[time.Duration]bool{}
	for b := int64(0); b < 10; b++ {
		blocks[Offset(b*OffsetBlock, iv)] = true
	}
	if len(blocks) < 9 {
		t.Errorf("10 blocks share %d phases", len(blocks))
	}
	now := t0.Add(7 * time.Second)
	n := NextRun(now, iv, off)
	if !n.After(now) || n.Sub(now) > iv || (n.Sub(t0.Add(off)))%iv != 0 {
		t.Errorf("next run %v after %v with offset %v", n, now, off)
	}
	if NextRun(n, iv, off) != n.Add(iv) {
		t.Error("next slot is not one interval later")
	}
}
