package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

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
	if len(applied) == 0 || pending == 0 || os.Getenv(NoMigrationBackupEnv) == "1" || s.pg {
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

// replaceClearBackup runs when the upgrade has just sealed credentials an
// older version kept in clear. The backup taken before migrating is a copy
// of that old file and holds them all, and issue #14 wants no credential in
// clear in the database or its backups. So it takes a fresh verified
// backup of the sealed database into the same directory, records it, and
// only then deletes the clear copy (file and manifest) and marks its run
// pruned, with the reason in the audit log.
//
// The fresh backup's run keeps the reason pre-migration: it is the upgrade's
// backup, and the schema admits no other reason for it.
//
// If the fresh backup fails, the clear copy is deleted all the same and
// the open goes on: the migrations and the sealing have already committed,
// so the old file is no longer needed to recover from a failed upgrade,
// while a copy of every credential in clear is exactly what must not stay
// on disk. The failed run is recorded, so backup health shows that no
// backup exists. Only a clear copy that cannot be deleted, or runs that
// cannot be recorded, fail the open, naming the file.
func (s *Store) replaceClearBackup(ctx context.Context) error {
	pre := s.preMigration
	s.preMigration = nil
	if pre == nil {
		return nil
	}
	res, berr := backupTo(ctx, s.w, s.path, filepath.Dir(pre.File), s.Now, BackupOptions{Reason: "pre-migration"})
	run := runFromResult(res, "pre-migration", res.Started.UTC(), s.now(), berr)
	if err := os.Remove(pre.File); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("open %s: the backup taken before upgrading, %s, holds credentials in clear and could not be deleted (delete it): %w", s.path, pre.File, err)
	}
	if err := os.Remove(ManifestPath(pre.File)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("open %s: remove the manifest of %s: %w", s.path, pre.File, err)
	}
	why := "held credentials in clear; replaced by a backup of the upgraded database"
	if berr != nil {
		why = "held credentials in clear; the backup of the upgraded database failed: " + model.Sanitize(berr.Error())
	}
	err := s.Write(ctx, model.SystemActor("migrate"), func(t *Tx) error {
		if err := t.recordBackupRun(&run); err != nil {
			return err
		}
		return t.markPruned(pre.File, why)
	})
	if err != nil {
		if berr == nil {
			os.Remove(res.File)
			os.Remove(ManifestPath(res.File))
		}
		return fmt.Errorf("open %s: record the backup of the upgraded database: %w", s.path, err)
	}
	return nil
}
