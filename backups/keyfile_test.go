package backups

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMain keeps the key that encrypts credentials in a temporary
// directory, never in the user's XDG config dir.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "opsdeck-key")
	if err != nil {
		panic(err)
	}
	os.Setenv("OPSDECK_KEY_FILE", filepath.Join(dir, "secret.key"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
