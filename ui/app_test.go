package ui

import (
	"context"
	"image/color"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/jonboulle/clockwork"
	"github.com/opsdeck/opsdeck/demo"
	"github.com/opsdeck/opsdeck/internal/clockenv"
	"github.com/opsdeck/opsdeck/internal/instants"
	"github.com/opsdeck/opsdeck/internal/testenv/storetest"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/themes"
)

// These tests drive the root model directly: Update with real key
// messages, Cmds executed synchronously against a real SQLite file, and
// assertions on the plain text of View.

// Its clock starts at the matrix's pinned instant and runs in real time,
// so no test here depends on today's date.
func openStore(t *testing.T, withDemo bool) *store.Store {
	t.Helper()
	return openStoreAt(t, clockenv.Shifted(clockwork.NewRealClock(), instants.Pinned.Wall(), time.Now(), 1), withDemo)
}

// openStoreAt is openStore on clock (nil: the real one); the demo is
// built relative to it.
func openStoreAt(t *testing.T, clock clockwork.Clock, withDemo bool) *store.Store {
	t.Helper()
	if withDemo {
		return storetest.Open(t, clock, demo.Load)
	}
	return storetest.Open(t, clock)
}

// testApp is an 80×24 console on s whose first tab has loaded.
func testApp(t *testing.T, s *store.Store) *app { t.Helper(); return sizedApp(t, s, 80, 24) }

// sizedApp is a w×h console on s, without colour, as the local user
// "tester", whose first tab has loaded.
func sizedApp(t *testing.T, s *store.Store, w, h int) *app {
	t.Helper()
	a := newApp(Options{StartTab: "people", Store: s, Actor: model.LocalActor("tester"), Width: w, Height: h, NoColor: true})
	run(t, a, a.load(a.active))
	return a
}

// run executes cmd and feeds its messages back into a, recursively. Cmds
// that do not return promptly (ticks) are dropped.
func run(t *testing.T, a *app, cmd tea.Cmd) {
	t.Helper()
	if cmd == nil {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(3 * time.Second):
		return
	}
	switch msg := msg.(type) {
	case nil, tea.QuitMsg:
	case tea.BatchMsg:
		for _, c := range msg {
			run(t, a, c)
		}
	default:
		_, next := a.Update(msg)
		run(t, a, next)
	}
}

// send presses keys: named keys ("enter", "esc", "tab", "ctrl+s", ...) or
// text typed character by character.
func send(t *testing.T, a *app, keys ...string) {
	t.Helper()
	for _, k := range keys {
		for _, msg := range keyMsgs(k) {
			_, cmd := a.Update(msg)
			run(t, a, cmd)
		}
	}
}

func keyMsgs(k string) []tea.Msg {
	named := map[string]tea.KeyPressMsg{
		"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "tab": {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift}, "up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown},
		"backspace": {Code: tea.KeyBackspace}, "ctrl+s": {Code: 's', Mod: tea.ModCtrl},
		"ctrl+t": {Code: 't', Mod: tea.ModCtrl}, "ctrl+c": {Code: 'c', Mod: tea.ModCtrl},
		"left": {Code: tea.KeyLeft}, "right": {Code: tea.KeyRight}, "space": {Code: tea.KeySpace, Text: " "},
	}
	if m, ok := named[k]; ok {
		return []tea.Msg{m}
	}
	var out []tea.Msg
	for _, r := range k {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

// screen is the plain text of the current frame.
func screen(a *app) string { return ansi.Strip(a.View().Content) }

func mustContain(t *testing.T, a *app, want ...string) {
	t.Helper()
	s := screen(a)
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Fatalf("screen lacks %q:\n%s", w, s)
		}
	}
}

func mustNotContain(t *testing.T, a *app, bad ...string) {
	t.Helper()
	s := screen(a)
	for _, w := range bad {
		if strings.Contains(s, w) {
			t.Fatalf("screen shows %q:\n%s", w, s)
		}
	}
}

