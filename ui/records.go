package ui

import (
	tea "charm.land/bubbletea/v2"
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
