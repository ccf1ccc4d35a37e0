package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ErrInUse is returned when an exclusive lock is refused because another
// process holds the lock (shared or exclusive).
var ErrInUse = errors.New("in use by another process")

// FileLock is an advisory flock(2) on the database's lock file and, where
// that cannot be created, on the database file itself. The kernel drops it
// when the process dies, so a crashed opsdeck never leaves a stale lock.
type FileLock struct{ files []*os.File }

// RealPath is the file a database path names once symlinks are resolved:
// link.db and live.db pointing at one file are one database, so they must
// share one lock, and a restore must replace the file, not the link. For a
// file that does not exist yet its directory is resolved instead. A
// symlink to a missing file is refused: following it would create a
// database under a name the lock does not know.
func RealPath(dbPath string) (string, error) {
	real, err := filepath.EvalSymlinks(dbPath)
	if err == nil {
		return real, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("resolve %s: %w", dbPath, err)
	}
	if fi, lerr := os.Lstat(dbPath); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
		target, _ := os.Readlink(dbPath)
		return "", fmt.Errorf("%s is a symlink to %s, which does not exist", dbPath, target)
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(dbPath))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return filepath.Clean(dbPath), nil
		}
		return "", fmt.Errorf("resolve %s: %w", dbPath, err)
	}
	return filepath.Join(dir, filepath.Base(dbPath)), nil
}

// LockPath returns the lock file that guards the database at dbPath: the
// resolved file's name plus ".lock", whatever name the database was given.
func LockPath(dbPath string) string {
	if real, err := RealPath(dbPath); err == nil {
		dbPath = real
	}
	return dbPath + ".lock"
}

// LockShared takes a shared lock on the database's lock file, without
// blocking. Every opsdeck process holds one while it uses the database, so
// that restore, which needs the lock exclusively, refuses to replace a
// database they are using. It fails only while a restore is replacing the
// database.
//
// In a directory opsdeck may not write to (a read-only mount, a database
// owned by another user) the lock file cannot be created; then the shared
// lock is taken on the database file itself, which restore also locks, so
// reading stays possible and restore still sees the reader.
func LockShared(dbPath string) (*FileLock, error) {
	l, err := lockDB(dbPath, syscall.LOCK_SH)
	if errors.Is(err, ErrInUse) {
		return nil, fmt.Errorf("lock %s: a restore is replacing this database: %w", dbPath, err)
	}
	return l, err
}

// LockExclusive takes the database's lock file, and the database file
// itself when it exists, exclusively and without blocking: it fails with
// ErrInUse while any opsdeck process uses the database, under any name.
func LockExclusive(dbPath string) (*FileLock, error) {
	l, err := lockDB(dbPath, syscall.LOCK_EX)
	if errors.Is(err, ErrInUse) {
		return nil, fmt.Errorf("%s is in use by a running opsdeck (console, run, serve or a command); stop it first: %w", dbPath, err)
	}
	return l, err
}

func lockDB(dbPath string, how int) (*FileLock, error) {
	if IsPostgres(dbPath) {
		// A server database has no file to lock: writers queue on an
		// advisory lock instead (pgLockKey), and a restore never replaces
		// it under a running opsdeck.
		return &FileLock{}, nil
	}
	real, err := RealPath(dbPath)
	if err != nil {
		return nil, err
	}
	l := &FileLock{}
	f, err := os.OpenFile(real+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil && unwritable(err) {
		// An existing lock file we may only read still locks (flock needs
		// no write access); a missing one cannot be made here.
		f, err = os.Open(real + ".lock")
	}
	switch {
	case err == nil:
		if err := flock(f, how); err != nil {
			f.Close()
			return nil, err
		}
		l.files = append(l.files, f)
	case unwritable(err) || errors.Is(err, fs.ErrNotExist):
		// Fall back to the database file (below); it must exist then.
	default:
		return nil, fmt.Errorf("lock %s: %w", real+".lock", err)
	}
	// Restore also locks the database file, so it sees processes that
	// could lock only that; a shared locker locks it only as that fallback.
	if how == syscall.LOCK_EX || len(l.files) == 0 {
		db, err := os.Open(real)
		switch {
		case err == nil:
			if err := flock(db, how); err != nil {
				db.Close()
				l.Unlock()
				return nil, err
			}
			l.files = append(l.files, db)
		case len(l.files) == 0:
			return nil, fmt.Errorf("lock %s: %s.lock cannot be created and the database file cannot be opened: %w", dbPath, real, err)
		}
	}
	return l, nil
}

// unwritable reports a permission or read-only filesystem error.
func unwritable(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

// flock locks f without blocking; EWOULDBLOCK becomes ErrInUse.
func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return ErrInUse
		default:
			return fmt.Errorf("lock %s: %w", f.Name(), err)
		}
	}
}

// Unlock releases the lock. The lock file itself stays: removing it would
// let two processes lock two different files of the same name.
func (l *FileLock) Unlock() error {
	if l == nil {
		return nil
	}
	var err error
	for _, f := range l.files {
		if e := f.Close(); e != nil && err == nil {
			err = e
		}
	}
	l.files = nil
	return err
}
