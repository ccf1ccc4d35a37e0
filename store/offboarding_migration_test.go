package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// oldDatabase is a database file as release version left it (migrations up
// to version applied) with rows written raw, the way that release's code
// wrote them; it returns the file's path, closed, for Open.
func oldDatabase(t *testing.T, version int, rows ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	w, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	old := &Store{path: path, w: w, Now: time.Now}
	if err := old.migrateTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	for _, q := range rows {
		if _, err := w.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return path
}

// TestOffboardingsMoveOntoChecklists builds a database as release 0019
// left it, with an onboarding checklist and three offboardings written the
// way the old offboarding code wrote them (one open and partly done, one
// open and untouched, one completed by force, with notes, undo data and
// audit rows), opens it, and finds every offboarding as a checklist of
// kind offboarding: who, when, notes, step states, linked records and the
// audit trail, under new ids, with the old tables gone.
func TestOffboardingsMoveOntoChecklists(t *testing.T) {
	const ts, ts2, ts3 = "2026-11-02T09:00:00.000Z", "2026-11-02T09:05:00.000Z", "2026-11-03T10:00:00.000Z"
	undo := `{"account":{"id":1,"person_id":1,"service_id":1,"username":"ann","entitlement":"admin","status":"active"}}`
	path := oldDatabase(t, 19,
		`INSERT INTO people(id, name, email, status, end_date, created_at, updated_at) VALUES
			(1, 'Ann Leaver', 'ann@example.com', 'leaving', '2026-11-30', '`+ts+`', '`+ts+`'),
			(2, 'Max Successor', 'max@example.com', 'active', '', '`+ts+`', '`+ts+`'),
			(3, 'Bo Gone', 'bo@example.com', 'departed', '2026-10-31', '`+ts+`', '`+ts+`'),
			(4, 'Cy Soon', 'cy@example.com', 'leaving', '', '`+ts+`', '`+ts+`')`,
		`INSERT INTO services(id, name, kind, criticality, owner_id, created_at, updated_at) VALUES (1, 'GitHub', 'saas', 'critical', 1, '`+ts+`', '`+ts+`')`,
		`INSERT INTO accounts(id, person_id, service_id, username, entitlement, status, created_at, updated_at) VALUES (1, 1, 1, 'ann', 'admin', 'revoked', '`+ts+`', '`+ts+`')`,
		`INSERT INTO devices(id, asset_tag, name, kind, holder_id, status, created_at, updated_at) VALUES (1, 'LT-1', 'ann-laptop', 'laptop', 1, 'in_use', '`+ts+`', '`+ts+`')`,
		// An onboarding already holds checklist id 1: offboardings get new ids.
		`INSERT INTO checklists(id, kind, title, subject_kind, subject_id, subject_name, started_at, started_by) VALUES (1, 'onboarding', 'Onboarding Max', 'person', 2, 'Max Successor', '`+ts+`', 'local:ops')`,
		`INSERT INTO offboardings(id, person_id, successor_id, last_day, status, prior_status, started_at, started_by, completed_at, completed_by, forced, force_reason) VALUES
			(1, 3, NULL, '2026-10-31', 'completed', 'active', '`+ts+`', 'local:ops', '`+ts3+`', 'local:ops', 1, 'contractor gone; HR confirms'),
			(2, 1, 2, '2026-11-30', 'open', 'active', '`+ts+`', 'ssh:ops@example.com', NULL, '', 0, ''),
			(3, 4, NULL, '', 'open', 'active', '`+ts2+`', 'local:ops', NULL, '', 0, '')`,
		`INSERT INTO offboarding_steps(id, offboarding_id, n, kind, ref_id, title, detail, bus_factor_one, state, reason, effect, undo_data, by, at) VALUES
			(1, 1, 1, 'template', 1, 'Collect badge', 'from HR', 0, 'open', '', '', '', '', NULL),
			(2, 2, 1, 'account', 1, 'Revoke GitHub admin account ann', 'service GitHub', 1, 'done', '', 'account GitHub:ann active → revoked', '`+undo+`', 'ssh:ops@example.com', '`+ts2+`'),
			(3, 2, 2, 'device', 1, 'Recover laptop LT-1 (ann-laptop)', 'asset tag LT-1', 0, 'blocked', 'courier booked', '', '', 'local:ops', '`+ts3+`'),
			(4, 2, 3, 'service', 1, 'Hand over GitHub to Max Successor', 'owner of GitHub', 1, 'open', '', '', '', '', NULL),
			(5, 2, 4, 'template', NULL, 'Remove Ann Leaver from the on-call rotations', 'nobody', 0, 'done', '', 'nobody', '', 'local:ops', '`+ts+`')`,
		`INSERT INTO offboarding_notes(step_id, at, actor, text) VALUES
			(2, '`+ts2+`', 'ssh:ops@example.com', 'ticket OPS-1'),
			(2, '`+ts3+`', 'local:ops', 'confirmed in the GitHub audit log')`,
		`INSERT INTO audit_log(at, actor, action, entity, entity_id, before, after) VALUES
			('`+ts+`', 'ssh:ops@example.com', 'start', 'offboarding', 2, '', '{"id":2,"person_name":"Ann Leaver"}'),
			('`+ts2+`', 'ssh:ops@example.com', 'done', 'offboarding_step', 2, '{"n":1,"title":"Revoke GitHub admin account ann","state":"open","notes":[]}',
			 '{"n":1,"title":"Revoke GitHub admin account ann","state":"done","effect":"account GitHub:ann active → revoked","notes":[{"text":"ticket OPS-1"}]}'),
			('`+ts3+`', 'local:ops', 'block', 'offboarding_step', 3, '{"n":2,"state":"open","notes":[]}', '{"n":2,"title":"Recover laptop LT-1 (ann-laptop)","state":"blocked","reason":"courier booked","notes":[]}'),
			('`+ts3+`', 'local:ops', 'complete', 'offboarding', 1, '', '{"id":1}')`,
	)

	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var left int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name IN ('offboardings','offboarding_steps','offboarding_notes')`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("old tables left: %d %v", left, err)
	}
	list, err := s.ListOffboardings(ctx)
	if err != nil || len(list) != 3 {
		t.Fatalf("offboardings after the move: %+v %v", list, err)
	}
	if list[0].Status != "open" || list[1].Status != "open" || list[2].Status != "completed" {
		t.Fatalf("order (open first): %s %s %s", list[0].Status, list[1].Status, list[2].Status)
	}

	ann, err := s.Offboarding(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if ann.ID == 1 {
		t.Fatalf("offboarding took the onboarding's id: %d", ann.ID)
	}
	if ann.PersonName != "Ann Leaver" || ann.PersonEmail != "ann@example.com" || ann.PersonStatus != "leaving" || ann.PriorStatus != "active" ||
		ann.SuccessorID == nil || *ann.SuccessorID != 2 || ann.SuccessorName != "Max Successor" || ann.LastDay != "2026-11-30" ||
		ann.StartedBy != "ssh:ops@example.com" || ann.StartedAt.Format(time.RFC3339) != "2026-11-02T09:00:00Z" || ann.Status != "open" {
		t.Fatalf("Ann's offboarding: %+v", ann)
	}
	if p := ann.Progress; p.Total != 4 || p.Done != 2 || p.Blocked != 1 || p.Open != 1 {
		t.Fatalf("Ann's progress: %+v", p)
	}
	st := ann.Steps[0]
	if st.Kind != model.StepAccount || st.RefID == nil || *st.RefID != 1 || !st.BusFactorOne || st.State != "done" || st.By != "ssh:ops@example.com" ||
		st.At == nil || st.Effect != "account GitHub:ann active → revoked" || len(st.Notes) != 2 || st.Notes[1].Text != "confirmed in the GitHub audit log" {
		t.Fatalf("Ann's step 1: %+v", st)
	}
	if st := ann.Steps[1]; st.State != "blocked" || st.Reason != "courier booked" || st.By != "local:ops" || st.Kind != model.StepDevice {
		t.Fatalf("Ann's step 2: %+v", st)
	}
	// The undo data is kept for the offboarding kind's undo, and each
	// step's record stays linked.
	var undoData, refKind string
	if err := s.r.QueryRowContext(ctx, `SELECT undo_data, ref_kind FROM checklist_steps WHERE id = ?`, st.ID).Scan(&undoData, &refKind); err != nil || undoData != undo || refKind != "account" {
		t.Fatalf("step 1 undo %q ref %q %v", undoData, refKind, err)
	}
	c, err := s.Checklist(ctx, ann.ID)
	if err != nil || c.Kind != model.OffboardingKind || c.SubjectKind != "person" || c.Steps[2].RefKind != "service" || c.Steps[3].RefKind != "" {
		t.Fatalf("Ann's checklist: %+v %v", c, err)
	}

	// The audit rows written before the move read as the checklist's own.
	trail, err := s.OffboardingTrail(ctx, ann.ID)
	if err != nil || len(trail) != 3 {
		t.Fatalf("Ann's trail: %+v %v", trail, err)
	}
	if trail[0].Entity != "checklist" || trail[0].EntityID != ann.ID || trail[1].Entity != "checklist_step" || trail[1].EntityID != ann.Steps[0].ID {
		t.Fatalf("trail rows: %+v", trail)
	}
	rep := model.BuildOffboardingReport(ann, trail)
	var lines []string
	for _, e := range rep.Trail {
		lines = append(lines, e.Summary)
	}
	got := strings.Join(lines, "\n")
	for _, want := range []string{"started offboarding of Ann Leaver <ann@example.com> with 4 steps (status was active); successor Max Successor",
		"step 1 done: Revoke GitHub admin account ann — account GitHub:ann active → revoked — note: ticket OPS-1",
		"step 2 blocked: Recover laptop LT-1 (ann-laptop) — reason: courier booked"} {
		if !strings.Contains(got, want) {
			t.Errorf("trail lacks %q:\n%s", want, got)
		}
	}

	bo, err := s.Offboarding(ctx, 3)
	if err != nil || bo.Status != "completed" || !bo.Forced || bo.ForceReason != "contractor gone; HR confirms" || bo.CompletedBy != "local:ops" ||
		bo.CompletedAt == nil || bo.LastDay != "2026-10-31" || bo.PersonStatus != "departed" || len(bo.Steps) != 1 {
		t.Fatalf("Bo's offboarding: %+v %v", bo, err)
	}
	if tr, err := s.OffboardingTrail(ctx, bo.ID); err != nil || len(tr) != 1 || tr[0].Action != "complete" {
		t.Fatalf("Bo's trail: %+v %v", tr, err)
	}
	cy, err := s.Offboarding(ctx, 4)
	if err != nil || cy.Status != "open" || len(cy.Steps) != 0 || cy.LastDay != "" {
		t.Fatalf("Cy's offboarding: %+v %v", cy, err)
	}
	if on, err := s.Checklist(ctx, 1); err != nil || on.Kind != "onboarding" {
		t.Fatalf("the onboarding: %+v %v", on, err)
	}

	// Still at most one open offboarding a person.
	err = s.Write(ctx, model.LocalActor("ops"), func(t *Tx) error {
		_, err := t.CreateChecklist(model.Checklist{Kind: model.OffboardingKind, Title: "Offboarding Ann again", SubjectKind: "person", SubjectID: &ann.PersonID}, nil)
		return err
	})
	if err == nil {
		t.Fatal("a second open offboarding for Ann was stored")
	}
}
