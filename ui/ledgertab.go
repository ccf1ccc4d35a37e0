package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/ui/components/table"
)

// The ledger tab: this week's totals, the 12-week trend of planned vs
// unplanned hours with the 50 % toil line, the biggest sources of
// unplanned hours, and this week's entries in a table that filters and
// sorts like the inventory tabs. It replaces the shell's placeholder.

// Panes that take the lower part of the tab; v cycles through those that
// are not already on screen.
const (
	paneEntries = iota
	paneSources
	paneWeeks
)

// ledgerData is one load of the tab, built in a Cmd.
type ledgerData struct {
	week  model.LedgerReport // the 12 weeks ending with this one
	empty bool               // nothing logged in the whole trend
	// rows for the table that was active when the load began, spare for
	// the other width's (wide says which is which).
	rows, spare *table.Data
	wide        bool
}

type ledgerMsg struct {
	d   *ledgerData
	err error
}

type ledgerTab struct {
	env   TabEnv
	table table.Model
	// spare is the table for the other width class: wide screens let the
	// link and note columns grow. Filter, sort and cursor move across.
	spare  table.Model
	wide   bool
	d      *ledgerData
	err    error
	pane   int
	w, h   int
	keys   ledgerTabKeys
	layout ledgerLayout
	cache  struct {
		key ledgerCacheKey
		top string
	}
	loadGate
}

type ledgerCacheKey struct {
	d          *ledgerData
	w, h, pane int
	theme      string
}

type ledgerTabKeys struct {
	table.KeyMap
	Pane key.Binding
}

func (k ledgerTabKeys) FullHelp() [][]key.Binding {
	return append(k.KeyMap.FullHelp(), []key.Binding{k.Pane})
}

// ledgerLayout is where the sections go for the current size.
type ledgerLayout struct {
	summary     int  // lines of summary on top
	chart       int  // height of the chart on top (0: not on top)
	sourcesSide bool // sources beside the chart
	lower       int  // height of the lower pane
}

// ledgerCols fit 80 columns without the kind (planned rows are faded).
var ledgerCols = []table.Column{
	{Title: "start", Min: 11, Max: 11},
	{Title: "end", Min: 6, Max: 6},
	{Title: "time", Min: 5, Max: 6, Age: true},
	{Title: "kind", Min: 9, Max: 9, Drop: 3},
	{Title: "category", Min: 10, Max: 19},
	{Title: "link", Min: 10, Max: 19, Drop: 2},
	{Title: "note", Min: 10, Max: 14, Drop: 1},
}

// wideLedgerCols are for screens of wideFrom columns and more.
var wideLedgerCols = func() []table.Column {
	cols := slices.Clone(ledgerCols)
	cols[5].Max, cols[6].Max = 40, 80
	return cols
}()

const wideFrom = 120

func init() {
	registerTab(tabDef{name: "ledger", key: "5", help: "where the time goes: entries, sources, weeks",
		new: func(env TabEnv) Tab { return newLedgerTab(env) }})
}

func newLedgerTab(env TabEnv) *ledgerTab {
	t := &ledgerTab{env: env, table: newLedgerTable(env, ledgerCols), spare: newLedgerTable(env, wideLedgerCols)}
	t.keys = ledgerTabKeys{KeyMap: t.table.Keys,
		Pane: key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "entries ⇄ sources ⇄ weeks"))}
	return t
}

func newLedgerTable(env TabEnv, cols []table.Column) table.Model {
	tb := table.New(env.Styles, cols...)
	tb.Faded = func(r []string) bool { return r[3] == "planned" }
	tb.SortBy(0, true) // newest first
	return tb
}

// swap makes the spare table the active one, with the same filter, sort
// and selected entry.
func (t *ledgerTab) swap() {
	q, fz := t.table.Query(), t.table.Fuzzy()
	col, desc := t.table.SortColumn()
	sel := t.table.Selected()
	t.table, t.spare = t.spare, t.table
	t.wide = !t.wide
	t.table.SortBy(col, desc)
	t.table.SetFilter(q, fz)
	t.table.Select(sel)
}

