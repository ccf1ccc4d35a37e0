package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// Backup backs up this database online into opts.Dir (default: beside the
// database), verifies the copy and records the run, audited, in
// backup_runs. A failed backup is recorded too (with its error) unless the
// database itself cannot be written. Cancel ctx to stop it; progress is
// reported through opts.Progress.
func (s *Store) Backup(ctx context.Context, actor model.Actor, opts BackupOptions) (model.BackupRun, error) {
	if opts.Reason == "" {
		opts.Reason = "manual"
	}
	if err := model.ValidateEnum("reason", opts.Reason, model.BackupReasons); err != nil {
		return model.BackupRun{}, err
	}
	if !actor.CanWrite() {
		return model.BackupRun{}, fmt.Errorf("%s may not take backups (role %s): %w", actor, actor.Role, model.ErrForbidden)
	}
	if s.readOnly {
		// A backup it cannot record would be a file nobody knows about.
		return model.BackupRun{}, fmt.Errorf("back up %s: it is %w here, so the backup could not be recorded; nothing was written", s.path, ErrReadOnly)
	}
	var res BackupResult
	var berr error
	if s.pg {
		res, berr = s.pgBackupTo(ctx, opts.Dir, opts)
	} else {
		res, berr = backupTo(ctx, s.r, s.path, opts.Dir, s.Now, opts)
	}
	run := runFromResult(res, opts.Reason, res.Started.UTC(), s.now(), berr)
	if err := s.Write(context.WithoutCancel(ctx), actor, func(t *Tx) error { return t.recordBackupRun(&run) }); err != nil {
		if berr != nil {
			return run, berr
		}
		// Unrecorded, the copy would be a file no list, prune or restore
		// test knows: remove it rather than leave it behind.
		os.Remove(res.File)
		os.Remove(ManifestPath(res.File))
		return run, fmt.Errorf("backup not recorded, so its copy was removed: %w", err)
	}
	return run, berr
}

func runFromResult(res BackupResult, reason string, start, end time.Time, err error) model.BackupRun {
	run := model.BackupRun{
		File: res.File, Reason: reason, Status: "ok", StartedAt: start, FinishedAt: end,
		DurationMS: end.Sub(start).Milliseconds(), Pages: res.Manifest.Pages, SizeBytes: res.Manifest.SizeBytes,
		Verified: res.Verify.OK, Integrity: res.Verify.Integrity, RowCounts: res.Manifest.RowCounts, SHA256: res.Manifest.SHA256,
	}
	if err != nil {
		run.Status, run.Error, run.Verified = "failed", model.Sanitize(err.Error()), false
	}
	if run.RowCounts == nil {
		run.RowCounts = map[string]int64{}
	}
	return run
}

func (t *Tx) recordBackupRun(run *model.BackupRun) error {
	counts, _ := json.Marshal(run.RowCounts)
	res, err := t.exec(`INSERT INTO backup_runs(file, reason, status, started_at, finished_at, size_bytes, duration_ms, pages, verified, integrity, row_counts, sha256, error)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`, run.File, run.Reason, run.Status, fmtTime(run.StartedAt), fmtTime(run.FinishedAt),
		run.SizeBytes, run.DurationMS, run.Pages, run.Verified, run.Integrity, string(counts), run.SHA256, run.Error)
	if err != nil {
		return fmt.Errorf("record backup: %w", err)
	}
	if run.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	return t.Audit("backup", "backup_run", run.ID, nil, run)
}

const backupRunCols = `id, file, reason, status, started_at, finished_at, size_bytes, duration_ms, pages, verified, integrity, row_counts,
	sha256, restore_tested_at, restore_test_ok, restore_test_error, pruned_at, error`

func scanBackupRun(sc scanner) (model.BackupRun, error) {
	var r model.BackupRun
	var started, finished, counts string
	var tested, pruned sql.NullString
	var testOK sql.NullBool
	err := sc.Scan(&r.ID, &r.File, &r.Reason, &r.Status, &started, &finished, &r.SizeBytes, &r.DurationMS, &r.Pages, &r.Verified,
		&r.Integrity, &counts, &r.SHA256, &tested, &testOK, &r.RestoreTestError, &pruned, &r.Error)
	r.StartedAt, r.FinishedAt = parseTime(started), parseTime(finished)
	r.RestoreTestedAt, r.PrunedAt = parseTimePtr(tested), parseTimePtr(pruned)
	if testOK.Valid {
		r.RestoreTestOK = &testOK.Bool
	}
	r.RowCounts = map[string]int64{}
	_ = json.Unmarshal([]byte(counts), &r.RowCounts)
	return r, err
}

// BackupRunQuery narrows ListBackupRuns.
type BackupRunQuery struct {
	OnlyPresent bool // only good backups not yet pruned
	Limit       int
}

