package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	sqlite "modernc.org/sqlite"
)

// BenchmarkBackupVsRaw backs up and verifies a large database and compares
// it, in the same run, with the backup API's raw rate (one Step(-1), no
// snapshot counts, no fsync, no verify) and with cp of the same file.
// Opt-in, because it builds the database first:
//
//	OPSDECK_BACKUP_BENCH_MB=1024 go test ./store -run '^$' -bench BackupVsRaw -benchtime 1x
func BenchmarkBackupVsRaw(b *testing.B) {
	mb, _ := strconv.Atoi(os.Getenv("OPSDECK_BACKUP_BENCH_MB"))
	if mb <= 0 {
		b.Skip("set OPSDECK_BACKUP_BENCH_MB (e.g. 1024) to run")
	}
	dir := b.TempDir()
	s, err := Open(filepath.Join(dir, "big.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.w.Exec(`CREATE TABLE bulk(id INTEGER PRIMARY KEY, b BLOB);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < ?)
		INSERT INTO bulk(b) SELECT randomblob(4000) FROM n`, mb*256); err != nil {
		b.Fatal(err)
	}
	if _, err := s.w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(s.Path())
	size := float64(fi.Size()) / (1 << 20)
	ctx := context.Background()
	rate := func(d time.Duration) float64 { return size / d.Seconds() }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Raw: the backup API in one step, same destination settings.
		raw := filepath.Join(dir, fmt.Sprintf("raw-%d.db", i))
		t0 := time.Now()
		if err := rawBackup(ctx, s.r, raw); err != nil {
			b.Fatal(err)
		}
		rawD := time.Since(t0)
		os.Remove(raw)

		// Ours: 1024-page steps with progress and cancel checks (the copy
		// phase), then side by side the snapshot's row counts, fsync,
		// SHA-256 and the copy's integrity_check and counts; rename, manifest.
		var copyDone time.Time
		t0 = time.Now()
		res, err := backupTo(ctx, s.r, s.path, filepath.Join(dir, "b"), time.Now, BackupOptions{Progress: func(p BackupProgress) {
			if p.Phase == "verify" {
				copyDone = time.Now()
			}
		}})
		if err != nil {
			b.Fatal(err)
		}
		total := time.Since(t0)
		copyD := copyDone.Sub(t0)
		os.Remove(res.File)
		os.Remove(ManifestPath(res.File))

		// cp of the same file.
		cpDst := filepath.Join(dir, fmt.Sprintf("cp-%d.db", i))
		t0 = time.Now()
		if out, err := exec.Command("cp", s.Path(), cpDst).CombinedOutput(); err != nil {
			b.Fatalf("cp: %v %s", err, out)
		}
		cpD := time.Since(t0)
		os.Remove(cpDst)

		b.Logf("db %.0f MiB | raw backup API %.2fs (%.0f MiB/s) | ours copy phase %.2fs (%.0f MiB/s, ratio %.2f) | ours incl. fsync+sha256+verify %.2fs (%.0f MiB/s, ratio %.2f) | cp %.2fs (%.0f MiB/s; ours copy/cp %.2f, total/cp %.2f)",
			size, rawD.Seconds(), rate(rawD), copyD.Seconds(), rate(copyD), rawD.Seconds()/copyD.Seconds(),
			total.Seconds(), rate(total), rawD.Seconds()/total.Seconds(), cpD.Seconds(), rate(cpD), cpD.Seconds()/copyD.Seconds(), cpD.Seconds()/total.Seconds())
		b.ReportMetric(rawD.Seconds()/copyD.Seconds(), "copy/raw")
		b.ReportMetric(rawD.Seconds()/total.Seconds(), "total/raw")
		b.ReportMetric(cpD.Seconds()/copyD.Seconds(), "copy/cp")
	}
}

// rawBackup is the backup API at its simplest: one Step(-1).
func rawBackup(ctx context.Context, src *sql.DB, dst string) error {
	conn, err := src.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		bk, err := dc.(interface {
			NewBackup(string) (*sqlite.Backup, error)
		}).NewBackup("file:" + dst + "?_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)")
		if err != nil {
			return err
		}
		if _, err := bk.Step(-1); err != nil {
			bk.Finish()
			return err
		}
		return bk.Finish()
	})
}