func (t *ledgerTab) Name() string { return "ledger" }

func (t *ledgerTab) SetSize(w, h int) {
	t.w, t.h = w, h
	t.layout = ledgerLayoutFor(w, h)
	t.fixPane()
	if (w >= wideFrom) != t.wide {
		t.swap()
	}
	t.table.SetSize(w, t.layout.lower)
}

// ledgerLayoutFor stacks summary, chart (with the sources beside it when
// wide enough) and the lower pane; small screens keep only the summary and
// the lower pane, whose content v chooses.
func ledgerLayoutFor(w, h int) ledgerLayout {
	l := ledgerLayout{summary: 2}
	if h < 8 {
		l.summary = 1
	}
	if h >= 16 {
		l.chart = min(max(h/2-1, 8), 15)
		l.sourcesSide = w-chartWidth(w) >= 60
	}
	if l.sourcesSide {
		l.summary = 1 // the sources are on screen: no one-line digest
	}
	l.lower = max(h-l.summary-l.chart, 1)
	return l
}

// panes lists the lower panes worth showing: sections already on top are
// left out.
func (t *ledgerTab) panes() []int {
	p := []int{paneEntries}
	if !t.layout.sourcesSide {
		p = append(p, paneSources)
	}
	if t.layout.chart == 0 {
		p = append(p, paneWeeks)
	}
	return p
}

func (t *ledgerTab) fixPane() {
	if !slices.Contains(t.panes(), t.pane) {
		t.pane = paneEntries
	}
}

func (t *ledgerTab) Load() tea.Cmd {
	if !t.start() {
		return nil
	}
	env, tb, spare, wide := t.env, t.table, t.spare, t.wide
	return func() tea.Msg {
		d, err := loadLedger(env, [2]table.Model{tb, spare}, env.now(), time.Local)
		if err == nil {
			d.wide = wide
		}
		return ledgerMsg{d: d, err: err}
	}
}

// loadLedger reads the 12-week report and this week's entries, and
// prepares the rows for both tables.
func loadLedger(env TabEnv, tbs [2]table.Model, now time.Time, loc *time.Location) (*ledgerData, error) {
	from := model.WeekStart(now, loc)
	to := from.AddDate(0, 0, 7)
	// One report over the trend: its last week is this week's totals, its
	// sources rank the whole quarter (a Monday morning says little).
	rep, err := env.Store.LedgerReport(env.Ctx, from.AddDate(0, 0, -7*(model.TrendWeeks-1)), to, loc)
	if err != nil {
		return nil, fmt.Errorf("ledger report: %w", err)
	}
	es, err := env.Store.LedgerEntries(env.Ctx, store.LedgerQuery{From: from, To: to})
	if err != nil {
		return nil, fmt.Errorf("ledger entries: %w", err)
	}
	d := &ledgerData{week: rep, empty: len(es) == 0}
	for _, w := range rep.Weeks {
		if w.Total() > 0 {
			d.empty = false
		}
	}
	rows := make([][]string, len(es))
	for i := range es {
		rows[i] = entryRow(&es[i], now, loc)
	}
	d.rows, d.spare = tbs[0].Prepare(rows), tbs[1].Prepare(rows)
	return d, nil
}

// entryRow is one table row; its cells are the table's columns.
func entryRow(e *model.WorkEntry, now time.Time, loc *time.Location) []string {
	end := map[string]string{"running": "now", "paused": "paused"}[e.Status]
	if e.EndedAt != nil && e.Status == "stopped" {
		end = e.EndedAt.In(loc).Format("15:04")
		if model.DayStart(*e.EndedAt, loc) != model.DayStart(e.StartedAt, loc) {
			end = e.EndedAt.In(loc).Format("Mon") // ended another day
		}
	}
	return []string{e.StartedAt.In(loc).Format("01-02 15:04"), end, model.FormatDuration(e.Duration(now)),
		e.Kind, e.Category, dash(e.Link()), dash(e.Note)}
}

