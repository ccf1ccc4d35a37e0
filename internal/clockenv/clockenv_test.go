package clockenv

import (
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

func TestFromEnv(t *testing.T) {
	t.Setenv(NowVar, "")
	if c, err := FromEnv(); err != nil || c.Since(time.Now()) > time.Second {
		t.Fatalf("no hook: %v %v", c, err)
	}
	t.Setenv(NowVar, "2026-11-30T00:30:00+01:00")
	t.Setenv(SinceVar, time.Now().Format(time.RFC3339Nano))
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 29, 23, 30, 0, 0, time.UTC)
	if d := c.Now().Sub(want); d < 0 || d > time.Minute {
		t.Fatalf("pinned clock reads %s, want %s", c.Now(), want)
	}
	for _, bad := range []struct{ name, v, want string }{
		{NowVar, "yesterday", `OPSDECK_NOW: "yesterday" is not an RFC 3339 instant`},
		{RateVar, "0", `OPSDECK_CLOCK_RATE: "0" is not a number from 1 to 1000`},
	} {
		t.Setenv(bad.name, bad.v)
		if _, err := FromEnv(); err == nil || err.Error()[:len(bad.want)] != bad.want {
			t.Errorf("%s=%s: %v", bad.name, bad.v, err)
		}
		t.Setenv(bad.name, map[string]string{NowVar: "2026-11-30T00:30:00+01:00", RateVar: "1"}[bad.name])
	}
}

func TestShiftedRunsFasterTimersIncluded(t *testing.T) {
	base := clockwork.NewFakeClockAt(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	at := time.Date(2026, 11, 30, 0, 30, 0, 0, time.UTC)
	c := Shifted(base, at, base.Now(), 60)
	fired := c.After(time.Minute)
	tick := c.NewTicker(2 * time.Minute)
	base.Advance(time.Second)
	if got := c.Now(); !got.Equal(at.Add(time.Minute)) {
		t.Fatalf("after 1 s at 60×: %s", got)
	}
	select {
	case <-fired:
	default:
		t.Fatal("a one-minute timer did not fire after a real second at 60×")
	}
	select {
	case <-tick.Chan():
		t.Fatal("a two-minute ticker fired after one minute")
	default:
	}
	base.Advance(time.Second)
	select {
	case <-tick.Chan():
	default:
		t.Fatal("a two-minute ticker did not fire after two minutes")
	}
	tick.Stop()
}
