package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui/components/table"
)

// records is a virtual table whose rows stand for records with ids: a
// reload keeps the cursor on the record it was on, and the tab knows which
// record is selected. The inventory tabs and the alerts tab embed it.
type records struct {
	table table.Model
	ids   []int64
	// kinds is each row's record kind when the rows mix kinds (the risks
	// tab: a person, a service, a secret …); nil when every row is of the
	// tab's own kind.
	kinds []string
}

// replace installs reloaded rows, keeping the cursor on the same record.
func (r *records) replace(ids []int64, kinds []string, d *table.Data) {
	keep, ok := r.selectedID()
	keepKind := r.kindAt(r.table.Selected())
	r.ids, r.kinds = ids, kinds
	r.table.SetData(d)
	if ok {
		r.selectRow(keepKind, keep)
	}
}

// kindAt is row i's own kind; "" for a tab of one kind.
func (r *records) kindAt(i int) string {
	if i >= 0 && i < len(r.kinds) {
		return r.kinds[i]
	}
	return ""
}

// selectID moves the cursor to the record with id, if shown.
func (r *records) selectID(id int64) bool { return r.selectRow("", id) }

// selectRow moves the cursor to the row of kind (as kindAt) and id.
func (r *records) selectRow(kind string, id int64) bool {
	for i, x := range r.ids {
		if x == id && r.kindAt(i) == kind {
			return r.table.Select(i)
		}
	}
	return false
}

// selectedID is the record under the cursor.
func (r *records) selectedID() (int64, bool) {
	i := r.table.Selected()
	if i < 0 || i >= len(r.ids) {
		return 0, false
	}
	return r.ids[i], true
}

// update hands the table its own messages: a finished sort, keys.
func (r *records) update(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case table.SortedMsg:
		r.table.ApplySort(msg)
		return nil, true
	case tea.KeyPressMsg:
		var cmd tea.Cmd
		r.table, cmd = r.table.Update(msg)
		return cmd, true
	}
	return nil, false
}

// The Tab methods every records tab answers from its table alike.

func (r *records) Counts() (int, int)             { return r.table.Len(), r.table.Total() }
func (r *records) KeyMap() help.KeyMap            { return r.table.Keys }
func (r *records) SetFilter(q string, fuzzy bool) { r.table.SetFilter(q, fuzzy) }
func (r *records) Filter() (string, bool)         { return r.table.Query(), r.table.Fuzzy() }

// view is a records tab's body: the load's error, "loading", the tab's
// empty text (what it watches, how to add) when it has no rows, a hint
// when the filter hides every row, else the table. name is the tab's
// records ("alerts").
func (r *records) view(st *themes.Styles, name string, err error, loaded bool, empty []string) string {
	switch {
	case err != nil:
		return st.Error.Render("could not load "+name+": ") + st.Text.Render(err.Error())
	case !loaded:
		return st.Muted.Render("loading " + name + "…")
	case r.table.Total() == 0:
		return st.Text.Render(strings.Join(empty, "\n"))
	case r.table.Len() == 0:
		q, _ := r.Filter()
		return r.table.View() + "\n" + st.Muted.Render(fmt.Sprintf("no %s match %q — esc clears the filter", name, q))
	}
	return r.table.View()
}

// recordRows is a records tab's rows and their ids: row and id of each
// record, in order (the error is nil: a loader returns it as it is).
func recordRows[T any](recs []T, id func(*T) int64, row func(*T) []string) ([][]string, []int64, error) {
	rows, ids := make([][]string, len(recs)), make([]int64, len(recs))
	for i := range recs {
		rows[i], ids[i] = row(&recs[i]), id(&recs[i])
	}
	return rows, ids, nil
}
