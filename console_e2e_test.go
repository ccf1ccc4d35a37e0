package main

// End-to-end test of the console: the real binary in a real terminal
// (tmux), driven with send-keys and read with capture-pane, the way a user
// sees it.

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/testenv"
)

// term is one tmux server (private socket) running the console.
type term struct {
	t    *testing.T
	sock string
}

// startConsole runs opsdeck --db db in a w×h terminal; args that contain
// "=" are environment variables, the rest are extra flags. It opens on
// the people tab unless args say --start-tab: these tests walk from the
// lists (home_console_e2e_test.go tests the default first screen, Home).
func startConsole(t *testing.T, db string, w, h int, args ...string) *term {
	t.Helper()
	testenv.Require(t, "tmux")
	// A private server whose socket lives (and dies) in the test's temp dir.
	tm := &term{t: t, sock: filepath.Join(t.TempDir(), "tmux.sock")}
	env, flags := []string{"env", "OPSDECK_DB=", "TERM=xterm-256color"}, []string{binPath, "--db", db}
	if !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--start-tab") }) {
		flags = append(flags, "--start-tab", "people")
	}
	for _, a := range args {
		if strings.Contains(a, "=") {
			env = append(env, a)
		} else {
			flags = append(flags, a)
		}
	}
	return tm.start(w, h, strings.Join(append(env, flags...), " "))
}

// newTerm runs command (a shell line) in a w×h tmux terminal.
func newTerm(t *testing.T, w, h int, command string) *term {
	t.Helper()
	testenv.Require(t, "tmux")
	tm := &term{t: t, sock: filepath.Join(t.TempDir(), "tmux.sock")}
	return tm.start(w, h, command)
}

func (tm *term) start(w, h int, cmd string) *term {
	tm.tmux("new-session", "-d", "-s", "e2e", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), cmd, ";",
		"set-option", "-t", "e2e", "remain-on-exit", "on")
	tm.t.Cleanup(func() { exec.Command("tmux", "-S", tm.sock, "kill-server").Run() })
	return tm
}

