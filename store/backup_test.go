package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/testenv"
	"github.com/opsdeck/opsdeck/model"
)

// newTestStore opens a fresh database with n people in it.
func newTestStore(t testing.TB, n int) *Store {
	t.Helper()
	s, err := Open(testDB(t, "opsdeck.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	addPeople(t, s, 0, n)
	return s
}

func addPeople(t testing.TB, s *Store, from, n int) {
	t.Helper()
	err := s.Write(context.Background(), admin, func(tx *Tx) error {
		for i := from; i < from+n; i++ {
			p := model.Person{Name: fmt.Sprintf("Person %d", i), Email: fmt.Sprintf("p%d@example.com", i), Notes: strings.Repeat("x", 500)}
			if err := tx.AddPerson(&p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func countPeople(t testing.TB, path string) int64 {
	t.Helper()
	v := verifyCopy(context.Background(), path, nil)
	if !v.OK {
		t.Fatalf("%s: %v", path, v.Problems)
	}
	return v.RowCounts["people"]
}

func TestBackupVerifiesAndRecords(t *testing.T) {
	sqliteOnly(t)
	s := newTestStore(t, 200)
	dir := filepath.Join(t.TempDir(), "b")
	var phases []string
	run, err := s.Backup(context.Background(), admin, BackupOptions{Dir: dir, StepPages: 8, Progress: func(p BackupProgress) {
		if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
			phases = append(phases, p.Phase)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(phases, ","); got != "snapshot,copy,verify,done" {
		t.Errorf("phases %s", got)
	}
	if run.Status != "ok" || !run.Verified || run.Integrity != "ok" || run.RowCounts["people"] != 200 || run.SHA256 == "" || run.Pages == 0 {
		t.Fatalf("run %+v", run)
	}
	if filepath.Dir(run.File) != dir || !strings.HasPrefix(filepath.Base(run.File), "opsdeck-") {
		t.Errorf("file %s", run.File)
	}
	if v := VerifyBackup(context.Background(), run.File); !v.OK {
		t.Fatalf("verify: %v", v.Problems)
	}
	runs, err := s.ListBackupRuns(context.Background(), BackupRunQuery{})
	if err != nil || len(runs) != 1 || runs[0].File != run.File {
		t.Fatalf("runs %v %v", runs, err)
	}
	audit, _ := s.ListAudit(context.Background(), AuditQuery{Entity: "backup_run"})
	if len(audit) != 1 {
		t.Errorf("audit rows %d", len(audit))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("dir holds %d entries, want the backup and its manifest", len(entries))
	}
}

// Writers keep writing while the backup steps page by page, and the copy
// is the snapshot taken when it started: rows written mid-copy are neither
// in the copy nor in its counts (a backup that restarted on every write
// would include them, or never finish).
func TestBackupWhileWriting(t *testing.T) {
	sqliteOnly(t)
	s := newTestStore(t, 2000)
	ctx := context.Background()
	written := 0
	run, err := s.Backup(ctx, admin, BackupOptions{Dir: t.TempDir(), StepPages: 4, Progress: func(p BackupProgress) {
		if p.Phase == "copy" && p.Done%40 == 0 {
			addPeople(t, s, 10000+written, 5)
			written += 5
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if written < 50 {
		t.Fatalf("only %d rows written during the copy", written)
	}
	if run.RowCounts["people"] != 2000 || countPeople(t, run.File) != 2000 {
		t.Fatalf("counts %v, copy has %d", run.RowCounts, countPeople(t, run.File))
	}
	if n := countPeopleLive(t, s); n != int64(2000+written) {
		t.Fatalf("live database has %d people, want %d", n, 2000+written)
	}
}

func TestBackupCancelLeavesNothing(t *testing.T) {
	sqliteOnly(t)
	s := newTestStore(t, 500)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	_, err := s.Backup(ctx, admin, BackupOptions{Dir: dir, StepPages: 2, Progress: func(p BackupProgress) {
		if p.Phase == "copy" && p.Done >= 4 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left %v", entries)
	}
	runs, _ := s.ListBackupRuns(context.Background(), BackupRunQuery{})
	if len(runs) != 1 || runs[0].Status != "failed" || !strings.Contains(runs[0].Error, "cancel") {
		t.Fatalf("runs %+v", runs)
	}
}

func flipBytes(t *testing.T, path string, off int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 16)
	f.ReadAt(b, off)
	for i := range b {
		b[i] ^= 0xA5
	}
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyDetectsCorruption(t *testing.T) {
	sqliteOnly(t)
	s := newTestStore(t, 300)
	run, err := s.Backup(context.Background(), admin, BackupOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// A flipped byte inside a row payload: integrity_check may pass, the
	// manifest's checksum does not.
	payload := filepath.Join(t.TempDir(), "payload.db")
	copyFile(ctx, run.File, payload, nil)
	copyFile(ctx, ManifestPath(run.File), ManifestPath(payload), nil)
	flipBytes(t, payload, run.SizeBytes-2048)
	if v := VerifyBackup(ctx, payload); v.OK || !strings.Contains(strings.Join(v.Problems, ";"), "checksum mismatch") {
		t.Fatalf("payload flip not detected: %+v", v)
	}
	// Without a manifest, structural damage is still caught by integrity_check.
	structural := filepath.Join(t.TempDir(), "structural.db")
	copyFile(ctx, run.File, structural, nil)
	for pg := int64(2); pg*4096 < run.SizeBytes; pg += 3 {
		flipBytes(t, structural, pg*4096)
	}
	v := VerifyBackup(ctx, structural)
	if v.OK || v.Integrity == "ok" {
		t.Fatalf("structural corruption not detected: %+v", v)
	}
	// The original is untouched and still good.
	if v := VerifyBackup(ctx, run.File); !v.OK {
		t.Fatal(v.Problems)
	}
}

func TestRestoreRoundTripAndSafetyCopy(t *testing.T) {
	sqliteOnly(t)
	s := newTestStore(t, 100)
	ctx := context.Background()
	run, err := s.Backup(ctx, admin, BackupOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	addPeople(t, s, 100, 50) // after the backup: 150 people
	path := s.Path()
	s.Close()

	var phases []string
	res, err := Restore(ctx, run.File, path, RestoreOptions{Progress: func(p BackupProgress) {
		if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
			phases = append(phases, p.Phase)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(phases, ","); got != "check,copy,safety-copy,verify,done" {
		t.Errorf("phases %s", got)
	}
	if !res.Verify.OK || res.SafetyCopy == "" {
		t.Fatalf("res %+v", res)
	}
	if n := countPeople(t, path); n != 100 {
		t.Errorf("restored db has %d people", n)
	}
	if n := countPeople(t, res.SafetyCopy); n != 150 {
		t.Errorf("safety copy has %d people", n)
	}
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	addPeople(t, s2, 500, 1) // the restored database is writable as usual
}

func TestRestoreRefusesDatabaseInUse(t *testing.T) {
	sqliteOnly(t)
	s := newTestStore(t, 10)
	ctx := context.Background()
	run, err := s.Backup(ctx, admin, BackupOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	addPeople(t, s, 10, 5)
	held, err := LockShared(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	_, err = Restore(ctx, run.File, s.Path(), RestoreOptions{})
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("err %v", err)
	}
	held.Unlock()
	if n := countPeopleLive(t, s); n != 15 {
		t.Fatalf("database changed: %d people", n)
	}
	if _, err := os.Stat(s.Path() + ".restoring" + partialExt); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("left a partial restore file")
	}
}

func countPeopleLive(t *testing.T, s *Store) int64 {
	var n int64
	if err := s.ReadDB().QueryRow(`SELECT count(*) FROM people`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRestoreRefusesBadBackup(t *testing.T) {
	sqliteOnly(t)
	s := newTestStore(t, 50)
	ctx := context.Background()
	run, err := s.Backup(ctx, admin, BackupOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	flipBytes(t, run.File, run.SizeBytes-100)
	path := s.Path()
	s.Close()
	before, _ := os.ReadFile(path)
	if _, err := Restore(ctx, run.File, path, RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("err %v", err)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Fatal("the live database changed")
	}
}

// A full destination (a 1 MiB tmpfs) fails with a clear error, leaves the
// earlier backup there intact and no partial file behind.
func TestBackupFullDiskTmpfs(t *testing.T) {
	sqliteOnly(t)
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		testenv.Unavailable(t, fmt.Sprintf("cannot mount a tmpfs (%v: %s)", err, strings.TrimSpace(string(out))), "run the tests as root")
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	s := newTestStore(t, 100)
	ctx := context.Background()
	first, err := s.Backup(ctx, admin, BackupOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	addPeople(t, s, 100, 3000) // now far larger than what is left
	_, err = s.Backup(ctx, admin, BackupOptions{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "full") {
		t.Fatalf("err %v", err)
	}
	if v := VerifyBackup(ctx, first.File); !v.OK {
		t.Fatalf("earlier backup damaged: %v", v.Problems)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("dir holds %v", entries)
	}
	if n := countPeopleLive(t, s); n != 3100 {
		t.Fatalf("live db has %d", n)
	}
}

// A destination that cannot be created (its parent is a file) is refused
// with the path in the message.
func TestBackupUnwritableDestination(t *testing.T) {
	sqliteOnly(t)
	s := newTestStore(t, 10)
	file := filepath.Join(t.TempDir(), "not-a-dir")
	os.WriteFile(file, []byte("x"), 0o600)
	_, err := s.Backup(context.Background(), admin, BackupOptions{Dir: filepath.Join(file, "backups")})
	if err == nil || !strings.Contains(err.Error(), "not-a-dir") {
		t.Fatalf("err %v", err)
	}
}

// Opening a database whose schema is behind backs it up before migrating.
func TestBackupBeforeMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "opsdeck.db")
	s := &Store{path: path, Now: time.Now}
	w, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		t.Fatal(err)
	}
	s.w = w
	if err := s.migrateTo(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	w.Exec(`INSERT INTO meta(key, value) VALUES ('marker', 'v1')`)
	w.Close()

	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	runs, err := s2.ListBackupRuns(context.Background(), BackupRunQuery{})
	if err != nil || len(runs) != 1 || runs[0].Reason != "pre-migration" {
		t.Fatalf("runs %+v %v", runs, err)
	}
	v := VerifyBackup(context.Background(), runs[0].File)
	if !v.OK || v.SchemaVersion != 1 || v.RowCounts["meta"] != 1 {
		t.Fatalf("pre-migration backup %+v", v)
	}
	if filepath.Dir(runs[0].File) != DefaultBackupDir(path) {
		t.Errorf("backup in %s", runs[0].File)
	}
}

// Cancelling a restore before the swap leaves the database as it was.
func TestRestoreCancel(t *testing.T) {
	sqliteOnly(t)
	s := newTestStore(t, 500)
	ctx := context.Background()
	run, err := s.Backup(ctx, admin, BackupOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	addPeople(t, s, 500, 10)
	path := s.Path()
	s.Close()
	before, _ := os.ReadFile(path)
	cctx, cancel := context.WithCancel(ctx)
	_, err = Restore(cctx, run.File, path, RestoreOptions{Progress: func(p BackupProgress) {
		if p.Phase == "safety-copy" {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("a cancelled restore changed the database")
	}
	left, _ := filepath.Glob(path + ".*")
	for _, l := range left {
		if !strings.HasSuffix(l, ".lock") {
			t.Errorf("left %s", l)
		}
	}
}
