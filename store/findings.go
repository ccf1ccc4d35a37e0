package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

const findingSelect = `SELECT f.id, f.title, f.severity, f.source, f.owner_id, coalesce(p.name, ''), f.due, f.state,
	f.accept_reason, f.accept_expires, f.notes, f.created_at, f.updated_at FROM findings f LEFT JOIN people p ON p.id = f.owner_id`

func scanFinding(sc scanner) (model.Finding, error) {
	var f model.Finding
	var owner sql.NullInt64
	var created, updated string
	err := sc.Scan(&f.ID, &f.Title, &f.Severity, &f.Source, &owner, &f.OwnerName, &f.Due, &f.State,
		&f.AcceptReason, &f.AcceptExpires, &f.Notes, &created, &updated)
	f.OwnerID = idPtr(owner)
	f.CreatedAt, f.UpdatedAt = parseTime(created), parseTime(updated)
	return f, err
}

// FindingQuery narrows ListFindings.
type FindingQuery struct {
	State    string
	Severity string
	OwnerID  int64
}

// findingsWhere reads findings matching where, each with its links and log.
func findingsWhere(ctx context.Context, db querier, where string, args ...any) ([]model.Finding, error) {
	out, err := collectRows(ctx, db, scanFinding, findingSelect+` WHERE `+where+` ORDER BY f.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list findings: %w", err)
	}
	for i := range out {
		if out[i].Links, err = findingLinks(ctx, db, out[i].ID); err != nil {
			return nil, err
		}
		if out[i].Log, err = findingLog(ctx, db, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// findingLinks reads the records a finding affects, with their names
// joined from their tables (a renamed service shows its new name).
func findingLinks(ctx context.Context, db querier, id int64) ([]model.FindingLink, error) {
	return collectList(ctx, db, fmt.Sprintf("finding %d links", id), func(sc scanner) (model.FindingLink, error) {
		var l model.FindingLink
		return l, sc.Scan(&l.Kind, &l.ID, &l.Name)
	}, `SELECT l.kind, l.ref_id, coalesce(CASE l.kind
			WHEN 'service' THEN (SELECT name FROM services WHERE id = l.ref_id)
			WHEN 'device' THEN (SELECT asset_tag FROM devices WHERE id = l.ref_id)
			WHEN 'person' THEN (SELECT email FROM people WHERE id = l.ref_id)
			WHEN 'account' THEN (SELECT s.name || ':' || a.username FROM accounts a JOIN services s ON s.id = a.service_id WHERE a.id = l.ref_id)
		END, '#' || l.ref_id) FROM finding_links l WHERE l.finding_id = ? ORDER BY l.kind, l.ref_id`, id)
}

func findingLog(ctx context.Context, db querier, id int64) ([]model.FindingEntry, error) {
	return collectList(ctx, db, fmt.Sprintf("finding %d notes", id), func(sc scanner) (model.FindingEntry, error) {
		var e model.FindingEntry
		var at string
		err := sc.Scan(&e.ID, &at, &e.Actor, &e.Kind, &e.Text)
		e.At = parseTime(at)
		return e, err
	}, `SELECT id, at, actor, kind, text FROM finding_log WHERE finding_id = ? ORDER BY id`, id)
}

// ListFindings returns findings matching q, by id.
func (s *Store) ListFindings(ctx context.Context, q FindingQuery) ([]model.Finding, error) {
	f := (&filter{}).eq("f.state", q.State).eq("f.severity", q.Severity).eq("f.owner_id", q.OwnerID)
	return findingsWhere(ctx, s.r, f.sql(), f.args...)
}

// FindingsAffecting lists the findings that link to one record.
func (s *Store) FindingsAffecting(ctx context.Context, kind string, id int64) ([]model.Finding, error) {
	return findingsWhere(ctx, s.r, `f.id IN (SELECT finding_id FROM finding_links WHERE kind = ? AND ref_id = ?)`, kind, id)
}

func findFinding(ctx context.Context, db querier, ref string) (model.Finding, error) {
	ref = strings.TrimPrefix(strings.TrimSpace(ref), "#")
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil {
		return model.Finding{}, model.Invalid("finding", ref, "is not a finding id (see 'opsdeck findings list')")
	}
	found, err := findingsWhere(ctx, db, `f.id = ?`, id)
	return firstFound(found, err, "finding", ref)
}

// FindFinding resolves a finding id ("12" or "#12").
func (s *Store) FindFinding(ctx context.Context, ref string) (model.Finding, error) {
	return findFinding(ctx, s.r, ref)
}

// FindFinding resolves a finding inside the transaction.
func (t *Tx) FindFinding(ref string) (model.Finding, error) { return findFinding(t.ctx, t.tx, ref) }

// GetFinding reads one finding inside the transaction.
func (t *Tx) GetFinding(id int64) (model.Finding, error) {
	return findFinding(t.ctx, t.tx, strconv.FormatInt(id, 10))
}

// OverdueFinding is one finding for its alert check: nil when it is gone
// or no longer overdue.
func (s *Store) OverdueFinding(ctx context.Context, id int64, now time.Time) (*model.Finding, error) {
	f, err := findFinding(ctx, s.r, strconv.FormatInt(id, 10))
	if errors.Is(err, model.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !f.Overdue(now.In(time.Local)) {
		return nil, nil
	}
	return &f, nil
}

// OverdueFindings lists the findings past due at now.
func (s *Store) OverdueFindings(ctx context.Context, now time.Time) ([]model.Finding, error) {
	all, err := findingsWhere(ctx, s.r, `f.state IN ('open','in_progress','accepted_risk')`)
	if err != nil {
		return nil, err
	}
	var out []model.Finding
	for _, f := range all {
		if f.Overdue(now.In(time.Local)) {
			out = append(out, f)
		}
	}
	return out, nil
}

func (t *Tx) checkFinding(f *model.Finding) error {
	if f.OwnerID != nil {
		if _, err := t.GetPerson(*f.OwnerID); err != nil {
			return model.Invalid("owner", strconv.FormatInt(*f.OwnerID, 10), "is not a known person")
		}
	}
	return nil
}

// AddFinding records a new finding and the records it affects. An empty
// due date is filled from its severity (model.DefaultDue).
func (t *Tx) AddFinding(f *model.Finding, links []model.FindingLink) error {
	f.Normalize()
	if f.Due == "" {
		f.Due = model.DefaultDue(f.Severity, t.at.In(time.Local))
	}
	id, err := addRecord(t, "finding", f, func(f *model.Finding) (int64, error) {
		if err := t.checkFinding(f); err != nil {
			return 0, err
		}
		if err := model.CheckFindingMove(nil, f, t.at.In(time.Local)); err != nil {
			return 0, err
		}
		now := fmtTime(t.at)
		res, err := t.exec(`INSERT INTO findings(title, severity, source, owner_id, due, state, accept_reason, accept_expires, notes, created_at, updated_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?)`, f.Title, f.Severity, f.Source, nullID(f.OwnerID), f.Due, f.State, f.AcceptReason, f.AcceptExpires, f.Notes, now, now)
		if err != nil {
			return 0, constraintError("add finding", err)
		}
		return res.LastInsertId()
	})
	if err != nil {
		return err
	}
	if err := t.insertLinks(id, links); err != nil {
		return err
	}
	saved, err := t.GetFinding(id)
	if err != nil {
		return err
	}
	*f = saved
	return t.Audit("create", "finding", id, nil, saved)
}

func (t *Tx) insertLinks(id int64, links []model.FindingLink) error {
	for _, l := range links {
		if _, err := t.exec(`INSERT OR IGNORE INTO finding_links(finding_id, kind, ref_id) VALUES (?,?,?)`, id, l.Kind, l.ID); err != nil {
			return fmt.Errorf("link finding %d to %s %d: %w", id, l.Kind, l.ID, err)
		}
	}
	return nil
}

// UpdateFinding changes a finding through fn; the workflow's rules
// (model.CheckFindingMove) hold, and the audit row keeps both versions.
func (t *Tx) UpdateFinding(id int64, fn func(*model.Finding) error) (before, after model.Finding, err error) {
	before, after, _, err = updateRecord(t, "finding", id, t.GetFinding, func(f *model.Finding) error {
		if err := fn(f); err != nil {
			return err
		}
		if err := t.checkFinding(f); err != nil {
			return err
		}
		cur, err := t.GetFinding(id)
		if err != nil {
			return err
		}
		f.Normalize()
		return model.CheckFindingMove(&cur, f, t.at.In(time.Local))
	}, func(f *model.Finding) error {
		_, err := t.exec(`UPDATE findings SET title=?, severity=?, source=?, owner_id=?, due=?, state=?, accept_reason=?, accept_expires=?, notes=?, updated_at=?
			WHERE id = ?`, f.Title, f.Severity, f.Source, nullID(f.OwnerID), f.Due, f.State, f.AcceptReason, f.AcceptExpires, f.Notes, fmtTime(t.at), id)
		return constraintError("update finding", err)
	})
	return before, after, err
}

// SetFindingLinks makes links exactly the records the finding affects.
func (t *Tx) SetFindingLinks(id int64, links []model.FindingLink) (model.Finding, error) {
	before, err := t.GetFinding(id)
	if err != nil {
		return before, err
	}
	if _, err := t.exec(`DELETE FROM finding_links WHERE finding_id = ?`, id); err != nil {
		return before, fmt.Errorf("relink finding %d: %w", id, err)
	}
	if err := t.insertLinks(id, links); err != nil {
		return before, err
	}
	after, err := t.GetFinding(id)
	if err != nil || reflect.DeepEqual(before.Links, after.Links) {
		return after, err
	}
	return after, t.Audit("link", "finding", id, before.Links, after.Links)
}

// AddFindingEntry appends a note or an evidence link to a finding.
func (t *Tx) AddFindingEntry(id int64, kind, text string) (model.FindingEntry, error) {
	e := model.FindingEntry{At: t.at, Actor: t.actor.String(), Kind: kind, Text: model.SanitizeMultiline(text, model.MaxText)}
	if kind != "note" && kind != "evidence" {
		return e, model.Invalid("kind", kind, "is not note or evidence")
	}
	if strings.TrimSpace(e.Text) == "" {
		return e, model.Invalid(kind, text, "is empty")
	}
	if _, err := t.GetFinding(id); err != nil {
		return e, err
	}
	res, err := t.exec(`INSERT INTO finding_log(finding_id, at, actor, kind, text) VALUES (?,?,?,?,?)`, id, fmtTime(t.at), e.Actor, kind, e.Text)
	if err != nil {
		return e, fmt.Errorf("add %s to finding %d: %w", kind, id, err)
	}
	e.ID, _ = res.LastInsertId()
	return e, t.Audit(kind, "finding", id, nil, e)
}

// findingOwner addresses the page of an overdue finding's alert to the
// finding's owner (a finding has no service whose owner it would go to).
func (t *Tx) findingOwner(a *model.Alert, n *model.Notification) error {
	if a.CheckID == nil {
		return nil
	}
	var target string
	err := t.queryRow(`SELECT target FROM checks WHERE id = ? AND kind = 'finding'`, *a.CheckID).Scan(&target)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("finding alert owner: %w", err)
	}
	id, ok := model.FindingOfTarget(target)
	if !ok {
		return nil
	}
	var email sql.NullString
	err = t.queryRow(`SELECT p.email FROM findings f JOIN people p ON p.id = f.owner_id AND p.status <> 'departed' WHERE f.id = ?`, id).Scan(&email)
	if err != nil && !isNoRows(err) {
		return fmt.Errorf("finding alert owner: %w", err)
	}
	n.Owner = email.String
	return nil
}

// FindingLinks resolves "kind:ref" links, comma-separated, to the records
// a finding affects (model.ParseFindingLink); field names the flag or
// column they came from in errors.
func (s *Store) FindingLinks(ctx context.Context, field, list string) ([]model.FindingLink, error) {
	return findingLinksFrom(ctx, s.r, field, list)
}

// FindingLinks is Store.FindingLinks inside the transaction.
func (t *Tx) FindingLinks(field, list string) ([]model.FindingLink, error) {
	return findingLinksFrom(t.ctx, t.tx, field, list)
}

func findingLinksFrom(ctx context.Context, db querier, field, list string) ([]model.FindingLink, error) {
	out := []model.FindingLink{}
	for _, part := range model.SplitLinks(list) {
		kind, ref, err := model.ParseFindingLink(part)
		if err != nil {
			if fe, ok := model.AsFieldError(err); ok {
				return nil, model.Invalid(field, part, fe.Reason)
			}
			return nil, err
		}
		l := model.FindingLink{Kind: kind}
		switch kind {
		case "service":
			sv, e := findService(ctx, db, ref)
			l.ID, l.Name, err = sv.ID, sv.Name, e
		case "device":
			d, e := findDevice(ctx, db, ref)
			l.ID, l.Name, err = d.ID, d.AssetTag, e
		case "person":
			p, e := findPerson(ctx, db, ref)
			l.ID, l.Name, err = p.ID, p.Email, e
		case "account":
			a, e := findAccount(ctx, db, ref)
			l.ID, l.Name, err = a.ID, a.ServiceName+":"+a.Username, e
		}
		if errors.Is(err, model.ErrNotFound) {
			return nil, model.Invalid(field, ref, "is not a known "+kind)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}
