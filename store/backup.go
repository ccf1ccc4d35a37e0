package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	sqlite "modernc.org/sqlite"
)

// BackupProgress is reported while a backup runs: the phase and, while
// copying, how many of the snapshot's pages are done. A console turns it
// into a progress bar; it is called on the backup's goroutine after every
// step, so the callback must return quickly (send on a buffered channel,
// drop if full).
type BackupProgress struct {
	Phase string `json:"phase"` // snapshot | copy | verify (sync, checksum, integrity, counts) | done
	Done  int    `json:"done"`  // pages copied
	Total int    `json:"total"` // pages in the snapshot
}

// BackupOptions tune one backup. The zero value backs up into the default
// directory next to the database, 1024 pages per step, no progress.
type BackupOptions struct {
	Dir       string               // destination directory; "" means DefaultBackupDir
	Reason    string               // manual | scheduled | pre-migration | pre-restore
	StepPages int                  // pages copied per step; writers get the lock between steps
	Progress  func(BackupProgress) // optional
}

const (
	defaultStepPages = 1024
	backupPrefix     = "opsdeck-"
	backupExt        = ".db"
	partialExt       = ".partial"
	manifestExt      = ".json"
	// ManifestFormat names the sidecar file's format.
	ManifestFormat = "opsdeck-backup/1"
)

// DefaultBackupDir is where backups go unless told otherwise: NAME-backups
// beside the database NAME.db (under the data dir for the default database).
func DefaultBackupDir(dbPath string) string {
	if IsPostgres(dbPath) {
		return pgBackupDir(dbPath)
	}
	base := filepath.Base(dbPath)
	return filepath.Join(filepath.Dir(dbPath), strings.TrimSuffix(base, filepath.Ext(base))+"-backups")
}

// snapshot describes the source snapshot that copySnapshot copied.
type snapshot struct {
	pages, pageSize int64
	schemaVersion   int
}

// copySnapshot copies the database on conn into the new file dst with
// SQLite's online backup API. conn must be inside a transaction (BEGIN):
// copySnapshot reads first, which fixes the snapshot, and the backup then
// steps over that same connection, so every step copies the same snapshot
// while writers on other connections carry on (WAL) without restarting the
// copy. The caller counts rows on conn afterwards, still in that snapshot.
// Between steps it checks ctx, so a cancel stops within one step.
func copySnapshot(ctx context.Context, conn *sql.Conn, dst string, opts BackupOptions) (snap snapshot, err error) {
	progress := opts.Progress
	if progress == nil {
		progress = func(BackupProgress) {}
	}
	step := int32(opts.StepPages)
	if step == 0 {
		step = defaultStepPages
	}
	progress(BackupProgress{Phase: "snapshot"})
	// This first read starts the read transaction: the snapshot is fixed here.
	var objects int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&objects); err != nil {
		return snap, fmt.Errorf("backup: read source: %w", err)
	}
	if err := conn.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&snap.pageSize); err != nil {
		return snap, fmt.Errorf("backup: page size: %w", err)
	}
	if snap.schemaVersion, err = schemaVersionOf(ctx, conn); err != nil {
		snap.schemaVersion = 0 // a database from before migrations were recorded
	}
	// The copy is a temporary file: no journal, no syncs from SQLite; it is
	// fsynced once, complete, before it gets its real name.
	dstDSN := "file:" + dst + "?" + url.Values{"_pragma": {"journal_mode(OFF)", "synchronous(OFF)"}}.Encode()
	err = conn.Raw(func(dc any) error {
		bc, ok := dc.(interface {
			NewBackup(string) (*sqlite.Backup, error)
		})
		if !ok {
			return fmt.Errorf("backup: driver connection %T has no backup API", dc)
		}
		b, err := bc.NewBackup(dstDSN)
		if err != nil {
			return fmt.Errorf("backup: open %s: %w", dst, err)
		}
		for {
			more, err := b.Step(step)
			if err != nil {
				b.Finish()
				return writeError(dst, err)
			}
			total := b.PageCount()
			snap.pages = int64(total)
			progress(BackupProgress{Phase: "copy", Done: total - b.Remaining(), Total: total})
			if !more {
				break
			}
			if err := ctx.Err(); err != nil {
				b.Finish()
				return fmt.Errorf("backup cancelled: %w", err)
			}
		}
		if err := b.Finish(); err != nil {
			return fmt.Errorf("backup: finish %s: %w", dst, err)
		}
		return nil
	})
	return snap, err
}

// writeError explains a failed write to the backup destination in the
// user's terms; SQLite's own text for these ("disk I/O error: not an
// error") says little.
func writeError(dst string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case 13: // SQLITE_FULL
			return fmt.Errorf("backup: write %s: the destination is full (no space left on device): %w", dst, err)
		case 10: // SQLITE_IOERR (a file size limit or a read-only or failing device)
			return fmt.Errorf("backup: write %s: write failed (destination full, size-limited or failing): %w", dst, err)
		}
	}
	return fmt.Errorf("backup: write %s: %w", dst, err)
}

