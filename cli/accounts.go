package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() { register(accountsResource().command) }

func accountsResource() resource[model.Account] {
	var q store.AccountQuery
	var person, service string
	type A = model.Account
	return resource[A]{
		noun: "accounts", one: "account",
		addHelp: `Record that a person holds an account on a service. Example:
  opsdeck accounts add --person bill@example.com --service GitHub --username bill-dev --entitlement admin`,
		fields: []field[A]{
			{name: "person", usage: "holder (email, id or name)", apply: func(t *store.Tx, a *A, v string) error {
				p, err := ops.PersonTx(t, "person", v)
				a.PersonID = p.ID
				return err
			}},
			{name: "service", usage: "service name or id", apply: func(t *store.Tx, a *A, v string) error {
				sv, err := ops.ServiceTx(t, "service", v)
				a.ServiceID = sv.ID
				return err
			}},
			reqStr("username", "login name on the service", func(a *A) *string { return &a.Username }),
			enum("entitlement", model.Entitlements, func(a *A) *string { return &a.Entitlement }),
			enum("status", model.AccountStatuses, func(a *A) *string { return &a.Status }),
			{name: "last_verified_at", usage: "when someone last confirmed it (RFC 3339, YYYY-MM-DD HH:MM, or 'now')", apply: func(tx *store.Tx, a *A, v string) error {
				if v == "" {
					a.LastVerifiedAt = nil
					return nil
				}
				t := tx.At()
				if v != "now" {
					var err error
					if t, err = model.ParseTime("last_verified_at", v, time.Local); err != nil {
						return err
					}
				}
				a.LastVerifiedAt = &t
				return nil
			}},
			optStr("notes", "free text", func(a *A) *string { return &a.Notes }),
		},
		listFlags: func(c *cobra.Command) {
			c.Flags().StringVar(&person, "person", "", "only this person's accounts")
			c.Flags().StringVar(&service, "service", "", "only this service's accounts")
			c.Flags().StringVar(&q.Status, "status", "", "only this status ("+strings.Join(model.AccountStatuses, "|")+")")
			c.Flags().StringVar(&q.Entitlement, "entitlement", "", "only this entitlement (admin|member)")
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
			if q.Status != "" {
				if err := model.ValidateEnum("status", q.Status, model.AccountStatuses); err != nil {
					return nil, err
				}
			}
			if q.Entitlement != "" {
				if err := model.ValidateEnum("entitlement", q.Entitlement, model.Entitlements); err != nil {
					return nil, err
				}
			}
			return s.ListAccounts(ctx, q)
		},
		find:       (*store.Store).FindAccount,
		findTx:     (*store.Tx).FindAccount,
		id:         func(a A) int64 { return a.ID },
		add:        (*store.Tx).AddAccount,
		update:     (*store.Tx).UpdateAccount,
		deactivate: (*store.Tx).DeactivateAccount,
		header:     []string{"id", "service", "username", "person", "entitlement", "status", "person_status", "verified"},
		row: func(a A, nm *names) []string {
			return []string{fmt.Sprint(a.ID), a.ServiceName, a.Username, a.PersonName, a.Entitlement, a.Status, a.PersonStatus, nm.ago(a.LastVerifiedAt)}
		},
		view: func(_ context.Context, env *Env, _ *store.Store, a A) (view, error) {
			return accountView{a, env.ago}, nil
		},
	}
}

// accountView is an account as show prints it (the record carries the
// holder's name, email and status already).
type accountView struct {
	model.Account
	ago func(*time.Time) string
}

func (v accountView) print(env *Env) error {
	a := v.Account
	return env.printKV([][2]string{
		{"id", fmt.Sprint(a.ID)}, {"service", a.ServiceName}, {"username", a.Username},
		{"person", a.PersonName + " <" + a.PersonEmail + "> (" + a.PersonStatus + ")"},
		{"entitlement", a.Entitlement}, {"status", a.Status}, {"last_verified", v.ago(a.LastVerifiedAt)}, {"notes", orDash(a.Notes)},
	})
}
