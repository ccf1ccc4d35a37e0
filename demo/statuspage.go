package demo

import (
	"context"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

func init() { Register("status page", loadStatusPage) }

// publicServices are the demo's services on the status page.
var publicServices = []string{"Production App", "Postgres Primary", "Jenkins CI"}

// loadStatusPage marks the demo's customer-facing services public and
// gives their checks 90 days of daily results (a bad day now and then),
// so the status page has bars to draw.
func loadStatusPage(ctx context.Context, s *store.Store, now time.Time) error {
	return s.Write(ctx, Actor, func(t *store.Tx) error {
		for i, name := range publicServices {
			sv, err := t.FindService(name)
			if err != nil {
				return err
			}
			if !sv.Public {
				if _, _, err := t.UpdateService(sv.ID, func(sv *model.Service) error { sv.Public = true; return nil }); err != nil {
					return err
				}
			}
			checks, err := s.ListChecks(ctx, store.CheckQuery{ServiceID: sv.ID})
			if err != nil {
				return err
			}
			for _, c := range checks {
				per := int(24 * time.Hour / c.Interval())
				for d := 1; d <= model.StatusDays; d++ {
					ok := per
					switch (d*7 + i*13 + int(c.ID)) % 31 {
					case 0:
						ok = per * 93 / 100 // an outage of an hour or two
					case 5, 17:
						ok = per - per/200 - 1 // a blip
					}
					if err := t.AddDailyRollup(c.ID, now.AddDate(0, 0, -d), per, ok, 40, 120, 900); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}
