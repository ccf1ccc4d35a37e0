package main

// End-to-end tests of backup, restore and backup jobs through the built
// binary: real files, real processes, real signals.

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/store"
)

type backupRun struct {
	ID        int64            `json:"id"`
	File      string           `json:"file"`
	Status    string           `json:"status"`
	Verified  bool             `json:"verified"`
	Integrity string           `json:"integrity"`
	RowCounts map[string]int64 `json:"row_counts"`
	SizeBytes int64            `json:"size_bytes"`
}

// snapshotJSON is what a user sees of the data: the inventory as JSON.
func snapshotJSON(t *testing.T, db string) string {
	t.Helper()
	var b strings.Builder
	for _, noun := range []string{"people", "devices", "services", "accounts"} {
		b.WriteString(mustRun(t, db, noun, "list", "--json"))
	}
	return b.String()
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	db := demoDB(t)
	want := snapshotJSON(t, db)
	var br backupRun
	runJSON(t, db, &br, "backup", "now")
	if br.Status != "ok" || !br.Verified || br.Integrity != "ok" || br.RowCounts["people"] == 0 {
		t.Fatalf("run %+v", br)
	}
	if filepath.Dir(br.File) != store.DefaultBackupDir(db) {
		t.Errorf("default dir: %s", br.File)
	}
	if out := mustRun(t, db, "backup", "verify", br.File); !strings.Contains(out, ": ok") {
		t.Errorf("verify: %s", out)
	}
	if out := mustRun(t, db, "backup", "restore-test"); !strings.Contains(out, "ok") {
		t.Errorf("restore-test: %s", out)
	}

	mustRun(t, db, "people", "add", "--name", "Written After", "--email", "after@example.com")
	mustRun(t, db, "services", "deactivate", "1")
	if snapshotJSON(t, db) == want {
		t.Fatal("the changes did not change anything")
	}
	out := mustRun(t, db, "restore", br.File)
	if !strings.Contains(out, "integrity ok") || !strings.Contains(out, "before-restore-") {
		t.Errorf("restore said: %s", out)
	}
	if got := snapshotJSON(t, db); got != want {
		t.Fatalf("restored data differs from the backed-up data")
	}
	// The replaced database is kept, and holds the later change.
	safety, _ := filepath.Glob(db + ".before-restore-*[^n]")
	if len(safety) != 1 {
		t.Fatalf("safety copies %v", safety)
	}
	if out := mustRun(t, safety[0], "people", "list"); !strings.Contains(out, "Written After") {
		t.Error("the safety copy lacks the replaced data")
	}
	// The restored database predates its own backup's record; the files
	// on disk are still listed.
	var files []struct {
		File string `json:"file"`
	}
	runJSON(t, db, &files, "backup", "list", "--files")
	if len(files) != 1 || files[0].File != br.File {
		t.Errorf("backup files %+v", files)
	}
	var audit []struct {
		Action string `json:"action"`
		Entity string `json:"entity"`
	}
	runJSON(t, db, &audit, "audit", "list")
	if len(audit) == 0 || audit[0].Action != "restore" || audit[0].Entity != "database" {
		t.Errorf("restore not audited: %+v", audit[:min(3, len(audit))])
	}
}

func TestRestoreRefusesDatabaseInUse(t *testing.T) {
	db := demoDB(t)
	var br backupRun
	runJSON(t, db, &br, "backup", "now")
	mustRun(t, db, "people", "add", "--name", "Kept", "--email", "kept@example.com")
	before := snapshotJSON(t, db)
	lock, err := store.LockShared(db) // as a running console/serve holds it
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, db, "restore", br.File)
	lock.Unlock()
	if r.code != 1 || !strings.Contains(r.stderr, "in use by a running opsdeck") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	if snapshotJSON(t, db) != before {
		t.Fatal("the database changed")
	}
}

