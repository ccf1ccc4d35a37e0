package ui

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/jonboulle/clockwork"
	"github.com/opsdeck/opsdeck/internal/instants"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/themes"
)

// homeApp is the console on its default first screen over the demo with
// its probe checks failing.
func homeApp(t *testing.T, w, h int, opts ...func(*Options)) (*app, *store.Store) {
	t.Helper()
	clock := clockwork.NewFakeClockAt(instants.Pinned.Wall())
	s := openStoreAt(t, clock, true)
	fireDemoChecks(t, s, clock)
	o := Options{Store: s, Actor: model.LocalActor("tester"), Width: w, Height: h, NoColor: true, Clock: clock}
	for _, f := range opts {
		f(&o)
	}
	a := newApp(o)
	run(t, a, a.load(a.active))
	return a, s
}

func TestHomeIsTheFirstScreenAndPutsFiringAlertsFirst(t *testing.T) {
	a, _ := homeApp(t, 80, 24)
	if a.tab().Name() != "home" {
		t.Fatalf("opened on %s", a.tab().Name())
	}
	lines := strings.Split(screen(a), "\n")
	if !strings.HasPrefix(lines[2], "Firing, not acknowledged (4) · on call: Oscar Lindqvist") ||
		!strings.HasPrefix(lines[3], "▸ ● firing 5m   analytics-db-backup") {
		t.Fatalf("firing alerts are not on top:\n%s", screen(a))
	}
	mustContain(t, a, "Backups late or failing", "… 2 more — enter shows them (:backups)", "Findings overdue",
		"▲ high No two-step verification", "Laptops failing compliance", "✗ non-compliant LT-006",
		"Secrets overdue for rotation", "! overdue AWS root credentials", "This week", "unplanned 70%")
	// Nothing below the status bar is lost at 80×24: every section has its title.
	if n := len(lines); n != 24 {
		t.Fatalf("%d lines", n)
	}
}

func TestHomeLinesOpenTheirRecords(t *testing.T) {
	a, _ := homeApp(t, 80, 24)
	send(t, a, "enter")
	mustContain(t, a, "home › analytics-db-backup", "summary", "late: no ping")
	send(t, a, "esc")
	// Down to the late backup: a company job opens its service.
	for range 4 + 1 { // past the alerts and opsdeck's own backup
		send(t, a, "j")
	}
	if l, _ := a.tab().(Opener).Selected(); l.Kind != "service" {
		t.Fatalf("line 6 is %+v, want the late backup's service", l)
	}
	send(t, a, "enter")
	mustContain(t, a, "home › Analytics DB")
	send(t, a, "esc", "G")
	// The week's line is no record: enter shows the ledger.
	send(t, a, "enter")
	if a.tab().Name() != "ledger" {
		t.Fatalf("the week's line went to %s", a.tab().Name())
	}
}

func TestHomeFitsSmallWindowsWithMoreLines(t *testing.T) {
	a, _ := homeApp(t, 80, 20)
	s := screen(a)
	// Every section keeps its title and first line; the rest give way to a more-line.
	if !strings.Contains(s, "  … 3 more — enter shows them (:alerts)") || !strings.Contains(s, "  … 4 more — enter shows them (:backups)") {
		t.Fatalf("no more-line for the backups:\n%s", s)
	}
	for _, title := range []string{"Firing, not acknowledged", "Backups late or failing", "Findings overdue", "Laptops failing compliance", "Secrets overdue", "This week"} {
		if !strings.Contains(s, title) {
			t.Fatalf("section %q lost at 80×20:\n%s", title, s)
		}
	}
	// The more-line leads to the full list.
	for range 3 { // the first alert, the alerts' more-line, the first backup
		send(t, a, "j")
	}
	if g, ok := a.tab().(goer); !ok || g.Go() != "backups" {
		t.Fatalf("cursor is not on the backups' more-line:\n%s", screen(a))
	}
	send(t, a, "enter")
	mustContain(t, a, "home › backups", "analytics-dump", "jenkins-config")
	send(t, a, "esc", "g", "G")
	send(t, a, "enter")
	if a.tab().Name() != "ledger" {
		t.Fatalf("more went to %s", a.tab().Name())
	}
}

