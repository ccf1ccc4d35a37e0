package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() { register(servicesResource().command) }

func servicesResource() resource[model.Service] {
	var q store.ServiceQuery
	type S = model.Service
	return resource[S]{
		noun: "services", one: "service",
		addHelp: `Add a service. Example:
  opsdeck services add --name GitHub --kind saas --criticality high --owner oscar@example.com`,
		table: model.ServiceFields,
		listFlags: func(c *cobra.Command) {
			c.Flags().StringVar(&q.Kind, "kind", "", "only this kind ("+strings.Join(model.ServiceKinds, "|")+")")
			c.Flags().StringVar(&q.Status, "status", "", "only this status ("+strings.Join(model.ServiceStatuses, "|")+")")
		},
		list: func(ctx context.Context, s *store.Store) ([]S, error) {
			if q.Kind != "" {
				if err := model.ValidateEnum("kind", q.Kind, model.ServiceKinds); err != nil {
					return nil, err
				}
			}
			if q.Status != "" {
				if err := model.ValidateEnum("status", q.Status, model.ServiceStatuses); err != nil {
					return nil, err
				}
			}
			return s.ListServices(ctx, q)
		},
		find:       (*store.Store).FindService,
		findTx:     (*store.Tx).FindService,
		id:         func(s S) int64 { return s.ID },
		add:        (*store.Tx).AddService,
		update:     (*store.Tx).UpdateService,
		deactivate: (*store.Tx).DeactivateService,
		linked:     serviceLinks,
		extra: []func(*Env) *cobra.Command{
			linkCommand("host", "Record that a service runs on a device", "SERVICE DEVICE", hostLink((*store.Tx).AddServiceHost)),
			linkCommand("unhost", "Remove a service-runs-on-device link", "SERVICE DEVICE", hostLink((*store.Tx).RemoveServiceHost)),
			linkCommand("depend", "Record that SERVICE depends on OTHER", "SERVICE OTHER",
				func(t *store.Tx, a, b string) error {
					sv, err := t.FindService(a)
					if err != nil {
						return err
					}
					dep, err := t.FindService(b)
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
		sv, err := t.FindService(a)
		if err != nil {
			return err
		}
		d, err := t.FindDevice(b)
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

// serviceLinks prints what show lists under a service's fields.
func serviceLinks(ctx context.Context, env *Env, s *store.Store, sv model.Service) error {
	accts, err := s.ListAccounts(ctx, store.AccountQuery{ServiceID: sv.ID})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\nAccounts (%d, admins first):\n", len(accts))
	rows := [][]string{}
	for _, a := range accts {
		rows = append(rows, []string{a.PersonName, a.Username, a.Entitlement, a.Status, a.PersonStatus, "verified " + env.ago(a.LastVerifiedAt)})
	}
	env.printTable([]string{"person", "username", "entitlement", "status", "person_status", "verified"}, rows)
	hosts, err := s.ServiceHosts(ctx, sv.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\nRuns on (%d):\n", len(hosts))
	rows = [][]string{}
	for _, d := range hosts {
		rows = append(rows, []string{d.AssetTag, d.Name, d.Kind, d.Status})
	}
	env.printTable([]string{"asset_tag", "name", "kind", "status"}, rows)
	deps, err := s.ServiceDeps(ctx, sv.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\nDepends on (%d):\n", len(deps))
	rows = [][]string{}
	for _, d := range deps {
		rows = append(rows, []string{d.Name, d.Kind, d.Criticality})
	}
	return env.printTable([]string{"name", "kind", "criticality"}, rows)
}