func TestEmptyDatabaseSaysHowToBegin(t *testing.T) {
	a := testApp(t, openStore(t, false))
	mustContain(t, a, "opsdeck demo", "opsdeck import people FILE", "add the first person", "people 0")
	send(t, a, "4")
	mustContain(t, a, "no checks configured yet", "opsdeck checks add")
	send(t, a, "a")
	mustContain(t, a, "no alert selected")
	send(t, a, "5")
	mustContain(t, a, "No ledger entries yet", "opsdeck ledger add") // the ledger tab (ledgertab.go)
}

func TestTabsByNumberTabKeyAndCommand(t *testing.T) {
	a := testApp(t, openStore(t, true))
	mustContain(t, a, "Kristen Park", "people 20", "1 of 20")
	send(t, a, "2")
	mustContain(t, a, "kristen-laptop", "devices ")
	send(t, a, "tab")
	mustContain(t, a, "GitHub", "services ")
	send(t, a, "shift+tab", "shift+tab")
	if a.tab().Name() != "people" {
		t.Fatalf("shift+tab twice from services: on %s", a.tab().Name())
	}
	send(t, a, ":", "serv", "enter")
	if a.tab().Name() != "services" {
		t.Fatalf(":serv went to %s", a.tab().Name())
	}
	send(t, a, ":", "nope", "enter")
	mustContain(t, a, `unknown command "nope"`)
}

func TestColonDevKristenJumpsAndFilters(t *testing.T) {
	a := testApp(t, openStore(t, true))
	send(t, a, ":", "dev kristen", "enter")
	if a.tab().Name() != "devices" {
		t.Fatalf("on %s", a.tab().Name())
	}
	mustContain(t, a, "kristen-laptop", "/kristen")
	mustNotContain(t, a, "tammy-laptop")
	shown, total := a.tab().Counts()
	if shown < 1 || shown >= total {
		t.Fatalf("counts %d/%d", shown, total)
	}
}

func TestCommandHistoryAndCompletion(t *testing.T) {
	a := testApp(t, openStore(t, true))
	send(t, a, ":", "dev", "tab")
	if got := a.cmdline.Value(); got != "devices " {
		t.Fatalf("tab completed to %q", got)
	}
	send(t, a, "enter", ":", "peo", "enter", ":", "up", "up")
	if got := a.cmdline.Value(); got != "devices" {
		t.Fatalf("two steps back in history: %q", got)
	}
	send(t, a, "down")
	if got := a.cmdline.Value(); got != "peo" {
		t.Fatalf("one step forward: %q", got)
	}
	send(t, a, "esc")
}

func TestFilterFuzzyToggleAndEsc(t *testing.T) {
	a := testApp(t, openStore(t, true))
	send(t, a, "/", "krstn")
	mustContain(t, a, "Kristen Park", "FILTER", "fuzzy")
	mustNotContain(t, a, "Tammy Reyes")
	send(t, a, "ctrl+t")
	mustContain(t, a, "substring", `no people match "krstn"`)
	send(t, a, "ctrl+t", "enter")
	mustContain(t, a, "Kristen Park", "/krstn", "people 1/20")
	send(t, a, "esc")
	mustContain(t, a, "Tammy Reyes", "people 20")
}

func TestSortColumns(t *testing.T) {
	a := testApp(t, openStore(t, true))
	mustContain(t, a, "NAME ▲")
	send(t, a, "s")
	mustContain(t, a, "EMAIL ▲")
	send(t, a, "S")
	mustContain(t, a, "EMAIL ▼")
	// Descending by email: tammy@ sorts before ahmed@.
	s := screen(a)
	if strings.Index(s, "tammy@") > strings.Index(s, "ahmed@") {
		t.Fatalf("not descending:\n%s", s)
	}
}

