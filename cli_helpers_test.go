package main

// End-to-end tests of the opsdeck binary. TestMain builds it once; each
// test gets its own database file in t.TempDir() and runs real processes,
// the way a script or a user would. Every process runs at the date
// matrix's pinned instant (the OPSDECK_NOW hook) in its zone, so no test
// depends on today's date; date-matrix tests choose other instants.

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/clockenv"
	"github.com/opsdeck/opsdeck/internal/instants"
	"github.com/opsdeck/opsdeck/internal/testenv"
	"github.com/opsdeck/opsdeck/internal/testenv/pg"
)

var binPath string

// raceEnv, when set (make test-race sets it), is a test name pattern: the
// binary under test is built with the race detector and, unless -run says
// otherwise, only the tests matching the pattern run: the ones that drive
// the console, the SSH server and the scheduler inside the binary (the
// whole suite under -race takes a quarter of an hour). Every process the
// tests start writes its race reports next to the binary, and any report
// fails the run.
const raceEnv = "OPSDECK_E2E_RACE"

// pinnedSince is when the binary's clock (and binNow) read the pinned
// instant: every process of the run shares that timeline.
var pinnedSince time.Time

// binNow is what the binary's clock reads now.
func binNow() time.Time { return instants.Pinned.Time().Add(time.Since(pinnedSince)) }