func TestHomeSectionsAreRegistered(t *testing.T) {
	saved := homeSections
	t.Cleanup(func() { homeSections = saved })
	registerHomeSection(homeSection{order: 15, title: "Test findings", load: func(env TabEnv) (homeData, error) {
		return homeData{Lines: []homeLine{{Domain: themes.DomainSeverity, State: "high", Text: "laptop without disk encryption", Link: link("device", 1)}}}, nil
	}})
	a, _ := homeApp(t, 120, 40)
	s := screen(a)
	fi, al, bk := strings.Index(s, "Test findings"), strings.Index(s, "Firing, not"), strings.Index(s, "Backups late")
	if fi < 0 || !(al < fi && fi < bk) {
		t.Fatalf("a registered section is not in its place (order 15):\n%s", s)
	}
	mustContain(t, a, "▲ high laptop without disk encryption")
	defer func() {
		if recover() == nil {
			t.Fatal("a section registered twice did not panic")
		}
	}()
	registerHomeSection(homeSection{order: 1, title: "Test findings"})
}

func TestStartTabAndNoMouse(t *testing.T) {
	a, _ := homeApp(t, 80, 24, func(o *Options) { o.StartTab = "devices"; o.NoMouse = true })
	if a.tab().Name() != "devices" {
		t.Fatalf("started on %s", a.tab().Name())
	}
	if m := a.View().MouseMode; m != tea.MouseModeNone {
		t.Fatalf("--no-mouse left mouse mode %v", m)
	}
	if err := CheckTab("peeple"); err == nil || !strings.Contains(err.Error(), `"peeple" is not a tab (one of home, people`) {
		t.Fatalf("CheckTab: %v", err)
	}
	b, _ := homeApp(t, 80, 24)
	if b.View().MouseMode != tea.MouseModeCellMotion {
		t.Fatal("the mouse is off by default")
	}
}

// At 200 columns the record tabs show the selected record beside the
// list; at 80 the list keeps the whole width.
func TestWideTabsShowTheSelectedRecord(t *testing.T) {
	for _, c := range []struct{ tab, key, want string }{
		{"people", "1", "Accounts ("}, {"devices", "2", "Holder"}, {"services", "3", "Owner"},
		{"alerts", "4", "Timeline"}, {"home", "0", "Timeline"},
	} {
		a, _ := homeApp(t, 200, 50)
		send(t, a, c.key)
		run(t, a, a.syncSide())
		s := screen(a)
		if !strings.Contains(s, "│") || !strings.Contains(s, c.want) {
			t.Fatalf("%s at 200×50 shows no detail pane with %q:\n%s", c.tab, c.want, s)
		}
		// Moving the cursor moves the pane to the next record.
		before := a.side.link
		send(t, a, "j")
		run(t, a, a.syncSide())
		if c.tab != "home" && a.side.link == before {
			t.Fatalf("%s: the pane did not follow the cursor", c.tab)
		}
		a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		if body := strings.Join(strings.Split(screen(a), "\n")[2:22], "\n"); strings.Contains(body, "│") {
			t.Fatalf("%s at 80×24 still splits:\n%s", c.tab, body)
		}
	}
}

// A state has one symbol and one colour on every tab: "firing" on Home
// and on the alerts tab, "HIGH" on risks and "high" criticality on services.
func TestStatesLookTheSameEverywhere(t *testing.T) {
	dark := themes.Default(true)
	a, _ := homeApp(t, 200, 50, func(o *Options) { o.NoColor = false; o.Theme = &dark })
	// The role's escape codes, then the symbol and the word.
	pre := func(role string) string { return strings.Split(a.styles.Role(role).Render("\x00"), "\x00")[0] }
	firing, high := pre(themes.RoleFiring)+"● firing", pre(themes.RoleHigh)
	for _, c := range []struct{ key, want string }{
		{"0", firing}, {"4", firing}, {"6", high + "▲ HIGH"}, {"3", high + "▲ high"},
	} {
		send(t, a, c.key)
		send(t, a, "j") // off the selected row, whose background differs
		if v := a.View().Content; !strings.Contains(v, c.want) {
			t.Fatalf("tab %s does not draw %q:\n%s", c.key, c.want, ansi.Strip(v))
		}
	}
	// Without colour the symbol and the word remain.
	n, _ := homeApp(t, 80, 24)
	send(t, n, "4")
	mustContain(t, n, "● firing")
	send(t, n, "6")
	mustContain(t, n, "▲ HIGH")
}

func TestThemeRolesAreNamedNotPerScreen(t *testing.T) {
	for _, name := range themes.Names() {
		th, err := themes.Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range themes.RoleNames() {
			if th.Roles[r] == "" {
				t.Errorf("theme %s leaves role %s to its fallback", name, r)
			}
		}
		if !slices.Contains(themes.RoleNames(), themes.RoleFiring) {
			t.Fatal("no firing role")
		}
	}
}
