package ui

import (
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/ui/components/detail"
	"github.com/opsdeck/opsdeck/ui/components/table"
)

// listSpec describes an inventory tab: its columns, how to load its rows
// (always inside a Cmd) and what to say when there are none.
type listSpec struct {
	name string // tab name: "people"
	kind string // record kind: "person"
	cols []table.Column
	load func(env TabEnv) (rows [][]string, ids []int64, err error)
	// mixed replaces load for a tab whose rows are records of several
	// kinds (the risks tab): each row carries its link.
	mixed func(env TabEnv) (rows [][]string, links []detail.Link, err error)
	empty []string
	// faded rows are inactive records (column index, values).
	fadeCol  int
	fadeVals []string
}

// rowsMsg delivers a finished load to the tab that asked for it.
type rowsMsg struct {
	tab   string
	data  *table.Data
	ids   []int64
	kinds []string // each row's kind, for a tab of mixed rows
	err   error
}

// listTab is a table of records of one kind.
type listTab struct {
	spec listSpec
	env  TabEnv
	records
	loaded bool
	err    error
	loadGate
	w, h int
}

func newListTab(env TabEnv, spec listSpec) *listTab {
	t := &listTab{spec: spec, env: env, records: records{table: table.New(env.Styles, spec.cols...)}}
	if len(spec.fadeVals) > 0 {
		t.table.Faded = func(r []string) bool { return spec.fadeCol < len(r) && slices.Contains(spec.fadeVals, r[spec.fadeCol]) }
	}
	return t
}

func (t *listTab) Name() string { return t.spec.name }

func (t *listTab) SetSize(w, h int) { t.w, t.h = w, h; t.table.SetSize(w, h) }

func (t *listTab) Load() tea.Cmd {
	if !t.start() {
		return nil
	}
	env, spec, tb := t.env, t.spec, t.table
	return func() tea.Msg {
		if spec.mixed != nil {
			rows, links, err := spec.mixed(env)
			if err != nil {
				return rowsMsg{tab: spec.name, err: err}
			}
			ids, kinds := make([]int64, len(links)), make([]string, len(links))
			for i, l := range links {
				ids[i], kinds[i] = l.ID, l.Kind
			}
			return rowsMsg{tab: spec.name, data: tb.Prepare(rows), ids: ids, kinds: kinds}
		}
		rows, ids, err := spec.load(env)
		if err != nil {
			return rowsMsg{tab: spec.name, err: err}
		}
		return rowsMsg{tab: spec.name, data: tb.Prepare(rows), ids: ids}
	}
}

func (t *listTab) Update(msg tea.Msg) (Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case rowsMsg:
		if msg.tab != t.spec.name {
			return t, nil
		}
		next := t.done(t.Load)
		t.err = msg.err
		if msg.err != nil {
			return t, next
		}
		t.loaded = true
		t.replace(msg.ids, msg.kinds, msg.data)
		return t, next
	}
	cmd, _ := t.update(msg)
	return t, cmd
}

func (t *listTab) View() string {
	return t.view(t.env.Styles, t.spec.name, t.err, t.loaded, t.spec.empty)
}

func (t *listTab) Selected() (detail.Link, bool) {
	id, ok := t.selectedID()
	kind := t.kindAt(t.table.Selected())
	if kind == "" {
		kind = t.spec.kind
	}
	return detail.Link{Kind: kind, ID: id}, ok
}

// RecordKind is the kind of the tab's records (a, e, d and the actions
// for that kind apply on the tab).
func (t *listTab) RecordKind() string { return t.spec.kind }

// SelectLink puts the cursor on l (a record just added); false when the
// tab does not list l's kind.
func (t *listTab) SelectLink(l detail.Link) bool {
	if l.Kind != t.spec.kind || t.spec.mixed != nil {
		return false
	}
	t.selectID(l.ID)
	return true
}

// Click selects the row at body line y; open is set when it was already
// selected (a second click opens it).
func (t *listTab) Click(y int) (l detail.Link, open bool) {
	before := t.table.Cursor()
	if !t.table.SelectVisible(y - 1) { // the header
		return detail.Link{}, false
	}
	if t.table.Cursor() != before {
		return detail.Link{}, false
	}
	l, ok := t.Selected()
	return l, ok
}

// Position is the cursor's row and the rows shown, for the breadcrumb.
func (t *listTab) Position() (cur, n int) { return t.table.Cursor() + 1, t.table.Len() }

// Optional tab behaviours the shell uses when a tab has them.
type (
	// recordTab lists records of one kind.
	recordTab interface{ RecordKind() string }
	// linkSelector can put its cursor on a given record.
	linkSelector interface{ SelectLink(l detail.Link) bool }
	// clicker selects (and on a second click opens) the row at body line y.
	clicker interface {
		Click(y int) (l detail.Link, open bool)
	}
	// positioner reports the cursor's row of n, shown in the breadcrumb.
	positioner interface{ Position() (cur, n int) }
	// goer names, for the line under the cursor that is no record, the
	// ":" command enter runs (Home's "… 5 more").
	goer interface{ Go() string }
)

type noKeys struct{}

func (noKeys) ShortHelp() []key.Binding  { return nil }
func (noKeys) FullHelp() [][]key.Binding { return nil }
