package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"
)

// RestoreResult says what a restore did.
type RestoreResult struct {
	File       string       `json:"file"`
	DB         string       `json:"db"`
	SafetyCopy string       `json:"safety_copy"` // the replaced database, "" if there was none
	Verify     VerifyReport `json:"verify"`
}

// RestoreOptions tune Restore.
type RestoreOptions struct {
	// Progress, if set, is called with the phases check (verifying the
	// backup), copy (pages of the backup copied beside the database),
	// safety-copy (pages of the old database backed up), verify and done.
	// Cancelling ctx stops a restore at any point before the swap.
	Progress func(BackupProgress)
	// Clock names the safety copy and times the pre-restore backup; nil:
	// the real clock.
	Clock clockwork.Clock
}

// Restore replaces the database at dbPath with the backup file. In order:
// it takes the database's lock exclusively (refusing while any opsdeck
// process holds it shared), verifies the backup, copies it beside the
// database under a temporary name and verifies that copy, makes a
// verified safety copy of the database it replaces
// (dbPath.before-restore-TIMESTAMP), folds the old WAL into it and removes
// the old -wal/-shm (a stale WAL applied to the new file would corrupt
// it), renames the copy into place and verifies the result. Any failure
// before the rename leaves the old database as it was.
func Restore(ctx context.Context, file, dbPath string, opts RestoreOptions) (res RestoreResult, err error) {
	res.File, res.DB = file, dbPath
	if opts.Clock == nil {
		opts.Clock = clockwork.NewRealClock()
	}
	if IsPostgres(dbPath) {
		progress := opts.Progress
		if progress == nil {
			progress = func(BackupProgress) {}
		}
		return pgRestore(ctx, file, dbPath, opts.Clock.Now(), progress)
	}
	if _, err := os.Stat(file); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	// Restore replaces the file the path names, never a symlink to it, and
	// locks it under the name every other opsdeck process locks it by.
	real, err := RealPath(dbPath)
	if err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	dbPath = real
	if fi, err := os.Stat(dbPath); err == nil && fi.IsDir() {
		return res, fmt.Errorf("restore: %s is a directory, not a database file", dbPath)
	}
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
		return res, fmt.Errorf("restore to %s: %w", dbPath, err)
	}
	lock, err := LockExclusive(dbPath)
	if err != nil {
		return res, fmt.Errorf("restore refused: %w", err)
	}
	defer lock.Unlock()
	progress := opts.Progress
	if progress == nil {
		progress = func(BackupProgress) {}
	}

	progress(BackupProgress{Phase: "check"})
	v := VerifyBackup(ctx, file)
	if !v.OK {
		res.Verify = v
		return res, fmt.Errorf("restore refused: %s does not verify: %s", file, strings.Join(v.Problems, "; "))
	}
	tmp := dbPath + ".restoring" + partialExt
	defer os.Remove(tmp)
	total := int(v.SizeBytes / restorePage)
	err = copyFile(ctx, file, tmp, func(done int64) {
		progress(BackupProgress{Phase: "copy", Done: int(done / restorePage), Total: total})
	})
	if err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	if cv := verifyCopy(ctx, tmp, v.RowCounts); !cv.OK {
		return res, fmt.Errorf("restore: the copy at %s does not verify: %s", tmp, strings.Join(cv.Problems, "; "))
	}

	if _, err := os.Stat(dbPath); err == nil {
		safety := dbPath + ".before-restore-" + opts.Clock.Now().UTC().Format("20060102T150405Z")
		safetyProgress := func(p BackupProgress) {
			if p.Phase == "copy" {
				p.Phase = "safety-copy"
				progress(p)
			}
		}
		if err := safetyCopy(ctx, dbPath, safety, opts.Clock.Now, safetyProgress); err != nil {
			return res, fmt.Errorf("restore: safety copy of %s: %w (nothing was replaced)", dbPath, err)
		}
		res.SafetyCopy = safety
	}
	for _, side := range []string{dbPath + "-wal", dbPath + "-shm"} {
		if err := os.Remove(side); err != nil && !errors.Is(err, os.ErrNotExist) {
			return res, fmt.Errorf("restore: remove %s: %w (nothing was replaced; safety copy %s)", side, err, res.SafetyCopy)
		}
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		return res, fmt.Errorf("restore: rename into %s: %w", dbPath, err)
	}
	if err := syncDir(filepath.Dir(dbPath)); err != nil {
		return res, err
	}
	progress(BackupProgress{Phase: "verify"})
	res.Verify = verifyCopy(ctx, dbPath, v.RowCounts)
	res.Verify.SHA256, res.Verify.Manifest = v.SHA256, v.Manifest
	if !res.Verify.OK {
		return res, fmt.Errorf("restore: %s does not verify after the swap: %s (the replaced database is at %s)", dbPath, strings.Join(res.Verify.Problems, "; "), res.SafetyCopy)
	}
	progress(BackupProgress{Phase: "done", Done: total, Total: total})
	return res, nil
}

// safetyCopy folds the live database's WAL into its main file and writes a
// verified copy of it to dst. It runs under the exclusive lock, so the
// checkpoint leaves nothing in the WAL that the copy would miss.
func safetyCopy(ctx context.Context, dbPath, dst string, now func() time.Time, progress func(BackupProgress)) error {
	db, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	dir := filepath.Dir(dst)
	res, err := backupTo(ctx, db, dbPath, dir, now, BackupOptions{Reason: "pre-restore", Progress: progress})
	if err != nil {
		return err
	}
	if err := os.Rename(res.File, dst); err != nil {
		return err
	}
	return os.Rename(ManifestPath(res.File), ManifestPath(dst))
}

// restorePage is the unit a restore's copy progress counts in, so that a
// progress bar reads the same for backups and restores (SQLite's default
// page size).
const restorePage = 4096

// copyFile copies src to a new file dst and fsyncs it, reporting the bytes
// copied so far to progress (optional).
func copyFile(ctx context.Context, src, dst string, progress func(done int64)) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if e := out.Close(); err == nil && e != nil {
			err = e
		}
		if err != nil {
			os.Remove(dst)
		}
	}()
	if _, err = io.Copy(out, &ctxReader{ctx: ctx, r: in, progress: progress}); err != nil {
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	if err = out.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dst, err)
	}
	return nil
}
