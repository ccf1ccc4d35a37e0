package demo

import (
	"context"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

func init() { Register("on call", loadOnCall) }

// The ops team (Oscar, Chen, Dave) takes turns on two weekly rotations
// handing over Monday 09:00 Berlin time: the primary, and a secondary one
// turn ahead, so the person paged second is never the one paged first. One
// override: someone covers a day of the primary the day after tomorrow.
func loadOnCall(ctx context.Context, s *store.Store, now time.Time) error {
	return s.Write(ctx, Actor, func(t *store.Tx) error {
		plan, err := t.Plan()
		if err != nil || len(plan.Rotations) > 0 {
			return err
		}
		team := []string{"oscar@example.com", "chen@example.com", "dave@example.com"}
		for i, name := range []string{"primary", "secondary"} {
			if _, err := t.AddRotation(store.RotationSpec{Name: name, Rank: i + 1, Offset: i, Members: team,
				Every: "7d", Handoff: "Mon 09:00", TZ: "Europe/Berlin"}); err != nil {
				return err
			}
		}
		loc, _ := model.LoadZone("Europe/Berlin")
		y, m, d := now.In(loc).Date()
		from := time.Date(y, m, d+2, 9, 0, 0, 0, loc)
		if plan, err = t.Plan(); err != nil {
			return err
		}
		cover := team[0]
		if cur := plan.Now(from)[0]; cur.Email == cover {
			cover = team[1]
		}
		_, err = t.AddOverride("primary", cover, from, from.AddDate(0, 0, 1), "swapped a day for a dentist appointment")
		return err
	})
}
