package store

import (
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// A rotation as a checks file has it: members changed from now (the one
// dropped keeps their row and past), turn order the file's, retired with
// its overrides ahead cancelled and left out of the schedule, then brought
// back by naming it again.
func TestApplyRotationChangeRetireRevive(t *testing.T) {
	f := newFixture(t)
	f.twoRotations(t)
	ids := map[string]int64{}
	for _, e := range []string{"oscar@example.com", "priya@example.com", "chen@example.com"} {
		p, err := f.s.FindPerson(f.ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		ids[e] = p.ID
	}
	plan, _ := f.s.OnCallPlan(f.ctx)
	primary := plan.Rotations[0]
	write := func(fn func(tx *Tx) error) {
		t.Helper()
		if err := f.s.Write(f.ctx, f.actor, fn); err != nil {
			t.Fatal(err)
		}
	}
	file := RotationFile{Name: "primary", Rank: 1, EveryDays: 7, Handoff: "Mon 09:00", TZ: "Europe/Berlin",
		Members: []int64{ids["chen@example.com"], ids["oscar@example.com"]}, Shadows: []int64{ids["priya@example.com"]}}
	var got model.Rotation
	write(func(tx *Tx) (err error) { got, err = tx.ApplyRotation(primary.ID, file); return err })
	if !got.Managed || !got.Anchor.Equal(primary.Anchor) {
		t.Fatalf("applied rotation: managed %v, anchor %v (was %v)", got.Managed, got.Anchor, primary.Anchor)
	}
	var order []string
	for _, m := range got.Members {
		if m.RemovedAt == nil && !m.Shadow {
			order = append(order, m.Email)
		}
	}
	if len(order) != 2 || order[0] != "chen@example.com" || order[1] != "oscar@example.com" {
		t.Errorf("turn order %v, want the file's", order)
	}
	if who := (model.OnCallPlan{Rotations: []model.Rotation{got}}).Now(f.now.Add(time.Hour))[0]; len(who.Shadows) != 1 || who.Shadows[0] != "Priya" {
		t.Errorf("priya is not shadowing: %+v", who)
	}
	// Retire: an override ahead is cancelled; the schedule leaves it out.
	write(func(tx *Tx) error {
		_, err := tx.AddOverride("primary", "priya@example.com", f.now.Add(24*time.Hour), f.now.Add(48*time.Hour), "cover")
		return err
	})
	write(func(tx *Tx) error { _, err := tx.RetireRotation(primary.ID); return err })
	plan, _ = f.s.OnCallPlan(f.ctx)
	if len(plan.Rotations) != 1 || plan.Rotations[0].Name != "secondary" {
		t.Fatalf("after retiring primary: %+v", plan.Rotations)
	}
	ov, _ := f.s.Overrides(f.ctx, f.now, false)
	for _, o := range ov {
		if o.Reason == "cover" {
			t.Errorf("the retired rotation's override ahead survived: %+v", o)
		}
	}
	retired, _ := f.s.RetiredRotations(f.ctx)
	if retired["primary"] != primary.ID {
		t.Fatalf("retired: %v", retired)
	}
	write(func(tx *Tx) (err error) { got, err = tx.ApplyRotation(primary.ID, file); return err })
	if plan, _ = f.s.OnCallPlan(f.ctx); len(plan.Rotations) != 2 {
		t.Fatalf("the named-again rotation did not come back: %+v", plan.Rotations)
	}
	// A start that is no handoff is refused, naming it.
	file.Start = time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC)
	err := f.s.Write(f.ctx, f.actor, func(tx *Tx) error { _, err := tx.ApplyRotation(primary.ID, file); return err })
	if fe, ok := model.AsFieldError(err); !ok || fe.Field != "starts" {
		t.Errorf("a start off the handoff: %v", err)
	}
}
