package ui

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui/components/detail"
	"github.com/opsdeck/opsdeck/ui/components/quickentry"
)

// The ledger tab and quick entry, driven through the root model on real
// SQLite files (see app_test.go for the helpers).

func mustFitScreen(t *testing.T, a *app) {
	t.Helper()
	lines := strings.Split(screen(a), "\n")
	if len(lines) != a.height {
		t.Fatalf("%d lines on a %d-line screen", len(lines), a.height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > a.width {
			t.Fatalf("line %d is %d wide on a %d-wide screen: %q", i, w, a.width, l)
		}
	}
}

func TestLedgerTabOnDemoAt80x24(t *testing.T) {
	a := testApp(t, openStore(t, true))
	send(t, a, "5")
	mustContain(t, a, "this week", "planned", "unplanned", "last 12 weeks", "50 % toil line", " 50%╌",
		"share", "this", "top toil, 12 wk:", "START ▼", "CATEGORY", "ledger ")
	mustFitScreen(t, a)
	// The demo's unplanned share climbs past half: both sides of the
	// line are in the chart's share row.
	var shareRow string
	for _, l := range strings.Split(screen(a), "\n") {
		if strings.HasPrefix(l, "share") {
			shareRow = l
		}
	}
	below, above := false, false
	for _, f := range strings.Fields(strings.TrimPrefix(shareRow, "share")) {
		if n, err := strconv.Atoi(strings.TrimSuffix(f, "%")); err == nil {
			below, above = below || n < 50, above || n >= 50
		}
	}
	if !below || !above {
		t.Fatalf("share row %q does not cross 50 %%", shareRow)
	}
	// v swaps the entries for the ranked sources, and back.
	send(t, a, "v")
	mustContain(t, a, "biggest sources of unplanned hours", "CATEGORY", "DEVICE", "SERVICE", "REQUESTER", "production incident")
	mustFitScreen(t, a)
	send(t, a, "v")
	mustContain(t, a, "START ▼")
	// The table filters like the inventory tabs.
	send(t, a, "/", "laptop support", "enter")
	mustContain(t, a, "/laptop support")
	mustNotContain(t, a, "access request ")
}

func TestLedgerTabAt200x50ShowsSourcesBesideTheChart(t *testing.T) {
	a := testApp(t, openStore(t, true))
	a.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	send(t, a, "5")
	mustContain(t, a, "biggest sources of unplanned hours", "REQUESTER", "last 12 weeks", "NOTE", "KIND")
	mustNotContain(t, a, "top toil") // the sources are on screen already
	mustFitScreen(t, a)
}

func TestLedgerTabKeepsFilterAndSortAcrossWidths(t *testing.T) {
	a := testApp(t, openStore(t, true))
	send(t, a, "5", "/", "nina", "enter", "S")
	mustContain(t, a, "AWS, for Nina Petr…", "/nina", "START ▲")
	a.Update(tea.WindowSizeMsg{Width: 200, Height: 50}) // wide: the link grows
	mustContain(t, a, "AWS, for Nina Petrova", "/nina", "START ▲")
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	mustContain(t, a, "AWS, for Nina Petr…", "/nina", "START ▲")
	mustFitScreen(t, a)
}

func TestLedgerTabEmptySaysHowToBegin(t *testing.T) {
	a := testApp(t, openStore(t, false))
	send(t, a, "5")
	mustContain(t, a, "No ledger entries yet", "L ", "opsdeck ledger add", "opsdeck ledger start", "opsdeck demo")
	mustFitScreen(t, a)
}

// deviceID finds a demo device by tag.
func deviceID(t *testing.T, s *store.Store, tag string) model.Device {
	t.Helper()
	d, err := s.FindDevice(context.Background(), tag)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestQuickEntryFromDeviceRowInterruptsAndStopResumes(t *testing.T) {
	s := openStore(t, true)
	a := testApp(t, s)
	ctx := context.Background()
	actor := a.env.Actor
	if err := s.Write(ctx, actor, func(tx *store.Tx) error {
		_, err := tx.StartEntry(&model.WorkEntry{Kind: "planned", Category: "project", Note: "backup automation"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	run(t, a, ledgerOf(a).Reload())
	mustContain(t, a, "● project 0:")

	send(t, a, "2", "/", "LT-015", "enter", "L")
	mustContain(t, a, "log work", "UNPLANNED", "link: device LT-015 tom-laptop · for Tom O'Brien", "laptop support", "LOG")
	mustFitScreen(t, a)
	send(t, a, "wifi drops", "enter")
	if a.mode != modeNormal {
		t.Fatalf("panel still open: %s", screen(a))
	}
	mustContain(t, a, "started unplanned laptop support (LT-015, for Tom O'Brien); paused project", "● laptop support 0:")

	lt := deviceID(t, s, "LT-015")
	run1, err := s.RunningEntry(ctx, actor.String())
	if err != nil || run1 == nil {
		t.Fatalf("running: %v %v", run1, err)
	}
	if run1.Kind != "unplanned" || run1.Category != "laptop support" || run1.Note != "wifi drops" ||
		run1.DeviceID == nil || *run1.DeviceID != lt.ID || run1.PersonID == nil || *run1.PersonID != *lt.HolderID || run1.InterruptsID == nil {
		t.Fatalf("entry %+v", run1)
	}

	send(t, a, "X")
	mustContain(t, a, "stopped unplanned laptop support after 0s; resumed planned project", "● project 0:")
	back, err := s.RunningEntry(ctx, actor.String())
	if err != nil || back == nil || back.Category != "project" {
		t.Fatalf("after stop running %+v %v", back, err)
	}
	send(t, a, "X", "X")
	mustContain(t, a, "no timer is running (L starts one)")
	mustNotContain(t, a, "● ")
}

func TestQuickEntryRetroactiveFromPersonRowAndInlineErrors(t *testing.T) {
	s := openStore(t, true)
	a := testApp(t, s)
	send(t, a, "/", "Kristen", "enter", "L")
	mustContain(t, a, "link: for Kristen Park", "access request")
	// A bad duration is caught before any write; an unknown category by
	// the store; both show in the panel, which stays open.
	send(t, a, "GitHub access", "tab", "abc", "enter")
	mustContain(t, a, `✗ time: "abc" is not a duration`)
	send(t, a, "shift+tab", "shift+tab")
	for range len("access request") {
		send(t, a, "backspace")
	}
	send(t, a, "nope", "tab", "tab", "backspace", "backspace", "backspace", "20m", "enter")
	mustContain(t, a, "no such category", "✗ category:")
	if a.mode != modePanel {
		t.Fatal("the panel closed on an error")
	}
	for range len("nope") {
		send(t, a, "backspace")
	}
	send(t, a, "acc", "tab") // completes to "access request"
	if got := ledgerOf(a).panel.Value(quickentry.FieldCategory); got != "access request" {
		t.Fatalf("completed to %q", got)
	}
	send(t, a, "enter")
	mustContain(t, a, "logged 20m of unplanned access request (for Kristen Park)")
	es, err := s.LedgerEntries(context.Background(), store.LedgerQuery{From: s.Now().Add(-time.Hour), Actor: a.env.Actor.String()})
	if err != nil || len(es) != 1 {
		t.Fatalf("entries %v %v", es, err)
	}
	if e := es[0]; e.Minutes != 20 || e.Status != "stopped" || e.PersonName != "Kristen Park" || e.Note != "GitHub access" {
		t.Fatalf("entry %+v", e)
	}
	// The ledger tab shows it.
	send(t, a, "5")
	mustContain(t, a, "access request", "for Kristen Park")
}

func TestQuickEntryEscChangesNothingAndViewerCannotLog(t *testing.T) {
	s := openStore(t, true)
	a := testApp(t, s)
	send(t, a, "L", "x", "esc")
	mustContain(t, a, "nothing logged", "NORMAL")
	v := newApp(Options{StartTab: "people", Store: s, Actor: model.Actor{Kind: "ssh", Name: "val", Role: "viewer"}, Width: 80, Height: 24, NoColor: true})
	run(t, v, v.load(v.active))
	send(t, v, "L")
	mustContain(t, v, "your role (viewer) cannot log work")
	send(t, v, "X")
	mustContain(t, v, "your role (viewer) cannot log work")
}

func TestWeekChartFitsAndDrawsTheToilLine(t *testing.T) {
	st := themes.NewStyles(themes.Mono())
	weeks := make([]model.Bucket, model.TrendWeeks)
	for i := range weeks {
		u := time.Duration(i*3) * time.Hour
		weeks[i] = model.Bucket{Start: "2026-09-07", Totals: model.Totals{Planned: model.Hours(40*time.Hour - u), Unplanned: model.Hours(u)}}
		weeks[i].Share = float64(u) / float64(40*time.Hour)
	}
	weeks[0] = model.Bucket{Start: "2026-09-07"} // nothing logged
	for _, size := range [][2]int{{80, 9}, {200, 15}, {50, 6}, {50, 3}} {
		out := weekChart(&st, weeks, chartWidth(size[0]), size[1])
		lines := strings.Split(ansi.Strip(out), "\n")
		if len(lines) > size[1] {
			t.Fatalf("%v: %d lines", size, len(lines))
		}
		for _, l := range lines {
			if ansi.StringWidth(l) > size[0] {
				t.Fatalf("%v: line too wide %q", size, l)
			}
		}
		if size[1] >= 6 && !strings.Contains(ansi.Strip(out), " 50%╌") {
			t.Fatalf("%v: no toil line:\n%s", size, ansi.Strip(out))
		}
	}
}

// Offboarding steps are logged the same way: L on a leaver's checklist
// links the entry to them as offboarding work.
func TestQuickEntryFromOffboardingChecklist(t *testing.T) {
	s := openStore(t, true)
	a := testApp(t, s)
	bill, err := s.FindPerson(context.Background(), "bill@example.com")
	if err != nil {
		t.Fatal(err)
	}
	m := prefillQuick(a.env, detail.Link{Kind: "offboarding", ID: bill.ID})
	if m.err != nil || m.pre.Category != "offboarding" || m.pre.Link != "offboarding of Bill Carter" || m.links.person == nil {
		t.Fatalf("prefill from a checklist: %+v", m)
	}
}
