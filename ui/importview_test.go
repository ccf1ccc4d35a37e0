package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/transfer"
)

// testdata returns the absolute path of a committed import file.
func testdata(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "testdata", "import", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// tallApp is a console tall enough to show a whole dry-run report.
func tallApp(t *testing.T, s *store.Store) *app { t.Helper(); return sizedApp(t, s, 100, 60) }

func auditCount(t *testing.T, s *store.Store) int {
	t.Helper()
	es, err := s.ListAudit(context.Background(), store.AuditQuery{Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

func TestImportDryRunListsEveryProblemAndCancelWritesNothing(t *testing.T) {
	s := openStore(t, true)
	a := tallApp(t, s)
	before := auditCount(t, s)
	send(t, a, "i")
	mustContain(t, a, "people › import people", "file:", "--mode atomic|skip-bad")
	send(t, a, testdata(t, "people-1000-7bad.csv"))
	await(t, a, "enter")
	mustContain(t, a, "1000 rows: 993 new", "7 bad", "PROBLEMS (7, in 7 rows)",
		"58  email", `"not-an-email"`, "131  status", `"contractor"`, "302  start_date", `"2025-02-30"`,
		"446  email", "appears again (first on row 2)", "613  name", "is required", "809  start_date", "978  status",
		"Atomic: nothing is imported while any row is bad")
	mustNotContain(t, a, "enter/c commit") // atomic with bad rows: no commit offered
	send(t, a, "c")
	mustContain(t, a, "PROBLEMS (7") // c did nothing
	send(t, a, "esc")
	mustContain(t, a, "people 20")
	mustNotContain(t, a, "import people", "PROBLEMS")
	if after := auditCount(t, s); after != before {
		t.Fatalf("audit rows %d → %d after a cancelled import", before, after)
	}
}

func TestImportCommitAddsRowsAndReloads(t *testing.T) {
	s := openStore(t, true)
	a := testApp(t, s)
	send(t, a, "i", testdata(t, "people.json")+" --update-existing")
	await(t, a, "enter")
	mustContain(t, a, "3 rows: 1 new · 2 updated", "No problems", "enter/c commit", "columns not imported", "badge",
		"kristen@example.com", "title: Developer → Senior Developer")
	await(t, a, "enter")
	mustContain(t, a, "imported people.json: 1 new, 2 updated, 0 unchanged (run 1, audited)", "people 21")
	send(t, a, "/", "nadia", "enter")
	mustContain(t, a, "Nadia Volkova")
	runs, err := s.ListImportRuns(context.Background(), 10)
	if err != nil || len(runs) != 1 || runs[0].Created != 1 || runs[0].Actor != "local:tester" {
		t.Fatalf("import runs %+v, %v", runs, err)
	}
}

func TestImportSkipBadFromCommandLine(t *testing.T) {
	s := openStore(t, true)
	a := tallApp(t, s)
	dir := t.TempDir()
	src, err := os.ReadFile(testdata(t, "people-1000-7bad.csv"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "people.csv")
	if err := os.WriteFile(file, src, 0o600); err != nil {
		t.Fatal(err)
	}
	send(t, a, ":", "import people "+file+" --mode skip-bad")
	await(t, a, "enter")
	mustContain(t, a, "skip-bad: enter imports the 993 good rows", "enter/c commit")
	await(t, a, "c")
	mustContain(t, a, "993 new", "people 1,013")
	if !strings.Contains(a.flash, "7 rejected to people.rejects.csv") {
		t.Fatalf("flash %q", a.flash)
	}
	if _, err := os.Stat(filepath.Join(dir, "people.rejects.csv")); err != nil {
		t.Fatal(err)
	}
}

func TestImportBadFilesSayOneLine(t *testing.T) {
	a := testApp(t, openStore(t, true))
	send(t, a, "i", "/nonexistent/people.csv", "enter")
	mustContain(t, a, "cannot read /nonexistent/people.csv: no such file or directory", "file: /nonexistent/people.csv")
	send(t, a, "ctrl+u") // textinput: delete to the start
	for range 30 {
		send(t, a, "backspace")
	}
	send(t, a, testdata(t, "latin1-people.csv"), "enter")
	s := screen(a)
	if !strings.Contains(s, "UTF-8") && !strings.Contains(s, "utf-8") {
		t.Fatalf("no encoding error:\n%s", s)
	}
	mustContain(t, a, "latin1") // says how to read it
	send(t, a, " --mode maybe", "enter")
	mustContain(t, a, `mode: "maybe" is not one of atomic, skip-bad`)
	send(t, a, "esc")
	mustNotContain(t, a, "import people")
	mustContain(t, a, "people 20")
}

func TestImportTabCompletesFileNames(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"staff-2025.csv", "staff-2026.csv", "devices.yaml"} {
		os.WriteFile(filepath.Join(dir, f), []byte("name,email\n"), 0o600)
	}
	os.Mkdir(filepath.Join(dir, "old"), 0o700)
	a := testApp(t, openStore(t, true))
	send(t, a, "i", dir+"/d", "tab")
	mustContain(t, a, "file: "+dir+"/devices.yaml")
	v := a.screenOnTop().(*importView)
	v.input.SetValue(dir + "/st")
	send(t, a, "tab")
	mustContain(t, a, "file: "+dir+"/staff-202", "staff-2025.csv  staff-2026.csv")
	v.input.SetValue(dir + "/o")
	send(t, a, "tab")
	mustContain(t, a, "file: "+dir+"/old/")
}

func TestImportAccountsFromServicePageShowsLeavers(t *testing.T) {
	s := openStore(t, true)
	a := tallApp(t, s)
	send(t, a, ":", "serv github", "enter", "enter")
	mustContain(t, a, "GitHub  service")
	send(t, a, "i")
	mustContain(t, a, "import accounts of GitHub", "every row is an account of GitHub")
	send(t, a, testdata(t, "github-members.csv"))
	await(t, a, "enter")
	mustContain(t, a, "1 ACCOUNTS STILL HELD BY PEOPLE WHO ARE LEAVING OR HAVE LEFT", "!! Bill Carter <bill@example.com> is departed",
		"1 accounts are not in the file and will be marked unverified", "GitHub:chenwei-contractor", "7 verified")
}

func TestViewerCannotImport(t *testing.T) {
	s := openStore(t, true)
	a := newApp(Options{StartTab: "people", Store: s, Actor: model.Actor{Kind: "ssh", Name: "kristen", Role: "viewer"}, Width: 80, Height: 24, NoColor: true})
	run(t, a, a.load(a.active))
	send(t, a, "i")
	mustContain(t, a, "your role (viewer) cannot import")
	if a.screenOnTop() != nil {
		t.Fatal("import opened for a viewer")
	}
}

func TestParseImportLine(t *testing.T) {
	path, o, err := parseImportLine("a b.csv --format csv --mode=skip-bad --update-existing --service Google Workspace", transfer.Options{}, false)
	if err != nil || path != "a b.csv" || o.Format != "csv" || o.Mode != "skip-bad" || !o.UpdateExisting || o.Service != "Google Workspace" {
		t.Fatalf("%q %+v %v", path, o, err)
	}
	for _, bad := range []string{"", " --mode atomic", "x.csv --format xls", "x.csv --force"} {
		if _, _, err := parseImportLine(bad, transfer.Options{}, false); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// A report too big to re-render inside Update keeps its old layout on a
// resize (the frame still fits) and is re-rendered by a Cmd.
func TestBigReportReRendersOffTheLoopOnResize(t *testing.T) {
	var b strings.Builder
	b.WriteString("name,email\n")
	for i := range syncRender + 500 {
		b.WriteString("Person " + strings.Repeat("x", i%7) + ",not-an-email\n")
	}
	file := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(file, []byte(b.String()), 0o600)
	a := testApp(t, openStore(t, true))
	send(t, a, "i", file)
	await(t, a, "enter")
	mustContain(t, a, "2500 rows", "2500 bad")
	v := a.screenOnTop().(*importView)
	if v.linesW != 80 {
		t.Fatalf("rendered for %d", v.linesW)
	}
	_, cmd := a.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	if v.linesW != 80 || cmd == nil {
		t.Fatalf("re-rendered in Update (width %d) or no Cmd", v.linesW)
	}
	for _, l := range strings.Split(screen(a), "\n") {
		if ansi.StringWidth(l) > 60 {
			t.Fatalf("line wider than the window: %q", l)
		}
	}
	settle(t, a, cmd)
	if v.linesW != 60 {
		t.Fatalf("not re-rendered: width %d", v.linesW)
	}
}

func TestWrapWordsKeepsOptionsWhole(t *testing.T) {
	got := wrapWords("re-run with --mode skip-bad and aVeryLongWordThatDoesNotFit", 14)
	want := []string{"re-run with", "--mode", "skip-bad and", "aVeryLongWordT", "hatDoesNotFit"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("%q", got)
	}
}

// Imported cells are untrusted: a hostile value in a bad row is shown as
// plain text in the report, never as escape sequences.
func TestImportReportShowsHostileCellsAsText(t *testing.T) {
	file := filepath.Join(t.TempDir(), "hostile.csv")
	os.WriteFile(file, []byte("name,email,status\nEvil\x1b[2J\x1b]8;;http://x\x07,\x1b[31mred@\u202e,active\n"), 0o600)
	a := tallApp(t, openStore(t, true))
	send(t, a, "i", file)
	await(t, a, "enter")
	mustContain(t, a, "PROBLEMS (1", "email")
	body := a.screenOnTop().View()
	for _, bad := range []string{"\x1b[2J", "\x1b]8", "\x1b[31m", "\u202e", "\x07"} {
		if strings.Contains(body, bad) {
			t.Fatalf("report contains %q", bad)
		}
	}
}

// The dry run renders its report in a Cmd, off the Update goroutine, while
// a theme change in Update rewrites the shared styles: the Cmd must render
// with a snapshot taken when it was made (under -race this test reports
// the data race otherwise), and the report it returns is in the colours of
// that moment, whole.
func TestImportReportRendersWhileTheThemeChanges(t *testing.T) {
	a := newApp(Options{StartTab: "people", Store: openStore(t, true), Actor: model.LocalActor("tester"), Width: 80, Height: 24})
	run(t, a, a.load(a.active))
	send(t, a, "i", testdata(t, "people-1000-7bad.csv"))
	_, cmd := a.Update(keyMsgs("enter")[0])
	if cmd == nil {
		t.Fatal("enter started no dry run")
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	for i := 0; msg == nil; i++ {
		select {
		case msg = <-done:
		default:
			a.setTheme(must(themes.Builtin([]string{"light", "high-contrast"}[i%2])))
		}
	}
	a.Update(msg)
	mustContain(t, a, "1000 rows: 993 new", "PROBLEMS (7, in 7 rows)")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
