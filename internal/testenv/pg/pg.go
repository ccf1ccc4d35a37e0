// Package pg gives tests a fresh PostgreSQL database each: from the server
// OPSDECK_TEST_PG names (a postgres:// URL of a role that may create
// databases), or else from one server the test process starts itself from
// the PostgreSQL binaries on the machine (Debian's postgresql package, 15 or
// newer), in a temporary data directory on a free local port, stopped when
// the tests end (testenv.Main) or the process dies.
//
// PostgreSQL refuses to run as root; under root the server runs as the
// postgres user the package creates.
package pg

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opsdeck/opsdeck/internal/testenv"
)

// Env names a PostgreSQL server to use instead of starting one.
const Env = "OPSDECK_TEST_PG"

var (
	once    sync.Once
	admin   string // URL of the maintenance database, "" when unavailable
	why     string
	counter atomic.Int64
)

// URL returns the URL of a new, empty database for t, dropped when t ends.
// Without PostgreSQL it skips t (fails it under CI=true).
func URL(t testing.TB) string {
	t.Helper()
	return create(t, "")
}

// FromTemplate is URL, but the new database starts as a copy of one that
// prepare made once per test process (say, migrated to the latest schema):
// copying a database is far cheaper than running the migrations again.
func FromTemplate(t testing.TB, prepare func(url string) error) string {
	t.Helper()
	once.Do(start)
	if admin == "" {
		testenv.Unavailable(t, "PostgreSQL not available: "+why, "apt-get install postgresql, or set "+Env+"=postgres://…")
	}
	tmplOnce.Do(func() {
		tmpl = fmt.Sprintf("opsdeck_tmpl%d", os.Getpid())
		if tmplErr = adminExec(context.Background(), "CREATE DATABASE "+tmpl); tmplErr == nil {
			tmplErr = prepare(withDB(admin, tmpl))
		}
		testenv.AtExit(func() { adminExec(context.Background(), "DROP DATABASE IF EXISTS "+tmpl+" WITH (FORCE)") })
	})
	if tmplErr != nil {
		t.Fatalf("prepare the template database: %v", tmplErr)
	}
	return create(t, tmpl)
}

var (
	tmplOnce sync.Once
	tmpl     string
	tmplErr  error
)

func create(t testing.TB, template string) string {
	t.Helper()
	once.Do(start)
	if admin == "" {
		testenv.Unavailable(t, "PostgreSQL not available: "+why, "apt-get install postgresql, or set "+Env+"=postgres://…")
	}
	name := fmt.Sprintf("opsdeck_t%d_%d", os.Getpid(), counter.Add(1))
	ctx := context.Background()
	q := "CREATE DATABASE " + name
	if template != "" {
		q += " TEMPLATE " + template
	}
	if err := adminExec(ctx, q); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() { adminExec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	return withDB(admin, name)
}

func adminExec(ctx context.Context, q string) error {
	c, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, q)
	return err
}

// withDB is url u naming database name instead.
func withDB(u, name string) string {
	base, query, _ := strings.Cut(u, "?")
	i := strings.LastIndex(base, "/")
	if i < len("postgres://") {
		base += "/"
		i = len(base) - 1
	}
	out := base[:i+1] + name
	if query != "" {
		out += "?" + query
	}
	return out
}

// Bin finds the PostgreSQL server binaries (initdb, postgres): the newest
// /usr/lib/postgresql/N/bin, or PATH.
func Bin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil && version(d) >= 15 {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("no initdb in /usr/lib/postgresql/*/bin (15 or newer) or on PATH")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func start() {
	if u := os.Getenv(Env); u != "" {
		admin = u
		return
	}
	bin, err := Bin()
	if err != nil {
		why = err.Error()
		return
	}
	u, err := run(bin)
	if err != nil {
		why = err.Error()
		return
	}
	admin = u
}

// run starts a throw-away server and returns its maintenance URL.
func run(bin string) (string, error) {
	dir, err := os.MkdirTemp("", "opsdeck-pg")
	if err != nil {
		return "", err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return "", fmt.Errorf("running as root and there is no postgres user to run the server as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return "", err
		}
	}
	data := filepath.Join(dir, "data")
	init := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
	init.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	init.Dir = dir
	if out, err := init.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("initdb: %v: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	srv := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200")
	srv.Dir = dir
	// The server dies with the test process, however that ends.
	srv.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT, Setpgid: true}
	logf, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		return "", err
	}
	srv.Stdout, srv.Stderr = logf, logf
	if err := srv.Start(); err != nil {
		return "", fmt.Errorf("start postgres: %w", err)
	}
	testenv.AtExit(func() {
		srv.Process.Signal(syscall.SIGQUIT)
		srv.Wait()
		os.RemoveAll(dir)
	})
	u := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := pgx.Connect(context.Background(), u)
		if err == nil {
			c.Close(context.Background())
			return u, nil
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "log"))
			return "", fmt.Errorf("postgres did not accept connections within 60s: %v: %s", err, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