func TestDetailLinksAndBreadcrumb(t *testing.T) {
	a := testApp(t, openStore(t, true))
	send(t, a, "/", "kristen", "enter", "enter")
	mustContain(t, a, "people › Kristen Park", "Accounts (", "Devices held (1)", "kristen-laptop")
	send(t, a, "enter") // first link: her manager
	mustContain(t, a, "people › Kristen Park › Dave Kim", "Accounts (")
	send(t, a, "esc")
	mustContain(t, a, "people › Kristen Park")
	mustNotContain(t, a, "› Dave Kim")
	send(t, a, "esc")
	mustContain(t, a, "NAME ▲")
}

func TestServiceDetailListsAdminsFirst(t *testing.T) {
	a := testApp(t, openStore(t, true))
	send(t, a, ":", "services github", "enter", "enter")
	mustContain(t, a, "services › GitHub", "Accounts (")
	s := screen(a)
	first := strings.Index(s, "admin ")
	member := strings.Index(s, "member ")
	if first < 0 || member < 0 || first > member {
		t.Fatalf("admins not first:\n%s", s)
	}
}

func TestAddPersonShowsErrorsNextToField(t *testing.T) {
	s := openStore(t, true)
	a := testApp(t, s)
	send(t, a, "a")
	mustContain(t, a, "Add a person", "EDIT")
	send(t, a, "Zed Test", "tab", "not-an-email", "ctrl+s")
	lines := strings.Split(screen(a), "\n")
	at := -1
	for i, l := range lines {
		if strings.Contains(l, "email") && strings.Contains(l, "not-an-email") && !strings.Contains(l, "✗") {
			at = i
		}
	}
	if at < 0 || !strings.Contains(lines[at+1], `✗ email: "not-an-email" is not a valid email`) {
		t.Fatalf("error not under the email field:\n%s", screen(a))
	}
	// An error only the store can find (a duplicate) shows there too.
	for range "not-an-email" {
		send(t, a, "backspace")
	}
	send(t, a, "bill@example.com", "ctrl+s")
	mustContain(t, a, `✗ email: "bill@example.com" already belongs to Bill Carter`)
	for range "bill@example.com" {
		send(t, a, "backspace")
	}
	send(t, a, "zed@example.com", "tab", "Tester", "tab", "tab", "dave@example.com", "ctrl+s")
	mustContain(t, a, "added person Zed Test", "people 21")
	p, err := s.FindPerson(context.Background(), "zed@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "Tester" || p.ManagerID == nil {
		t.Fatalf("saved %+v", p)
	}
	au, err := s.ListAudit(context.Background(), store.AuditQuery{Entity: "person", EntityID: p.ID})
	if err != nil || len(au) != 1 || au[0].Actor != "local:tester" {
		t.Fatalf("audit %+v %v", au, err)
	}
}

func TestEditPersonUnknownManagerInline(t *testing.T) {
	a := testApp(t, openStore(t, true))
	send(t, a, "/", "kristen", "enter", "e")
	mustContain(t, a, "Edit Kristen Park", "dave@example.com")
	send(t, a, "tab", "tab", "tab", "tab")
	for range "dave@example.com" {
		send(t, a, "backspace")
	}
	send(t, a, "nobody-at-all", "ctrl+s")
	mustContain(t, a, `✗ manager: "nobody-at-all"`)
	send(t, a, "esc")
	mustContain(t, a, "NORMAL")
}

func TestDeactivateShowsPreviewAndConfirms(t *testing.T) {
	s := openStore(t, true)
	a := testApp(t, s)
	send(t, a, "/", "kristen", "enter", "d")
	mustContain(t, a, "Deactivate person Kristen Park", "status: active → departed", "end_date", "y confirm")
	send(t, a, "n")
	mustContain(t, a, "nothing changed")
	if p, _ := s.FindPerson(context.Background(), "kristen@example.com"); p.Status != "active" {
		t.Fatalf("cancel changed status to %s", p.Status)
	}
	au, _ := s.ListAudit(context.Background(), store.AuditQuery{Entity: "person"})
	before := len(au)
	send(t, a, "d", "y")
	if p, _ := s.FindPerson(context.Background(), "kristen@example.com"); p.Status != "departed" {
		t.Fatalf("status %s after confirming", p.Status)
	}
	au, _ = s.ListAudit(context.Background(), store.AuditQuery{Entity: "person"})
	if len(au) != before+1 {
		t.Fatalf("audit rows %d → %d (the preview must not write)", before, len(au))
	}
}

