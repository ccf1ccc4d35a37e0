package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() { register(peopleResource().command) }

func peopleResource() resource[model.Person] {
	var q store.PeopleQuery
	type P = model.Person
	enums := []enumFilter{{"status", &q.Status, model.PersonStatuses}}
	return resource[P]{
		noun: "people", one: "person",
		addHelp: `Add a person. Example:
  opsdeck people add --name "Kristen Park" --email kristen@example.com --title Engineer`,
		table: model.PersonFields,
		listFlags: func(c *cobra.Command) {
			enumFlags(c, enums)
		},
		list: func(ctx context.Context, s *store.Store) ([]P, error) {
			if err := checkEnums(enums); err != nil {
				return nil, err
			}
			return s.ListPeople(ctx, q)
		},
		find:       (*store.Store).FindPerson,
		findTx:     (*store.Tx).FindPerson,
		id:         func(p P) int64 { return p.ID },
		add:        (*store.Tx).AddPerson,
		update:     (*store.Tx).UpdatePerson,
		deactivate: (*store.Tx).DeactivatePerson,
		view:       loadPerson,
		extra:      []func(*Env) *cobra.Command{addKeyCommand, removeKeyCommand, keysCommand},
	}
}

// personView is a person with everything linked to them: accounts,
// devices held, services owned, secrets known, on-call shifts ahead and
// open offboarding checklists.
type personView struct {
	model.Person
	Manager       string              `json:"manager"`
	Accounts      []model.Account     `json:"accounts"`
	Devices       []model.Device      `json:"devices"`
	ServicesOwned []model.Service     `json:"services_owned"`
	SecretsKnown  []model.Secret      `json:"secrets_known"`
	OnCall        []model.OnCall      `json:"oncall"`
	Checklists    []model.Offboarding `json:"open_checklists"`
	fields        [][2]string         // the person's own fields, from the table
	ago           func(*time.Time) string
}

func loadPerson(ctx context.Context, env *Env, s *store.Store, p model.Person, fields [][2]string) (view, error) {
	v := &personView{Person: p, Manager: (&names{ctx: ctx, s: s}).person(p.ManagerID), fields: fields, ago: env.ago}
	var err error
	if v.Accounts, err = s.ListAccounts(ctx, store.AccountQuery{PersonID: p.ID}); err != nil {
		return nil, err
	}
	if v.Devices, err = s.ListDevices(ctx, store.DeviceQuery{HolderID: p.ID}); err != nil {
		return nil, err
	}
	if v.ServicesOwned, err = s.ListServices(ctx, store.ServiceQuery{OwnerID: p.ID}); err != nil {
		return nil, err
	}
	if v.SecretsKnown, err = s.SecretsKnownBy(ctx, p.ID); err != nil {
		return nil, err
	}
	shifts, err := s.UpcomingOnCall(ctx, env.now())
	if err != nil {
		return nil, err
	}
	for _, o := range shifts {
		if o.PersonID == p.ID {
			v.OnCall = append(v.OnCall, o)
		}
	}
	switch off, err := s.Offboarding(ctx, p.ID); {
	case errors.Is(err, model.ErrNotFound):
	case err != nil:
		return nil, err
	case off.Status == "open":
		v.Checklists = append(v.Checklists, off)
	}
	v.Accounts, v.Devices, v.ServicesOwned = nonNil(v.Accounts), nonNil(v.Devices), nonNil(v.ServicesOwned)
	v.SecretsKnown, v.OnCall, v.Checklists = nonNil(v.SecretsKnown), nonNil(v.OnCall), nonNil(v.Checklists)
	return v, nil
}

func (v *personView) print(env *Env) error {
	env.printKV(v.fields)
	section(env, "Accounts", []string{"service", "username", "entitlement", "status", "verified"}, v.Accounts, func(a model.Account) []string {
		return []string{a.ServiceName, a.Username, a.Entitlement, a.Status, "verified " + v.ago(a.LastVerifiedAt)}
	})
	section(env, "Devices", []string{"asset_tag", "name", "kind", "model", "status"}, v.Devices, func(d model.Device) []string {
		return []string{d.AssetTag, d.Name, d.Kind, d.Model, d.Status}
	})
	section(env, "Services owned", []string{"name", "kind", "criticality"}, v.ServicesOwned, func(sv model.Service) []string {
		return []string{sv.Name, sv.Kind, sv.Criticality}
	})
	section(env, "Secrets known", []string{"name", "service", "location"}, v.SecretsKnown, func(x model.Secret) []string {
		return []string{x.Name, orDash(x.ServiceName), orDash(x.Location)}
	})
	section(env, "On call", []string{"from", "until", "set by"}, v.OnCall, func(o model.OnCall) []string {
		return []string{o.StartsAt.Local().Format("2006-01-02 15:04"), o.EndsAt.Local().Format("2006-01-02 15:04"), o.SetBy}
	})
	return section(env, "Open checklists", []string{"offboarding", "progress", "last_day", "started"}, v.Checklists, func(o model.Offboarding) []string {
		return []string{fmt.Sprint(o.ID), o.Progress.Bar(10), orDash(o.LastDay), o.StartedAt.Local().Format("2006-01-02")}
	})
}
