package backups

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// Config is how the scheduler runs opsdeck's own backups.
type Config struct {
	Policy   model.SelfBackupPolicy
	Dir      string                     // "" means store.DefaultBackupDir
	Actor    model.Actor                // who the audit log names; default system:backups
	Progress func(store.BackupProgress) // optional, for a console
	// Logf reports what Due refuses to believe (runs dated in the future),
	// once per run per process; nil discards.
	Logf func(format string, args ...any)
}

// distrusted remembers the future-dated runs already reported.
var distrusted sync.Map

func (c Config) distrust(key string, at time.Time) {
	if _, told := distrusted.LoadOrStore(key, true); !told && c.Logf != nil {
		c.Logf("backups: %s is dated %s, in the future (a wrong clock wrote it); ignored", key, at.UTC().Format(time.RFC3339))
	}
}

func (c Config) actor() model.Actor {
	if c.Actor.Kind == "" {
		return model.SystemActor("backups")
	}
	return c.Actor
}

// Work is one piece of due backup work. Key is stable ("self:backup",
// "self:restore-test", "job:NAME"); Run refuses to start a second run of
// the same Key in this process (ErrAlreadyRunning), so a scheduler that
// polls Due every minute cannot pile up runs of a slow job.
type Work struct {
	Key string
	Run func(ctx context.Context) error
}

// ErrAlreadyRunning is returned by Work.Run while the same work runs.
var ErrAlreadyRunning = errors.New("already running")

var inFlight sync.Map

func work(key string, fn func(ctx context.Context) error) Work {
	return Work{Key: key, Run: func(ctx context.Context) error {
		if _, busy := inFlight.LoadOrStore(key, true); busy {
			return fmt.Errorf("%s: %w", key, ErrAlreadyRunning)
		}
		defer inFlight.Delete(key)
		return fn(ctx)
	}}
}

// Due returns the backup work due at now: opsdeck's own backup (then
// prune) when the newest good backup is older than the policy's interval,
// a restore test of the newest backup when the last one is older than
// RestoreTestEvery, and each active command job whose cron schedule has
// come round since its last run. The scheduler calls it periodically
// (e.g. every minute from one gocron job) and runs the returned Work on
// its worker pool.
func Due(ctx context.Context, s *store.Store, cfg Config, now time.Time) ([]Work, error) {
	var out []Work
	all, err := s.ListBackupRuns(ctx, store.BackupRunQuery{})
	if err != nil {
		return nil, err
	}
	runs, future := model.TrustedRuns(all, now)
	for _, r := range future {
		cfg.distrust(fmt.Sprintf("backup run %d (%s)", r.ID, r.File), r.StartedAt)
	}
	var lastOK, lastTest *time.Time
	var newest *model.BackupRun
	for i, r := range runs {
		if r.Status == "ok" && lastOK == nil {
			lastOK = &runs[i].StartedAt
		}
		if r.Status == "ok" && r.PrunedAt == nil && newest == nil {
			newest = &runs[i]
		}
		if r.RestoreTestedAt != nil && (lastTest == nil || r.RestoreTestedAt.After(*lastTest)) {
			lastTest = r.RestoreTestedAt
		}
	}
	// After a failure, wait before trying again (a full disk would
	// otherwise fail, and be recorded, every minute).
	retryAfter := min(cfg.Policy.Interval/4, time.Hour)
	recentFailure := len(runs) > 0 && runs[0].Status != "ok" && now.Sub(runs[0].StartedAt) < retryAfter
	if (lastOK == nil || now.Sub(*lastOK) >= cfg.Policy.Interval) && !recentFailure {
		out = append(out, work("self:backup", func(ctx context.Context) error {
			_, err := BackupSelf(ctx, s, cfg, "scheduled")
			return err
		}))
	}
	if newest != nil && (lastTest == nil || now.Sub(*lastTest) >= cfg.Policy.RestoreTestEvery) {
		run := *newest
		out = append(out, work("self:restore-test", func(ctx context.Context) error {
			v, err := s.RestoreTest(ctx, cfg.actor(), run, nil)
			if err == nil && !v.OK {
				err = fmt.Errorf("restore test of %s failed: %v", run.File, v.Problems)
			}
			return err
		}))
	}
	jobs, err := s.ListBackupJobs(ctx, store.BackupJobQuery{Status: "active"})
	if err != nil {
		return nil, err
	}
	for _, j := range jobs {
		if j.Kind != "command" {
			continue
		}
		runs, err := s.ListJobRuns(ctx, j.ID, 20)
		if err != nil {
			return nil, err
		}
		for len(runs) > 0 && model.FromFuture(runs[0].StartedAt, now) {
			cfg.distrust(fmt.Sprintf("run %d of backup job %s", runs[0].ID, j.Name), runs[0].StartedAt)
			runs = runs[1:]
		}
		from := j.CreatedAt
		if model.FromFuture(from, now) {
			from = now
		}
		if len(runs) > 0 {
			if runs[0].Status == "running" {
				continue
			}
			from = runs[0].StartedAt
		}
		sched, err := model.ParseSchedule(j.Schedule)
		if err != nil {
			continue // Validate refuses bad schedules; BackupHealth reports one anyway
		}
		if !sched.Next(from).After(now) {
			job := j
			out = append(out, work("job:"+j.Name, func(ctx context.Context) error {
				run, err := RunJob(ctx, s, cfg.actor(), job, "scheduled")
				if err == nil && run.Status != "ok" {
					err = fmt.Errorf("backup job %s: %s", job.Name, run.Error)
				}
				return err
			}))
		}
	}
	return out, nil
}

// BackupSelf backs up opsdeck's database and then applies retention.
func BackupSelf(ctx context.Context, s *store.Store, cfg Config, reason string) (model.BackupRun, error) {
	run, err := s.Backup(ctx, cfg.actor(), store.BackupOptions{Dir: cfg.Dir, Reason: reason, Progress: cfg.Progress})
	if err != nil {
		return run, err
	}
	if _, err := s.PruneBackups(ctx, cfg.actor(), cfg.Dir, cfg.Policy.Retention, false); err != nil {
		return run, err
	}
	return run, nil
}
