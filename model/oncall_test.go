package model_test

import (
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/instants"
	"github.com/opsdeck/opsdeck/model"
)

var trio = []model.RotationMember{
	{PersonID: 1, Name: "Oscar", Email: "oscar@example.com", Position: 1},
	{PersonID: 2, Name: "Priya", Email: "priya@example.com", Position: 2},
	{PersonID: 3, Name: "Chen", Email: "chen@example.com", Position: 3},
}

// twoRotations is a weekly primary handing off Monday 09:00 and a daily
// secondary handing off 02:30 (inside the spring-forward hole, and twice
// on the fall-back night) in zone, both over the same three people, anchored
// eight weeks before at.
func twoRotations(t *testing.T, zone string, at time.Time) model.OnCallPlan {
	t.Helper()
	loc, err := model.LoadZone(zone)
	if err != nil {
		t.Fatal(err)
	}
	start := at.AddDate(0, 0, -56)
	mk := func(id int64, name string, rank, every int, handoff string, offset int) model.Rotation {
		h, err := model.ParseHandoff(handoff, every)
		if err != nil {
			t.Fatal(err)
		}
		r := model.Rotation{ID: id, Name: name, Rank: rank, EveryDays: every, Handoff: handoff, TZ: zone, Offset: offset,
			Anchor: model.AnchorFor(h, loc, start)}
		for _, m := range trio {
			m.JoinedAt = r.Anchor
			r.Members = append(r.Members, m)
		}
		if err := r.Validate(); err != nil {
			t.Fatal(err)
		}
		return r
	}
	return model.OnCallPlan{Rotations: []model.Rotation{mk(1, "primary", 1, 7, "Mon 09:00", 0), mk(2, "secondary", 2, 1, "02:30", 1)}}
}

// expected walks the calendar day by day in the zone (not the model's
// arithmetic) and counts the handoffs up to at.
func expected(r model.Rotation, at time.Time) string {
	loc, _ := time.LoadLocation(r.TZ)
	h, _ := model.ParseHandoff(r.Handoff, r.EveryDays)
	a := r.Anchor.In(loc)
	shifts := -1
	for day := 0; ; day += r.EveryDays {
		b := time.Date(a.Year(), a.Month(), a.Day()+day, h.Hour, h.Minute, 0, 0, loc)
		if b.After(at) {
			break
		}
		shifts++
	}
	return trio[(shifts+r.Offset)%3].Name
}

// Two rotations over three people name the right person at every instant
// of the date matrix and around it, DST changes included.
func TestRotationsAcrossTheDateMatrix(t *testing.T) {
	instants.Each(t, func(t *testing.T, in instants.Instant) {
		at := in.Time()
		plan := twoRotations(t, in.Zone, at)
		for _, d := range []time.Duration{0, -time.Hour, time.Hour, -3 * time.Hour, 25 * time.Hour, 6 * 24 * time.Hour} {
			when := at.Add(d)
			now := plan.Now(when)
			if len(now) != 2 {
				t.Fatalf("%s: %d layers", when, len(now))
			}
			for i, s := range now {
				if want := expected(plan.Rotations[i], when); s.Person != want || s.Gap {
					t.Errorf("%s at %s: %s, want %s", s.Rotation, when.Format(time.RFC3339), s.Person, want)
				}
				if !(s.Start.Compare(when) <= 0 && s.End.After(when)) {
					t.Errorf("%s at %s: window %s–%s does not hold the instant", s.Rotation, when, s.Start, s.End)
				}
			}
		}
	})
}