// ListBackupRuns returns opsdeck's own backups, newest first.
func (s *Store) ListBackupRuns(ctx context.Context, q BackupRunQuery) ([]model.BackupRun, error) {
	where := "1=1"
	if q.OnlyPresent {
		where = "status = 'ok' AND pruned_at IS NULL"
	}
	query := `SELECT ` + backupRunCols + ` FROM backup_runs WHERE ` + where + ` ORDER BY started_at DESC, id DESC`
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	rows, err := s.r.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	defer rows.Close()
	var out []model.BackupRun
	for rows.Next() {
		r, err := scanBackupRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list backups: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// BackupRunByFile finds the recorded run of a backup file.
func (s *Store) BackupRunByFile(ctx context.Context, file string) (model.BackupRun, error) {
	r, err := scanBackupRun(s.r.QueryRowContext(ctx, `SELECT `+backupRunCols+` FROM backup_runs WHERE file = ? ORDER BY id DESC LIMIT 1`, file))
	if isNoRows(err) {
		return r, notFound("backup", file)
	}
	return r, err
}

// RecordRestoreTest stores the outcome of a restore test on a backup run.
func (t *Tx) RecordRestoreTest(runID int64, ok bool, problem string) error {
	before, err := scanBackupRun(t.queryRow(`SELECT `+backupRunCols+` FROM backup_runs WHERE id = ?`, runID))
	if isNoRows(err) {
		return notFound("backup", fmt.Sprint(runID))
	} else if err != nil {
		return err
	}
	if _, err := t.exec(`UPDATE backup_runs SET restore_tested_at = ?, restore_test_ok = ?, restore_test_error = ? WHERE id = ?`,
		fmtTime(t.at), ok, model.Sanitize(problem), runID); err != nil {
		return fmt.Errorf("record restore test: %w", err)
	}
	after, err := scanBackupRun(t.queryRow(`SELECT `+backupRunCols+` FROM backup_runs WHERE id = ?`, runID))
	if err != nil {
		return err
	}
	return t.Audit("restore-test", "backup_run", runID, before, after)
}

// MarkBackupPruned records that retention deleted a backup's file.
func (t *Tx) MarkBackupPruned(file string) error { return t.markPruned(file, "") }

// markPruned marks the runs of a deleted backup file pruned; why, when
// given, is kept in the audit row (retention's own decisions need none).
func (t *Tx) markPruned(file, why string) error {
	res, err := t.exec(`UPDATE backup_runs SET pruned_at = ? WHERE file = ? AND pruned_at IS NULL`, fmtTime(t.at), file)
	if err != nil {
		return fmt.Errorf("mark pruned: %w", err)
	}
	n, _ := res.RowsAffected()
	after := map[string]any{"file": file, "runs_marked": n}
	if why != "" {
		after["reason"] = why
	}
	return t.Audit("prune", "backup_run", 0, map[string]any{"file": file}, after)
}

// RestoreTest proves that a backup restores: it copies the file into a
// temporary directory, verifies the copy (checksum, integrity, row counts
// from the manifest), opens it as opsdeck would after a real restore
// (migrating it if it is older), and records the result on the run.
// progress (nil: none) hears the phases copy (pages), verify and open. A
// cancelled test records nothing and returns ctx's error.
func (s *Store) RestoreTest(ctx context.Context, actor model.Actor, run model.BackupRun, progress func(BackupProgress)) (VerifyReport, error) {
	if progress == nil {
		progress = func(BackupProgress) {}
	}
	var v VerifyReport
	if s.pg {
		v = s.pgRestoreTest(ctx, run.File, progress)
	} else {
		v = restoreTestFile(ctx, run.File, progress)
	}
	if err := ctx.Err(); err != nil {
		return v, err
	}
	problem := strings.Join(v.Problems, "; ")
	err := s.Write(context.WithoutCancel(ctx), actor, func(t *Tx) error { return t.RecordRestoreTest(run.ID, v.OK, problem) })
	return v, err
}

func restoreTestFile(ctx context.Context, file string, progress func(BackupProgress)) VerifyReport {
	tmp, err := os.MkdirTemp("", "opsdeck-restore-test-")
	if err != nil {
		return VerifyReport{File: file, Problems: []string{"restore test: " + err.Error()}}
	}
	defer os.RemoveAll(tmp)
	dst := filepath.Join(tmp, "opsdeck.db")
	var total int
	if fi, err := os.Stat(file); err == nil {
		total = int(fi.Size() / restorePage)
	}
	if err := copyFile(ctx, file, dst, func(done int64) {
		progress(BackupProgress{Phase: "copy", Done: int(done / restorePage), Total: total})
	}); err != nil {
		return VerifyReport{File: file, Problems: []string{"restore test: " + err.Error()}}
	}
	if err := copyFile(ctx, ManifestPath(file), ManifestPath(dst), nil); err != nil && !errors.Is(err, os.ErrNotExist) {
		return VerifyReport{File: file, Problems: []string{"restore test: " + err.Error()}}
	}
	progress(BackupProgress{Phase: "verify"})
	v := VerifyBackup(ctx, dst)
	v.File = file
	if !v.OK {
		return v
	}
	progress(BackupProgress{Phase: "open"})
	st, err := Open(dst)
	if err != nil {
		v.Problems = append(v.Problems, "open the restored copy: "+err.Error())
	} else {
		if _, err := st.ChangeMark(ctx); err != nil {
			v.Problems = append(v.Problems, "read the restored copy: "+err.Error())
		}
		st.Close()
	}
	v.OK = len(v.Problems) == 0
	return v
}
