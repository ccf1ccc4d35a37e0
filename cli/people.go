package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() { register(peopleResource().command) }

func peopleResource() resource[model.Person] {
	var q store.PeopleQuery
	type P = model.Person
	return resource[P]{
		noun: "people", one: "person",
		addHelp: `Add a person. Example:
  opsdeck people add --name "Kristen Park" --email kristen@example.com --title Engineer`,
		fields: tableFields(model.PersonFields),
		listFlags: func(c *cobra.Command) {
			c.Flags().StringVar(&q.Status, "status", "", "only this status ("+strings.Join(model.PersonStatuses, "|")+")")
		},
		list: func(ctx context.Context, s *store.Store) ([]P, error) {
			if q.Status != "" {
				if err := model.ValidateEnum("status", q.Status, model.PersonStatuses); err != nil {
					return nil, err
				}
			}
			return s.ListPeople(ctx, q)
		},
		find:       (*store.Store).FindPerson,
		findTx:     (*store.Tx).FindPerson,
		id:         func(p P) int64 { return p.ID },
		add:        (*store.Tx).AddPerson,
		update:     (*store.Tx).UpdatePerson,
		deactivate: (*store.Tx).DeactivatePerson,
		header:     []string{"id", "name", "email", "title", "department", "status", "role"},
		row: func(p P, _ *names) []string {
			return []string{fmt.Sprint(p.ID), p.Name, p.Email, orDash(p.Title), orDash(p.Department), p.Status, p.Role}
		},
		show:  showPerson,
		extra: []func(*Env) *cobra.Command{addKeyCommand, removeKeyCommand, keysCommand},
	}
}

func showPerson(ctx context.Context, env *Env, s *store.Store, p model.Person) error {
	nm := &names{ctx: ctx, s: s}
	env.printKV([][2]string{
		{"id", fmt.Sprint(p.ID)}, {"name", p.Name}, {"email", p.Email}, {"title", orDash(p.Title)},
		{"department", orDash(p.Department)}, {"manager", nm.person(p.ManagerID)}, {"status", p.Status},
		{"role", p.Role}, {"start_date", orDash(p.StartDate)}, {"end_date", orDash(p.EndDate)}, {"notes", orDash(p.Notes)},
	})
	accts, err := s.ListAccounts(ctx, store.AccountQuery{PersonID: p.ID})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\nAccounts (%d):\n", len(accts))
	rows := [][]string{}
	for _, a := range accts {
		rows = append(rows, []string{a.ServiceName, a.Username, a.Entitlement, a.Status, "verified " + env.ago(a.LastVerifiedAt)})
	}
	env.printTable([]string{"service", "username", "entitlement", "status", "verified"}, rows)
	devs, err := s.ListDevices(ctx, store.DeviceQuery{HolderID: p.ID})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\nDevices (%d):\n", len(devs))
	rows = [][]string{}
	for _, d := range devs {
		rows = append(rows, []string{d.AssetTag, d.Name, d.Kind, d.Model, d.Status})
	}
	env.printTable([]string{"asset_tag", "name", "kind", "model", "status"}, rows)
	svcs, err := s.ListServices(ctx, store.ServiceQuery{OwnerID: p.ID})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\nServices owned (%d):\n", len(svcs))
	rows = [][]string{}
	for _, sv := range svcs {
		rows = append(rows, []string{sv.Name, sv.Kind, sv.Criticality})
	}
	return env.printTable([]string{"name", "kind", "criticality"}, rows)
}
