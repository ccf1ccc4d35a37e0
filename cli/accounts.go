package cli

import (
	"context"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() { register(accountsResource().command) }

func accountsResource() resource[model.Account] {
	var q store.AccountQuery
	var person, service string
	var af accessFilter
	type A = model.Account
	enums := []enumFilter{{"status", &q.Status, model.AccountStatuses}, {"entitlement", &q.Entitlement, model.Entitlements}}
	return resource[A]{
		noun: "accounts", one: "account",
		addHelp: `Record that a person holds an account on a service. Example:
  opsdeck accounts add --person bill@example.com --service GitHub --username bill-dev --entitlement admin`,
		table: model.AccountFields,
		listFlags: func(c *cobra.Command) {
			c.Flags().StringVar(&person, "person", "", "only this person's accounts")
			c.Flags().StringVar(&service, "service", "", "only this service's accounts")
			enumFlags(c, enums)
			af.flags(c)
		},
		list: func(ctx context.Context, s *store.Store) ([]A, error) {
			if person != "" {
				p, err := ops.Person(ctx, s, "person", person)
				if err != nil {
					return nil, err
				}
				q.PersonID = p.ID
			}
			if service != "" {
				sv, err := ops.Service(ctx, s, "service", service)
				if err != nil {
					return nil, err
				}
				q.ServiceID = sv.ID
			}
			if err := checkEnums(enums); err != nil {
				return nil, err
			}
			return af.list(ctx, s, q)
		},
		find:       (*store.Store).FindAccount,
		findTx:     (*store.Tx).FindAccount,
		id:         func(a A) int64 { return a.ID },
		add:        (*store.Tx).AddAccount,
		update:     (*store.Tx).UpdateAccount,
		deactivate: (*store.Tx).DeactivateAccount,
		listMore:   append([]column[A]{{"person_status", func(a A) string { return a.PersonStatus }}}, accessColumns(&af)...),
		showMore: func(a A) [][2]string {
			return [][2]string{{"person_email", a.PersonEmail}, {"person_status", a.PersonStatus}}
		},
		view: accessView,
	}
}
