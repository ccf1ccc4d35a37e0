package store

import (
	"context"
	"fmt"
	"os"

	"github.com/opsdeck/opsdeck/model"
)

// NoMigrationBackupEnv, set to 1, lets opsdeck migrate a database without
// the backup it otherwise takes first (for a disk too full to hold one).
const NoMigrationBackupEnv = "OPSDECK_NO_MIGRATION_BACKUP"

// backupBeforeMigrate backs up an existing database (one with applied
// migrations) before any new migration touches it, into the default backup
// directory. If the backup fails the migration is refused: an upgrade that
// goes wrong must leave something to go back to.
func (s *Store) backupBeforeMigrate(ctx context.Context, applied map[int]bool, ms []migration, upTo int) (*BackupResult, error) {
	pending := 0
	for _, m := range ms {
		if !applied[m.version] && (upTo == 0 || m.version <= upTo) {
			pending++
		}
	}
	if len(applied) == 0 || pending == 0 || os.Getenv(NoMigrationBackupEnv) == "1" {
		return nil, nil
	}
	res, err := backupTo(ctx, s.w, s.path, "", s.Now, BackupOptions{Reason: "pre-migration"})
	if err != nil {
		return nil, fmt.Errorf("open %s: back up before migrating: %w (free space in %s, or set %s=1 to migrate without a backup)",
			s.path, err, DefaultBackupDir(s.path), NoMigrationBackupEnv)
	}
	return &res, nil
}

// recordPreMigrationBackup records the pre-migration backup once the
// schema has a backup_runs table to hold it.
func (s *Store) recordPreMigrationBackup(ctx context.Context, res *BackupResult) error {
	if res == nil {
		return nil
	}
	var n int
	if err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'backup_runs'`).Scan(&n); err != nil || n == 0 {
		return err
	}
	run := runFromResult(*res, "pre-migration", res.Started, res.Started.Add(res.Duration), nil)
	return s.Write(ctx, model.SystemActor("migrate"), func(t *Tx) error { return t.recordBackupRun(&run) })
}
