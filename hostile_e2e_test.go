package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	gossh "golang.org/x/crypto/ssh"
)

// hostileInput is the end-to-end corpus: each string tries one terminal
// effect, and shows (after the sanitizer) as the plain text in want. The
// colours, blink and strike-through used (SGR 5, 9, 41, 38;5;201) are ones
// the console never uses itself, so finding them on screen means a leak.
var hostileInput = []struct{ in, want string }{
	{"\x1b[5;9;41;38;5;201mred\x1b[0m", "red"},
	{"\x1b]8;;https://evil.example\x07click\x1b]8;;\x07", "click"},
	{"\x1b]52;c;aGFja2Vk\x07copy", "copy"},
	{"\x1b]0;pwned\x1b\\title", "title"},
	{"a\x1b[10Ab\x1b[2J\x1b[H", "ab"},
	{"\u009b5;41mc1", "5;41mc1"},
	{"\u202eevil\u202c", "evil"},
	{"zero\u200bwidth\u200d\ufeff", "zerowidth"},
	{"bad\xff\xfeutf8", "badutf8"},
	{"tab\there\nline\r", "tab here line"},
	{"\x1bPq#0;2;0;0;0\x1b\\sixel", "sixel"},
}

// hostileName is corpus entry i marked with its input path (c, d: CLI
// people and devices, i: CSV import, j: JSON import), so the screen shows which path leaked.
func hostileName(path string, i int) (in, want string) {
	mark := fmt.Sprintf("H%s%02d ", path, i)
	return mark + hostileInput[i].in, mark + hostileInput[i].want
}

