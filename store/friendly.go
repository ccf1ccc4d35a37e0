package store

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	sqlite "modernc.org/sqlite"
)

// Friendly turns the errors an operator can act on (a full disk, a file or
// directory opsdeck may not write, a busy database, a damaged file) into one
// line that says what happened to the database at path and what to do,
// keeping the original error underneath for errors.Is. SQLite's own words
// ("database or disk is full: not an error (13)", "unable to open database
// file (14)") say neither.
func Friendly(path string, err error) error {
	if err == nil {
		return nil
	}
	var fe *friendlyError
	if errors.As(err, &fe) {
		return err // already said
	}
	var msg string
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
			msg = fmt.Sprintf("%s stayed busy: another process held its write lock for longer than opsdeck waits (%s); nothing was written, try again", path, BusyWait)
		case 8: // SQLITE_READONLY
			msg = fmt.Sprintf("%s is read-only (the file, its directory or the filesystem may not be written); nothing was written", path)
		case 13: // SQLITE_FULL
			msg = fmt.Sprintf("the disk holding %s is full; nothing was written (free some space and try again)", path)
		case 14: // SQLITE_CANTOPEN
			msg = fmt.Sprintf("cannot open %s or its -wal/-shm files: check that its directory exists and that you may read and write there", path)
		case 11, 26: // SQLITE_CORRUPT, SQLITE_NOTADB
			msg = fmt.Sprintf("%s is damaged or not a database; restore it from a backup ('opsdeck restore FILE')", path)
		}
	}
	switch {
	case msg != "":
	case errors.Is(err, syscall.ENOSPC):
		msg = fmt.Sprintf("the disk holding %s is full; nothing was written (free some space and try again)", path)
	case errors.Is(err, syscall.EROFS):
		msg = fmt.Sprintf("%s is on a read-only filesystem; nothing was written", path)
	case errors.Is(err, fs.ErrPermission):
		msg = fmt.Sprintf("permission denied on %s or its directory", path)
	default:
		return err
	}
	return &friendlyError{msg: msg, err: err}
}

type friendlyError struct {
	msg string
	err error
}

func (e *friendlyError) Error() string { return e.msg }
func (e *friendlyError) Unwrap() error { return e.err }
