package main

// The database file's identity through the built binary: symlinked names,
// missing paths, other applications' files, empty files, directories and
// read-only directories (issue 16).

import (
	"bufio"
	"crypto/sha256"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/testenv"
)

// startRun starts 'opsdeck --db db run' and returns once it schedules.
func startRun(t *testing.T, db string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(binPath, "--db", db, "run")
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "OPSDECK_DB=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		told := false
		for sc.Scan() {
			if !told && strings.Contains(sc.Text(), "scheduling") {
				close(started)
				told = true
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	select {
	case <-started:
	case <-time.After(60 * time.Second):
		t.Fatal("opsdeck run did not start scheduling")
	}
	return cmd
}

// Restore through one name of a database must see a process using it
// under another name (a symlink), and replace the file, not the link.
func TestRestoreThroughSymlinkRefusedWhileInUse(t *testing.T) {
	live := demoDB(t)
	dir := t.TempDir()
	link := filepath.Join(dir, "link.db")
	if err := os.Symlink(live, link); err != nil {
		t.Fatal(err)
	}
	var br backupRun
	runJSON(t, live, &br, "backup", "now")

	for _, c := range []struct{ runs, restores string }{{link, live}, {live, link}} {
		sched := startRun(t, c.runs)
		r := run(t, c.restores, "restore", br.File)
		if r.code != 1 || !strings.Contains(r.stderr, "in use by a running opsdeck") {
			t.Fatalf("restore via %s while run uses %s: exit %d, %s", filepath.Base(c.restores), filepath.Base(c.runs), r.code, r.stderr)
		}
		sched.Process.Signal(syscall.SIGTERM)
		sched.Wait()
	}
	// Once nothing uses the database, restore through the link succeeds
	// and replaces the file the link points at, keeping the link.
	mustRun(t, link, "restore", br.File)
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("restore replaced the symlink itself: %v %v", fi.Mode(), err)
	}
	if out := mustRun(t, live, "people", "list"); !strings.Contains(out, "Oscar") {
		t.Errorf("restored database lacks the demo people:\n%s", out)
	}
	if _, err := os.Stat(link + ".lock"); err == nil {
		t.Error("a lock file was made beside the link: two names would lock two files")
	}
}

func TestReadOnMissingDatabaseCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "typo", "compnay.db")
	for _, args := range [][]string{{"alerts", "list"}, {"people", "list"}, {"audit"}, {"risks"}, {"export", "people"}, {"people", "add", "--name", "A", "--email", "a@example.com"}} {
		r := run(t, db, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "no opsdeck database at "+db) || !strings.Contains(r.stderr, "init") || !strings.Contains(r.stderr, "demo") {
			t.Errorf("%v on a missing database: exit %d, %q", args, r.code, r.stderr)
		}
	}
	// 'run' on a missing database must refuse, not create one and wait.
	cmd := exec.Command(binPath, "--db", db, "run")
	cmd.Env = append(os.Environ(), "OPSDECK_DB=")
	done := make(chan error, 1)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(stderr.String(), "no opsdeck database") {
			t.Errorf("run on a missing database: %v %q", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Error("run on a missing database did not refuse")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("reading a missing database created %v", entries)
	}
	if out := mustRun(t, db, "init"); !strings.Contains(out, "created an empty opsdeck database") {
		t.Errorf("init said %q", out)
	}
	if out := mustRun(t, db, "init"); !strings.Contains(out, "is an opsdeck database") {
		t.Errorf("second init said %q", out)
	}
	mustRun(t, db, "people", "list")
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// Another application's SQLite file, an empty file and a directory are
// refused with one clear line, and left exactly as they were.
func TestForeignFilesRefusedUntouched(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "notes.db")
	marked := filepath.Join(dir, "marked.db")
	emptySQL := filepath.Join(dir, "empty-sqlite.db")
	for path, stmts := range map[string]string{
		foreign:  `CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES ('mine');`,
		marked:   `PRAGMA application_id = 1234; CREATE TABLE t(x);`,
		emptySQL: `PRAGMA user_version = 0; VACUUM;`,
	} {
		h, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Exec(stmts); err != nil {
			t.Fatal(err)
		}
		h.Close()
	}
	zero := filepath.Join(dir, "zero.db")
	if err := os.WriteFile(zero, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	text := filepath.Join(dir, "readme.txt")
	os.WriteFile(text, []byte("not a database at all, but long enough to have a header of a hundred bytes.................."), 0o600)
	sub := filepath.Join(dir, "adir")
	os.Mkdir(sub, 0o700)

	cases := []struct{ path, want string }{
		{foreign, "another application's SQLite database (tables notes)"},
		{marked, "belongs to another application (SQLite application_id 0x000004d2"},
		{emptySQL, "empty SQLite database"},
		{zero, "is an empty file (0 bytes)"},
		{text, "is not a SQLite database"},
		{sub, "is a directory"},
	}
	var sums [][32]byte
	for _, c := range cases[:5] {
		sums = append(sums, fileSum(t, c.path))
	}
	before, _ := os.ReadDir(dir)
	for _, c := range cases {
		for _, args := range [][]string{{"people", "list"}, {"people", "add", "--name", "A", "--email", "a@example.com"}, {"demo"}} {
			r := run(t, c.path, args...)
			if r.code != 1 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("%s %v: exit %d, %q (want %q)", filepath.Base(c.path), args, r.code, r.stderr, c.want)
			}
		}
	}
	for i, c := range cases[:5] {
		if fileSum(t, c.path) != sums[i] {
			t.Errorf("%s was changed", filepath.Base(c.path))
		}
	}
	if after, _ := os.ReadDir(dir); len(after) != len(before) {
		t.Errorf("files appeared beside refused databases: %v", after)
	}
	// init adopts an empty file, never another application's.
	if out := mustRun(t, zero, "init"); !strings.Contains(out, "made the empty file") {
		t.Errorf("init of an empty file: %q", out)
	}
	mustRun(t, zero, "people", "list")
	if r := run(t, foreign, "init"); r.code != 1 || !strings.Contains(r.stderr, "another application's") {
		t.Errorf("init of a foreign file: %d %q", r.code, r.stderr)
	}
}

