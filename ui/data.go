package ui

import (
	"fmt"
	"strings"

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

func peopleSpec() listSpec {
	return listSpec{
		name: "people", kind: "person", fadeCol: 4, fadeVals: []string{"departed"},
		cols: []table.Column{
			{Title: "name", Min: 12, Max: 28},
			{Title: "email", Min: 14, Max: 32, Drop: 2},
			{Title: "title", Min: 10, Max: 28, Drop: 4},
			{Title: "department", Min: 8, Max: 16, Drop: 5},
			{Title: "status", Min: 8, Max: 9},
			{Title: "role", Min: 8, Max: 8, Drop: 3},
			{Title: "start", Min: 10, Max: 10, Drop: 6},
		},
		load: func(env TabEnv) ([][]string, []int64, error) {
			ps, err := env.Store.ListPeople(env.Ctx, store.PeopleQuery{})
			if err != nil {
				return nil, nil, err
			}
			rows, ids := make([][]string, len(ps)), make([]int64, len(ps))
			for i, p := range ps {
				rows[i] = []string{p.Name, p.Email, dash(p.Title), dash(p.Department), p.Status, p.Role, dash(p.StartDate)}
				ids[i] = p.ID
			}
			return rows, ids, nil
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
	return listSpec{
		name: "devices", kind: "device", fadeCol: 5, fadeVals: []string{"retired", "lost"},
		cols: []table.Column{
			{Title: "tag", Min: 7, Max: 12},
			{Title: "name", Min: 10, Max: 24},
			{Title: "kind", Min: 7, Max: 8, Drop: 3},
			{Title: "holder", Min: 10, Max: 20, Drop: 1},
			{Title: "os", Min: 8, Max: 18, Drop: 4},
			{Title: "status", Min: 7, Max: 7},
			{Title: "encrypted", Min: 9, Max: 11, Drop: 5, Domain: themes.DomainVerdict},
			{Title: "seen", Min: 8, Max: 9, Drop: 2, Age: true},
			{Title: "drift", Min: 7, Max: 10, Domain: themes.DomainVerdict},
		},
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
			rows, ids := make([][]string, len(ds)), make([]int64, len(ds))
			for i, d := range ds {
				rows[i] = []string{d.AssetTag, d.Name, d.Kind, names.of(d.HolderID), dash(strings.TrimSpace(d.OS + " " + d.OSVersion)),
					d.Status, human.YesNoUnknown(d.DiskEncrypted), model.Ago(d.LastSeenAt, now), driftCell(drift, d.ID)}
				ids[i] = d.ID
			}
			return rows, ids, nil
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
	return listSpec{
		name: "services", kind: "service", fadeCol: 4, fadeVals: []string{"retired"},
		cols: []table.Column{
			{Title: "name", Min: 10, Max: 24},
			{Title: "kind", Min: 8, Max: 8, Drop: 3},
			{Title: "criticality", Min: 8, Max: 13, Domain: themes.DomainSeverity},
			{Title: "owner", Min: 10, Max: 20, Drop: 1},
			{Title: "status", Min: 7, Max: 7, Drop: 2},
			{Title: "url", Min: 10, Max: 40, Drop: 4},
		},
		load: func(env TabEnv) ([][]string, []int64, error) {
			ss, err := env.Store.ListServices(env.Ctx, store.ServiceQuery{})
			if err != nil {
				return nil, nil, err
			}
			names, err := personNames(env)
			if err != nil {
				return nil, nil, err
			}
			rows, ids := make([][]string, len(ss)), make([]int64, len(ss))
			for i, s := range ss {
				rows[i] = []string{s.Name, s.Kind, s.Criticality, names.of(s.OwnerID), s.Status, dash(s.URL)}
				ids[i] = s.ID
			}
			return rows, ids, nil
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