// rowCounts counts the rows of every table visible on q.
func rowCounts(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		tables = append(tables, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	counts := make(map[string]int64, len(tables))
	for _, t := range tables {
		var n int64
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM "`+strings.ReplaceAll(t, `"`, `""`)+`"`).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		counts[t] = n
	}
	return counts, nil
}

func schemaVersionOf(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `SELECT coalesce(max(version),0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// BackupResult is a finished backup: the verified file and its manifest.
type BackupResult struct {
	File     string
	Manifest Manifest
	Verify   VerifyReport
	Started  time.Time
	Duration time.Duration
}

// backupTo writes a verified backup of src into dir. The copy is made
// under a temporary name (".opsdeck-*.partial", locked while written),
// fsynced, verified (integrity check and row counts against the snapshot),
// and only then renamed to opsdeck-TIMESTAMP.db; its manifest is written
// last, so a file without a manifest never counts as a backup. On any
// failure, including a cancel or a full disk, the partial file is removed
// and nothing else in dir is touched; a process killed mid-way leaves only
// a .partial file, which the next backup removes.
func backupTo(ctx context.Context, src *sql.DB, srcPath, dir string, now func() time.Time, opts BackupOptions) (res BackupResult, err error) {
	res.Started = now()
	if dir == "" {
		dir = DefaultBackupDir(srcPath)
	}
	var f *os.File
	if dir, f, err = createPartial(dir); err != nil {
		return res, err
	}
	tmp := f.Name()
	defer func() {
		f.Close()
		if err != nil {
			os.Remove(tmp)
		}
	}()
	conn, err := src.Conn(ctx)
	if err != nil {
		return res, fmt.Errorf("backup: connect to source: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN`); err != nil {
		return res, fmt.Errorf("backup: begin snapshot: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
	snap, err := copySnapshot(ctx, conn, tmp, opts)
	if err != nil {
		return res, err
	}
	report := opts.Progress
	if report == nil {
		report = func(BackupProgress) {}
	}
	report(BackupProgress{Phase: "verify", Done: int(snap.pages), Total: int(snap.pages)})
	// Four independent reads, run side by side: the source's row counts
	// (still the copied snapshot), fsync of the copy, its SHA-256, and the
	// copy's own integrity check and counts.
	var (
		wg              sync.WaitGroup
		counts          map[string]int64
		countErr, syncE error
		hashErr         error
		sum             string
		size            int64
		v               VerifyReport
	)
	wg.Add(4)
	go func() { defer wg.Done(); counts, countErr = rowCounts(ctx, conn) }()
	go func() { defer wg.Done(); syncE = f.Sync() }()
	go func() { defer wg.Done(); sum, size, hashErr = hashFile(ctx, tmp) }()
	go func() { defer wg.Done(); v = verifyCopy(ctx, tmp, nil) }()
	wg.Wait()
	switch {
	case countErr != nil:
		return res, fmt.Errorf("backup: count rows: %w", countErr)
	case syncE != nil:
		return res, fmt.Errorf("backup: sync %s: %w", tmp, syncE)
	case hashErr != nil:
		return res, hashErr
	case ctx.Err() != nil:
		return res, fmt.Errorf("backup cancelled: %w", ctx.Err())
	}
	v.compareCounts(counts)
	v.SHA256, v.SizeBytes = sum, size
	res.Verify = v
	if !v.OK {
		return res, fmt.Errorf("backup: the copy failed verification: %s", strings.Join(v.Problems, "; "))
	}
	m := Manifest{Format: ManifestFormat, CreatedAt: res.Started.UTC(), Source: srcPath, Reason: opts.Reason,
		SchemaVersion: snap.schemaVersion, PageSize: snap.pageSize, Pages: snap.pages,
		SizeBytes: size, SHA256: sum, RowCounts: counts}
	final, err := publish(tmp, dir, res.Started)
	if err != nil {
		return res, err
	}
	if err := writeFileAtomic(ManifestPath(final), m); err != nil {
		os.Remove(final)
		return res, err
	}
	if err := syncDir(dir); err != nil {
		return res, err
	}
	res.File, res.Manifest, res.Duration = final, m, now().Sub(res.Started)
	v.File = final
	res.Verify = v
	report(BackupProgress{Phase: "done", Done: int(snap.pages), Total: int(snap.pages)})
	return res, nil
}

// createPartial makes dir (absolute, 0700) ready for a new backup — the
// stale partial files of a crashed backup removed — and creates, locked,
// the partial file the backup is written to before it is published.
func createPartial(dir string) (string, *os.File, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return dir, nil, fmt.Errorf("backup to %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return dir, nil, fmt.Errorf("backup to %s: %w", dir, err)
	}
	removeStalePartials(dir)
	f, err := os.CreateTemp(dir, "."+backupPrefix+"*"+partialExt)
	if err != nil {
		return dir, nil, fmt.Errorf("backup to %s: %w", dir, err)
	}
	if err := flock(f, syscall.LOCK_EX); err != nil {
		f.Close()
		os.Remove(f.Name())
		return dir, nil, err
	}
	return dir, f, nil
}
