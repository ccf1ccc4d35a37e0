package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

func init() { Register("secrets", loadSecrets) }

type secret struct {
	name, location, service string
	holders                 []string
	rotationDays            int
	rotatedDaysAgo          int
	notes                   string
}

// The shared secrets of the demo company. Bill still knows the AWS root
// credentials and the production database password: offboarding him lists
// both for rotation, and the AWS root credentials are overdue anyway.
var secrets = []secret{
	{"AWS root credentials", "1Password: Ops vault (break-glass)", "AWS", []string{"oscar@example.com", "bill@example.com"}, 90, 200,
		"Root user of the main AWS account; MFA device in the office safe"},
	{"Production DB password", "AWS Secrets Manager: prod/postgres/app", "Postgres Primary", []string{"dave@example.com", "bill@example.com", "oscar@example.com"}, 180, 120,
		"Application role on db-01; rotating it needs an app deploy"},
	{"Office Wi-Fi password", "1Password: Office vault; printed copy in the safe", "", []string{"olivia@example.com", "oscar@example.com"}, 365, 300, ""},
	{"GitHub deploy key (production)", "Jenkins credentials store: prod-deploy", "GitHub", []string{"dave@example.com", "chen@example.com"}, 365, 410,
		"Read-only deploy key used by the release job"},
	{"Jenkins admin password", "1Password: Ops vault", "Jenkins CI", []string{"oscar@example.com"}, 180, 30, ""},
	{"Stripe live API key", "AWS Secrets Manager: prod/stripe", "Production App", []string{"dave@example.com", "tammy@example.com"}, 365, 90, ""},
}

func loadSecrets(ctx context.Context, s *store.Store, now time.Time) error {
	return s.Write(ctx, Actor, func(t *store.Tx) error {
		for _, x := range secrets {
			if _, err := t.FindSecret(x.name); err == nil {
				continue
			}
			rotated := now.AddDate(0, 0, -x.rotatedDaysAgo)
			rec := model.Secret{Name: x.name, Location: x.location, RotationDays: x.rotationDays, LastRotatedAt: &rotated,
				LastRotatedBy: "local:oscar", Notes: x.notes}
			if x.service != "" {
				sv, err := t.FindService(x.service)
				if err != nil {
					return fmt.Errorf("secret %s: %w", x.name, err)
				}
				rec.ServiceID = &sv.ID
			}
			var holders []int64
			for _, email := range x.holders {
				p, err := t.FindPerson(email)
				if err != nil {
					return fmt.Errorf("secret %s: %w", x.name, err)
				}
				holders = append(holders, p.ID)
			}
			if err := t.AddSecret(&rec, holders); err != nil {
				return fmt.Errorf("secret %s: %w", x.name, err)
			}
		}
		return nil
	})
}
