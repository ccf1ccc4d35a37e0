package ui

import (
	"fmt"
	"time"

	"github.com/opsdeck/opsdeck/internal/human"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui/components/table"
)

// The inventory tabs. Everything here runs inside tea.Cmds: it reads the
// store and turns records into strings, so Update only swaps slices.

func init() {
	listTabDef := func(key, help string, spec func() listSpec) tabDef {
		return tabDef{name: spec().name, key: key, help: help, new: func(env TabEnv) Tab { return newListTab(env, spec()) }}
	}
	registerTab(listTabDef("1", "who works here, their accounts, devices and keys", peopleSpec))
	registerTab(listTabDef("2", "laptops, phones and servers, who holds them", devicesSpec))
	registerTab(listTabDef("3", "what the company runs, its owners, checks and backups", servicesSpec))
}

// The inventory tabs' columns are the fields their kind's table lists
// (model: Listed, the header the CLI's list prints too), in the table's
// order, then the tab's own (a person's start, a device's drift). The
// widths below are the console's only say: how wide, and which column
// drops first on a narrow terminal.

// fieldColumns is the columns of the fields fs lists, sized by widths
// (by field name; unknown: 8 to 20), then more.
func fieldColumns[T any](fs model.Fields[T], widths map[string]table.Column, more ...table.Column) []table.Column {
	var cols []table.Column
	for _, f := range fs {
		if f.List == "" {
			continue
		}
		c, ok := widths[f.Name]
		if !ok {
			c = table.Column{Min: 8, Max: 20}
		}
		c.Title, c.Age = f.List, f.Type == model.TypeTime
		cols = append(cols, c)
	}
	return append(cols, more...)
}

// fieldCells is rec's cells for fieldColumns: a person by name, yes/no/
// unknown, an instant as its age, empty as "-".
func fieldCells[T any](fs model.Fields[T], rec *T, names nameMap, now time.Time) []string {
	var row []string
	for _, f := range fs {
		switch {
		case f.List == "":
			continue
		case f.Cell != nil:
			row = append(row, dash(f.Cell(rec)))
		case f.Type == model.TypeRef && f.Refers == "person":
			row = append(row, names.of(f.ID(rec)))
		case f.Type == model.TypeBool:
			row = append(row, human.YesNoUnknown(*f.Bool(rec)))
		case f.Type == model.TypeTime:
			row = append(row, model.Ago(*f.Time(rec), now))
		default:
			row = append(row, dash(f.Get(rec)))
		}
	}
	return row
}

// colIndex is the position of the column titled title (-1: none).
func colIndex(cols []table.Column, title string) int {
	for i, c := range cols {
		if c.Title == title {
			return i
		}
	}
	return -1
}

func peopleSpec() listSpec {
	cols := fieldColumns(model.PersonFields, map[string]table.Column{
		"name":       {Min: 12, Max: 28},
		"email":      {Min: 14, Max: 32, Drop: 2},
		"title":      {Min: 10, Max: 28, Drop: 4},
		"department": {Min: 8, Max: 16, Drop: 5},
		"status":     {Min: 8, Max: 9},
		"role":       {Min: 8, Max: 8, Drop: 3},
	}, table.Column{Title: "start", Min: 10, Max: 10, Drop: 6})
	return listSpec{
		name: "people", kind: "person", fadeCol: colIndex(cols, "status"), fadeVals: []string{"departed"},
		cols: cols,
		load: func(env TabEnv) ([][]string, []int64, error) {
			ps, err := env.Store.ListPeople(env.Ctx, store.PeopleQuery{})
			if err != nil {
				return nil, nil, err
			}
			now := env.now()
			return recordRows(ps, func(p *model.Person) int64 { return p.ID }, func(p *model.Person) []string {
				return append(fieldCells(model.PersonFields, p, nil, now), dash(p.StartDate))
			})
		},
		empty: []string{
			"Welcome to opsdeck. This database is empty; here is how to begin:",
			"",
			"  opsdeck demo                    load a demo company to look around",
			"  opsdeck import people FILE      bring in your people (CSV, JSON or YAML)",
			"  a                               add the first person right here",
			"",
			"Then press ? for every key.",
		},
	}
}