func TestVerifyDetectsFlippedBytes(t *testing.T) {
	db := demoDB(t)
	var br backupRun
	runJSON(t, db, &br, "backup", "now")
	bad := filepath.Join(t.TempDir(), "copy.db")
	for _, p := range [][2]string{{br.File, bad}, {store.ManifestPath(br.File), store.ManifestPath(bad)}} {
		b, _ := os.ReadFile(p[0])
		os.WriteFile(p[1], b, 0o600)
	}
	f, _ := os.OpenFile(bad, os.O_RDWR, 0)
	f.WriteAt([]byte{0xde, 0xad, 0xbe, 0xef}, br.SizeBytes/2)
	f.Close()
	r := run(t, db, "backup", "verify", bad)
	if r.code != 1 || !strings.Contains(r.stderr, "does not verify") || !strings.Contains(r.stderr, "checksum mismatch") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	before := snapshotJSON(t, db)
	r = run(t, db, "restore", bad)
	if r.code != 1 || !strings.Contains(r.stderr, "restore refused") {
		t.Fatalf("restore of a corrupt file: exit %d: %s", r.code, r.stderr)
	}
	if snapshotJSON(t, db) != before {
		t.Fatal("a refused restore changed the database")
	}
	mustRun(t, db, "backup", "verify", br.File) // the original is fine
}

