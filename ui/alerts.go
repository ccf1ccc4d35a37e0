package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui/components/detail"
	"github.com/opsdeck/opsdeck/ui/components/table"
)

// alertCols: the first column numbers groups like an outline ("2", "2.1"
// for an alert caused by the root of group 2), so the default numeric sort
// keeps roots first, firing before acknowledged, children under their root.
var alertCols = []table.Column{
	{Title: "#", Min: 3, Max: 5, Numeric: true},
	{Title: "state", Min: 7, Max: 14, Domain: themes.DomainAlert},
	{Title: "age", Min: 4, Max: 5, Age: true},
	{Title: "check", Min: 12, Max: 26},
	{Title: "service", Min: 8, Max: 22, Drop: 2},
	{Title: "acked by", Min: 8, Max: 18, Drop: 3},
	{Title: "why", Min: 10, Max: 24, Drop: 1}, // takes the slack when wide
}

// alertRowsMsg delivers the alerts tab's load.
type alertRowsMsg struct {
	data  *table.Data
	ids   []int64
	empty []string // what to say when nothing is open
	err   error
}

// alertsTab lists open alerts grouped by root cause. Its actions
// (acknowledge, snooze, resolve) are forms of the shell (see opskeys.go),
// so they also work from the alert's detail page.
type alertsTab struct {
	env TabEnv
	records
	empty  []string
	loaded bool
	err    error
	loadGate
}

func init() {
	registerTab(tabDef{name: "alerts", key: "4", help: "firing and acknowledged alerts, what is watched",
		results: true, new: newAlertsTab})
}

func newAlertsTab(env TabEnv) Tab {
	t := &alertsTab{env: env, records: records{table: table.New(env.Styles, alertCols...)}}
	t.table.Faded = func(r []string) bool { return strings.HasPrefix(r[1], "caused") || strings.HasPrefix(r[1], "silenced") }
	return t
}

func (t *alertsTab) Name() string     { return "alerts" }
func (t *alertsTab) SetSize(w, h int) { t.table.SetSize(w, h) }

func (t *alertsTab) Load() tea.Cmd {
	if !t.start() {
		return nil
	}
	env, tb := t.env, t.table
	return func() tea.Msg {
		rows, ids, empty, err := loadAlertRows(env, env.now())
		if err != nil {
			return alertRowsMsg{err: err}
		}
		return alertRowsMsg{data: tb.Prepare(rows), ids: ids, empty: empty}
	}
}

// loadAlertRows reads the open alerts as table rows (in a Cmd); when none
// is open it says honestly what is being watched.
func loadAlertRows(env TabEnv, now time.Time) (rows [][]string, ids []int64, empty []string, err error) {
	groups, err := env.Store.AlertGroups(env.Ctx, now)
	if err != nil {
		return nil, nil, nil, err
	}
	svcs, err := env.Store.ListServices(env.Ctx, store.ServiceQuery{})
	if err != nil {
		return nil, nil, nil, err
	}
	svcName := map[int64]string{}
	for _, s := range svcs {
		svcName[s.ID] = s.Name
	}
	add := func(num string, a model.Alert, indent string) {
		svc := "-"
		switch {
		case a.ServiceID != nil:
			svc = svcName[*a.ServiceID]
		case a.DeviceID != nil: // a host check: name the device it watches
			if d, err := env.Store.GetDevice(env.Ctx, *a.DeviceID); err == nil {
				svc = "device " + d.Name
			}
		}
		rows = append(rows, []string{num, alertState(a, now), model.Span(now.Sub(a.OpenedAt)), indent + a.CheckName,
			svc, dash(a.AckedBy), alertWhy(a, now)})
		ids = append(ids, a.ID)
	}
	for i, g := range groups {
		add(fmt.Sprint(i+1), g.Root, "")
		w := len(fmt.Sprint(len(g.Caused)))
		for j, c := range g.Caused {
			add(fmt.Sprintf("%d.%0*d", i+1, w, j+1), c, "└ ")
		}
	}
	if len(rows) == 0 {
		empty, err = watchedSummary(env)
	}
	return rows, ids, empty, err
}

// alertState is the state column: what the alert is doing right now.
func alertState(a model.Alert, now time.Time) string {
	s := a.State
	switch {
	case a.CausedByDeviceID != nil:
		s = "caused"
	case a.SilenceID != nil:
		s = "silenced"
	case a.SnoozedUntil != nil && now.Before(*a.SnoozedUntil):
		s = "snoozed"
	case a.State == "acknowledged":
		s = "acked"
	}
	if a.Flapping {
		s += " ~flap"
	}
	return s
}

// alertWhy is the summary, prefixed by why the alert is quiet if it is.
func alertWhy(a model.Alert, now time.Time) string {
	why := firstLine(a.Summary)
	switch {
	case a.CausedByDeviceID != nil:
		why = "caused by " + a.CausedBy + " · " + why
	case a.SnoozedUntil != nil && now.Before(*a.SnoozedUntil):
		why = "snoozed until " + atClock(*a.SnoozedUntil, now) + ": " + a.SnoozeReason + " · " + why
	case a.State == "acknowledged" && a.AckReason != "":
		why = a.AckReason + " · " + why
	}
	return why
}

// atClock is a local time of day, with the date when it is not today.
func atClock(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	if t.YearDay() == now.YearDay() && t.Year() == now.Year() {
		return t.Format("15:04")
	}
	return t.Format("Jan 2 15:04")
}

// watchedSummary is the empty state: how many checks there are and how
// they fare, so "no alerts" never hides "nothing is watched".
func watchedSummary(env TabEnv) ([]string, error) {
	cs, err := env.Store.ListChecks(env.Ctx, store.CheckQuery{})
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return []string{
			"No alerts — and no checks configured yet, so nothing is being watched.",
			"",
			"  opsdeck checks add --name web --kind http --service NAME --target URL",
			"  or open a service (3, enter) and press c to add a check there",
		}, nil
	}
	states, err := env.Store.CheckStates(env.Ctx)
	if err != nil {
		return nil, err
	}
	n := map[string]int{}
	for _, c := range cs {
		switch st := states[c.ID].Status; {
		case c.Paused:
			n["paused"]++
		case st == "up":
			n["passing"]++
		case st == "" || st == "pending":
			n["not run yet"]++
		default:
			n["failing (not yet alerting)"]++
		}
	}
	line := fmt.Sprintf("No open alerts — %s", plural(len(cs), "check"))
	if n["passing"] == len(cs) {
		line += ", all passing."
	} else {
		var parts []string
		for _, k := range []string{"passing", "failing (not yet alerting)", "not run yet", "paused"} {
			if n[k] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n[k], k))
			}
		}
		line += ": " + strings.Join(parts, ", ") + "."
	}
	return []string{line, "", "  opsdeck alerts list --state resolved    past alerts",
		"  services tab (3) → a service → its checks: add, edit, pause, run now"}, nil
}

func (t *alertsTab) Update(msg tea.Msg) (Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case alertRowsMsg:
		next := t.done(t.Load)
		t.err = msg.err
		if msg.err != nil {
			return t, next
		}
		t.empty, t.loaded = msg.empty, true
		t.replace(msg.ids, nil, msg.data)
		return t, next
	}
	cmd, _ := t.update(msg)
	return t, cmd
}

func (t *alertsTab) View() string {
	return t.view(t.env.Styles, "alerts", t.err, t.loaded, t.empty)
}

func (t *alertsTab) Selected() (detail.Link, bool) {
	id, ok := t.selectedID()
	return detail.Link{Kind: "alert", ID: id}, ok
}