// A weekly shift across Berlin's fall-back night lasts 169 hours and still
// hands off at 09:00 local; the daily 02:30 handoff on spring-forward day
// happens at 03:30 (02:30 does not exist) and that shift is 23 hours.
func TestRotationShiftLengthsAcrossDST(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	at := time.Date(2026, 10, 25, 3, 30, 0, 0, loc)
	plan := twoRotations(t, "Europe/Berlin", at)
	p := plan.Now(at)[0]
	if got := p.End.Sub(p.Start); got != 169*time.Hour {
		t.Errorf("primary shift over fall-back: %s (%s–%s), want 169h", got, p.Start, p.End)
	}
	if p.End.In(loc).Format("Mon 15:04") != "Mon 09:00" {
		t.Errorf("handoff at %s", p.End.In(loc))
	}
	spring := time.Date(2027, 3, 28, 12, 0, 0, 0, loc)
	plan = twoRotations(t, "Europe/Berlin", spring)
	s := plan.Now(spring)[1]
	if s.Start.In(loc).Format("15:04") != "03:30" || s.End.Sub(s.Start) != 23*time.Hour {
		t.Errorf("secondary on spring-forward day: %s–%s (%s)", s.Start.In(loc), s.End.In(loc), s.End.Sub(s.Start))
	}
}

// An override of one day covers the shift and gives it back the next day;
// nothing else changes and the schedule names whom it covers.
func TestOverrideGivesTheShiftBack(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	at := time.Date(2026, 12, 9, 12, 0, 0, 0, loc) // a Wednesday
	plan := twoRotations(t, "Europe/Berlin", at)
	before := plan.Now(at)[0]
	rid := int64(1)
	plan.Overrides = []model.OnCall{{ID: 7, RotationID: &rid, PersonID: 2, PersonName: "Priya", Email: "priya@example.com",
		StartsAt: at, EndsAt: at.AddDate(0, 0, 1), Reason: "Oscar at the dentist"}}
	if before.Person == "Priya" {
		t.Fatalf("pick another instant: Priya already on call")
	}
	sched := plan.Schedule(before.Start, before.End)
	var primary []model.Shift
	for _, s := range sched {
		if s.Rank == 1 {
			primary = append(primary, s)
		}
	}
	if len(primary) != 3 {
		t.Fatalf("primary windows: %+v", primary)
	}
	if primary[0].Person != before.Person || !primary[0].End.Equal(at) {
		t.Errorf("before the override: %+v", primary[0])
	}
	if o := primary[1]; o.Person != "Priya" || o.Covers != before.Person || o.Override == nil || !o.End.Equal(at.AddDate(0, 0, 1)) {
		t.Errorf("override window: %+v", o)
	}
	if g := primary[2]; g.Person != before.Person || !g.Start.Equal(at.AddDate(0, 0, 1)) || !g.End.Equal(before.End) {
		t.Errorf("shift given back: %+v", g)
	}
	if now := plan.Now(at.AddDate(0, 0, 1).Add(time.Minute))[0]; now.Person != before.Person {
		t.Errorf("next day: %s on call, want %s back", now.Person, before.Person)
	}
}

// Removing a member hands their turns to the next member from then on;
// the past stays theirs, and the change says who takes which turn.
func TestRemovedMemberTurnsGoToTheNext(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	at := time.Date(2026, 12, 2, 12, 0, 0, 0, loc)
	before := twoRotations(t, "Europe/Berlin", at)
	after := twoRotations(t, "Europe/Berlin", at)
	for ri := range after.Rotations {
		for mi := range after.Rotations[ri].Members {
			if after.Rotations[ri].Members[mi].Name == "Chen" {
				after.Rotations[ri].Members[mi].RemovedAt = &at
			}
		}
	}
	to := at.AddDate(0, 0, 21)
	ch := model.TurnsTaken(before, after, 3, at, to)
	if len(ch) == 0 {
		t.Fatal("Chen had turns in three weeks; none reported taken")
	}
	for _, c := range ch {
		if c.To == "Chen" || c.To == "nobody" {
			t.Errorf("turn %+v", c)
		}
	}
	for _, s := range after.Schedule(at, to) {
		if s.Person == "Chen" {
			t.Errorf("Chen still on call after removal: %+v", s)
		}
	}
	past := at.AddDate(0, 0, -20)
	if b, a := before.Now(past), after.Now(past); b[0].Person != a[0].Person || b[1].Person != a[1].Person {
		t.Errorf("the past changed: %v vs %v", b, a)
	}
	if d := model.DescribeTurns("Chen", ch, loc); !strings.Contains(d, "→ Oscar") && !strings.Contains(d, "→ Priya") {
		t.Errorf("description %q", d)
	}
	// The last member leaving leaves a gap, which Gaps reports.
	for ri := range after.Rotations {
		for mi := range after.Rotations[ri].Members {
			after.Rotations[ri].Members[mi].RemovedAt = &at
		}
	}
	if g := after.Gaps(at, to); len(g) != 1 || !g[0].Start.Equal(at) || !g[0].End.Equal(to) {
		t.Errorf("gaps: %+v", g)
	}
}

