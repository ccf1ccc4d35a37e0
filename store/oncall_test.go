package store

import (
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// twoRotations adds Priya and Chen (operators) and Vera (a viewer), and a
// primary and a secondary weekly rotation over Oscar, Priya and Chen.
func (f *fixture) twoRotations(t *testing.T) {
	t.Helper()
	err := f.s.Write(f.ctx, f.actor, func(tx *Tx) error {
		for _, p := range []model.Person{{Name: "Priya", Email: "priya@example.com", Role: "operator"},
			{Name: "Chen", Email: "chen@example.com", Role: "operator"}, {Name: "Vera", Email: "vera@example.com", Role: "viewer"}} {
			if err := tx.AddPerson(&p); err != nil {
				return err
			}
		}
		team := []string{"oscar@example.com", "priya@example.com", "chen@example.com"}
		if _, err := tx.AddRotation(RotationSpec{Name: "secondary", Rank: 2, Offset: 1, Members: team, Every: "7d", Handoff: "Mon 09:00", TZ: "Europe/Berlin"}); err != nil {
			return err
		}
		_, err := tx.AddRotation(RotationSpec{Name: "primary", Rank: 1, Members: team, Every: "7d", Handoff: "Mon 09:00", TZ: "Europe/Berlin"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) escalate(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.s.Write(f.ctx, f.systemUser, func(tx *Tx) (err error) { n, err = tx.Escalate(); return err }); err != nil {
		t.Fatal(err)
	}
	return n
}

// A firing alert on a critical service pages the secondary on call after
// 5 minutes, the owner after 10, everyone after 15; each step is on the
// timeline and in the queue; acknowledging stops it.
func TestEscalationStepsInTheStore(t *testing.T) {
	f := newFixture(t)
	f.twoRotations(t)
	if err := f.s.Write(f.ctx, f.actor, func(tx *Tx) error {
		_, err := tx.exec(`UPDATE services SET criticality = 'critical' WHERE id = ?`, f.webSvc.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		f.feed(t, map[*model.Check]byte{f.web: '-', f.host: '+'})
	}
	open := f.open(t)
	if len(open) != 1 {
		t.Fatalf("open alerts: %+v", open)
	}
	a := open[0]
	f.now = a.OpenedAt.Add(4 * time.Minute)
	if n := f.escalate(t); n != 0 {
		t.Fatalf("escalated after 4 minutes: %d", n)
	}
	f.now = a.OpenedAt.Add(5 * time.Minute)
	if n := f.escalate(t); n != 1 {
		t.Fatalf("after 5 minutes: %d steps", n)
	}
	var recips string
	if err := f.s.r.QueryRow(`SELECT recipients FROM notification_queue WHERE alert_id = ? AND event = 'escalated'`, a.ID).Scan(&recips); err != nil {
		t.Fatal(err)
	}
	// At 2026-11-27 the rotations are in their first week: Oscar primary, Priya secondary.
	if recips != "priya@example.com" {
		t.Errorf("step 1 paged %q, want the secondary priya@example.com", recips)
	}
	f.now = a.OpenedAt.Add(10 * time.Minute)
	f.escalate(t)
	d, err := f.s.GetAlertDetail(f.ctx, a.ID, f.now)
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, e := range d.Events {
		if e.Kind == "escalated" {
			steps = append(steps, e.Message)
		}
	}
	if len(steps) != 2 || !strings.Contains(steps[0], "paging the secondary on call: Priya (secondary)") ||
		!strings.Contains(steps[1], "paging the service owner: Oscar (owner)") {
		t.Errorf("timeline: %q", steps)
	}
	if err := f.s.Write(f.ctx, f.actor, func(tx *Tx) error {
		_, err := tx.exec(`UPDATE alerts SET state = 'acknowledged', acked_at = ?, acked_by = 'local:oscar' WHERE id = ?`, fmtTime(f.now), a.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.now = a.OpenedAt.Add(time.Hour)
	if n := f.escalate(t); n != 0 {
		t.Errorf("escalated after the ack: %d", n)
	}
}

// At the Monday handoff each rotation records one summary of the shift
// that ended (with its alerts), once.
func TestHandoverSummary(t *testing.T) {
	f := newFixture(t)
	f.twoRotations(t)
	for range 3 {
		f.feed(t, map[*model.Check]byte{f.web: '-', f.host: '+'})
	}
	f.now = time.Date(2026, 11, 30, 8, 1, 0, 0, time.UTC) // Monday 09:01 in Berlin
	var hs []HandoverRow
	record := func() {
		if err := f.s.Write(f.ctx, f.systemUser, func(tx *Tx) (err error) { hs, err = tx.RecordHandovers(); return err }); err != nil {
			t.Fatal(err)
		}
	}
	record()
	if len(hs) != 2 {
		t.Fatalf("handovers: %+v", hs)
	}
	for _, h := range hs {
		if h.Rotation == "primary" && (h.Person != "Oscar" || h.Next != "Priya" || h.Fired != 1 || len(h.StillOpen) != 1) {
			t.Errorf("primary handover: %+v", h)
		}
		if h.Rotation == "secondary" && (h.Person != "Priya" || h.Next != "Chen") {
			t.Errorf("secondary handover: %+v", h)
		}
	}
	record()
	if len(hs) != 0 {
		t.Errorf("handovers recorded twice: %+v", hs)
	}
}

// A viewer is refused as a member; an override of one day gives the shift
// back; nothing refused is written.
func TestRotationMembersAndOverrides(t *testing.T) {
	f := newFixture(t)
	f.twoRotations(t)
	err := f.s.Write(f.ctx, f.actor, func(tx *Tx) error {
		_, err := tx.AddRotationMember("primary", "vera@example.com", false)
		return err
	})
	if err == nil || err.Error() != `members: "vera@example.com" is a viewer; only operators and admins can be on call` {
		t.Errorf("viewer as member: %v", err)
	}
	if err := f.s.Write(f.ctx, f.actor, func(tx *Tx) error {
		_, err := tx.AddOverride("primary", "chen@example.com", f.now, f.now.Add(24*time.Hour), "swap")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	on, err := f.s.OnCallAt(f.ctx, f.now.Add(time.Hour))
	if err != nil || len(on) != 1 || on[0].Email != "chen@example.com" {
		t.Errorf("during the override: %+v %v", on, err)
	}
	on, err = f.s.OnCallAt(f.ctx, f.now.Add(25*time.Hour))
	if err != nil || len(on) != 1 || on[0].Email != "oscar@example.com" {
		t.Errorf("the day after: %+v %v", on, err)
	}
}