func TestViewerCannotEdit(t *testing.T) {
	s := openStore(t, true)
	a := newApp(Options{StartTab: "people", Store: s, Actor: model.Actor{Kind: "ssh", Name: "kristen@example.com", Role: "viewer"}, Width: 80, Height: 24})
	run(t, a, a.load(a.active))
	send(t, a, "a")
	mustContain(t, a, "cannot change anything")
	send(t, a, "d")
	mustContain(t, a, "cannot change anything")
}

func TestHelpIsGeneratedFromBindings(t *testing.T) {
	a := testApp(t, openStore(t, true))
	send(t, a, "?")
	mustContain(t, a, "filter as you type", "sort by next column", "reverse sort", "deactivate", ":dev kristen", "HELP")
	send(t, a, "x")
	mustContain(t, a, "NORMAL")
}

func TestTooSmallAndZeroSize(t *testing.T) {
	a := testApp(t, openStore(t, true))
	for _, sz := range [][2]int{{30, 8}, {80, 5}, {1, 1}, {0, 0}, {0, 24}, {80, 0}} {
		a.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		v := screen(a)
		if sz[0] == 0 || sz[1] == 0 {
			if v != "" {
				t.Fatalf("%v: drew %q", sz, v)
			}
			continue
		}
		if sz[0] >= 20 && !strings.Contains(strings.ReplaceAll(v, "\n", " "), "too small") {
			t.Fatalf("%v: %q", sz, v)
		}
		if n := strings.Count(v, "\n") + 1; n > sz[1] {
			t.Fatalf("%v: %d lines", sz, n)
		}
		send(t, a, "j", "/", "x", "esc", "2", "enter")
	}
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if n := strings.Count(screen(a), "\n") + 1; n != 24 {
		t.Fatalf("80×24 frame has %d lines", n)
	}
}

func TestFramesFitEverySize(t *testing.T) {
	a := testApp(t, openStore(t, true))
	for _, sz := range [][2]int{{50, 10}, {80, 24}, {120, 40}, {200, 50}} {
		a.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		for _, tab := range []string{"1", "2", "3", "4", "5"} {
			send(t, a, tab)
			lines := strings.Split(a.View().Content, "\n")
			if len(lines) != sz[1] {
				t.Fatalf("%v tab %s: %d lines", sz, tab, len(lines))
			}
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > sz[0] {
					t.Fatalf("%v tab %s: line %d wide: %q", sz, tab, w, ansi.Strip(l))
				}
			}
		}
	}
}