func TestRotationInputRefused(t *testing.T) {
	for _, c := range []struct{ every, handoff, tz, want string }{
		{"12h", "09:00", "Europe/Berlin", `every: "12h" is not a whole number of days`},
		{"7d", "Mon 25:00", "Europe/Berlin", `handoff: "Mon 25:00" does not have a 24-hour time`},
		{"7d", "Funday 09:00", "Europe/Berlin", `handoff: "Funday 09:00" does not start with a weekday`},
		{"1d", "Mon 09:00", "Europe/Berlin", `handoff: "Mon 09:00" names a weekday, but every 1d`},
		{"7d", "Mon 09:00", "Mars/Olympus", `tz: "Mars/Olympus" is not a known time zone`},
	} {
		days, err := model.ParseEvery(c.every)
		if err == nil {
			r := model.Rotation{Name: "x", Rank: 1, EveryDays: days, Handoff: c.handoff, TZ: c.tz}
			err = r.Validate()
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c, err, c.want)
		}
	}
	if why := model.CanBeOnCall(model.Person{Status: "active", Role: "viewer"}); !strings.Contains(why, "only operators and admins") {
		t.Errorf("viewer: %q", why)
	}
}

func TestEscalationSteps(t *testing.T) {
	open := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	a := &model.Alert{State: "firing", OpenedAt: open}
	d := model.EscalationDelay("critical", nil)
	if d != 5*time.Minute {
		t.Fatalf("critical delay %s", d)
	}
	if s := model.NextEscalation(a, 0, d, open.Add(4*time.Minute), nil); s != 0 {
		t.Errorf("before the delay: step %d", s)
	}
	if s := model.NextEscalation(a, 0, d, open.Add(5*time.Minute), nil); s != model.EscalateSecondary {
		t.Errorf("after the delay: step %d", s)
	}
	if s := model.NextEscalation(a, 1, d, open.Add(10*time.Minute), nil); s != model.EscalateOwner {
		t.Errorf("after two delays: step %d", s)
	}
	// An alert already an hour old when escalation first sees it takes one
	// step, then waits a delay before the next: it does not page everyone at once.
	first := open.Add(time.Hour)
	if s := model.NextEscalation(a, 0, d, first, nil); s != model.EscalateSecondary {
		t.Errorf("old alert, first pass: step %d", s)
	}
	if s := model.NextEscalation(a, 1, d, first.Add(15*time.Second), &first); s != 0 {
		t.Errorf("old alert, next pass: step %d, want none until a delay has passed", s)
	}
	if s := model.NextEscalation(a, 1, d, first.Add(5*time.Minute), &first); s != model.EscalateOwner {
		t.Errorf("old alert, a delay later: step %d", s)
	}
	a.State = "acknowledged"
	if s := model.NextEscalation(a, 1, d, open.Add(time.Hour), nil); s != 0 {
		t.Errorf("acknowledged: step %d", s)
	}
	if d := model.EscalationDelay("high", map[string]time.Duration{"high": 2 * time.Minute}); d != 2*time.Minute {
		t.Errorf("configured high: %s", d)
	}
}
