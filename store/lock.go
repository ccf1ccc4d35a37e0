package store

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// ErrInUse is returned when an exclusive lock is refused because another
// process holds the lock (shared or exclusive).
var ErrInUse = errors.New("in use by another process")

// FileLock is an advisory flock(2). The kernel drops it when the process
// dies, so a crashed opsdeck never leaves a stale lock behind.
type FileLock struct{ f *os.File }

// LockPath returns the lock file that guards the database at dbPath.
func LockPath(dbPath string) string { return dbPath + ".lock" }

// LockShared takes a shared lock on the database's lock file, without
// blocking. Every long-running opsdeck process (console, run, serve) holds
// one for its lifetime, so that restore, which needs the lock exclusively,
// refuses to replace a database they are using. It fails only while a
// restore is replacing the database.
func LockShared(dbPath string) (*FileLock, error) {
	l, err := lockFile(LockPath(dbPath), syscall.LOCK_SH)
	if errors.Is(err, ErrInUse) {
		return nil, fmt.Errorf("lock %s: a restore is replacing this database: %w", dbPath, err)
	}
	return l, err
}

// LockExclusive takes the database's lock file exclusively, without
// blocking: it fails with ErrInUse while any opsdeck process uses it.
func LockExclusive(dbPath string) (*FileLock, error) {
	l, err := lockFile(LockPath(dbPath), syscall.LOCK_EX)
	if errors.Is(err, ErrInUse) {
		return nil, fmt.Errorf("%s is in use by a running opsdeck (console, run or serve); stop it first: %w", dbPath, err)
	}
	return l, err
}

func lockFile(path string, how int) (*FileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := flock(f, how); err != nil {
		f.Close()
		return nil, err
	}
	return &FileLock{f: f}, nil
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
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
