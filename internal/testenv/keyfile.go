package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// Main runs a package's tests with the key that encrypts credentials in a
// temporary directory (OPSDECK_KEY_FILE), never in the user's XDG config
// dir. A package's TestMain is then one line: testenv.Main(m).
func Main(m *testing.M) {
	dir, err := os.MkdirTemp("", "opsdeck-key")
	if err != nil {
		panic(err)
	}
	os.Setenv("OPSDECK_KEY_FILE", filepath.Join(dir, "secret.key"))
	code := m.Run()
	RunAtExit()
	os.RemoveAll(dir)
	os.Exit(code)
}

var atExit []func()

// AtExit runs f when Main's tests are done: for a helper that started a
// server once per test process (internal/testenv/pg) to stop it.
func AtExit(f func()) { atExit = append(atExit, f) }

// RunAtExit runs the AtExit functions, last first: for a TestMain that
// does not use Main.
func RunAtExit() {
	for i := len(atExit) - 1; i >= 0; i-- {
		atExit[i]()
	}
	atExit = nil
}
