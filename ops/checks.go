package ops

import (
	"context"
	"time"

	"github.com/opsdeck/opsdeck/checks"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// runSlack is how long a run may take beyond the check's own timeout
// (which bounds the probe): reading the state and sources, recording.
const runSlack = 5 * time.Second

// RunTimeout is the one bound on running a check by hand, from the CLI
// or the console: the check's timeout (the default when unset) plus slack.
func RunTimeout(c model.Check) time.Duration {
	t := c.Timeout()
	if t <= 0 {
		t = model.DefaultTimeout
	}
	return t + runSlack
}

// CheckRun is what running a check by hand did.
type CheckRun struct {
	Check  model.Check       `json:"-"`
	Result model.CheckResult `json:"result"`
	// Recorded is false for a heartbeat on time: it is judged from its
	// pings, not probed, so there is nothing to record.
	Recorded bool `json:"recorded"`
}

// RunCheck runs check id now and records the result like a scheduled run
// (it may fire or resolve an alert). The probe reads the check's
// credentials (headers, env) through the store's credential view; the
// result names none of them.
func RunCheck(ctx context.Context, e Env, id int64) (CheckRun, error) {
	c, err := e.Store.WithCredentials().GetCheck(ctx, id)
	if err != nil {
		return CheckRun{}, err
	}
	st, err := e.Store.CheckState(ctx, id)
	if err != nil {
		return CheckRun{}, err
	}
	run := CheckRun{Check: c}
	r := checks.NewRunner()
	r.Sources, r.Clock = e.Store, e.Clock // backup and access checks read the store
	defer r.Close()
	rctx, cancel := context.WithTimeout(ctx, RunTimeout(c))
	defer cancel()
	run.Result = r.Run(rctx, &c, &st)
	if run.Result.Status == "" { // a heartbeat on time: judged, not probed
		run.Result.Status, run.Result.Message = "up", "heartbeat on time (last ping "+model.Ago(st.LastPingAt, e.Clock.Now())+")"
		return run, nil
	}
	if err := e.Store.Write(ctx, e.Actor, func(t *store.Tx) error { return t.RecordManualRun(run.Result, store.DefaultNotifyPolicy) }); err != nil {
		return run, err
	}
	run.Recorded = true
	return run, nil
}

// ToggleCheck pauses a running check or resumes a paused one.
func ToggleCheck(ctx context.Context, e Env, id int64) (model.Check, error) {
	var c model.Check
	err := e.Store.Write(ctx, e.Actor, func(t *store.Tx) error {
		cur, err := t.GetCheck(id)
		if err != nil {
			return err
		}
		c, err = t.SetCheckPaused(id, !cur.Paused)
		return err
	})
	return c, err
}
