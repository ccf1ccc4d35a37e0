package store

import (
	"context"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// BackupHealth derives, for opsdeck's own backups ("self") and for every
// active company job, the state and a one-line reason at now. This is the
// alert engine's input: each unhealthy line (model.BackupState.Healthy)
// becomes an alert keyed by Key; the state function itself is pure
// (model.DeriveBackupState).
func (s *Store) BackupHealth(ctx context.Context, p model.SelfBackupPolicy, now time.Time) ([]model.BackupHealth, error) {
	self, err := s.selfHealth(ctx, p, now)
	if err != nil {
		return nil, err
	}
	out := []model.BackupHealth{self}
	jobs, err := s.ListBackupJobs(ctx, BackupJobQuery{Status: "active"})
	if err != nil {
		return nil, err
	}
	for _, j := range jobs {
		h, err := s.JobHealth(ctx, j, now)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// JobHealth is BackupHealth for one job.
func (s *Store) JobHealth(ctx context.Context, j model.BackupJob, now time.Time) (model.BackupHealth, error) {
	last, err := s.latestJobRun(ctx, j.ID, "backup", now)
	if err != nil {
		return model.BackupHealth{}, err
	}
	restore, err := s.latestJobRun(ctx, j.ID, "restore_test", now)
	if err != nil {
		return model.BackupHealth{}, err
	}
	h := model.BackupHealth{Key: "job:" + j.Name, Name: j.Name, Kind: j.Kind, JobID: j.ID, ServiceID: j.ServiceID, ServiceName: j.ServiceName,
		BackupStatus: model.DeriveBackupState(model.JobFacts(j, last, restore), now)}
	if last != nil {
		h.LastRunAt, h.LastSizeBytes, h.LastDurationMS = &last.StartedAt, last.SizeBytes, last.DurationMS
	}
	if restore != nil {
		h.RestoreTestedAt = &restore.StartedAt
	}
	return h, nil
}

func (s *Store) selfHealth(ctx context.Context, p model.SelfBackupPolicy, now time.Time) (model.BackupHealth, error) {
	all, err := s.ListBackupRuns(ctx, BackupRunQuery{})
	if err != nil {
		return model.BackupHealth{}, err
	}
	// Runs dated in the future (a wrong clock) are not the latest backup.
	runs, _ := model.TrustedRuns(all, now)
	var since string
	if err := s.r.QueryRowContext(ctx, `SELECT coalesce(min(applied_at), '') FROM schema_migrations`).Scan(&since); err != nil {
		return model.BackupHealth{}, err
	}
	f := model.SelfFacts(p, runs, parseTime(since))
	h := model.BackupHealth{Key: "self", Name: "opsdeck", Kind: "self", RestoreTestedAt: f.RestoreTestedAt,
		BackupStatus: model.DeriveBackupState(f, now)}
	if len(runs) > 0 {
		size := runs[0].SizeBytes
		h.LastRunAt, h.LastSizeBytes, h.LastDurationMS = &runs[0].StartedAt, &size, runs[0].DurationMS
	}
	return h, nil
}
