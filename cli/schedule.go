package cli

import (
	"context"
	"errors"
	"time"

	"github.com/opsdeck/opsdeck/backups"
	"github.com/opsdeck/opsdeck/checks"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// SchedulerConfig is the one schedule every long-running process uses
// (`run`, `serve`, the console when nothing else holds the lease): the
// checks plus opsdeck's own daily backup, the weekly restore test and the
// company's command backup jobs, all under one lease so they run in exactly
// one process per database. "sync-sources" keeps one backup check per
// backup and one access check per leftover access, so both alert through
// the alert engine (docs/alert-sources.md).
func SchedulerConfig(s *store.Store, logf func(format string, args ...any)) checks.Config {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	bcfg := backups.Config{Policy: model.DefaultSelfBackupPolicy, Logf: logf}
	return checks.Config{
		Notify: store.DefaultNotifyPolicy, Retention: store.DefaultRetention, Logf: logf,
		Jobs: []checks.Job{{Name: "backups", Every: time.Minute, Run: func(ctx context.Context) []func(context.Context) {
			due, err := backups.Due(ctx, s, bcfg, s.Now())
			if err != nil {
				if ctx.Err() == nil {
					logf("backups: %v", err)
				}
				return nil
			}
			var work []func(context.Context)
			for _, w := range due {
				work = append(work, func(ctx context.Context) {
					if err := w.Run(ctx); err != nil && !errors.Is(err, backups.ErrAlreadyRunning) && ctx.Err() == nil {
						logf("%s: %v", w.Key, err)
					}
				})
			}
			return work
		}}, {Name: "sync-sources", Every: time.Minute, Run: func(ctx context.Context) []func(context.Context) {
			plan, err := checks.SyncSources(ctx, s, bcfg.Policy, s.Now())
			if err != nil {
				if ctx.Err() == nil {
					logf("sync source checks: %v", err)
				}
				return nil
			}
			if len(plan.Add)+len(plan.Retire) > 0 {
				logf("source checks: %d added, %d retired", len(plan.Add), len(plan.Retire))
			}
			return nil
		}}, {Name: "joiners", Every: time.Minute, Run: func(ctx context.Context) []func(context.Context) {
			return []func(context.Context){func(ctx context.Context) { activateJoiners(ctx, s, logf) }}
		}}},
	}
}