// TestHostileInputEndToEnd pushes the corpus through every input path —
// CLI flags, a CSV and a JSON import, an exec check's output, an SSH
// username and an SSH client's TERM — then captures the console in tmux
// with its escape sequences and finds no colour, link, clipboard, title,
// cursor or layout effect from the input: only the plain text.
func TestHostileInputEndToEnd(t *testing.T) {
	db := newDB(t)
	dir := t.TempDir()
	var want []string

	// CLI flags (a 100 KB name too: one argument may not exceed 128 KB).
	for i := range hostileInput {
		in, w := hostileName("c", i)
		mustRun(t, db, "people", "add", "--name", in, "--email", fmt.Sprintf("hc%02d@example.com", i), "--title", in, "--notes", in)
		want = append(want, w)
	}
	mustRun(t, db, "people", "add", "--name", "Hc99 "+strings.Repeat("A", 100<<10), "--email", "hc99@example.com")
	for i := range hostileInput {
		in, w := hostileName("d", i)
		mustRun(t, db, "devices", "add", "--name", in, "--asset_tag", fmt.Sprintf("HD-%02d", i), "--kind", "laptop", "--model", in, "--location", in)
		want = append(want, w)
	}

	// CSV import, with a 1 MB name. A file that is not UTF-8 is refused
	// whole (it asks for --encoding), so invalid UTF-8 is tried on its own.
	var csv strings.Builder
	header := "name,email,title,department,manager,status,role,start_date,end_date,notes\n"
	csv.WriteString(header)
	q := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	badPath := filepath.Join(dir, "bad.csv")
	os.WriteFile(badPath, []byte(header+q("bad\xff\xfe")+",hb@example.com,,,,active,viewer,,,\n"), 0o600)
	if r := run(t, db, "import", "people", badPath); r.code == 0 || !strings.Contains(r.stderr, "not UTF-8") {
		t.Fatalf("import of invalid UTF-8: %+v", r)
	}
	for i := range hostileInput {
		in, w := hostileName("i", i)
		if !utf8.ValidString(in) {
			continue
		}
		fmt.Fprintf(&csv, "%s,hi%02d@example.com,%s,%s,,active,viewer,,,%s\n", q(in), i, q(in), q(in), q(in))
		want = append(want, w)
	}
	fmt.Fprintf(&csv, "%s,hi99@example.com,,,,active,viewer,,,\n", q("Hi99 "+strings.Repeat("B", 1<<20)))
	csvPath := filepath.Join(dir, "people.csv")
	os.WriteFile(csvPath, []byte(csv.String()), 0o600)
	mustRun(t, db, "import", "people", csvPath)

	// JSON import of services.
	var svcs []map[string]string
	for i := range hostileInput {
		in, w := hostileName("j", i)
		svcs = append(svcs, map[string]string{"name": in, "kind": "app", "criticality": "low", "notes": in})
		want = append(want, w)
	}
	js, _ := json.Marshal(svcs)
	jsPath := filepath.Join(dir, "services.json")
	os.WriteFile(jsPath, js, 0o600)
	mustRun(t, db, "import", "services", jsPath)

	// An exec check whose plugin prints every escape it can, then fails:
	// the message is stored and the alert fires with it.
	mustRun(t, db, "services", "add", "--name", "hostile-svc", "--kind", "app")
	script := filepath.Join(dir, "plugin.sh")
	os.WriteFile(script, []byte("#!/bin/sh\nprintf 'Hx00 CRIT \\033[5;41mdisk\\033]8;;http://e\\007link\\033]8;;\\007 \\033]52;c;aGk=\\007clip \\033]0;pwned\\007t \\033[2J\\033[Hup\\n'\nexit 2\n"), 0o700)
	mustRun(t, db, "checks", "add", "--name", "hostile-exec", "--kind", "exec", "--service", "hostile-svc", "--target", script, "--fail_threshold", "1")
	mustRun(t, db, "checks", "run", "hostile-exec")
	want = append(want, "Hx00 CRIT disk")

	// SSH: a hostile username with a registered key is served as the key's
	// person (the name is never shown); a hostile TERM does not paint.
	srv := startServe(t, db)
	mustRun(t, db, "people", "add", "--name", "Oscar Admin", "--email", "oscar@example.com", "--role", "admin")
	key := srv.key("oscar", "oscar@example.com")
	pem, _ := os.ReadFile(key)
	signer, err := gossh.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	cli, err := gossh.Dial("tcp", "127.0.0.1:"+srv.port, &gossh.ClientConfig{User: "hostile\x1b[31m\x1b]0;pwned\x07", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	if err == nil {
		sess, err := cli.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		out, _ := sess.CombinedOutput("whoami")
		if strings.ContainsAny(string(out), "\x1b\x07") || !strings.Contains(string(out), "ssh:oscar@example.com") {
			t.Errorf("whoami over SSH with a hostile username: %q", out)
		}
		cli.Close()
	}
	termScript := filepath.Join(dir, "ssh.sh")
	os.WriteFile(termScript, []byte("#!/bin/sh\nTERM=\"$(printf 'xterm\\033[5;41m\\033]0;pwned\\007')\" exec "+strings.Join(srv.sshLine(key, "-t", "127.0.0.1"), " ")+"\n"), 0o700)
	remote := newTerm(t, 160, 40, termScript)
	remote.tmux("set-option", "-g", "set-clipboard", "on") // accept OSC 52 into a buffer, to see it
	remote.waitFor("ssh:oscar@example.com (admin)")
	remote.keys("4")
	remote.waitFor("hostile-exec")
	assertNoEffect(t, remote, 40, "SSH console, hostile TERM, alerts tab")

	// The local console, tab by tab.
	tm := startConsole(t, db, 200, 60)
	tm.tmux("set-option", "-g", "set-clipboard", "on")
	tm.waitFor("people 24")
	for _, tab := range []struct{ key, name string }{{"1", "people"}, {"2", "devices"}, {"3", "services"}, {"4", "alerts"}} {
		tm.keys(tab.key)
		if tab.key == "1" {
			tm.waitFor("Hc00 red", "Hi00 red")
		}
		if tab.key == "2" {
			tm.waitFor("Hd00 red")
		}
		if tab.key == "3" {
			tm.waitFor("Hj00 red")
		}
		if tab.key == "4" {
			tm.waitFor("hostile-exec")
		}
		assertNoEffect(t, tm, 60, "local console, "+tab.name+" tab")
	}
	// The person's detail shows the name, title and notes in full.
	tm.keys("1", "/", "text:Hc04", "Enter")
	tm.waitFor("Hc04 ab")
	assertNoEffect(t, tm, 60, "local console, person detail")

	screen := ""
	for _, tab := range []string{"1", "2", "3", "4"} {
		tm.keys("Escape", "Escape", tab)
		time.Sleep(300 * time.Millisecond)
		screen += tm.screen()
	}
	for _, w := range want {
		if !strings.Contains(screen, w) {
			t.Errorf("console does not show %q as plain text", w)
		}
	}
}

var (
	escSeq = regexp.MustCompile(`\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|P[^\x1b]*(\x1b\\)?|.)`)
	sgr    = regexp.MustCompile(`^\x1b\[([0-9;:]*)m$`)
)

// assertNoEffect fails the test with every effect() finds on tm's screen.
func assertNoEffect(t *testing.T, tm *term, height int, where string) {
	t.Helper()
	problems, raw := effects(tm, height)
	for _, p := range problems {
		t.Errorf("%s: %s", where, p)
	}
	if len(problems) > 0 {
		t.Logf("%s screen:\n%s", where, raw)
	}
}

// effects captures tm's screen with escapes (capture-pane -e, which tmux
// re-renders from its grid: SGR for what the cells carry) and lists every
// trace of the corpus: a non-SGR sequence, a colour or attribute only the
// corpus uses, a control, bidi or zero-width rune, a pane title or
// clipboard buffer set by the input, or a broken layout (tab bar first,
// status bar last).
func effects(tm *term, height int) (problems []string, raw string) {
	tm.t.Helper()
	raw = tm.tmux("capture-pane", "-p", "-e", "-t", "e2e")
	for _, seq := range escSeq.FindAllString(raw, -1) {
		m := sgr.FindStringSubmatch(seq)
		if m == nil {
			problems = append(problems, fmt.Sprintf("escape sequence on screen: %q", seq))
		} else if bad := forbiddenSGR(m[1]); bad != "" {
			problems = append(problems, fmt.Sprintf("the input's %s reached the screen (%q)", bad, seq))
		}
	}
	for _, r := range escSeq.ReplaceAllString(raw, "") {
		if (r < 0x20 && r != '\n') || (r >= 0x7f && r < 0xa0) || (r >= 0x200b && r <= 0x200f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0xfeff {
			problems = append(problems, fmt.Sprintf("control or invisible rune %U on screen", r))
		}
	}
	lines := strings.Split(strings.TrimSuffix(tm.screen(), "\n"), "\n")
	if len(lines) != height || !strings.Contains(lines[0], "1 people") || !strings.Contains(lines[len(lines)-1], "live") {
		problems = append(problems, fmt.Sprintf("layout broken (%d lines, first %q, last %q)", len(lines), lines[0], lines[len(lines)-1]))
	}
	if title := tm.tmux("display-message", "-p", "-t", "e2e", "#{pane_title}"); strings.Contains(title, "pwned") {
		problems = append(problems, fmt.Sprintf("the input set the terminal title: %q", title))
	}
	if bufs := tm.tmux("list-buffers"); bufs != "" {
		problems = append(problems, fmt.Sprintf("the input set the clipboard: %q", bufs))
	}
	return problems, raw
}

// The detector is not vacuous: the raw corpus printed straight to a tmux
// pane shows up as colour, title, clipboard and layout effects.
func TestHostileDetectorSeesRawCorpus(t *testing.T) {
	var b strings.Builder
	for i := len(hostileInput) - 1; i >= 0; i-- { // the screen clear first
		b.WriteString(hostileInput[i].in + "\n")
	}
	raw := filepath.Join(t.TempDir(), "raw.txt")
	os.WriteFile(raw, []byte(b.String()), 0o600)
	tm := newTerm(t, 80, 24, "sh -c 'sleep 0.5; cat "+raw+"; sleep 60'")
	tm.tmux("set-option", "-g", "set-clipboard", "on")
	time.Sleep(time.Second)
	problems, _ := effects(tm, 24)
	all := strings.Join(problems, "\n")
	for _, want := range []string{"blink", "layout broken", "terminal title", "clipboard"} {
		if !strings.Contains(all, want) {
			t.Errorf("raw corpus on screen: %q not detected; found:\n%s", want, all)
		}
	}
}

// forbiddenSGR names the first attribute in an SGR parameter list that
// only the corpus uses: blink (5), strike-through (9), red background
// (41), colour 201.
func forbiddenSGR(params string) string {
	ps := strings.FieldsFunc(params, func(r rune) bool { return r == ';' || r == ':' })
	for i := 0; i < len(ps); i++ {
		n, _ := strconv.Atoi(ps[i])
		switch n {
		case 38, 48, 58:
			if i+2 < len(ps) && ps[i+1] == "5" {
				if ps[i+2] == "201" {
					return "colour 201"
				}
				i += 2
			} else if i+1 < len(ps) && ps[i+1] == "2" {
				i += 4
			}
		case 5:
			return "blink"
		case 9:
			return "strike-through"
		case 41:
			return "red background"
		}
	}
	return ""
}
