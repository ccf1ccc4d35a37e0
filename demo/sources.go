package demo

import (
	"context"
	"time"

	"github.com/opsdeck/opsdeck/checks"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

func init() { Register("alert sources", loadAlertSources) }

// loadAlertSources creates the backup and access checks the scheduler
// would create (checks.SyncSources) and judges each once, so the demo
// opens with the alerts these stories are about: Bill's GitHub and AWS
// access, and the late, failed and never restore-tested backups. Only
// checks that never ran are judged, so a second `opsdeck demo` changes
// nothing.
func loadAlertSources(ctx context.Context, s *store.Store, now time.Time) error {
	if _, err := checks.SyncSources(ctx, s, model.DefaultSelfBackupPolicy, now); err != nil {
		return err
	}
	cs, err := s.SourceChecks(ctx)
	if err != nil {
		return err
	}
	states, err := s.CheckStates(ctx)
	if err != nil {
		return err
	}
	r := checks.NewRunner()
	defer r.Close()
	r.Sources, r.Now = s, func() time.Time { return now }
	var outs []store.Outcome
	for i := range cs {
		if st := states[cs[i].ID]; st.LastRunAt != nil {
			continue
		}
		res := r.Run(ctx, &cs[i], nil)
		outs = append(outs, store.Outcome{Result: res, NextRun: model.NextRun(now, cs[i].RunEvery(), model.Offset(cs[i].ID, cs[i].RunEvery()))})
	}
	if len(outs) == 0 {
		return nil
	}
	return s.Write(ctx, Actor, func(t *store.Tx) error { return t.ApplyResults(outs, store.DefaultNotifyPolicy) })
}