func (t *ledgerTab) Update(msg tea.Msg) (Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case ledgerMsg:
		next := t.done(t.Load)
		t.err = msg.err
		if msg.err == nil {
			t.d = msg.d
			rows, spare := msg.d.rows, msg.d.spare
			if msg.d.wide != t.wide { // the width class changed meanwhile
				rows, spare = spare, rows
			}
			t.table.SetData(rows)
			t.spare.SetData(spare)
		}
		return t, next
	case tea.KeyPressMsg:
		if key.Matches(msg, t.keys.Pane) {
			ps := t.panes()
			t.pane = ps[(slices.Index(ps, t.pane)+1)%len(ps)]
			return t, nil
		}
		var cmd tea.Cmd
		t.table, cmd = t.table.Update(msg)
		return t, cmd
	}
	return t, nil
}

func (t *ledgerTab) Counts() (int, int) { return t.table.Len(), t.table.Total() }

func (t *ledgerTab) KeyMap() help.KeyMap { return t.keys }

func (t *ledgerTab) SetFilter(q string, fuzzy bool) { t.table.SetFilter(q, fuzzy) }

func (t *ledgerTab) Filter() (string, bool) { return t.table.Query(), t.table.Fuzzy() }

func (t *ledgerTab) View() string {
	st := t.env.Styles
	switch {
	case t.err != nil:
		return st.Error.Render("could not load the ledger: ") + st.Text.Render(t.err.Error())
	case t.d == nil:
		return st.Muted.Render("loading the ledger…")
	case t.d.empty:
		return st.Text.Render(strings.Join(ledgerEmpty, "\n"))
	}
	if t.pane == paneEntries {
		return t.top() + "\n" + t.entriesView()
	}
	return t.top() + "\n" + t.paneView()
}

// top is the summary and the chart (with the sources beside it when wide).
// They change only with the data, the size or the theme, and the screen
// redraws every second for the status bar's timer, so they are cached.
func (t *ledgerTab) top() string {
	key := ledgerCacheKey{t.d, t.w, t.h, t.pane, t.env.Styles.Theme.Name}
	if t.cache.key == key {
		return t.cache.top
	}
	st, l := t.env.Styles, t.layout
	parts := []string{ledgerSummary(st, t.d.week, t.w, l.summary)}
	if l.chart > 0 {
		chart := weekChart(st, t.d.week.Weeks, chartWidth(t.w), l.chart)
		if l.sourcesSide {
			sw := t.w - chartWidth(t.w) - 2
			chart = joinColumns(chart, sourcesView(st, t.d.week.Top, sw, l.chart), chartWidth(t.w)+2)
		}
		parts = append(parts, fit(chart, t.w, l.chart))
	}
	t.cache.key, t.cache.top = key, strings.Join(parts, "\n")
	return t.cache.top
}

// paneView is the lower pane when it is not the entries.
func (t *ledgerTab) paneView() string {
	st, l := t.env.Styles, t.layout
	if t.pane == paneSources {
		return sourcesView(st, t.d.week.Top, t.w, l.lower)
	}
	return weekChart(st, t.d.week.Weeks, chartWidth(t.w), l.lower)
}

func (t *ledgerTab) entriesView() string {
	st := t.env.Styles
	switch {
	case t.table.Total() == 0:
		return t.table.View() + "\n" + st.Muted.Render("nothing logged this week yet — L logs work, on any tab")
	case t.table.Len() == 0:
		q, _ := t.Filter()
		return t.table.View() + "\n" + st.Muted.Render(fmt.Sprintf("no entries match %q — esc clears the filter", q))
	}
	return t.table.View()
}

// ledgerEmpty greets an empty ledger with how to begin.
var ledgerEmpty = []string{
	"No ledger entries yet: no planned or unplanned work logged in the last 12 weeks.",
	"",
	"How to begin:",
	"  L                                   on any tab: log work (the selected row becomes the link),",
	"                                      enter starts a timer, or type 20m to log time already spent",
	"  X                                   stop the running timer (resumes what it interrupted)",
	"  opsdeck ledger add --unplanned --category \"laptop support\" --minutes 20 --device LT-015",
	"  opsdeck ledger start --planned --category project --note \"backup automation\"",
	"  opsdeck demo                        load a demo company with twelve weeks of history",
}
