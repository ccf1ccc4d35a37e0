package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"github.com/jonboulle/clockwork"
)

// ApplicationID is opsdeck's mark in the SQLite header ("OPSD"): PRAGMA
// application_id tells an opsdeck database from another program's SQLite
// file before anything is written to it. Migration 0010 sets it; databases
// made by earlier releases (recognised by their schema_migrations table)
// get it then.
const ApplicationID = 0x4f505344

// ErrNoDatabase is returned when no database exists at the path and the
// caller did not ask to create one.
var ErrNoDatabase = errors.New("no opsdeck database")

// ErrNotOpsdeck is returned for a file that is not an opsdeck database: a
// directory, another application's SQLite file, an empty file, or not
// SQLite at all. Such a file is left exactly as it was.
var ErrNotOpsdeck = errors.New("not an opsdeck database")

// OpenOptions say what Open may create.
type OpenOptions struct {
	// Create makes a new database (and its directory) when none exists.
	Create bool
	// ClaimEmpty makes an empty file (zero bytes, or a SQLite file with no
	// tables and no application mark) an opsdeck database. Only
	// `opsdeck init` sets it: an empty file someone else made is theirs
	// until the operator says otherwise.
	ClaimEmpty bool
	// ReadOnly opens the database for reading only: nothing is migrated
	// or written, and Write refuses. For a read in a directory opsdeck
	// may not write (no lock file, no -wal/-shm can be made there).
	ReadOnly bool
	// Clock is the store's time source (nil: the real clock).
	Clock clockwork.Clock
}

// Open opens the opsdeck database at path, creating it if it does not
// exist, and brings its schema up to date. Commands that must not create
// a database use OpenWith.
func Open(path string) (*Store, error) { return OpenWith(path, OpenOptions{Create: true}) }

// OpenWith opens the database at path as o allows. Symlinks are resolved
// first, so every name of one file is one database. A file that is not an
// opsdeck database is refused before SQLite writes anything to it; a
// database written by a newer opsdeck, or whose user_version disagrees
// with schema_migrations, is refused too.
func OpenWith(path string, o OpenOptions) (*Store, error) {
	if IsPostgres(path) {
		return openPostgres(path, o)
	}
	real, err := Check(path, o)
	if err != nil {
		return nil, err
	}
	if o.ReadOnly {
		return openReadOnly(real, o.Clock)
	}
	// SQLite opens a file it may not write read-only without a word, and
	// the first write fails half-way through a command (a backup written
	// but not recorded): refuse up front instead.
	const wOK = 2
	if err := syscall.Access(real, wOK); err != nil && !errors.Is(err, syscall.ENOENT) {
		return nil, fmt.Errorf("open %s: %w; commands that only read still work", path, Friendly(path, &fs.PathError{Op: "open", Path: path, Err: err}))
	}
	return open(real, o.Clock)
}

// openReadOnly opens the database at path for reading only. SQLite reads
// a WAL database without write access only through existing -wal/-shm
// files; when they do not exist no process has the database open for
// writing (a writer needs them, and could not create them here either),
// so the file is read as immutable: a consistent snapshot.
func openReadOnly(path string, clock clockwork.Clock) (*Store, error) {
	uri := readOnlyURI(path) + fmt.Sprintf("&_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)", BusyWait.Milliseconds())
	db, err := sql.Open("sqlite", uri)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(max(4, runtime.NumCPU()))
	s := &Store{path: path, w: db, r: db, readOnly: true, keys: &keys{path: KeyFilePath()}}
	s.SetClock(clock)
	ctx := context.Background()
	var v int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s read-only: %w", path, Friendly(path, err))
	}
	if v != LatestVersion() {
		db.Close()
		return nil, fmt.Errorf("open %s read-only: its schema is version %d and this opsdeck reads version %d; open it once where it may be written (to migrate it), or use the matching opsdeck", path, v, LatestVersion())
	}
	if err := s.checkUserVersion(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if missing, err := missingColumns(ctx, db, schemaTables); err != nil || len(missing) > 0 {
		db.Close()
		if err != nil {
			return nil, fmt.Errorf("open %s read-only: %w", path, Friendly(path, err))
		}
		for tb, cs := range missing {
			return nil, fmt.Errorf("open %s read-only: its table %s lacks the column %s this opsdeck reads; open it once where it may be written (to add it), or use the matching opsdeck", path, tb.sqlName(), cs[0].name)
		}
	}
	return s, nil
}

// readOnlyURI is the SQLite URI that reads path without writing anything.
// Without a -wal file and in a directory where none can be made, SQLite
// can read a WAL database only as immutable; that is safe there because
// no writer can have it open (a writer needs the -wal file).
func readOnlyURI(path string) string {
	uri := "file:" + path + "?mode=ro"
	const wOK = 2
	if _, err := os.Stat(path + "-wal"); errors.Is(err, fs.ErrNotExist) && syscall.Access(filepath.Dir(path), wOK) != nil {
		uri += "&immutable=1"
	}
	return uri
}

