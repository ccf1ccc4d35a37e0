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
		table: model.PersonFields,
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
		linked:     personLinks,
		extra:      []func(*Env) *cobra.Command{addKeyCommand, removeKeyCommand, keysCommand},
	}
}

// personLinks prints what show lists under a person's fields.
func personLinks(ctx context.Context, env *Env, s *store.Store, p model.Person) error {
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
