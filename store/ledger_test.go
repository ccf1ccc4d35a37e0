package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// ledgerFixture is a store with a movable clock and a few inventory rows.
type ledgerFixture struct {
	t     *testing.T
	s     *Store
	clock time.Time
	oscar model.Actor
	svcID int64
	devID int64
}

func newLedgerFixture(t *testing.T) *ledgerFixture {
	t.Helper()
	s, err := Open(testDB(t, "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f := &ledgerFixture{t: t, s: s, clock: time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC), oscar: model.LocalActor("oscar")}
	s.Now = func() time.Time { return f.clock }
	f.write(f.oscar, func(tx *Tx) error {
		sv := model.Service{Name: "Production App", Kind: "app", Criticality: "critical"}
		if err := tx.AddService(&sv); err != nil {
			return err
		}
		d := model.Device{AssetTag: "LT-007", Name: "tom-laptop"}
		if err := tx.AddDevice(&d); err != nil {
			return err
		}
		f.svcID, f.devID = sv.ID, d.ID
		return nil
	})
	return f
}

// at sets the clock to hh:mm on 2 Nov 2026 (UTC).
func (f *ledgerFixture) at(hhmm string) time.Time {
	f.t.Helper()
	v, err := time.Parse("2006-01-02 15:04", "2026-11-02 "+hhmm)
	if err != nil {
		f.t.Fatal(err)
	}
	f.clock = v
	return v
}

func (f *ledgerFixture) write(a model.Actor, fn func(*Tx) error) {
	f.t.Helper()
	if err := f.s.Write(context.Background(), a, fn); err != nil {
		f.t.Fatal(err)
	}
}

func (f *ledgerFixture) entry(id int64) model.WorkEntry {
	f.t.Helper()
	e, err := f.s.GetEntry(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return e
}

// segs renders an entry's segments as "09:00-10:00 10:30-…".
func segs(e model.WorkEntry) string {
	var parts []string
	for _, s := range e.Segments {
		end := "…"
		if s.End != nil {
			end = s.End.UTC().Format("15:04")
		}
		parts = append(parts, s.Start.UTC().Format("15:04")+"-"+end)
	}
	return strings.Join(parts, " ")
}

func (f *ledgerFixture) start(a model.Actor, kind, cat string) int64 {
	f.t.Helper()
	e := model.WorkEntry{Kind: kind, Category: cat}
	f.write(a, func(tx *Tx) error { _, err := tx.StartEntry(&e); return err })
	return e.ID
}

func (f *ledgerFixture) stop(a model.Actor) {
	f.t.Helper()
	f.write(a, func(tx *Tx) error { _, _, err := tx.StopEntry(0, time.Time{}); return err })
}

func (f *ledgerFixture) expect(id int64, status, segments string) {
	f.t.Helper()
	e := f.entry(id)
	if e.Status != status || segs(e) != segments {
		f.t.Errorf("entry %d: %s %q, want %s %q", id, e.Status, segs(e), status, segments)
	}
}

func TestInterruptPausesAndStopResumes(t *testing.T) {
	f := newLedgerFixture(t)
	f.at("09:00")
	p := f.start(f.oscar, "planned", "project")
	f.at("10:00")
	u := f.start(f.oscar, "unplanned", "laptop support")
	f.expect(p, "paused", "09:00-10:00")
	f.expect(u, "running", "10:00-…")
	if e := f.entry(u); e.InterruptsID == nil || *e.InterruptsID != p {
		t.Fatalf("interruption does not record what it paused: %+v", e.InterruptsID)
	}
	f.at("10:30")
	f.stop(f.oscar)
	f.expect(u, "stopped", "10:00-10:30")
	f.expect(p, "running", "09:00-10:00 10:30-…")
	f.at("12:00")
	f.stop(f.oscar)
	f.expect(p, "stopped", "09:00-10:00 10:30-12:00")

	r, err := f.s.LedgerReport(context.Background(), f.at("00:00"), f.clock.Add(24*time.Hour), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if r.Planned.Float() != 2.5 || r.Unplanned.Float() != 0.5 {
		t.Errorf("report planned %.2f unplanned %.2f, want 2.5 / 0.5", r.Planned.Float(), r.Unplanned.Float())
	}
	audit, _ := f.s.ListAudit(context.Background(), AuditQuery{Entity: entityEntry})
	var actions []string
	for i := len(audit) - 1; i >= 0; i-- {
		actions = append(actions, audit[i].Action)
	}
	if got := strings.Join(actions, " "); got != "start pause start stop resume stop" {
		t.Errorf("audit trail %q", got)
	}
}

func TestNestedInterruptionsUnwindInOrder(t *testing.T) {
	f := newLedgerFixture(t)
	f.at("09:00")
	p := f.start(f.oscar, "planned", "project")
	f.at("09:30")
	a := f.start(f.oscar, "unplanned", "production incident")
	f.at("09:40")
	b := f.start(f.oscar, "unplanned", "access request")
	f.expect(p, "paused", "09:00-09:30")
	f.expect(a, "paused", "09:30-09:40")
	f.at("09:50")
	f.stop(f.oscar)
	f.expect(b, "stopped", "09:40-09:50")
	f.expect(a, "running", "09:30-09:40 09:50-…")
	f.expect(p, "paused", "09:00-09:30")
	f.at("10:00")
	f.stop(f.oscar)
	f.expect(p, "running", "09:00-09:30 10:00-…")
}

func TestPlannedStartWhileRunningIsRefused(t *testing.T) {
	f := newLedgerFixture(t)
	f.at("09:00")
	f.start(f.oscar, "planned", "project")
	before, _ := f.s.ListAudit(context.Background(), AuditQuery{})
	f.at("09:10")
	e := model.WorkEntry{Kind: "planned", Category: "meeting"}
	err := f.s.Write(context.Background(), f.oscar, func(tx *Tx) error { _, err := tx.StartEntry(&e); return err })
	if err == nil || !strings.Contains(err.Error(), "is running: stop it first") {
		t.Fatalf("err = %v", err)
	}
	after, _ := f.s.ListAudit(context.Background(), AuditQuery{})
	if len(after) != len(before) {
		t.Errorf("refused start wrote %d audit rows", len(after)-len(before))
	}
}

func TestInstantInterruptionLeavesNoSeam(t *testing.T) {
	f := newLedgerFixture(t)
	f.at("09:00")
	p := f.start(f.oscar, "planned", "project")
	f.at("09:30")
	f.start(f.oscar, "unplanned", "other")
	f.stop(f.oscar) // same instant
	f.expect(p, "running", "09:00-…")
}

func TestPauseResumeByHand(t *testing.T) {
	f := newLedgerFixture(t)
	f.at("09:00")
	p := f.start(f.oscar, "planned", "project")
	f.at("12:00")
	f.write(f.oscar, func(tx *Tx) error { _, err := tx.PauseEntry(0, time.Time{}); return err })
	f.expect(p, "paused", "09:00-12:00")
	f.at("13:00")
	q := f.start(f.oscar, "planned", "meeting") // nothing runs: allowed
	err := f.s.Write(context.Background(), f.oscar, func(tx *Tx) error { _, err := tx.ResumeEntry(p, time.Time{}); return err })
	if err == nil || !strings.Contains(err.Error(), "is running") {
		t.Fatalf("resume while running: %v", err)
	}
	f.at("13:30")
	f.stop(f.oscar)
	f.expect(q, "stopped", "13:00-13:30")
	f.expect(p, "paused", "09:00-12:00") // q did not interrupt p: nothing resumes
	f.write(f.oscar, func(tx *Tx) error { _, err := tx.ResumeEntry(0, time.Time{}); return err })
	f.expect(p, "running", "09:00-12:00 13:30-…")
}

func TestAlertHooks(t *testing.T) {
	f := newLedgerFixture(t)
	chen := model.Actor{Kind: "ssh", Name: "chen@example.com", Role: "operator"}
	scheduler := model.SystemActor("scheduler")
	f.at("09:00")
	p := f.start(chen, "planned", "project")
	f.at("09:15")
	var inc model.WorkEntry
	f.write(chen, func(tx *Tx) error {
		var err error
		inc, err = tx.StartAlertEntry(42, f.svcID, "Production App: HTTP 502")
		return err
	})
	if inc.Kind != "unplanned" || inc.Category != "production incident" || inc.ServiceName != "Production App" ||
		inc.AlertID == nil || *inc.AlertID != 42 || inc.Note != "Production App: HTTP 502" || inc.Actor != "ssh:chen@example.com" {
		t.Fatalf("incident entry %+v", inc)
	}
	f.expect(p, "paused", "09:00-09:15")
	// Acknowledging again changes nothing.
	f.at("09:16")
	f.write(chen, func(tx *Tx) error {
		again, err := tx.StartAlertEntry(42, f.svcID, "Production App: HTTP 502")
		if again.ID != inc.ID {
			t.Errorf("re-ack started entry %d, want %d", again.ID, inc.ID)
		}
		return err
	})
	// A laptop interruption on top of the incident.
	f.at("09:30")
	l := f.start(chen, "unplanned", "laptop support")
	// The scheduler resolves the alert while Chen is on the laptop: the
	// incident stops at its pause, and the laptop work now resumes Chen's
	// project when it stops.
	f.at("09:45")
	f.write(scheduler, func(tx *Tx) error { _, err := tx.StopAlertEntry(42); return err })
	f.expect(inc.ID, "stopped", "09:15-09:30")
	if e := f.entry(l); e.InterruptsID == nil || *e.InterruptsID != p {
		t.Fatalf("laptop entry interrupts %v, want %d", e.InterruptsID, p)
	}
	f.at("10:00")
	f.stop(chen)
	f.expect(p, "running", "09:00-09:15 10:00-…")
	// Resolving again is a no-op.
	f.write(scheduler, func(tx *Tx) error {
		got, err := tx.StopAlertEntry(42)
		if len(got) != 0 {
			t.Errorf("second resolve stopped %d entries", len(got))
		}
		return err
	})
}

func TestAlertResolveWhileRunningResumes(t *testing.T) {
	f := newLedgerFixture(t)
	f.at("09:00")
	p := f.start(f.oscar, "planned", "project")
	f.at("09:20")
	f.write(f.oscar, func(tx *Tx) error { _, err := tx.StartAlertEntry(7, 0, "db down"); return err })
	f.at("10:05")
	f.write(model.SystemActor("scheduler"), func(tx *Tx) error { _, err := tx.StopAlertEntry(7); return err })
	f.expect(p, "running", "09:00-09:20 10:05-…")
}

func TestViewerCannotLog(t *testing.T) {
	f := newLedgerFixture(t)
	viewer := model.Actor{Kind: "ssh", Name: "bob@example.com", Role: "viewer"}
	e := model.WorkEntry{Kind: "planned"}
	err := f.s.Write(context.Background(), viewer, func(tx *Tx) error { _, err := tx.StartEntry(&e); return err })
	if !errors.Is(err, model.ErrForbidden) {
		t.Fatalf("viewer start: %v", err)
	}
}

func TestAddEntryChecks(t *testing.T) {
	f := newLedgerFixture(t)
	f.at("12:00")
	start := f.clock.Add(-2 * time.Hour)
	end := f.clock.Add(-time.Hour)
	future := f.clock.Add(time.Hour)
	bad := int64(999)
	cases := []struct {
		name  string
		e     model.WorkEntry
		field string
	}{
		{"unknown category", model.WorkEntry{Kind: "unplanned", Category: "coffee", StartedAt: start, EndedAt: &end}, "category"},
		{"unknown device", model.WorkEntry{Kind: "unplanned", DeviceID: &bad, StartedAt: start, EndedAt: &end}, "device"},
		{"end in the future", model.WorkEntry{Kind: "unplanned", StartedAt: start, EndedAt: &future}, "end"},
		{"end before start", model.WorkEntry{Kind: "unplanned", StartedAt: end, EndedAt: &start}, "end"},
		{"no end", model.WorkEntry{Kind: "unplanned", StartedAt: start}, "end"},
	}
	for _, c := range cases {
		err := f.s.Write(context.Background(), f.oscar, func(tx *Tx) error { return tx.AddEntry(&c.e) })
		if fe, ok := model.AsFieldError(err); !ok || fe.Field != c.field {
			t.Errorf("%s: %v, want a %s error", c.name, err, c.field)
		}
	}
	es, _ := f.s.LedgerEntries(context.Background(), LedgerQuery{})
	if len(es) != 0 {
		t.Errorf("bad input wrote %d entries", len(es))
	}
	dev := f.devID
	ok := model.WorkEntry{Kind: "unplanned", Category: "Laptop Support", DeviceID: &dev, StartedAt: start, EndedAt: &end, Note: "keyboard \x1b[31mred"}
	f.write(f.oscar, func(tx *Tx) error { return tx.AddEntry(&ok) })
	if ok.Category != "laptop support" || ok.DeviceTag != "LT-007" || ok.Minutes != 60 || ok.Note != "keyboard red" {
		t.Errorf("added %+v", ok)
	}
}

func TestCategories(t *testing.T) {
	f := newLedgerFixture(t)
	f.write(f.oscar, func(tx *Tx) error { _, err := tx.AddLedgerCategory("Vendor Calls"); return err })
	f.write(f.oscar, func(tx *Tx) error { _, err := tx.DeactivateLedgerCategory("meeting"); return err })
	cats, _ := f.s.LedgerCategories(context.Background())
	got := map[string]bool{}
	for _, c := range cats {
		got[c.Name] = c.Active
	}
	if len(cats) != len(model.DefaultLedgerCategories)+1 || !got["vendor calls"] || got["meeting"] {
		t.Errorf("categories %+v", cats)
	}
	e := model.WorkEntry{Kind: "planned", Category: "meeting"}
	err := f.s.Write(context.Background(), f.oscar, func(tx *Tx) error { _, err := tx.StartEntry(&e); return err })
	if fe, ok := model.AsFieldError(err); !ok || fe.Field != "category" {
		t.Errorf("inactive category accepted: %v", err)
	}
	op := model.Actor{Kind: "ssh", Name: "chen@example.com", Role: "operator"}
	err = f.s.Write(context.Background(), op, func(tx *Tx) error { _, err := tx.AddLedgerCategory("x"); return err })
	if !errors.Is(err, model.ErrForbidden) {
		t.Errorf("operator added a category: %v", err)
	}
}

func TestLedgerWeeks(t *testing.T) {
	f := newLedgerFixture(t)
	f.at("12:00")
	start, end := f.clock.Add(-3*time.Hour), f.clock.Add(-time.Hour)
	e := model.WorkEntry{Kind: "unplanned", StartedAt: start, EndedAt: &end}
	f.write(f.oscar, func(tx *Tx) error { return tx.AddEntry(&e) })
	weeks, err := f.s.LedgerWeeks(context.Background(), 12, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(weeks) != 12 || weeks[11].Start != "2026-11-02" || weeks[11].Unplanned.Float() != 2 || weeks[11].Share != 1 {
		t.Fatalf("weeks %+v", weeks)
	}
	run, err := f.s.RunningEntry(context.Background(), f.oscar.String())
	if err != nil || run != nil {
		t.Fatalf("running %v %v", run, err)
	}
}
