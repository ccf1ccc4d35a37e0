package model

import (
	"fmt"
	"time"
)

// SourceScheduler is the source check kind that watches opsdeck's own
// check engine (target "self"): down while the worker pool is saturated,
// that is while due checks wait for a free worker and run late (slow or
// hung targets hold every worker, or more checks fell due at once than
// the pool holds). The scheduler creates the check when it first finds
// its pool full and retires it once the pool has recovered and the alert
// resolved (PlanSourceSync), so a healthy opsdeck shows no such check; in
// between it alerts through the same engine as every other check.
const SourceScheduler = "scheduler"

// SchedulerCheck is the check the scheduler raises its saturation on.
func SchedulerCheck() Check {
	c := Check{Kind: SourceScheduler, Target: "self", Name: "opsdeck-scheduler", IntervalS: int(SourceInterval / time.Second),
		Notes: "Created by opsdeck: its check scheduler found every worker busy, so due checks wait and run late; " +
			"resolves when the pool has had a free worker for a whole interval (docs/alert-sources.md)."}
	c.Normalize()
	return c
}

// PoolLoad is what the scheduler knows about its worker pool when its
// check runs.
type PoolLoad struct {
	Workers, Busy int
	// Waited counts the dispatches that found every worker busy, since
	// the scheduler started; LastFull is the last time one did.
	Waited   int64
	LastFull time.Time
}

// SchedulerResult judges the scheduler check: down when the pool was
// found full since since (the previous run, one interval ago), up once a
// whole interval passed with a free worker for every due check.
func SchedulerResult(l PoolLoad, since time.Time) (status, message string) {
	if !l.LastFull.IsZero() && !l.LastFull.Before(since) {
		return "down", fmt.Sprintf("check scheduler saturated: all %d workers busy (last at %s; %d dispatches waited for a worker so far); due checks run late — slow or hung targets hold the workers",
			l.Workers, l.LastFull.UTC().Format(time.RFC3339), l.Waited)
	}
	return "up", fmt.Sprintf("check scheduler has free workers (%d of %d busy)", l.Busy, l.Workers)
}

func (c *Check) validateSchedulerSource() error {
	if c.Target != "self" {
		return Invalid("target", c.Target, `is not "self" (the scheduler check watches opsdeck's own scheduler)`)
	}
	if c.ServiceID != nil {
		return Invalid("service", idText(c.ServiceID), "must be empty for a scheduler check")
	}
	return c.validateSource()
}
