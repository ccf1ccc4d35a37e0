package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// fixture: one device (app-01) running two services, a host check on the
// device and a check per service, a webhook channel, Oscar on call.
type fixture struct {
	s                 *Store
	now               time.Time
	host, web, api    *model.Check
	device            model.Device
	webSvc, apiSvc    model.Service
	oscar             model.Person
	ctx               context.Context
	actor, systemUser model.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureAt(t, time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
}

// newFixtureAt is the fixture with its clock standing at now.
func newFixtureAt(t *testing.T, now time.Time) *fixture {
	t.Helper()
	s, err := Open(testDB(t, "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f := &fixture{s: s, now: now, ctx: context.Background(),
		actor: model.LocalActor("oscar"), systemUser: model.SystemActor("scheduler")}
	s.Now = func() time.Time { return f.now }
	err = s.Write(f.ctx, f.actor, func(t *Tx) error {
		f.oscar = model.Person{Name: "Oscar", Email: "oscar@example.com", Role: "admin"}
		if err := t.AddPerson(&f.oscar); err != nil {
			return err
		}
		f.device = model.Device{AssetTag: "SRV-1", Name: "app-01", Kind: "server"}
		if err := t.AddDevice(&f.device); err != nil {
			return err
		}
		for _, sv := range []*model.Service{&f.webSvc, &f.apiSvc} {
			*sv = model.Service{Name: "svc" + string(rune('A'+len(sv.Name))), OwnerID: &f.oscar.ID, RunbookURL: "https://wiki/rb"}
		}
		f.webSvc.Name, f.apiSvc.Name = "Web", "API"
		for _, sv := range []*model.Service{&f.webSvc, &f.apiSvc} {
			if err := t.AddService(sv); err != nil {
				return err
			}
			if err := t.AddServiceHost(sv.ID, f.device.ID); err != nil {
				return err
			}
		}
		f.host = &model.Check{Name: "app-01-ping", Kind: "tcp", Target: "127.0.0.1:22", DeviceID: &f.device.ID, IntervalS: 30}
		f.web = &model.Check{Name: "web", Kind: "http", Target: "http://127.0.0.1:1/", ServiceID: &f.webSvc.ID, IntervalS: 30}
		f.api = &model.Check{Name: "api", Kind: "http", Target: "http://127.0.0.1:2/", ServiceID: &f.apiSvc.ID, IntervalS: 30}
		for _, c := range []*model.Check{f.host, f.web, f.api} {
			if err := t.AddCheck(c); err != nil {
				return err
			}
		}
		if err := t.AddChannel(&model.Channel{Name: "hook", Kind: "webhook", URL: "http://127.0.0.1:9/hook", Enabled: true}); err != nil {
			return err
		}
		_, err := t.SetOnCall("oscar@example.com", f.now.Add(-time.Hour), f.now.Add(24*time.Hour))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// feed applies one result per check given ("+" up, "-" down) at the
// fixture's clock, then advances the clock by 30 s.
func (f *fixture) feed(t *testing.T, results map[*model.Check]byte) {
	t.Helper()
	var outs []Outcome
	for c, r := range results {
		st := "up"
		if r == '-' {
			st = "down"
		}
		outs = append(outs, Outcome{Result: model.CheckResult{CheckID: c.ID, At: f.now, Status: st, LatencyMs: 12.5, Message: "probe " + st}})
	}
	if err := f.s.Write(f.ctx, f.systemUser, func(t *Tx) error { return t.ApplyResults(outs, DefaultNotifyPolicy) }); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(30 * time.Second)
}

func (f *fixture) open(t *testing.T) []model.Alert {
	t.Helper()
	as, err := f.s.ListAlerts(f.ctx, AlertQuery{State: "open"})
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func TestDeviceDownGivesOneRootAlert(t *testing.T) {
	f := newFixture(t)
	// Everything on app-01 fails; the service checks happen to reach three
	// failures before the host check does.
	f.feed(t, map[*model.Check]byte{f.web: '-', f.api: '-'})
	f.feed(t, map[*model.Check]byte{f.web: '-', f.api: '-', f.host: '-'})
	f.feed(t, map[*model.Check]byte{f.web: '-', f.api: '-', f.host: '-'})
	if n := len(f.open(t)); n != 2 {
		t.Fatalf("after 3 service failures: %d open alerts, want 2", n)
	}
	f.feed(t, map[*model.Check]byte{f.web: '-', f.api: '-', f.host: '-'})
	groups, err := f.s.AlertGroups(f.ctx, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || groups[0].Root.CheckName != "app-01-ping" || len(groups[0].Caused) != 2 {
		t.Fatalf("groups: %+v", groups)
	}
	for _, a := range groups[0].Caused {
		if a.CausedBy != "app-01" || a.Suppressed(f.now) != "caused by app-01" {
			t.Errorf("alert %s: caused by %q", a.CheckName, a.CausedBy)
		}
	}
	if firing, acked, err := f.s.AlertCounts(f.ctx); err != nil || firing != 1 || acked != 0 {
		t.Errorf("alert counts: %d firing (want 1: the device), %d acked, %v", firing, acked, err)
	}
	if m, err := f.s.ResultsMark(f.ctx); err != nil || m == "" {
		t.Errorf("results mark %q %v", m, err)
	}
	// After the group wait only the device's page is still wanted.
	due, err := f.s.DueNotifications(f.ctx, f.now.Add(time.Minute), 100)
	if err != nil {
		t.Fatal(err)
	}
	var wanted []string
	for _, q := range due {
		if model.StillWanted(&q.Alert, q.Event, f.now) == "" {
			wanted = append(wanted, q.Alert.CheckName)
			if strings.Join(q.Recipients, ",") != "oscar@example.com" {
				t.Errorf("recipients %v, want the on-call person", q.Recipients)
			}
		}
	}
	if strings.Join(wanted, ",") != "app-01-ping" {
		t.Errorf("pages wanted for %v, want only app-01-ping", wanted)
	}
	d, err := f.s.GetAlertDetail(f.ctx, groups[0].Caused[0].ID, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if d.Owner == nil || d.Owner.Email != "oscar@example.com" || d.Runbook != "https://wiki/rb" || len(d.Latency) != 4 || d.CausedBy == nil {
		t.Errorf("detail: owner %v runbook %q latency %v caused by %v", d.Owner, d.Runbook, d.Latency, d.CausedBy)
	}
	if d.Uptime.Day != 0 {
		t.Errorf("uptime 24h = %v, want 0", d.Uptime.Day)
	}
	var kinds []string
	for _, e := range d.Events {
		kinds = append(kinds, e.Kind)
	}
	if got := strings.Join(kinds, " "); got != "fired paged caused_by" {
		t.Errorf("timeline %q", got)
	}
}

func TestAckSnoozeResolveAudited(t *testing.T) {
	f := newFixture(t)
	for range 3 {
		f.feed(t, map[*model.Check]byte{f.web: '-'})
	}
	a := f.open(t)[0]
	err := f.s.Write(f.ctx, f.actor, func(t *Tx) error { _, err := t.AckAlert(a.ID, ""); return err })
	if err == nil || !strings.HasPrefix(err.Error(), "reason:") {
		t.Fatalf("ack without reason: %v", err)
	}
	err = f.s.Write(f.ctx, f.actor, func(t *Tx) error { _, err := t.AckAlert(a.ID, "restarting nginx"); return err })
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.s.GetAlert(f.ctx, a.ID)
	if got.State != "acknowledged" || got.AckedBy != "local:oscar" || got.AckReason != "restarting nginx" {
		t.Errorf("after ack: %+v", got)
	}
	audit, _ := f.s.ListAudit(f.ctx, AuditQuery{Entity: "alert", EntityID: a.ID})
	if len(audit) == 0 || audit[0].Action != "acknowledge" || audit[0].Actor != "local:oscar" {
		t.Errorf("audit: %+v", audit)
	}
	// Two successes resolve it; a resolved page goes to whoever was paged.
	f.feed(t, map[*model.Check]byte{f.web: '+'})
	f.feed(t, map[*model.Check]byte{f.web: '+'})
	got, _ = f.s.GetAlert(f.ctx, a.ID)
	if got.State != "resolved" || got.ResolvedBy != "system" {
		t.Fatalf("after 2 successes: %+v", got)
	}
	rows, _ := f.s.AlertNotifications(f.ctx, a.ID)
	if len(rows) != 2 || rows[1].Event != "resolved" {
		t.Errorf("notifications: %+v", rows)
	}
}

func TestSilenceAndRepeat(t *testing.T) {
	f := newFixture(t)
	err := f.s.Write(f.ctx, f.actor, func(t *Tx) error {
		return t.AddSilence(&model.Silence{ServiceID: &f.webSvc.ID, StartsAt: f.now, EndsAt: f.now.Add(2 * time.Minute), Reason: "deploy"})
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		f.feed(t, map[*model.Check]byte{f.web: '-'})
	}
	a := f.open(t)[0]
	if a.SilenceID == nil || a.NotifyCount != 0 {
		t.Fatalf("silenced alert paged: %+v", a)
	}
	f.now = f.now.Add(2 * time.Minute) // the silence is over
	f.feed(t, map[*model.Check]byte{f.web: '-'})
	a, _ = f.s.GetAlert(f.ctx, a.ID)
	if a.SilenceID != nil || a.NotifyCount != 1 {
		t.Fatalf("after silence: %+v", a)
	}
	var n int
	f.now = f.now.Add(31 * time.Minute)
	err = f.s.Write(f.ctx, f.systemUser, func(t *Tx) error { var err error; n, err = t.EnqueueRepeats(30 * time.Minute); return err })
	if err != nil || n != 1 {
		t.Fatalf("repeat: %d %v", n, err)
	}
}

func TestRollupsUptimeAndLease(t *testing.T) {
	f := newFixture(t)
	start := f.now
	for i := range 120 { // one hour at 30 s: 90 up, 30 down
		r := byte('+')
		if i%4 == 0 {
			r = '-'
		}
		f.feed(t, map[*model.Check]byte{f.api: r})
	}
	// One bucket per step, as the scheduler does: 12:00-13:00 and 13:00-14:00.
	for step := 0; ; step++ {
		var more bool
		if err := f.s.Write(f.ctx, f.systemUser, func(t *Tx) error {
			var err error
			more, err = t.Rollup(f.now.Add(time.Hour), 1)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if !more {
			if step != 1 {
				t.Errorf("rollup took %d steps, want 2 (one per hour)", step+1)
			}
			break
		}
	}
	ru, err := f.s.Rollups(f.ctx, f.api.ID, false, start)
	if err != nil || len(ru) != 1 || ru[0].N != 120 || ru[0].OK != 90 || ru[0].P50 != 12.5 {
		t.Fatalf("hourly rollups: %+v %v", ru, err)
	}
	// The day closes once its hours are rolled; its numbers come from them.
	if err := f.s.Write(f.ctx, f.systemUser, func(t *Tx) error { _, err := t.Rollup(f.now.Add(24*time.Hour), 100); return err }); err != nil {
		t.Fatal(err)
	}
	if d, err := f.s.Rollups(f.ctx, f.api.ID, true, start.Truncate(24*time.Hour)); err != nil || len(d) != 1 || d[0].N != 120 || d[0].OK != 90 || d[0].P95 != 12.5 {
		t.Errorf("daily rollups: %+v %v", d, err)
	}
	u, err := f.s.Uptime(f.ctx, f.api.ID, f.now)
	if err != nil || u.Day != 75 || u.Month != 75 {
		t.Errorf("uptime %+v %v", u, err)
	}
	var n int64
	if err := f.s.Write(f.ctx, f.systemUser, func(t *Tx) error { n, err = t.Prune(f.now.AddDate(0, 0, 3), DefaultRetention); return err }); err != nil || n != 10 {
		// Kept by count: the newest 100 and every state change (the
		// other 10 of the 20 older results go).
		t.Errorf("prune removed %d raw rows (%v), want 10", n, err)
	}
	if u, _ := f.s.Uptime(f.ctx, f.api.ID, f.now); u.Day != 75 {
		t.Errorf("uptime from rollups after pruning raw: %+v", u)
	}

	lease := func(holder string) bool {
		var ok bool
		f.s.Write(f.ctx, f.systemUser, func(t *Tx) error { ok, _, err = t.AcquireLease("scheduler", holder, time.Minute); return err })
		return ok
	}
	if !lease("a") || lease("b") || !lease("a") {
		t.Fatal("lease not exclusive")
	}
	f.now = f.now.Add(2 * time.Minute)
	if !lease("b") {
		t.Fatal("expired lease not taken over")
	}
}

func TestExecChecksAreAdminOnly(t *testing.T) {
	f := newFixture(t)
	op := model.Actor{Kind: "ssh", Name: "chen@example.com", Role: "operator"}
	err := f.s.Write(f.ctx, op, func(t *Tx) error {
		return t.AddCheck(&model.Check{Name: "x", Kind: "exec", Target: "/bin/true", ServiceID: &f.webSvc.ID})
	})
	if !errors.Is(err, model.ErrForbidden) {
		t.Fatalf("operator added an exec check: %v", err)
	}
	err = f.s.Write(f.ctx, op, func(t *Tx) error {
		_, _, err := t.UpdateCheck(f.web.ID, func(c *model.Check) error { c.Kind, c.Target = "exec", "/bin/sh -c id"; return nil })
		return err
	})
	if !errors.Is(err, model.ErrForbidden) {
		t.Fatalf("operator turned a check into exec: %v", err)
	}
	if err := f.s.Write(f.ctx, op, func(t *Tx) error { _, err := t.SetCheckPaused(f.web.ID, true); return err }); err != nil {
		t.Errorf("operator cannot pause an http check: %v", err)
	}
}

func TestOperatorMayPauseExecCheck(t *testing.T) {
	f := newFixture(t)
	var ex model.Check
	if err := f.s.Write(f.ctx, f.actor, func(t *Tx) error {
		ex = model.Check{Name: "disk", Kind: "exec", Target: "/bin/true", ServiceID: &f.webSvc.ID}
		return t.AddCheck(&ex)
	}); err != nil {
		t.Fatal(err)
	}
	op := model.Actor{Kind: "ssh", Name: "chen@example.com", Role: "operator"}
	if err := f.s.Write(f.ctx, op, func(t *Tx) error { _, err := t.SetCheckPaused(ex.ID, true); return err }); err != nil {
		t.Errorf("operator cannot pause an exec check: %v", err)
	}
}

// BenchmarkApplyResults100 is one scheduler flush: 100 results (one per
// check, a few failing) in one transaction.
func BenchmarkApplyResults100(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var ids []int64
	err = s.Write(ctx, model.LocalActor("bench"), func(t *Tx) error {
		sv := model.Service{Name: "svc"}
		if err := t.AddService(&sv); err != nil {
			return err
		}
		for i := range 100 {
			c := model.Check{Name: fmt.Sprintf("c%d", i), Kind: "tcp", Target: "127.0.0.1:1", ServiceID: &sv.ID}
			if err := t.AddCheck(&c); err != nil {
				return err
			}
			ids = append(ids, c.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	at := time.Now()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		at = at.Add(30 * time.Second)
		outs := make([]Outcome, len(ids))
		for i, id := range ids {
			st := "up"
			if i%10 == 0 {
				st = "down"
			}
			outs[i] = Outcome{Result: model.CheckResult{CheckID: id, At: at, Status: st, LatencyMs: 3.2}, NextRun: at.Add(30 * time.Second)}
		}
		if err := s.Write(ctx, model.SystemActor("bench"), func(t *Tx) error { return t.ApplyResults(outs, DefaultNotifyPolicy) }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(ids)), "µs/result")
}

func TestLateVerdictOvertakenByPing(t *testing.T) {
	f := newFixture(t)
	hb := model.Check{Name: "backup", Kind: "heartbeat", ServiceID: &f.apiSvc.ID, IntervalS: 3600}
	err := f.s.Write(f.ctx, f.actor, func(t *Tx) error {
		if err := t.AddCheck(&hb); err != nil {
			return err
		}
		_, err := t.RecordPing(hb.ID, false, "", DefaultNotifyPolicy)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The scheduler judged "late" a moment before the ping landed.
	late := Outcome{Result: model.CheckResult{CheckID: hb.ID, At: f.now.Add(-time.Second), Status: "down", Message: "late: last ping 2h ago"}, NextRun: f.now.Add(time.Minute)}
	if err := f.s.Write(f.ctx, f.systemUser, func(t *Tx) error { return t.ApplyResults([]Outcome{late}, DefaultNotifyPolicy) }); err != nil {
		t.Fatal(err)
	}
	st, _ := f.s.CheckState(f.ctx, hb.ID)
	if st.Status != "up" || st.ConsecFail != 0 || !st.NextRunAt.Equal(f.now.Add(time.Minute)) {
		t.Errorf("state after an overtaken verdict: %+v", st)
	}
}

// Acknowledging an alert opens an unplanned entry in the acknowledger's
// ledger, linked to the alert and its service; the checks recovering stops it.
func TestAckOpensLedgerEntryAndResolveClosesIt(t *testing.T) {
	f := newFixture(t)
	for range 3 {
		f.feed(t, map[*model.Check]byte{f.web: '-'})
	}
	a := f.open(t)[0]
	if err := f.s.Write(f.ctx, f.actor, func(t *Tx) error { _, err := t.AckAlert(a.ID, "looking"); return err }); err != nil {
		t.Fatal(err)
	}
	entries, err := f.s.LedgerEntries(f.ctx, LedgerQuery{AlertID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("%d ledger entries for the alert, want 1", len(entries))
	}
	e := entries[0]
	if e.Kind != "unplanned" || e.Status != "running" || e.Actor != "local:oscar" || e.ServiceID == nil || *e.ServiceID != *a.ServiceID {
		t.Fatalf("entry after ack: %+v", e)
	}
	f.feed(t, map[*model.Check]byte{f.web: '+'})
	f.feed(t, map[*model.Check]byte{f.web: '+'})
	entries, _ = f.s.LedgerEntries(f.ctx, LedgerQuery{AlertID: a.ID})
	if len(entries) != 1 || entries[0].Status != "stopped" || entries[0].EndedAt == nil {
		t.Fatalf("entry after the alert resolved: %+v", entries)
	}
}
