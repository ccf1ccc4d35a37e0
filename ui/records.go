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
}

// replace installs reloaded rows, keeping the cursor on the same record.
func (r *records) replace(ids []int64, d *table.Data) {
	keep, ok := r.selectedID()
	r.ids = ids
	r.table.SetData(d)
	if ok {
		r.selectID(keep)
	}
}

// selectID moves the cursor to the record with id, if shown.
func (r *records) selectID(id int64) bool {
	for i, x := range r.ids {
		if x == id {
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
