package ops

import (
	"context"
	"errors"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// ErrNoBackup is a restore test with no backup file to test.
var ErrNoBackup = errors.New("no backup to restore-test: take one first ('opsdeck backup now', or b on the backups screen)")

// RestoreTest proves a backup restores: the recorded backup file (""
// for the newest one still present) is copied into a temporary directory,
// verified and opened as opsdeck would, and the outcome is recorded on
// the run. A test that ran but failed is a report with OK false and no
// error; a cancelled test records nothing and returns ctx's error.
func RestoreTest(ctx context.Context, e Env, file string, progress Progress) (model.BackupRun, store.VerifyReport, error) {
	run, err := backupToTest(ctx, e.Store, file)
	if err != nil {
		return run, store.VerifyReport{}, err
	}
	v, err := e.Store.RestoreTest(ctx, e.Actor, run, func(p store.BackupProgress) { progress.report(p.Phase, p.Done, p.Total) })
	return run, v, err
}

func backupToTest(ctx context.Context, s *store.Store, file string) (model.BackupRun, error) {
	if file != "" {
		return s.BackupRunByFile(ctx, file)
	}
	runs, err := s.ListBackupRuns(ctx, store.BackupRunQuery{OnlyPresent: true, Limit: 1})
	if err != nil {
		return model.BackupRun{}, err
	}
	if len(runs) == 0 {
		return model.BackupRun{}, ErrNoBackup
	}
	return runs[0], nil
}
