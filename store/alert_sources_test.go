package store

import (
	"context"
	"strings"
	"testing"

	"github.com/opsdeck/opsdeck/model"
)

// 0007 widens the checks table's CHECK constraints in place: checks, their
// state and their alerts written before it survive, the new kinds are
// accepted, unknown kinds are still refused, and the file stays sound.
func TestMigrationWidensCheckKinds(t *testing.T) {
	const ts = "2026-01-01T00:00:00.000Z"
	path := oldDatabase(t, 6,
		`INSERT INTO services(id, name, kind, criticality, created_at, updated_at) VALUES (1, 'Web', 'app', 'high', '`+ts+`', '`+ts+`')`,
		`INSERT INTO checks(id, name, kind, service_id, target, interval_s, timeout_s, created_at, updated_at) VALUES (1, 'web', 'http', 1, 'http://x/', 60, 10, '`+ts+`', '`+ts+`')`,
		`INSERT INTO check_state(check_id, status, next_run_at) VALUES (1, 'down', '`+ts+`')`,
		`INSERT INTO alerts(id, check_id, check_name, service_id, state, opened_at) VALUES (1, 1, 'web', 1, 'firing', '`+ts+`')`,
	)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if st, err := s.CheckState(ctx, 1); err != nil || st.Status != "down" {
		t.Fatalf("check state lost: %+v %v", st, err)
	}
	if a, err := s.ListAlerts(ctx, AlertQuery{CheckID: 1}); err != nil || len(a) != 1 {
		t.Fatalf("alert detached: %+v %v", a, err)
	}
	err = s.Write(ctx, model.SystemActor("sources"), func(t *Tx) error {
		return t.AddCheck(&model.Check{Name: "backup-opsdeck", Kind: "backup", Target: "self"})
	})
	if err != nil {
		t.Fatalf("backup check without a service refused: %v", err)
	}
	// Unknown kinds are refused by the model's kind table (since 0012 the
	// schema no longer repeats the list).
	if err := s.Write(ctx, model.SystemActor("test"), func(t *Tx) error {
		sid := int64(1)
		return t.AddCheck(&model.Check{Name: "x", Kind: "bogus", ServiceID: &sid, Target: "x", IntervalS: 60, TimeoutS: 10})
	}); err == nil {
		t.Fatal("unknown kind accepted")
	}
	if _, err := s.w.Exec(`INSERT INTO checks(name, kind, target, interval_s, timeout_s, created_at, updated_at) VALUES ('y', 'access', 'a@b', 60, 10, '` + ts + `', '` + ts + `')`); err == nil {
		t.Fatal("access check without a service accepted")
	}
	var ok string
	if err := s.r.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
}

// Source checks are opsdeck's: a person cannot add one or point it
// elsewhere, may pause it and tune it; one check per source, however the
// sync races; and they do not count as watching a service.
func TestSourceChecksAreOpsdecks(t *testing.T) {
	f := newFixture(t)
	sys := model.SystemActor("sources")
	acc := func() *model.Check {
		return &model.Check{Name: "access-bill-web", Kind: "access", Target: "bill@example.com", ServiceID: &f.webSvc.ID}
	}
	err := f.s.Write(f.ctx, f.actor, func(t *Tx) error { return t.AddCheck(acc()) })
	if fe, ok := model.AsFieldError(err); !ok || fe.Field != "kind" {
		t.Fatalf("a person added an access check: %v", err)
	}
	var c *model.Check
	if err := f.s.Write(f.ctx, sys, func(t *Tx) error { c = acc(); return t.AddCheck(c) }); err != nil {
		t.Fatal(err)
	}
	err = f.s.Write(f.ctx, sys, func(t *Tx) error { d := acc(); d.Name = "other-name"; return t.AddCheck(d) })
	if err == nil || !strings.Contains(err.Error(), "UNIQUE") && !strings.Contains(err.Error(), "already") {
		t.Fatalf("second check for the same source: %v", err)
	}
	before := auditCount(t, f.s)
	err = f.s.Write(f.ctx, f.actor, func(t *Tx) error {
		_, _, err := t.UpdateCheck(c.ID, func(c *model.Check) error { c.Target = "tammy@example.com"; return nil })
		return err
	})
	if fe, ok := model.AsFieldError(err); !ok || fe.Field != "target" {
		t.Fatalf("retargeted an access check: %v", err)
	}
	if n := auditCount(t, f.s); n != before {
		t.Fatalf("refused edit wrote %d audit rows", n-before)
	}
	if err := f.s.Write(f.ctx, f.actor, func(t *Tx) error { _, err := t.SetCheckPaused(c.ID, true); return err }); err != nil {
		t.Fatalf("pause: %v", err)
	}
	err = f.s.Write(f.ctx, f.actor, func(t *Tx) error { _, err := t.DeleteCheck(c.ID); return err })
	if fe, ok := model.AsFieldError(err); !ok || fe.Field != "check" || !strings.Contains(err.Error(), "pause it") {
		t.Fatalf("a person deleted a source check the sync would recreate: %v", err)
	}

	// A critical service watched only by an access check still has no check.
	var gh model.Service
	if err := f.s.Write(f.ctx, f.actor, func(t *Tx) error {
		gh = model.Service{Name: "GitHub", Criticality: "critical"}
		return t.AddService(&gh)
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Write(f.ctx, sys, func(t *Tx) error {
		return t.AddCheck(&model.Check{Name: "access-bill-github", Kind: "access", Target: "bill@example.com", ServiceID: &gh.ID})
	}); err != nil {
		t.Fatal(err)
	}
	rep, err := f.s.Risks(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rep.Risks {
		found = found || (r.Rule == "no_check" && strings.Contains(r.Name, "GitHub"))
	}
	if !found {
		t.Errorf("GitHub (critical, only an access check) is not named as having no check: %+v", rep.Risks)
	}
}

// A device going down does not claim a source alert of a service it hosts:
// leftover access is not caused by a host outage.
func TestSourceAlertNotCausedByHost(t *testing.T) {
	f := newFixture(t)
	var c *model.Check
	if err := f.s.Write(f.ctx, model.SystemActor("sources"), func(t *Tx) error {
		c = &model.Check{Name: "access-bill-web", Kind: "access", Target: "bill@example.com", ServiceID: &f.webSvc.ID}
		return t.AddCheck(c)
	}); err != nil {
		t.Fatal(err)
	}
	// The host is failing but has not fired: its services' pages would be
	// held, the access alert's is not.
	f.feed(t, map[*model.Check]byte{f.host: '-', c: '-'})
	open := f.open(t)
	if len(open) != 1 {
		t.Fatalf("open alerts: %+v", open)
	}
	if host, err := f.s.SuspectHost(f.ctx, open[0]); err != nil || host != "" {
		t.Fatalf("access page held for suspect host %q (%v)", host, err)
	}
	f.feed(t, map[*model.Check]byte{f.host: '-', c: '-'})
	f.feed(t, map[*model.Check]byte{f.host: '-', c: '-'})
	f.feed(t, map[*model.Check]byte{f.host: '-', c: '-'})
	open = f.open(t)
	if len(open) != 2 {
		t.Fatalf("open alerts: %+v", open)
	}
	for _, a := range open {
		if a.CheckName == "access-bill-web" && a.CausedBy != "" {
			t.Fatalf("access alert caused by %s", a.CausedBy)
		}
	}
}
