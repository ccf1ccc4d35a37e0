package transfer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Every import source is bounded: regular files only, a size limit, a
// read that ends with its context; remote names stay inside one directory.

func TestReadFileRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "zero-link.csv")
	os.Symlink("/dev/zero", link)
	for path, want := range map[string]string{
		"/dev/zero": "is a character device; import reads regular files only",
		fifo:        "is a named pipe",
		dir:         "is a directory",
		link:        "is a character device",
	} {
		done := make(chan error, 1)
		go func() { _, err := ReadFile(context.Background(), path, 0); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "import "+path+": ") {
				t.Errorf("%s: %v, want %q", path, err, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: ReadFile still blocked after 5s", path)
		}
	}
}

func TestReadFileSizeLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.csv")
	os.WriteFile(p, make([]byte, 2048), 0o600)
	if _, err := ReadFile(context.Background(), p, 1024); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "--max-size") {
		t.Fatalf("over the limit: %v", err)
	}
	if data, err := ReadFile(context.Background(), p, 4096); err != nil || len(data) != 2048 {
		t.Fatalf("under the limit: %d %v", len(data), err)
	}
	// A stream past the limit stops at it.
	f, _ := os.Open("/dev/zero")
	defer f.Close()
	if _, err := ReadStream(context.Background(), f, 1<<20); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("endless stream: %v", err)
	}
}

func TestReadStreamStopsWhenCancelled(t *testing.T) {
	f, _ := os.Open("/dev/zero")
	defer f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { _, err := ReadStream(ctx, f, 1<<40); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("cancelled read: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("read did not stop when its context ended")
	}
}

func TestReadInDirStaysInside(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "imports")
	os.MkdirAll(filepath.Join(dir, "sub"), 0o700)
	os.WriteFile(filepath.Join(dir, "sub", "people.csv"), []byte("name,email\n"), 0o600)
	os.WriteFile(filepath.Join(base, "secret"), []byte("-----BEGIN OPENSSH PRIVATE KEY-----\n"), 0o600)
	os.Symlink("sub/people.csv", filepath.Join(dir, "inside.csv"))
	os.Symlink("../secret", filepath.Join(dir, "out.csv"))
	os.Symlink("/etc/passwd", filepath.Join(dir, "abs.csv"))
	os.Symlink("/dev/zero", filepath.Join(dir, "zero.csv"))
	fifo := filepath.Join(dir, "pipe.csv")
	syscall.Mkfifo(fifo, 0o600)

	for _, ok := range []string{"sub/people.csv", "inside.csv", "./sub/people.csv"} {
		if data, err := ReadInDir(context.Background(), dir, ok, 0); err != nil || string(data) != "name,email\n" {
			t.Errorf("%s: %q %v", ok, data, err)
		}
	}
	for name, want := range map[string]string{
		"../secret":                   `".." is not allowed`,
		"sub/../../secret":            `".." is not allowed`,
		"/etc/passwd":                 "absolute paths are not allowed",
		filepath.Join(base, "secret"): "absolute paths are not allowed",
		"~/.ssh/id_ed25519":           "~ is not expanded",
		"~root/.bashrc":               "~ is not expanded",
		"out.csv":                     "leads outside the import directory",
		"abs.csv":                     "leads outside the import directory",
		"zero.csv":                    "leads outside the import directory",
		"pipe.csv":                    "is a named pipe",
		"sub":                         "is a directory",
		"missing.csv":                 "no such file in the import directory",
		"":                            "name a file in the import directory",
	} {
		done := make(chan error, 1)
		go func() { _, err := ReadInDir(context.Background(), dir, name, 0); done <- err }()
		var err error
		select {
		case err = <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("%q: blocked", name)
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", name, err, want)
			continue
		}
		if strings.Contains(err.Error(), dir) || strings.Contains(err.Error(), "PRIVATE KEY") {
			t.Errorf("%q: the error shows the server's path or the file: %v", name, err)
		}
	}
}