func TestMain(m *testing.M) {
	// This process and every process it starts run in the pinned
	// instant's zone; TZ is read once, so set it by starting again.
	if os.Getenv("TZ") != instants.Pinned.Zone {
		os.Setenv("TZ", instants.Pinned.Zone)
		if err := syscall.Exec(os.Args[0], os.Args, os.Environ()); err != nil {
			fmt.Fprintln(os.Stderr, "re-exec with TZ:", err)
			os.Exit(1)
		}
	}
	pinnedSince = time.Now()
	for _, kv := range instants.Pinned.Env(pinnedSince) {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	dir, err := os.MkdirTemp("", "opsdeck-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "opsdeck")
	// The key that encrypts credentials: in the temporary directory, never
	// in the user's XDG config dir. Every run of the binary inherits it.
	os.Setenv("OPSDECK_KEY_FILE", filepath.Join(dir, "secret.key"))
	// Backups of a PostgreSQL database go under the XDG data dir by
	// default: the temporary directory's, never the user's.
	os.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	racePattern := os.Getenv(raceEnv)
	race := racePattern != ""
	build := exec.Command("go", "build", "-o", binPath, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if race {
		build.Args = []string{"go", "build", "-race", "-o", binPath, "."}
		build.Env = append(os.Environ(), "CGO_ENABLED=1")
		os.Setenv("GORACE", "log_path="+filepath.Join(dir, "race"))
		flag.Parse()
		explicit := false
		flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.run" })
		if !explicit {
			flag.Set("test.run", racePattern)
		}
	}
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build opsdeck: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	if race {
		reports, _ := filepath.Glob(filepath.Join(dir, "race.*"))
		for _, r := range reports {
			b, _ := os.ReadFile(r)
			fmt.Fprintf(os.Stderr, "opsdeck race report %s:\n%s\n", filepath.Base(r), b)
			code = 1
		}
	}
	testenv.RunAtExit()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the binary produced.
type result struct {
	stdout, stderr string
	code           int
}

// dateMatrixVar runs the expensive end-to-end tests (the console in tmux)
// at every instant of the date matrix too; .ci/run sets it. Without it
// they run at the pinned instant only, and the cheap ones
// (TestDemoAtEveryInstant) cover the matrix.
const dateMatrixVar = "OPSDECK_DATE_MATRIX"

// eachInstant runs fn at the pinned instant, and with OPSDECK_DATE_MATRIX=1
// also at every other instant of the matrix: every opsdeck process fn
// starts (CLI, console, tmux) then runs in that instant's zone and on its
// clock.
func eachInstant(t *testing.T, fn func(t *testing.T)) {
	t.Helper()
	if os.Getenv(dateMatrixVar) != "1" {
		fn(t)
		return
	}
	for _, in := range instants.All {
		t.Run(in.Name, func(t *testing.T) {
			if in != instants.Pinned {
				for _, kv := range in.Env(time.Now()) {
					k, v, _ := strings.Cut(kv, "=")
					t.Setenv(k, v)
				}
			}
			fn(t)
		})
	}
}

// binClock is what the binary's clock reads now, in its zone, under the
// environment a test set (eachInstant, fastClock).
func binClock(t *testing.T) time.Time {
	t.Helper()
	clock, err := clockenv.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(os.Getenv("TZ"))
	if err != nil {
		t.Fatal(err)
	}
	return clock.Now().In(loc)
}

// fastClock makes every opsdeck process the test starts from now on run
// its clock rate times faster than real time (OPSDECK_CLOCK_RATE),
// continuing from what the clock reads now, so a test of the schedule
// watches minutes of it in seconds. Every process of the test must share
// it (they share one timeline); probe and process timeouts stay real.
func fastClock(t *testing.T, rate int) {
	t.Setenv("OPSDECK_NOW", binNow().Format(time.RFC3339Nano))
	t.Setenv("OPSDECK_NOW_SINCE", time.Now().Format(time.RFC3339Nano))
	t.Setenv("OPSDECK_CLOCK_RATE", strconv.Itoa(rate))
}

// run executes opsdeck --db db args... and returns its output and exit code.
func run(t testing.TB, db string, args ...string) result {
	t.Helper()
	return runEnv(t, nil, db, args...)
}

// runEnv is run with extra environment variables (instants.Instant.Env).
func runEnv(t testing.TB, env []string, db string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binPath, append([]string{"--db", db}, args...)...)
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1", "OPSDECK_DB="), env...)
	out, errb, code, err := testenv.Run(cmd)
	if err != nil {
		t.Fatalf("run opsdeck %v: %v", args, err)
	}
	return result{out, errb, code}
}

// mustRun is run that fails the test on a non-zero exit.
func mustRun(t testing.TB, db string, args ...string) string {
	t.Helper()
	r := run(t, db, args...)
	if r.code != 0 {
		t.Fatalf("opsdeck %s: exit %d\nstderr: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// runJSON runs a command with --json and decodes its output into v.
func runJSON(t testing.TB, db string, v any, args ...string) {
	t.Helper()
	out := mustRun(t, db, append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("opsdeck %s --json: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// newDB returns a fresh, empty database (made with 'opsdeck init': no
// other command creates one) in the test's temp dir.
func newDB(t testing.TB) string {
	if os.Getenv(engineEnv) == "postgres" {
		return pg.FromTemplate(t, func(u string) error {
			if r := run(t, u, "init"); r.code != 0 {
				return fmt.Errorf("opsdeck init: %s", r.stderr)
			}
			return nil
		})
	}
	db := filepath.Join(t.TempDir(), "opsdeck.db")
	mustRun(t, db, "init")
	return db
}

// engineEnv=postgres runs the tests that take their database from newDB
// on a fresh PostgreSQL database (internal/testenv/pg) instead of a file.
const engineEnv = "OPSDECK_TEST_ENGINE"

// demoDB returns a fresh database with the demo company loaded.
func demoDB(t testing.TB) string {
	db := newDB(t)
	mustRun(t, db, "demo")
	return db
}

// webhookRecorder is a webhook receiver on 127.0.0.1 that keeps every
// notification opsdeck sends it; received returns those so far.
func webhookRecorder(t *testing.T) (url string, received func() []map[string]any) {
	t.Helper()
	var mu sync.Mutex
	var hooks []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n map[string]any
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &n)
		mu.Lock()
		hooks = append(hooks, n)
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []map[string]any {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(hooks)
	}
}

// spawnScheduler starts `opsdeck run` on db with args (OPSDECK_DB from
// the environment cleared), its stderr collected; the caller stops it.
func spawnScheduler(t *testing.T, db string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(binPath, append([]string{"--db", db, "run"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), "OPSDECK_DB=")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr
}

// webhooksFor are the webhooks among hooks about one check and event
// ("fired", "escalated").
func webhooksFor(hooks []map[string]any, check, event string) []map[string]any {
	var out []map[string]any
	for _, h := range hooks {
		if h["check"] == check && h["event"] == event {
			out = append(out, h)
		}
	}
	return out
}