// bigDB makes a database of about mb MiB: the demo company plus a table of
// random blobs (random so nothing compresses or dedups).
func bigDB(t testing.TB, mb int) string {
	t.Helper()
	db := demoDB(t)
	h, err := sql.Open("sqlite", "file:"+db+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := h.Exec(`CREATE TABLE bulk(id INTEGER PRIMARY KEY, b BLOB);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < ?)
		INSERT INTO bulk(b) SELECT randomblob(4000) FROM n`, mb*256); err != nil {
		t.Fatal(err)
	}
	return db
}

// SIGKILL an `opsdeck backup now` while it copies a large database: what
// is left is a .partial file that nothing takes for a backup; the live
// database is intact; the next backup succeeds and removes the leftover.
func TestBackupKilledMidwayLeavesNoGoodLookingFile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 300 MiB database")
	}
	db := bigDB(t, 300)
	dir := filepath.Join(t.TempDir(), "b")
	cmd := exec.Command(binPath, "--db", db, "backup", "now", "--dir", dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var partial string
	deadline := time.Now().Add(20 * time.Second)
	for partial == "" && time.Now().Before(deadline) {
		names, _ := filepath.Glob(filepath.Join(dir, ".opsdeck-*.partial"))
		for _, n := range names {
			if fi, err := os.Stat(n); err == nil && fi.Size() > 1<<20 {
				partial = n
			}
		}
		time.Sleep(time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if partial == "" {
		t.Fatal("never saw the backup being written")
	}
	if ok, _ := filepath.Glob(filepath.Join(dir, "opsdeck-*.db")); len(ok) != 0 {
		t.Fatalf("a killed backup left a file that looks complete: %v", ok)
	}
	if r := run(t, db, "backup", "verify", partial); r.code == 0 {
		t.Fatal("the partial file verifies")
	}
	var runs []backupRun
	runJSON(t, db, &runs, "backup", "list")
	if len(runs) != 0 {
		t.Fatalf("the killed backup was recorded: %+v", runs)
	}
	var next backupRun
	runJSON(t, db, &next, "backup", "now", "--dir", dir)
	if left, _ := filepath.Glob(filepath.Join(dir, ".opsdeck-*.partial")); len(left) != 0 {
		t.Errorf("stale partial not removed: %v", left)
	}
	if next.RowCounts["bulk"] != 300*256 {
		t.Errorf("counts %v", next.RowCounts)
	}
}

// A file-size limit (ulimit -f) on the backup process: the write fails
// with a clear error, the earlier backup and the database are untouched.
func TestBackupSizeLimitedWriter(t *testing.T) {
	db := bigDB(t, 8)
	dir := filepath.Join(t.TempDir(), "b")
	var first backupRun
	runJSON(t, db, &first, "backup", "now", "--dir", dir)
	mustRun(t, db, "people", "add", "--name", "Later", "--email", "later@example.com")
	before := snapshotJSON(t, db)
	// 4 MiB limit (ulimit -f counts 1 KiB blocks): the db is ~8 MiB.
	cmd := exec.Command("/bin/sh", "-c", fmt.Sprintf("ulimit -f 4096; exec %s --db %s backup now --dir %s", binPath, db, dir))
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("backup under a 4 MiB file limit succeeded: %s", out)
	}
	msg := strings.TrimSpace(string(out))
	if !strings.HasPrefix(msg, "opsdeck: backup: write ") || strings.Count(msg, "\n") != 0 {
		t.Fatalf("unclear error: %q", msg)
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 2 {
		t.Fatalf("dir holds %v", files)
	}
	mustRun(t, db, "backup", "verify", first.File)
	if snapshotJSON(t, db) != before {
		t.Fatal("the database changed")
	}
	var runs []backupRun
	runJSON(t, db, &runs, "backup", "list")
	if len(runs) != 2 || runs[0].Status != "failed" {
		t.Fatalf("the failed backup is not recorded as failed: %+v", runs)
	}
}

// A destination that cannot be written: a read-only tmpfs when this
// process may mount one, else a path whose parent is a file.
func TestBackupUnwritableDestination(t *testing.T) {
	db := demoDB(t)
	dir := t.TempDir()
	if exec.Command("mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", dir).Run() == nil {
		t.Cleanup(func() { exec.Command("umount", dir).Run() })
	} else {
		f := filepath.Join(dir, "file")
		os.WriteFile(f, nil, 0o600)
		dir = filepath.Join(f, "backups")
	}
	r := run(t, db, "backup", "now", "--dir", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "backup to "+dir) {
		t.Fatalf("exit %d: %q", r.code, r.stderr)
	}
}

func TestBackupPrune(t *testing.T) {
	db := demoDB(t)
	dir := filepath.Join(t.TempDir(), "b")
	for i := 0; i < 3; i++ {
		mustRun(t, db, "backup", "now", "--dir", dir)
		time.Sleep(1100 * time.Millisecond) // distinct file names (one per second)
	}
	var ds []struct {
		File string `json:"file"`
		Keep bool   `json:"keep"`
	}
	runJSON(t, db, &ds, "backup", "prune", "--dir", dir, "--dry-run", "--daily", "1", "--weekly", "0", "--monthly", "0")
	if len(ds) != 3 || !ds[0].Keep || ds[1].Keep || ds[2].Keep {
		t.Fatalf("decisions %+v", ds)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.db")); len(files) != 3 {
		t.Fatal("dry run deleted files")
	}
	mustRun(t, db, "backup", "prune", "--dir", dir, "--daily", "1", "--weekly", "0", "--monthly", "0")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 2 || files[0] != ds[0].File {
		t.Fatalf("left %v", files)
	}
	r := run(t, db, "backup", "prune", "--daily", "-1")
	if r.code != 1 || !strings.HasPrefix(r.stderr, `opsdeck: daily: "-1" must be 0 or more`) {
		t.Fatalf("exit %d %q", r.code, r.stderr)
	}
}

type health struct {
	Key    string `json:"key"`
	Name   string `json:"name"`
	State  string `json:"state"`
	Reason string `json:"reason"`
}

func healthOf(t *testing.T, db, key string) health {
	t.Helper()
	var hs []health
	runJSON(t, db, &hs, "backups", "list")
	for _, h := range hs {
		if h.Key == key {
			return h
		}
	}
	t.Fatalf("no %s in %+v", key, hs)
	return health{}
}

func TestBackupJobs(t *testing.T) {
	db := demoDB(t)
	mustRun(t, db, "services", "add", "--name", "Postgres", "--kind", "database")
	mustRun(t, db, "services", "add", "--name", "NAS", "--kind", "infra")

	// A command that fails: exit 1, recorded failed, state failed.
	mustRun(t, db, "backups", "add", "pg", "--service", "Postgres", "--command", "echo dumping; exit 4", "--schedule", "30 2 * * *")
	r := run(t, db, "backups", "run", "pg")
	if r.code != 1 || !strings.Contains(r.stderr, "backup job pg failed: exit status 4") {
		t.Fatalf("exit %d %q", r.code, r.stderr)
	}
	if h := healthOf(t, db, "job:pg"); h.State != "failed" || !strings.Contains(h.Reason, "exit status 4") {
		t.Fatalf("pg %+v", h)
	}
	// A command that hangs is killed at its timeout.
	mustRun(t, db, "backups", "add", "hang", "--service", "Postgres", "--command", "sleep 600", "--schedule", "@daily", "--timeout", "1s")
	r = run(t, db, "backups", "run", "hang")
	if r.code != 1 || !strings.Contains(r.stderr, "timed out after 1s; killed") {
		t.Fatalf("exit %d %q", r.code, r.stderr)
	}
	// A heartbeat job: reported ok, then restore-tested.
	mustRun(t, db, "backups", "add", "nas", "--service", "NAS", "--heartbeat", "26h")
	mustRun(t, db, "backups", "report", "nas", "--ok", "--size", "123456")
	if h := healthOf(t, db, "job:nas"); h.State != "never-restore-tested" {
		t.Fatalf("nas %+v", h)
	}
	mustRun(t, db, "backups", "report", "nas", "--ok", "--restore-test")
	if h := healthOf(t, db, "job:nas"); h.State != "ok" {
		t.Fatalf("nas %+v", h)
	}
	mustRun(t, db, "backups", "report", "nas", "--fail", "--message", "rsync: disk full")
	if h := healthOf(t, db, "job:nas"); h.State != "failed" || !strings.Contains(h.Reason, "disk full") {
		t.Fatalf("nas %+v", h)
	}
	var shown struct {
		Job struct {
			Name string `json:"name"`
		} `json:"job"`
		Health health `json:"health"`
		Runs   []any  `json:"runs"`
	}
	runJSON(t, db, &shown, "backups", "show", "nas")
	if shown.Job.Name != "nas" || len(shown.Runs) != 3 || shown.Health.State != "failed" {
		t.Fatalf("show %+v", shown)
	}
	if out := mustRun(t, db, "backups", "list"); !strings.Contains(out, "opsdeck") || !strings.Contains(out, "failed") {
		t.Errorf("list:\n%s", out)
	}
	mustRun(t, db, "backups", "pause", "hang")
	var hs []health
	runJSON(t, db, &hs, "backups", "list")
	for _, h := range hs {
		if h.Name == "hang" {
			t.Errorf("a paused job is listed for alerting: %+v", h)
		}
	}
	var audit []struct {
		Entity string `json:"entity"`
		Actor  string `json:"actor"`
	}
	runJSON(t, db, &audit, "audit", "list")
	n := 0
	for _, a := range audit {
		if strings.HasPrefix(a.Entity, "backup_job") && a.Actor != "system:demo" {
			n++
		}
	}
	if n != 3+2*2+3+1 { // 3 jobs, 2 runs (start+finish), 3 reports, 1 pause
		t.Errorf("%d backup job audit rows", n)
	}
}

func TestBackupJobsBadInput(t *testing.T) {
	db := demoDB(t)
	mustRun(t, db, "services", "add", "--name", "Postgres", "--kind", "database")
	before := mustRun(t, db, "audit", "list", "--json")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"backups", "add", "pg", "--service", "Postgres", "--command", "pg_dump", "--schedule", "nightly"}, `opsdeck: schedule: "nightly" is not a cron schedule`},
		{[]string{"backups", "add", "pg", "--service", "Postgres", "--command", "pg_dump"}, `opsdeck: schedule: "" is required`},
		{[]string{"backups", "add", "pg", "--service", "Nope", "--heartbeat", "1d"}, `opsdeck: service: "Nope" is not a known service`},
		{[]string{"backups", "add", "pg", "--service", "Postgres", "--heartbeat", "soon"}, `opsdeck: heartbeat: "soon" is not a positive duration`},
		{[]string{"backups", "add", "pg", "--service", "Postgres", "--heartbeat", "1d", "--command", "x"}, `opsdeck: command: "x" cannot be combined with --heartbeat`},
		{[]string{"backups", "report", "nothing", "--ok"}, `opsdeck: backup job "nothing": not found`},
		{[]string{"backups", "report", "pg", "--ok", "--fail"}, `opsdeck: ok: "true" give exactly one of --ok or --fail`},
	}
	for _, c := range cases {
		r := run(t, db, c.args...)
		if r.code != 1 || !strings.HasPrefix(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: exit %d %q, want %q", c.args, r.code, r.stderr, c.want)
		}
	}
	if after := mustRun(t, db, "audit", "list", "--json"); after != before {
		t.Error("bad input changed the database")
	}
}

func TestDemoBackupsIdempotent(t *testing.T) {
	db := demoDB(t)
	jobs := mustRun(t, db, "backups", "list", "--json")
	audit := mustRun(t, db, "audit", "list", "--json")
	mustRun(t, db, "demo")
	if mustRun(t, db, "backups", "list", "--json") != jobs || mustRun(t, db, "audit", "list", "--json") != audit {
		t.Fatal("a second demo run changed the backups")
	}
	want := map[string]string{"job:postgres-nightly": "ok", "job:analytics-dump": "late", "job:jenkins-config": "failed",
		"job:aws-s3-sync": "never-restore-tested", "job:replica-snapshot": "restore-test-stale"}
	for key, state := range want {
		if h := healthOf(t, db, key); h.State != state {
			t.Errorf("%s: %s (%s), want %s", key, h.State, h.Reason, state)
		}
	}
}
