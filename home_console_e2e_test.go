package main

// End-to-end test of Home and the wide layout: the real binary in tmux at
// 80×24 and 200×50, opened without --start-tab (Home is the first
// screen), driven with keys and with mouse reports, and once with NO_COLOR.

import (
	"strconv"
	"strings"
	"testing"
)

// startHome runs the console on db with its default first screen.
func startHome(t *testing.T, db string, w, h int, env ...string) *term {
	t.Helper()
	cmd := append(append([]string{"env", "OPSDECK_DB=", "TERM=xterm-256color"}, env...), binPath, "--db", db)
	return newTerm(t, w, h, strings.Join(cmd, " "))
}

// click sends a left click at column x, row y (0-based) as the terminal
// reports it to the program (SGR mouse mode): press, then release.
func (tm *term) click(x, y int) {
	tm.t.Helper()
	pos := strconv.Itoa(x+1) + ";" + strconv.Itoa(y+1)
	tm.tmux("send-keys", "-t", "e2e", "-l", "\x1b[<0;"+pos+"M")
	tm.tmux("send-keys", "-t", "e2e", "-l", "\x1b[<0;"+pos+"m")
}

func TestHomeConsoleEndToEnd(t *testing.T) {
	db := demoDB(t)
	tm := startHome(t, db, 80, 24)
	// The demo's analytics heartbeat is late from the start: it fires.
	s := tm.waitFor("0 home", "Firing, not acknowledged", "● firing", "analytics-db-backup", "live")
	lines := strings.Split(s, "\n")
	if !strings.HasPrefix(lines[1], "home") || !strings.HasPrefix(lines[2], "Firing, not acknowledged") ||
		!strings.HasPrefix(lines[3], "▸ ● firing") {
		t.Fatalf("Home does not open with the firing alerts on top:\n%s", s)
	}
	tm.waitFor("Backups late or failing", "✗ failed", "Secrets overdue for rotation", "This week", "unplanned")

	// Enter opens the line's record; esc comes back.
	tm.keys("Enter")
	tm.waitFor("home › ", "summary", "Timeline")
	tm.keys("Escape")
	tm.waitFor("Firing, not acknowledged")

	// A click on the tab bar switches tabs; a click on a row selects it and
	// a second click opens it.
	bar := strings.Split(tm.screen(), "\n")[0]
	tm.click(strings.Index(bar, " 1 ")+1, 0)
	tm.waitFor("people 20", "Kristen Park")
	tm.click(3, 4) // the second person: below the tab bar, crumbs and header
	tm.waitFor("2 of 20")
	tm.click(3, 4)
	tm.waitFor("people › ", "Accounts (")
	tm.keys("Escape", "0")
	tm.waitFor("Firing, not acknowledged")
	tm.keys("q")
	tm.waitExit()
}

func TestHomeConsoleWide(t *testing.T) {
	db := demoDB(t)
	tm := startHome(t, db, 200, 50)
	tm.waitFor("0 home   1 people", "Firing, not acknowledged", "● firing", "│")
	// Each record tab shows the selected record beside the list.
	for _, c := range []struct{ key, want string }{
		{"1", "Accounts ("}, {"2", "Holder"}, {"3", "Owner"}, {"4", "Timeline"},
	} {
		tm.keys(c.key)
		s := tm.waitFor(c.want)
		body := strings.Split(s, "\n")[3]
		if !strings.Contains(body, "│") {
			t.Fatalf("tab %s at 200×50 has no detail pane:\n%s", c.key, s)
		}
	}
	// The pane follows the cursor.
	tm.keys("1", "g")
	tm.waitFor("Ahmed Hassan  person")
	tm.keys("j")
	tm.waitFor("Bill Carter  person")
	tm.keys("q")
	tm.waitExit()
}

func TestHomeConsoleNoColor(t *testing.T) {
	db := demoDB(t)
	tm := startHome(t, db, 80, 24, "NO_COLOR=1")
	tm.waitFor("● firing", "✗ failed", "! overdue")
	tm.keys("6")
	tm.waitFor("▲ HIGH")
	// No colour escapes at all: the meaning is in the symbols and words.
	raw := tm.tmux("capture-pane", "-p", "-e", "-t", "e2e")
	for _, c := range []string{"[31m", "[91m", "38;5;", "38;2;"} {
		if strings.Contains(raw, c) {
			t.Fatalf("NO_COLOR screen has colour %q:\n%q", c, raw)
		}
	}
	tm.keys("q")
	tm.waitExit()
}

func TestHomeConsoleStartTabAndNoMouse(t *testing.T) {
	db := demoDB(t)
	if r := run(t, db, "--start-tab", "peeple"); r.code == 0 || !strings.Contains(r.stderr, `--start-tab: "peeple" is not a tab (one of home, people`) {
		t.Fatalf("a bad --start-tab: %+v", r)
	}
	tm := startHome(t, db, 80, 24, "OPSDECK_START_TAB=devices")
	tm.waitFor("devices 30")
	tm.keys("q")
	tm.waitExit()
	tm = startConsole(t, db, 80, 24, "--start-tab", "home", "--no-mouse")
	tm.waitFor("Firing, not acknowledged")
	bar := strings.Split(tm.screen(), "\n")[0]
	tm.click(strings.Index(bar, " 1 ")+1, 0) // a click the console must ignore
	tm.keys("j")
	if s := tm.screen(); strings.Contains(s, "people 20") {
		t.Fatalf("a click switched tabs with --no-mouse:\n%s", s)
	}
	tm.keys("q")
	tm.waitExit()
}
