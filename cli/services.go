package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() { register(servicesResource().command) }

func servicesResource() resource[model.Service] {
	var q store.ServiceQuery
	type S = model.Service
	enums := []enumFilter{{"kind", &q.Kind, model.ServiceKinds}, {"status", &q.Status, model.ServiceStatuses}}
	return resource[S]{
		noun: "services", one: "service",
		addHelp: `Add a service. Example:
  opsdeck services add --name GitHub --kind saas --criticality high --owner oscar@example.com`,
		table: model.ServiceFields,
		listFlags: func(c *cobra.Command) {
			enumFlags(c, enums)
		},
		list: func(ctx context.Context, s *store.Store) ([]S, error) {
			if err := checkEnums(enums); err != nil {
				return nil, err
			}
			return s.ListServices(ctx, q)
		},
		find:       (*store.Store).FindService,
		findTx:     (*store.Tx).FindService,
		id:         func(s S) int64 { return s.ID },
		add:        (*store.Tx).AddService,
		update:     (*store.Tx).UpdateService,
		deactivate: (*store.Tx).DeactivateService,
		view:       loadService,
		extra: []func(*Env) *cobra.Command{
			linkCommand("host", "Record that a service runs on a device", "SERVICE DEVICE", hostLink((*store.Tx).AddServiceHost)),
			linkCommand("unhost", "Remove a service-runs-on-device link", "SERVICE DEVICE", hostLink((*store.Tx).RemoveServiceHost)),
			linkCommand("depend", "Record that SERVICE depends on OTHER", "SERVICE OTHER",
				func(t *store.Tx, a, b string) error {
					sv, err := ops.ServiceTx(t, "service", a)
					if err != nil {
						return err
					}
					dep, err := ops.ServiceTx(t, "other", b)
					if err != nil {
						return err
					}
					return t.AddServiceDep(sv.ID, dep.ID)
				}),
		},
	}
}

// hostLink resolves SERVICE and DEVICE, then applies link to them.
func hostLink(link func(t *store.Tx, serviceID, deviceID int64) error) func(t *store.Tx, a, b string) error {
	return func(t *store.Tx, a, b string) error {
		sv, err := ops.ServiceTx(t, "service", a)
		if err != nil {
			return err
		}
		d, err := ops.DeviceTx(t, "device", b)
		if err != nil {
			return err
		}
		return link(t, sv.ID, d.ID)
	}
}

func linkCommand(use, short, args string, fn func(t *store.Tx, a, b string) error) func(*Env) *cobra.Command {
	return func(env *Env) *cobra.Command {
		return &cobra.Command{Use: use + " " + args, Short: short, Args: cobra.ExactArgs(2),
			RunE: func(c *cobra.Command, a []string) error {
				s, err := env.Open()
				if err != nil {
					return err
				}
				if err := s.Write(c.Context(), env.Actor, func(t *store.Tx) error { return fn(t, a[0], a[1]) }); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "%s: %s %s\n", use, a[0], a[1])
				return nil
			}}
	}
}

// serviceView is a service with everything linked to it: its owner,
// accounts (admins first), hosts, dependencies both ways and checks.
type serviceView struct {
	model.Service
	Owner     string          `json:"owner"`
	Accounts  []model.Account `json:"accounts"`
	Hosts     []model.Device  `json:"hosts"`
	DependsOn []model.Service `json:"depends_on"`
	NeededBy  []model.Service `json:"needed_by"`
	Checks    []model.Check   `json:"checks"`
	fields    [][2]string     // the service's own fields, from the table
	ago       func(*time.Time) string
}

func loadService(ctx context.Context, env *Env, s *store.Store, sv model.Service, fields [][2]string) (view, error) {
	v := &serviceView{Service: sv, Owner: (&names{ctx: ctx, s: s}).person(sv.OwnerID), fields: fields, ago: env.ago}
	var err error
	if v.Accounts, err = s.ListAccounts(ctx, store.AccountQuery{ServiceID: sv.ID}); err != nil {
		return nil, err
	}
	if v.Hosts, err = s.ServiceHosts(ctx, sv.ID); err != nil {
		return nil, err
	}
	if v.DependsOn, err = s.ServiceDeps(ctx, sv.ID); err != nil {
		return nil, err
	}
	if v.NeededBy, err = s.ServiceDependents(ctx, sv.ID); err != nil {
		return nil, err
	}
	if v.Checks, err = s.ListChecks(ctx, store.CheckQuery{ServiceID: sv.ID}); err != nil {
		return nil, err
	}
	v.Accounts, v.Hosts, v.DependsOn = nonNil(v.Accounts), nonNil(v.Hosts), nonNil(v.DependsOn)
	v.NeededBy, v.Checks = nonNil(v.NeededBy), nonNil(v.Checks)
	return v, nil
}

func (v *serviceView) print(env *Env) error {
	env.printKV(v.fields)
	section(env, "Accounts, admins first", []string{"person", "username", "entitlement", "status", "person_status", "verified"}, v.Accounts, func(a model.Account) []string {
		return []string{a.PersonName, a.Username, a.Entitlement, a.Status, a.PersonStatus, "verified " + v.ago(a.LastVerifiedAt)}
	})
	section(env, "Runs on", []string{"asset_tag", "name", "kind", "status"}, v.Hosts, func(d model.Device) []string {
		return []string{d.AssetTag, d.Name, d.Kind, d.Status}
	})
	dep := func(d model.Service) []string { return []string{d.Name, d.Kind, d.Criticality} }
	section(env, "Depends on", []string{"name", "kind", "criticality"}, v.DependsOn, dep)
	section(env, "Needed by", []string{"name", "kind", "criticality"}, v.NeededBy, dep)
	return section(env, "Checks", []string{"name", "kind", "target"}, v.Checks, func(c model.Check) []string {
		return []string{c.Name, c.Kind, orDash(model.Truncate(c.Target, 50))}
	})
}
