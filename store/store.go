// Package store is opsdeck's SQLite database: schema migrations, queries,
// write transactions and the audit log. It is the only package that writes
// SQL. Every mutation runs inside Store.Write, which records who did it in
// audit_log within the same transaction.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"runtime"
	"time"

	"github.com/jonboulle/clockwork"
	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

// TimeLayout is how instants are stored: UTC, fixed width, so text order is
// time order.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// Store is an open opsdeck database: one writer connection (SQLite allows
// one writer at a time; queuing in Go is cheaper than SQLITE_BUSY retries)
// and a pool of readers that WAL lets run beside it.
type Store struct {
	path string
	w    *sql.DB
	r    *sql.DB
	// Now reads the product's clock (see SetClock). It stays a plain func
	// so a store-only test can pin it in one line.
	Now   func() time.Time
	clock clockwork.Clock
	// keys encrypts credentials (crypt.go); level is how much of them this
	// view hands out (For, WithCredentials).
	keys  *keys
	level reveal
	// readOnly: opened with OpenOptions.ReadOnly (w and r are one
	// read-only pool); Write refuses.
	readOnly bool
	// preMigration is the backup this open took before migrating (nil:
	// none), until sealClearCredentials has dealt with it.
	preMigration *BackupResult
	// pg: the database is PostgreSQL (dialect_postgres.go), path its
	// URL without the password.
	pg bool
	// dsn: the PostgreSQL URL with its password, for pg_dump and
	// pg_restore (backup_postgres.go); never shown.
	dsn string
	// existed: a PostgreSQL database held opsdeck's schema before this
	// open (Existed).
	existed bool
}

// BusyWait bounds how long a write waits for another process's write
// transaction to finish. Writers take turns rather than fail: the longest
// writer is an all-or-nothing import (200,000 rows commit in about 13 s),
// so every other writer (the scheduler, a CLI command, the console) waits
// its turn; past BusyWait it gets one clear line saying nothing was
// written (and the scheduler keeps the batch and tries again).
const BusyWait = 2 * time.Minute

// OpenWithClock is Open on clock, which dates everything from the first
// write on (migrations are stamped with it too).
func OpenWithClock(path string, clock clockwork.Clock) (*Store, error) {
	return OpenWith(path, OpenOptions{Create: true, Clock: clock})
}

// open opens the database file at path (symlinks already resolved, its
// identity already checked by OpenWith) and brings its schema up to date.
func open(path string, clock clockwork.Clock) (*Store, error) {
	w, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	s := &Store{path: path, w: w, keys: &keys{path: KeyFilePath()}}
	s.SetClock(clock)
	if err := s.migrate(context.Background()); err != nil {
		w.Close()
		return nil, err
	}
	if err := s.sealClearCredentials(context.Background()); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r.SetMaxOpenConns(max(4, runtime.NumCPU()))
	s.r = r
	return s, nil
}

func dsn(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyWait.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if writer {
		// BEGIN IMMEDIATE takes the write lock up front, so a transaction
		// never fails half-way on a lock upgrade.
		q.Set("_txlock", "immediate")
		// The one writer keeps 16 MB of pages (SQLite's default is 2 MB):
		// 50,000 checks' state rows and the tails of their result and
		// rollup trees are the writer's working set, and every page it
		// re-reads is a system call in pure-Go SQLite (the 50,000-check
		// profile spent a quarter of its CPU there).
		q.Add("_pragma", "cache_size(-16384)")
		// Checkpoint every 8,000 WAL pages (32 MB) instead of 1,000: a
		// batch of results from 50,000 checks dirties ~2,000 pages, so the
		// default copied nearly every batch's pages back into the file,
		// with an fsync, once per batch; waiting longer lets the pages
		// written again and again (check_state, the index tails) be copied
		// once (checkpoints were 6 % of the 50,000-check profile).
		q.Add("_pragma", "wal_autocheckpoint(8000)")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// ReadOnly reports a store opened for reading only.
func (s *Store) ReadOnly() bool { return s.readOnly }

// Close closes both pools.
func (s *Store) Close() error {
	var err error
	if s.r != nil && s.r != s.w {
		err = s.r.Close()
	}
	if e := s.w.Close(); e != nil && err == nil {
		err = e
	}
	return err
}

// DB exposes the reader pool to sibling packages' tests (e.g. integrity checks).
func (s *Store) ReadDB() *sql.DB { return s.r }

func (s *Store) now() time.Time { return s.Now().UTC() }

// SetClock makes c the time source of the store and of every part that
// takes its clock from the store (console, scheduler, SSH server, demo,
// backups): opsdeck reads time through one clock, which tests pin.
func (s *Store) SetClock(c clockwork.Clock) {
	if c == nil {
		c = clockwork.NewRealClock()
	}
	s.clock = c
	s.Now = c.Now
}

// Clock is the clock set with SetClock (the real clock unless a test or
// the OPSDECK_NOW hook chose another).
func (s *Store) Clock() clockwork.Clock { return s.clock }

func fmtTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

func fmtTimePtr(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return fmtTime(*t)
}

func parseTime(s string) time.Time {
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		t, _ = time.Parse(time.RFC3339Nano, s)
	}
	return t
}

func parseTimePtr(ns sql.NullString) *time.Time {
	if !ns.Valid || ns.String == "" {
		return nil
	}
	t := parseTime(ns.String)
	return &t
}

// ChangeMark is a number that grows whenever anything audited changes. The
// console polls it to notice writes by other processes (CLI, SSH, scheduler).
func (s *Store) ChangeMark(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT max(id) FROM audit_log`).Scan(&n)
	return n.Int64, err
}
