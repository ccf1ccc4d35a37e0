package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func postgresOnly(t *testing.T) {
	t.Helper()
	if os.Getenv(testEngineEnv) != "postgres" {
		t.Skip("PostgreSQL only (OPSDECK_TEST_ENGINE=postgres)")
	}
}

// TestBackupOnPostgres: backup now drives pg_dump in the custom format in
// the snapshot it counts; the file is listed, verified and restore-tested
// (pg_restore into a scratch database, row counts against the manifest);
// restore swaps a verified scratch copy in and keeps the replaced
// database under a new name; retention sees the dumps like SQLite's files.
func TestBackupOnPostgres(t *testing.T) {
	postgresOnly(t)
	ctx := context.Background()
	dsn := testDB(t, "opsdeck.db")
	s, err := Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	addPeople(t, s, 0, 25)
	dir := t.TempDir()
	var phases []string
	run, err := s.Backup(ctx, admin, BackupOptions{Dir: dir, Progress: func(p BackupProgress) { phases = append(phases, p.Phase) }})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(run.File, pgDumpExt) || run.Status != "ok" || !run.Verified || run.RowCounts["people"] != 25 || run.SHA256 == "" {
		t.Fatalf("run %+v", run)
	}
	if strings.Join(phases, ",") != "snapshot,copy,verify,done" {
		t.Fatalf("phases %v", phases)
	}
	files, err := ListBackupFiles(dir)
	if err != nil || len(files) != 1 || files[0].File != run.File || files[0].Manifest.RowCounts["audit_log"] == 0 {
		t.Fatalf("files %v %+v", err, files)
	}
	if v := VerifyBackup(ctx, run.File); !v.OK || !v.Manifest {
		t.Fatalf("verify: %+v", v)
	}
	v, err := s.RestoreTest(ctx, admin, run, nil)
	if err != nil || !v.OK || v.RowCounts["people"] != 25 {
		t.Fatalf("restore test: %v %+v", err, v)
	}
	if got, _ := s.BackupRunByFile(ctx, run.File); got.RestoreTestOK == nil || !*got.RestoreTestOK {
		t.Fatalf("restore test not recorded: %+v", got)
	}
	// A flipped byte fails verification and the restore test.
	b, _ := os.ReadFile(run.File)
	bad := filepath.Join(dir, "opsdeck-20000101T000000Z"+pgDumpExt)
	b2 := append([]byte{}, b...)
	b2[len(b2)/2] ^= 0xff
	os.WriteFile(bad, b2, 0o600)
	mb, _ := os.ReadFile(ManifestPath(run.File))
	os.WriteFile(ManifestPath(bad), mb, 0o600)
	if v := VerifyBackup(ctx, bad); v.OK || !strings.Contains(strings.Join(v.Problems, ";"), "checksum mismatch") {
		t.Fatalf("damaged dump verified: %+v", v)
	}
	os.Remove(bad)
	os.Remove(ManifestPath(bad))

	// Restore: refused while a session is connected, then swapped in.
	addPeople(t, s, 25, 5)
	if _, err := Restore(ctx, run.File, dsn, RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "other session") {
		t.Fatalf("restore with the store open: %v", err)
	}
	s.Close()
	res, err := Restore(ctx, run.File, dsn, RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pgAdmin(context.Background(), dsn, "postgres", `DROP DATABASE IF EXISTS `+pgIdent(res.SafetyCopy)+` WITH (FORCE)`)
	})
	if res.SafetyCopy == "" || !res.Verify.OK {
		t.Fatalf("restore: %+v", res)
	}
	s, err = Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if ps, err := s.ListPeople(ctx, PeopleQuery{}); err != nil || len(ps) != 25 {
		t.Fatalf("people after restore: %v %d", err, len(ps))
	}
	c, err := pgx.Connect(ctx, pgWithDB(dsn, res.SafetyCopy))
	if err != nil {
		t.Fatal(err)
	}
	var n int
	c.QueryRow(ctx, `SELECT count(*) FROM people`).Scan(&n)
	c.Close(ctx)
	if n != 30 {
		t.Fatalf("the safety copy holds %d people, want 30", n)
	}
}

// Without pg_dump, backup says so in one line, and the failed run is
// recorded so backup health shows it.
func TestBackupOnPostgresWithoutTools(t *testing.T) {
	postgresOnly(t)
	s := newTestStore(t, 1)
	t.Setenv("PATH", "")
	old := pgToolDirs
	pgToolDirs = filepath.Join(t.TempDir(), "*", "bin")
	defer func() { pgToolDirs = old }()
	run, err := s.Backup(context.Background(), admin, BackupOptions{Dir: t.TempDir()})
	if !errors.Is(err, ErrPGToolMissing) || !strings.Contains(err.Error(), "pg_dump") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("backup without pg_dump: %v", err)
	}
	if run.Status != "failed" {
		t.Fatalf("run %+v, want recorded failed", run)
	}
}