func (tm *term) tmux(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tm.sock}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// keys sends tmux key names ("Enter", "Escape", "C-s") or literal text
// (prefix "text:"), pausing after each so a lone Escape is not read as alt.
func (tm *term) keys(keys ...string) {
	tm.t.Helper()
	for _, k := range keys {
		if s, ok := strings.CutPrefix(k, "text:"); ok {
			tm.tmux("send-keys", "-t", "e2e", "-l", s)
		} else {
			tm.tmux("send-keys", "-t", "e2e", k)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

func (tm *term) screen() string { return tm.tmux("capture-pane", "-p", "-t", "e2e") }

// waitFor polls the screen until it shows every string in want.
func (tm *term) waitFor(want ...string) string {
	tm.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := tm.screen()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(s, w)
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("screen never showed %q:\n%s", want, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (tm *term) waitExit() {
	tm.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := strings.Fields(tm.tmux("display-message", "-p", "-t", "e2e", "#{pane_dead} #{pane_dead_status}"))
		// tmux may report a dead pane before (or without) its exit status.
		if len(st) >= 1 && st[0] == "1" {
			if len(st) == 2 && st[1] != "0" {
				tm.t.Fatalf("console exited with status %s:\n%s", st[1], tm.screen())
			}
			return
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("console did not exit (%v):\n%s", st, tm.tmux("capture-pane", "-p", "-S", "-", "-t", "e2e"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestConsoleEndToEnd(t *testing.T) {
	db := demoDB(t)
	tm := startConsole(t, db, 80, 24)
	tm.waitFor("1 people", "Kristen Park", "people 20", "live")

	tm.keys("2")
	tm.waitFor("kristen-laptop", "devices 30")
	tm.keys("Tab")
	tm.waitFor("GitHub", "CRITICALITY")
	tm.keys("1", "/", "text:kristen")
	tm.waitFor("people 1/20", "FILTER")
	tm.keys("Enter", "Enter")
	tm.waitFor("people › Kristen Park", "Accounts (4)", "Devices held (1)")
	tm.keys("Enter") // follow the first link: her manager
	tm.waitFor("› Kristen Park › Dave Kim", "Lead Developer")
	tm.keys("Escape")
	s := tm.waitFor("people › Kristen Park")
	if strings.Contains(s, "Dave Kim ›") || strings.Contains(s, "› Dave Kim") {
		t.Fatalf("esc did not go back:\n%s", s)
	}
	tm.keys("Escape", "Escape")
	tm.waitFor("people 20")

	// A change by another process appears without a key press.
	tm.keys("3")
	tm.waitFor("GitHub", "services 11")
	mustRun(t, db, "services", "add", "--name", "Zulip", "--kind", "saas")
	tm.waitFor("Zulip", "services 12")

	tm.keys("1", "a")
	tm.waitFor("Add a person")
	tm.keys("text:Erin Ellis", "Tab", "text:erin@", "C-s")
	tm.waitFor(`email: "erin@" is not a valid email`)
	tm.keys("text:example.com", "Tab", "text:SRE", "C-s")
	tm.waitFor("added person Erin Ellis", "people 21")
	if out := mustRun(t, db, "people", "show", "erin@example.com"); !strings.Contains(out, "SRE") {
		t.Fatalf("person not saved:\n%s", out)
	}
	tm.keys("q")
	tm.waitExit()
	if out := mustRun(t, db, "audit", "list"); !strings.Contains(out, "local:") {
		t.Fatalf("the console's write is not audited under the local user:\n%s", out)
	}
}

func TestConsoleHostileNameIsPlainText(t *testing.T) {
	db := demoDB(t)
	mustRun(t, db, "people", "add", "--name", "\x1b]0;pwned\x07\x1b[2J\x1b[31mMallory\u202eEvil\u200b", "--email", "mallory@example.com")
	tm := startConsole(t, db, 80, 24)
	tm.waitFor("people 21")
	tm.keys("/", "text:mallory", "Enter", "Enter")
	s := tm.waitFor("MalloryEvil", "mallory@example.com")
	if strings.Contains(s, "pwned") {
		t.Fatalf("escape sequence text leaked:\n%s", s)
	}
	if title := tm.tmux("display-message", "-p", "-t", "e2e", "#{pane_title}"); strings.Contains(title, "pwned") {
		t.Fatalf("the name set the terminal title: %q", title)
	}
	colored := tm.tmux("capture-pane", "-p", "-e", "-t", "e2e")
	if strings.Contains(colored, "\x1b[31m") {
		t.Fatalf("the name painted the screen red")
	}
	tm.keys("q")
	tm.waitExit()
}

func TestConsoleTinyWindowsAndThemes(t *testing.T) {
	db := demoDB(t)
	tm := startConsole(t, db, 30, 6, "NO_COLOR=1")
	tm.waitFor("too small")
	tm.tmux("resize-window", "-t", "e2e", "-x", "200", "-y", "50")
	tm.waitFor("Kristen Park", "DEPARTMENT")
	if c := tm.tmux("capture-pane", "-p", "-e", "-t", "e2e"); strings.Contains(c, "38;") || strings.Contains(c, "48;") {
		t.Fatalf("NO_COLOR=1 but the screen has colours:\n%q", c)
	}
	tm.keys("q")
	tm.waitExit()

	r := run(t, db, "--theme", "no-such-theme")
	if r.code == 0 || !strings.Contains(r.stderr, `"no-such-theme" is not a built-in theme`) {
		t.Fatalf("bad --theme: %d %q", r.code, r.stderr)
	}
	tm = startConsole(t, db, 100, 30, "--theme", "high-contrast")
	tm.waitFor("people 20")
	tm.keys("q")
	tm.waitExit()
}
