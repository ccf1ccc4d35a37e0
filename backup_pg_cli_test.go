package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestBackupRestoreOnPostgres is the backup story on PostgreSQL with the
// real binary: backup now (pg_dump), verify, restore-test (pg_restore into
// a scratch database), a later change, restore (scratch database swapped
// in by renaming): the data is the backed-up data again, and the replaced
// database is kept under its own name with the later change.
func TestBackupRestoreOnPostgres(t *testing.T) {
	t.Setenv(engineEnv, "postgres")
	db := demoDB(t)
	want := snapshotJSON(t, db)
	dir := t.TempDir()
	var br backupRun
	runJSON(t, db, &br, "backup", "now", "--dir", dir)
	if br.Status != "ok" || !br.Verified || filepath.Ext(br.File) != ".pgdump" || br.RowCounts["people"] != 20 {
		t.Fatalf("run %+v", br)
	}
	if out := mustRun(t, db, "backup", "verify", br.File); !strings.Contains(out, ": ok (archive readable, checksum matches") {
		t.Errorf("verify: %s", out)
	}
	if out := mustRun(t, db, "backup", "restore-test"); !strings.Contains(out, "ok (restored into a scratch database") {
		t.Errorf("restore-test: %s", out)
	}
	mustRun(t, db, "people", "add", "--name", "Written After", "--email", "after@example.com")
	out := mustRun(t, db, "restore", br.File)
	safety := regexp.MustCompile(`kept at (\S+_before_restore_\S+)`).FindStringSubmatch(out)
	if safety == nil {
		t.Fatalf("restore said: %s", out)
	}
	if got := snapshotJSON(t, db); got != want {
		t.Fatalf("restored data differs from the backed-up data")
	}
	c, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var n int
	if err := c.QueryRow(context.Background(), `SELECT count(*) FROM pg_database WHERE datname = $1`, safety[1]).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the replaced database %s: %v %d", safety[1], err, n)
	}
	c.Exec(context.Background(), `DROP DATABASE `+pgx.Identifier{safety[1]}.Sanitize())
}