// An opsdeck database is marked with opsdeck's application_id, and its
// user_version is its schema version; a file whose two disagree is refused.
func TestApplicationIDAndUserVersion(t *testing.T) {
	db := newDB(t)
	h, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var app, uv, mv int64
	h.QueryRow(`PRAGMA application_id`).Scan(&app)
	h.QueryRow(`PRAGMA user_version`).Scan(&uv)
	h.QueryRow(`SELECT max(version) FROM schema_migrations`).Scan(&mv)
	if app != 0x4f505344 || uv != mv || mv == 0 {
		t.Fatalf("application_id %#x user_version %d schema %d", app, uv, mv)
	}
	if _, err := h.Exec(`PRAGMA user_version = 3`); err != nil {
		t.Fatal(err)
	}
	h.Close()
	r := run(t, db, "people", "list")
	if r.code != 1 || !strings.Contains(r.stderr, "user_version says 3") {
		t.Fatalf("mismatched user_version: exit %d %q", r.code, r.stderr)
	}
}

// asNobody runs the binary as an unprivileged user when the tests run as
// root (root ignores directory permissions); otherwise as the current user.
func asNobody(t *testing.T, db string, args ...string) result {
	t.Helper()
	argv := append([]string{binPath, "--db", db}, args...)
	if os.Geteuid() == 0 {
		if _, err := exec.LookPath("setpriv"); err != nil {
			t.Skip("running as root without setpriv: cannot test permissions")
		}
		argv = append([]string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "OPSDECK_DB=")
	out, errb, code, err := testenv.Run(cmd)
	if err != nil {
		t.Fatal(err)
	}
	return result{out, errb, code}
}

// A database in a directory opsdeck may not write is still readable
// (no lock file can be made there); writes, and a backup it could not
// record, are refused with a line and leave nothing behind.
func TestReadOnlyDirectoryStillReads(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "ro")
	db := filepath.Join(dir, "opsdeck.db")
	os.Mkdir(dir, 0o755)
	mustRun(t, db, "demo")
	os.Remove(db + ".lock")
	// Let an unprivileged user reach the binary and the directory.
	for _, d := range []string{filepath.Dir(binPath), base, filepath.Dir(base)} {
		os.Chmod(d, 0o755)
	}
	os.Chmod(db, 0o644)
	os.Chmod(dir, 0o555)
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if os.Geteuid() != 0 {
		os.Chmod(db, 0o444)
	}

	r := asNobody(t, db, "people", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "Oscar") {
		t.Fatalf("read in a read-only directory: exit %d %q", r.code, r.stderr)
	}
	r = asNobody(t, db, "backup", "now", "--dir", filepath.Join(base, "b"))
	if r.code != 1 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("backup of a database it may not write: exit %d %q", r.code, r.stderr)
	}
	if files, _ := filepath.Glob(filepath.Join(base, "b", "*")); len(files) != 0 {
		t.Errorf("backup left unrecorded files %v", files)
	}
	r = asNobody(t, db, "people", "add", "--name", "A", "--email", "a@example.com")
	if r.code != 1 || !strings.Contains(r.stderr, "read") {
		t.Errorf("write in a read-only directory: exit %d %q", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files made in the read-only directory: %v", entries)
	}
}