func devicesSpec() listSpec {
	cols := fieldColumns(model.DeviceFields, map[string]table.Column{
		"asset_tag":      {Min: 9, Max: 12},
		"name":           {Min: 10, Max: 24},
		"kind":           {Min: 7, Max: 8, Drop: 3},
		"holder":         {Min: 10, Max: 20, Drop: 1},
		"os":             {Min: 8, Max: 18, Drop: 4},
		"status":         {Min: 7, Max: 7},
		"disk_encrypted": {Min: 9, Max: 11, Drop: 5, Domain: themes.DomainVerdict},
		"last_seen_at":   {Min: 9, Max: 9, Drop: 2},
	}, table.Column{Title: "drift", Min: 7, Max: 10, Domain: themes.DomainVerdict})
	return listSpec{
		name: "devices", kind: "device", fadeCol: colIndex(cols, "status"), fadeVals: []string{"retired", "lost"},
		cols: cols,
		load: func(env TabEnv) ([][]string, []int64, error) {
			ds, err := env.Store.ListDevices(env.Ctx, store.DeviceQuery{})
			if err != nil {
				return nil, nil, err
			}
			names, err := personNames(env)
			if err != nil {
				return nil, nil, err
			}
			drift, err := deviceDrift(env)
			if err != nil {
				return nil, nil, err
			}
			now := env.now()
			return recordRows(ds, func(d *model.Device) int64 { return d.ID }, func(d *model.Device) []string {
				return append(fieldCells(model.DeviceFields, d, names, now), driftCell(drift, d.ID))
			})
		},
		empty: []string{
			"No devices yet.",
			"",
			"  a                                   add one here",
			"  opsdeck devices add --asset-tag …   or from the shell",
			"  opsdeck import devices FILE         or import an inventory export",
		},
	}
}

func servicesSpec() listSpec {
	cols := fieldColumns(model.ServiceFields, map[string]table.Column{
		"name":        {Min: 10, Max: 24},
		"kind":        {Min: 8, Max: 8, Drop: 3},
		"criticality": {Min: 8, Max: 13, Domain: themes.DomainSeverity},
		"owner":       {Min: 10, Max: 20, Drop: 1},
		"status":      {Min: 7, Max: 7, Drop: 2},
	}, table.Column{Title: "url", Min: 10, Max: 40, Drop: 4})
	return listSpec{
		name: "services", kind: "service", fadeCol: colIndex(cols, "status"), fadeVals: []string{"retired"},
		cols: cols,
		load: func(env TabEnv) ([][]string, []int64, error) {
			ss, err := env.Store.ListServices(env.Ctx, store.ServiceQuery{})
			if err != nil {
				return nil, nil, err
			}
			names, err := personNames(env)
			if err != nil {
				return nil, nil, err
			}
			now := env.now()
			return recordRows(ss, func(sv *model.Service) int64 { return sv.ID }, func(sv *model.Service) []string {
				return append(fieldCells(model.ServiceFields, sv, names, now), dash(sv.URL))
			})
		},
		empty: []string{
			"No services yet.",
			"",
			"  a                                add one here",
			"  opsdeck services add --name …    or from the shell",
		},
	}
}

// nameMap resolves person ids to names for display.
type nameMap map[int64]string

func (n nameMap) of(id *int64) string {
	if id == nil {
		return "-"
	}
	if s, ok := n[*id]; ok {
		return s
	}
	return fmt.Sprintf("#%d", *id)
}

func personNames(env TabEnv) (nameMap, error) {
	ps, err := env.Store.ListPeople(env.Ctx, store.PeopleQuery{})
	if err != nil {
		return nil, err
	}
	m := make(nameMap, len(ps))
	for _, p := range ps {
		m[p.ID] = p.Name
	}
	return m, nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
