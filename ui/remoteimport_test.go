package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdeck/opsdeck/model"
)

// remoteApp is the console as an admin's SSH session sees it.
func remoteApp(t *testing.T, importDir string) *app {
	t.Helper()
	s := openStore(t, true)
	a := newApp(Options{StartTab: "people", Store: s, Actor: model.Actor{Kind: "ssh", Name: "oscar@example.com", Role: "admin"},
		Width: 120, Height: 50, NoColor: true, Remote: true, ImportDir: importDir})
	run(t, a, a.load(a.active))
	return a
}

func TestRemoteConsoleShowsNoServerPath(t *testing.T) {
	a := remoteApp(t, "")
	mustContain(t, a, "ssh:oscar@example.com (admin)")
	mustNotContain(t, a, a.env.Store.Path(), filepath.Dir(a.env.Store.Path()))
}

func TestRemoteImportIsOffWithoutAnImportDir(t *testing.T) {
	a := remoteApp(t, "")
	send(t, a, "i")
	mustContain(t, a, "import from server files is off over SSH", "import people - < FILE")
	if a.screenOnTop() != nil {
		t.Fatal("the import prompt opened without an import directory")
	}
}

func TestRemoteImportReadsOnlyTheImportDir(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "imports")
	os.MkdirAll(filepath.Join(dir, "hr"), 0o700)
	os.WriteFile(filepath.Join(dir, "hr", "new-people.csv"), []byte("name,email\nZed Zee,zed@example.com\n"), 0o600)
	secret := "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n"
	os.WriteFile(filepath.Join(base, "host_key"), []byte(secret), 0o600)
	os.Symlink("../host_key", filepath.Join(dir, "key.yaml"))
	a := remoteApp(t, dir)

	tryFile := func(line, want string) {
		t.Helper()
		send(t, a, "i", line)
		await(t, a, "enter")
		mustContain(t, a, want)
		mustNotContain(t, a, "PRIVATE KEY", "b3BlbnNzaC1rZXkt", dir)
		send(t, a, "esc")
	}
	tryFile("../host_key --format yaml", `".." is not allowed here`)
	tryFile(filepath.Join(base, "host_key")+" --format yaml", "absolute paths are not allowed here")
	tryFile("~/.ssh/id_ed25519", "~ is not expanded here")
	tryFile("key.yaml", "leads outside the import directory")
	tryFile("/dev/zero", "absolute paths are not allowed here")
	tryFile(a.env.Store.Path(), "absolute paths are not allowed here")

	// Completion lists the import directory only, and refuses to leave it.
	send(t, a, "i")
	send(t, a, "h")
	send(t, a, "tab")
	mustContain(t, a, "file: hr/")
	send(t, a, "tab")
	mustContain(t, a, "file: hr/new-people.csv")
	send(t, a, "esc")
	send(t, a, "i", "../")
	send(t, a, "tab")
	mustContain(t, a, `".." is not allowed here`)
	mustNotContain(t, a, "host_key", "imports/")
	send(t, a, "esc")
	send(t, a, "i", "/et")
	send(t, a, "tab")
	mustContain(t, a, "absolute paths are not allowed here")
	mustNotContain(t, a, "/etc/")
	send(t, a, "esc")

	// A file the admin put there imports, and no rejects file is written.
	send(t, a, "i", "hr/new-people.csv --mode skip-bad")
	await(t, a, "enter")
	mustContain(t, a, "1 rows: 1 new")
	await(t, a, "enter")
	mustContain(t, a, "imported new-people.csv: 1 new")
	ents, _ := os.ReadDir(filepath.Join(dir, "hr"))
	if len(ents) != 1 {
		t.Fatalf("files written into the import directory: %v", ents)
	}
	if strings.Contains(a.View().Content, dir) {
		t.Fatal("the console shows the import directory's server path")
	}
}