func TestChangesByAnotherProcessAppear(t *testing.T) {
	s := openStore(t, true)
	a := testApp(t, s)
	run(t, a, a.poll()) // first mark: the baseline
	other, err := store.Open(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	err = other.Write(context.Background(), model.LocalActor("cli"), func(tx *store.Tx) error {
		return tx.AddPerson(&model.Person{Name: "Aaron Newcomer", Email: "aaron@example.com"})
	})
	if err != nil {
		t.Fatal(err)
	}
	mustNotContain(t, a, "Aaron Newcomer")
	run(t, a, a.poll())
	mustContain(t, a, "Aaron Newcomer", "people 21", "live")
}

func TestHostileNameRendersAsPlainText(t *testing.T) {
	s := openStore(t, true)
	hostile := "\x1b]0;pwned\x07\x1b[2J\x1b[31mMallory\u202e\u200bEvil\x9b31m\r\nX"
	err := s.Write(context.Background(), model.LocalActor("cli"), func(tx *store.Tx) error {
		return tx.AddPerson(&model.Person{Name: hostile, Email: "mallory@example.com"})
	})
	if err != nil {
		t.Fatal(err)
	}
	a := testApp(t, s)
	send(t, a, "/", "mallory", "enter")
	raw := a.View().Content
	for _, bad := range []string{"pwned", "\x1b[2J", "\x1b[31m", "\u202e", "\u200b", "\x9b", "\r"} {
		if strings.Contains(raw, bad) {
			t.Fatalf("frame contains %q", bad)
		}
	}
	mustContain(t, a, "MalloryEvil")
	send(t, a, "enter")
	mustContain(t, a, "MalloryEvil")
}

func TestThemeFollowsTerminalBackground(t *testing.T) {
	s := openStore(t, true)
	a := newApp(Options{StartTab: "people", Store: s, Actor: model.LocalActor("tester"), Width: 80, Height: 24})
	a.Update(tea.BackgroundColorMsg{Color: color.White})
	if a.styles.Theme.Name != "light" {
		t.Fatalf("white background gave %q", a.styles.Theme.Name)
	}
	a.Update(tea.BackgroundColorMsg{Color: color.Black})
	if a.styles.Theme.Name != "dark" {
		t.Fatalf("black background gave %q", a.styles.Theme.Name)
	}
	hc, _ := themes.Builtin("high-contrast")
	b := newApp(Options{StartTab: "people", Store: s, Actor: model.LocalActor("tester"), Width: 80, Height: 24, Theme: &hc})
	b.Update(tea.BackgroundColorMsg{Color: color.White})
	if b.styles.Theme.Name != "high-contrast" {
		t.Fatalf("--theme was overridden by the background: %q", b.styles.Theme.Name)
	}
	run(t, b, b.load(b.active))
	send(t, b, ":", "theme light", "enter")
	if b.styles.Theme.Name != "light" {
		t.Fatalf(":theme light gave %q", b.styles.Theme.Name)
	}
	n := newApp(Options{StartTab: "people", Store: s, Actor: model.LocalActor("tester"), Width: 80, Height: 24, NoColor: true})
	run(t, n, n.load(n.active))
	if v := n.View().Content; strings.Contains(v, "38;2;") || strings.Contains(v, "48;2;") {
		t.Fatal("NO_COLOR frame has colours")
	}
}

func TestMouseWheelClickAndTabBar(t *testing.T) {
	a := testApp(t, openStore(t, true))
	a.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	lt := a.tab().(*listTab)
	if lt.table.Cursor() != 3 {
		t.Fatalf("wheel moved the cursor to %d", lt.table.Cursor())
	}
	_, cmd := a.Update(tea.MouseClickMsg{Button: tea.MouseLeft, X: 2, Y: 3 + 5})
	run(t, a, cmd)
	if lt.table.Cursor() != 5 {
		t.Fatalf("click selected %d", lt.table.Cursor())
	}
	_, cmd = a.Update(tea.MouseClickMsg{Button: tea.MouseLeft, X: 2, Y: 3 + 5})
	run(t, a, cmd)
	mustContain(t, a, "people › ", "Accounts (")
	devicesX := strings.Index(ansi.Strip(a.tabBar()), " 2 ") + 1
	_, cmd = a.Update(tea.MouseClickMsg{Button: tea.MouseLeft, X: devicesX, Y: 0})
	run(t, a, cmd)
	if a.tab().Name() != "devices" {
		t.Fatalf("clicking the tab bar went to %s", a.tab().Name())
	}
}

func TestReloadsDoNotPileUp(t *testing.T) {
	a := testApp(t, openStore(t, true))
	lt := a.tab().(*listTab)
	first := lt.Load()
	if first == nil {
		t.Fatal("no load started")
	}
	if lt.Load() != nil {
		t.Fatal("a second load started while one was running")
	}
	_, next := lt.Update(first())
	if next == nil {
		t.Fatal("the change seen during the load was not reloaded")
	}
	lt.Update(next())
	if lt.busy || lt.again {
		t.Fatalf("busy=%v again=%v after the loads finished", lt.busy, lt.again)
	}
}

// clockworkAt is a clock standing still at at.
func clockworkAt(at time.Time) *clockwork.FakeClock { return clockwork.NewFakeClockAt(at) }
