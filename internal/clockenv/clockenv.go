// Package clockenv builds opsdeck's one clock for a process: the real
// clock, or — for end-to-end tests that run the binary at a chosen
// instant — a clock shifted to that instant (a test hook, see
// ARCHITECTURE.md). Everything else receives the clock from main and never
// reads time.Now itself.
package clockenv

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/jonboulle/clockwork"
)

// The hook's environment variables.
const (
	// NowVar pins the clock: it reads this instant (RFC 3339) when the
	// process starts, then advances with real time.
	NowVar = "OPSDECK_NOW"
	// SinceVar (RFC 3339, nanoseconds allowed) is the real instant at which
	// the clock read NowVar, so every process a test starts (a scheduler and
	// the commands run beside it) shares one timeline. Default: process
	// start.
	SinceVar = "OPSDECK_NOW_SINCE"
	// RateVar makes the shifted clock run that many times faster than real
	// time, timers included, so a test of the scheduler watches minutes of
	// schedule in seconds. Default 1.
	RateVar = "OPSDECK_CLOCK_RATE"
)

// FromEnv returns the real clock, or a shifted one when OPSDECK_NOW is set.
func FromEnv() (clockwork.Clock, error) {
	v := os.Getenv(NowVar)
	if v == "" {
		return clockwork.NewRealClock(), nil
	}
	at, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, fmt.Errorf("%s: %q is not an RFC 3339 instant (2026-11-30T00:30:00+01:00)", NowVar, v)
	}
	real := clockwork.NewRealClock()
	since := real.Now()
	if v := os.Getenv(SinceVar); v != "" {
		if since, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return nil, fmt.Errorf("%s: %q is not an RFC 3339 instant", SinceVar, v)
		}
	}
	rate := 1.0
	if v := os.Getenv(RateVar); v != "" {
		if rate, err = strconv.ParseFloat(v, 64); err != nil || rate < 1 || rate > 1000 {
			return nil, fmt.Errorf("%s: %q is not a number from 1 to 1000", RateVar, v)
		}
	}
	return Shifted(real, at, since, rate), nil
}

// Shifted returns a clock that reads at when base reads since, and from
// then on advances rate times as fast as base; its timers and tickers wait
// base durations divided by rate.
func Shifted(base clockwork.Clock, at, since time.Time, rate float64) clockwork.Clock {
	return &shifted{base: base, at: at, since: since, rate: rate}
}

type shifted struct {
	base      clockwork.Clock
	at, since time.Time
	rate      float64
}

// real converts a duration on this clock to one on the base clock.
func (c *shifted) real(d time.Duration) time.Duration {
	if c.rate == 1 || d <= 0 {
		return d
	}
	return max(time.Duration(float64(d)/c.rate), 1)
}

func (c *shifted) Now() time.Time {
	elapsed := c.base.Since(c.since)
	if c.rate != 1 {
		elapsed = time.Duration(float64(elapsed) * c.rate)
	}
	// In the local zone, as time.Now reads (TZ chooses it).
	return c.at.Add(elapsed).In(time.Local)
}

func (c *shifted) Since(t time.Time) time.Duration { return c.Now().Sub(t) }
func (c *shifted) Until(t time.Time) time.Duration { return t.Sub(c.Now()) }
func (c *shifted) Sleep(d time.Duration)           { c.base.Sleep(c.real(d)) }
func (c *shifted) After(d time.Duration) <-chan time.Time {
	return c.NewTimer(d).Chan()
}

func (c *shifted) NewTimer(d time.Duration) clockwork.Timer {
	return &shiftedTimer{Timer: c.base.NewTimer(c.real(d)), c: c}
}

func (c *shifted) AfterFunc(d time.Duration, f func()) clockwork.Timer {
	return &shiftedTimer{Timer: c.base.AfterFunc(c.real(d), f), c: c}
}

func (c *shifted) NewTicker(d time.Duration) clockwork.Ticker {
	return &shiftedTicker{Ticker: c.base.NewTicker(c.real(d)), c: c}
}

// The base clock's timers, with durations converted on Reset. (The times
// they deliver are the base clock's; opsdeck only waits on them.)
type shiftedTimer struct {
	clockwork.Timer
	c *shifted
}

func (t *shiftedTimer) Reset(d time.Duration) bool { return t.Timer.Reset(t.c.real(d)) }

type shiftedTicker struct {
	clockwork.Ticker
	c *shifted
}

func (t *shiftedTicker) Reset(d time.Duration) { t.Ticker.Reset(t.c.real(d)) }
