package transfer

// Where an import's bytes come from. Every source is bounded: a regular
// file only (never a device, a named pipe or a directory: /dev/zero must
// not grow memory without end, and a FIFO must not hang the reader), at
// most MaxSize bytes, and a read that stops when the context ends.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/opsdeck/opsdeck/model"
)

// DefaultMaxSize is the largest import file read unless the caller raises
// it (opsdeck import --max-size): far above any real inventory, far below
// what would hurt the machine.
const DefaultMaxSize int64 = 256 << 20

// RemoteMaxSize is the limit for an import over SSH (sent through the
// session, or from the import directory), which no remote user can raise:
// 64 MiB is some 500,000 people, and bounds what one session can make the
// server hold.
const RemoteMaxSize int64 = 64 << 20

// StdinName is the file name of an import read from standard input (or
// sent through an SSH session): `opsdeck import people - < users.csv`.
const StdinName = "-"

// ErrTooLarge is wrapped when an import is over its size limit.
var ErrTooLarge = errors.New("over the import size limit")

// ReadFile reads a local import file: a regular file (a symlink to one is
// fine), at most max bytes (0: DefaultMaxSize), stopping when ctx ends.
func ReadFile(ctx context.Context, path string, max int64) ([]byte, error) {
	fail := func(err error) ([]byte, error) {
		return nil, &fs.PathError{Op: "import", Path: path, Err: unwrapPath(err)}
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fail(err)
	}
	if err := regular(fi, max); err != nil {
		return fail(err)
	}
	// Opened non-blocking: should the path have become a named pipe since
	// the Stat, the open does not wait for a writer, and f.Stat refuses it.
	f, err := os.OpenFile(path, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	data, err := readOpened(ctx, f, max)
	if err != nil {
		return fail(err)
	}
	return data, nil
}

// ReadInDir reads name from inside dir and nowhere else: for a remote
// session, whose user may name files only in the import directory the
// server's admin configured. name must be relative, without "..", "~" or
// a symlink leading out of dir (os.Root enforces the last at every step).
// Errors name the file as the user typed it, never dir.
func ReadInDir(ctx context.Context, dir, name string, max int64) ([]byte, error) {
	shown := model.Excerpt(name)
	if err := CheckRelName(name); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, errors.New("import: the import directory cannot be opened; ask the server's admin")
	}
	defer root.Close()
	fi, err := root.Stat(name)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", shown, rootErr(err))
	}
	if err := regular(fi, max); err != nil {
		return nil, fmt.Errorf("import %s: %w", shown, err)
	}
	f, err := root.OpenFile(name, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", shown, rootErr(err))
	}
	defer f.Close()
	data, err := readOpened(ctx, f, max)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", shown, err)
	}
	return data, nil
}

// CheckRelName refuses a name a remote user may not give: absolute, with
// "..", starting with "~", or empty.
func CheckRelName(name string) error {
	shown := model.Excerpt(name)
	switch {
	case strings.TrimSpace(name) == "":
		return errors.New("import: name a file in the import directory")
	case strings.ContainsRune(name, 0):
		return fmt.Errorf("import %q: not a file name", shown)
	case filepath.IsAbs(name) || strings.HasPrefix(name, `\`):
		return fmt.Errorf("import %s: absolute paths are not allowed here; name a file in the import directory", shown)
	case strings.HasPrefix(name, "~"):
		return fmt.Errorf("import %s: ~ is not expanded here; name a file in the import directory", shown)
	}
	for _, part := range strings.Split(filepath.ToSlash(name), "/") {
		if part == ".." {
			return fmt.Errorf("import %s: \"..\" is not allowed here; name a file in the import directory", shown)
		}
	}
	return nil
}

// ReadStream reads an import sent as a stream (standard input, an SSH
// session): at most max bytes, stopping when ctx ends.
func ReadStream(ctx context.Context, r io.Reader, max int64) ([]byte, error) {
	data, err := readLimited(ctx, r, max, 0)
	if err != nil {
		return nil, fmt.Errorf("import from standard input: %w", err)
	}
	return data, nil
}

func readOpened(ctx context.Context, f *os.File, max int64) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := regular(fi, max); err != nil {
		return nil, err
	}
	return readLimited(ctx, f, max, fi.Size())
}

// regular refuses anything but a regular file within the size limit.
func regular(fi fs.FileInfo, max int64) error {
	if !fi.Mode().IsRegular() {
		what := "not a regular file"
		switch t := fi.Mode().Type(); {
		case fi.IsDir():
			what = "a directory"
		case t&fs.ModeNamedPipe != 0:
			what = "a named pipe"
		case t&fs.ModeCharDevice != 0:
			what = "a character device"
		case t&fs.ModeDevice != 0:
			what = "a device"
		case t&fs.ModeSocket != 0:
			what = "a socket"
		}
		return fmt.Errorf("is %s; import reads regular files only", what)
	}
	if max <= 0 {
		max = DefaultMaxSize
	}
	if fi.Size() > max {
		return fmt.Errorf("%s is %w of %s (--max-size raises it)", size(fi.Size()), ErrTooLarge, size(max))
	}
	return nil
}

// readLimited reads r to its end, failing past max bytes or when ctx ends.
// hint is the expected size (a file's), so the buffer is allocated once.
func readLimited(ctx context.Context, r io.Reader, max, hint int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxSize
	}
	buf := bytes.NewBuffer(make([]byte, 0, min(hint, max)+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(ctxReader{ctx, r}, max+1)); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	if int64(len(data)) > max {
		return nil, fmt.Errorf("more than %s: %w (--max-size raises it)", size(max), ErrTooLarge)
	}
	return data, nil
}

// ctxReader stops reading once ctx ends (esc in the console, a closed
// SSH session, Ctrl-C).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// unwrapPath drops the path from an *fs.PathError (the caller names the
// file once).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// rootErr says why a name inside the import directory cannot be read,
// without the directory's path.
func rootErr(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errors.New("no such file in the import directory")
	case errors.Is(err, fs.ErrPermission):
		return errors.New("permission denied")
	case strings.Contains(err.Error(), "escapes"):
		return errors.New("leads outside the import directory")
	}
	return errors.New("cannot be read from the import directory")
}