// ErrReadOnly is returned by Write on a store opened read-only.
var ErrReadOnly = errors.New("opened read-only")

// Check does what OpenWith does before opening, and returns the resolved
// path: it refuses a missing database (unless o.Create, when it makes the
// directory), a directory and a file that is not opsdeck's, reading but
// never writing the file. Callers that take a lock first call it before
// locking, so a refused path does not even get a lock file beside it.
func Check(path string, o OpenOptions) (string, error) {
	if path == "" {
		return "", errors.New("open database: empty path")
	}
	if IsPostgres(path) {
		return path, nil // the server decides; openPostgres says what it found
	}
	real, err := RealPath(path)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", path, err)
	}
	fi, err := os.Stat(real)
	switch {
	case err == nil && fi.IsDir():
		return "", refuse(ErrNotOpsdeck, "open %s: is a directory, not a database file (give a file, e.g. %s)", path, filepath.Join(path, "opsdeck.db"))
	case err == nil && fi.Size() == 0 && !o.ClaimEmpty:
		return "", refuse(ErrNotOpsdeck, "open %s: is an empty file (0 bytes), left untouched; make it an opsdeck database with 'opsdeck --db %s init'", path, path)
	case err == nil && fi.Size() > 0:
		if err := identify(path, real, o.ClaimEmpty); err != nil {
			return "", err
		}
	case errors.Is(err, fs.ErrNotExist):
		if !o.Create {
			return "", refuse(ErrNoDatabase, "no opsdeck database at %s", path)
		}
		if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
			return "", fmt.Errorf("open %s: %w", path, Friendly(path, err))
		}
	case err != nil:
		return "", fmt.Errorf("open %s: %w", path, Friendly(path, err))
	}
	return real, nil
}

// sqliteHeader starts every SQLite database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// identify decides whether the non-empty file at real is an opsdeck
// database, through a read-only connection that changes nothing: its
// application_id is opsdeck's, or it is zero and the file has
// schema_migrations (an earlier opsdeck's). Anything else is refused.
func identify(path, real string, claimEmpty bool) error {
	f, err := os.Open(real)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, Friendly(path, err))
	}
	head := make([]byte, 100)
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || !bytes.HasPrefix(head, sqliteHeader) {
		return refuse(ErrNotOpsdeck, "open %s: is not a SQLite database, so not an opsdeck database; left untouched", path)
	}
	db, err := sql.Open("sqlite", readOnlyURI(real)+fmt.Sprintf("&_pragma=busy_timeout(%d)", BusyWait.Milliseconds()))
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	ctx := context.Background()
	var appID int64
	if err := db.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&appID); err != nil {
		return fmt.Errorf("open %s: read its application id: %w", path, Friendly(path, err))
	}
	switch uint32(appID) {
	case ApplicationID:
		return nil
	case 0:
	default:
		return refuse(ErrNotOpsdeck, "open %s: belongs to another application (SQLite application_id 0x%08x; opsdeck's is 0x%08x); left untouched", path, uint32(appID), ApplicationID)
	}
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return fmt.Errorf("open %s: read its tables: %w", path, Friendly(path, err))
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		if n == "schema_migrations" {
			return nil // an earlier opsdeck's; migration 0010 marks it
		}
		tables = append(tables, n)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(tables) == 0 {
		if claimEmpty {
			return nil
		}
		return refuse(ErrNotOpsdeck, "open %s: is an empty SQLite database without opsdeck's mark, left untouched; make it an opsdeck database with 'opsdeck --db %s init'", path, path)
	}
	if len(tables) > 5 {
		tables = append(tables[:5], "…")
	}
	return refuse(ErrNotOpsdeck, "open %s: is another application's SQLite database (tables %s), left untouched", path, strings.Join(tables, ", "))
}

// checkUserVersion refuses a database whose user_version disagrees with
// the migrations it records: something other than opsdeck changed one of
// them, and migrating on top of that guess could damage it.
func (s *Store) checkUserVersion(ctx context.Context) error {
	var uv, mv int
	if err := s.w.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&uv); err != nil {
		return fmt.Errorf("open %s: %w", s.path, Friendly(s.path, err))
	}
	if err := s.w.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&mv); err != nil {
		return fmt.Errorf("open %s: %w", s.path, Friendly(s.path, err))
	}
	if uv != mv {
		return fmt.Errorf("open %s: its schema_migrations says version %d but PRAGMA user_version says %d: the file was changed outside opsdeck; refusing to migrate it (restore a backup)", s.path, mv, uv)
	}
	return nil
}

// refusal is a one-line reason that still matches its sentinel (errors.Is)
// without repeating the sentinel's words.
type refusal struct {
	msg      string
	sentinel error
}

func refuse(sentinel error, format string, args ...any) error {
	return &refusal{msg: fmt.Sprintf(format, args...), sentinel: sentinel}
}

func (r *refusal) Error() string { return r.msg }
func (r *refusal) Unwrap() error { return r.sentinel }
