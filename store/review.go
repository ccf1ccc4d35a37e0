package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// ReviewInputs reads the state a monthly review is generated from
// (model.ReviewItems), as committed when the review starts. It runs
// inside the start's transaction but reads through the store, since
// nothing in that transaction has changed the state yet.
func (t *Tx) ReviewInputs() (model.ReviewInputs, error) {
	return t.s.ReviewInputs(t.ctx, t.at)
}

// ReviewInputs is Tx.ReviewInputs outside a transaction.
func (s *Store) ReviewInputs(ctx context.Context, at time.Time) (model.ReviewInputs, error) {
	in := model.ReviewInputs{Now: at.In(time.Local)}
	var err error
	if in.Findings, err = s.ListFindings(ctx, FindingQuery{}); err != nil {
		return in, err
	}
	if in.Compliance, err = s.Compliance(ctx, at); err != nil {
		return in, err
	}
	rep, err := s.Risks(ctx)
	if err != nil {
		return in, err
	}
	in.Risks = rep.Risks
	accts, err := s.ListAccounts(ctx, AccountQuery{Status: "active"})
	if err != nil {
		return in, err
	}
	for _, a := range accts {
		if a.LastVerifiedAt == nil || at.Sub(*a.LastVerifiedAt) > model.AccessReviewDays*24*time.Hour {
			in.Unreviewed = append(in.Unreviewed, a)
		}
	}
	if in.Backups, err = s.BackupHealth(ctx, model.SelfBackupPolicy{}, at); err != nil {
		return in, err
	}
	in.Failing, err = collectRows(ctx, s.r, func(sc scanner) (model.FailingCheck, error) {
		var c model.FailingCheck
		var opened string
		err := sc.Scan(&c.CheckID, &c.Name, &c.Summary, &opened)
		c.OpenedAt = parseTime(opened)
		return c, err
	}, `SELECT k.id, k.name, a.summary, a.opened_at FROM alerts a JOIN checks k ON k.id = a.check_id
		WHERE a.state <> 'resolved' AND a.opened_at <= ? AND k.kind <> 'finding' ORDER BY a.opened_at`, fmtTime(at.Add(-model.FailingForAWeek)))
	if err != nil {
		return in, fmt.Errorf("review: checks failing for a week: %w", err)
	}
	return in, nil
}

// ReviewMonths lists the months with a review started and those signed
// off (completed).
func (s *Store) ReviewMonths(ctx context.Context) (started, signed []string, err error) {
	cs, err := s.ListChecklists(ctx, ChecklistQuery{Kind: model.ReviewKind})
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cs {
		started = append(started, c.SubjectName)
		if c.Status == model.ChecklistCompleted {
			signed = append(signed, c.SubjectName)
		}
	}
	return started, signed, nil
}

// FrozenReview is a signed-off review's frozen report.
type FrozenReview struct {
	Month      string                 `json:"month"`
	SignedAt   time.Time              `json:"signed_at"`
	SignedBy   string                 `json:"signed_by"`
	Comparison model.ReviewComparison `json:"comparison"`
	Sections   []model.ReportSection  `json:"sections"`
}

// FreezeReview stores a review's report as it is signed off, audited.
func (t *Tx) FreezeReview(checklistID int64, f FrozenReview) error {
	cmp, err := json.Marshal(f.Comparison)
	if err != nil {
		return err
	}
	secs, err := json.Marshal(f.Sections)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO review_reports(checklist_id, month, signed_at, signed_by, comparison, sections) VALUES (?,?,?,?,?,?)`,
		checklistID, f.Month, fmtTime(t.at), t.actor.String(), string(cmp), string(secs)); err != nil {
		return fmt.Errorf("freeze review %s: %w", f.Month, err)
	}
	return t.Audit("sign_off", "review", checklistID, nil, f.Comparison)
}

// FrozenReview reads a signed-off review's report; ok is false when it
// is not signed off.
func (s *Store) FrozenReview(ctx context.Context, checklistID int64) (f FrozenReview, ok bool, err error) {
	var at, cmp, secs string
	err = s.r.QueryRowContext(ctx, `SELECT month, signed_at, signed_by, comparison, sections FROM review_reports WHERE checklist_id = ?`, checklistID).
		Scan(&f.Month, &at, &f.SignedBy, &cmp, &secs)
	if isNoRows(err) {
		return f, false, nil
	}
	if err != nil {
		return f, false, fmt.Errorf("read review report: %w", err)
	}
	f.SignedAt = parseTime(at)
	if err := json.Unmarshal([]byte(cmp), &f.Comparison); err != nil {
		return f, false, fmt.Errorf("read review report: %w", err)
	}
	if err := json.Unmarshal([]byte(secs), &f.Sections); err != nil {
		return f, false, fmt.Errorf("read review report: %w", err)
	}
	return f, true, nil
}

// PreviousReview is the latest review signed off for a month before
// month, inside the transaction; ok is false when there is none.
func (t *Tx) PreviousReview(month string) (model.Checklist, bool, error) {
	id, ok, err := previousReview(t.ctx, t.tx, month)
	if !ok || err != nil {
		return model.Checklist{}, false, err
	}
	c, err := t.GetChecklist(id)
	return c, err == nil, err
}

// PreviousReview is Tx.PreviousReview outside a transaction.
func (s *Store) PreviousReview(ctx context.Context, month string) (model.Checklist, bool, error) {
	id, ok, err := previousReview(ctx, s.r, month)
	if !ok || err != nil {
		return model.Checklist{}, false, err
	}
	c, err := s.Checklist(ctx, id)
	return c, err == nil, err
}

func previousReview(ctx context.Context, db querier, month string) (int64, bool, error) {
	var id int64
	err := db.QueryRowContext(ctx, `SELECT id FROM checklists WHERE kind = ? AND status = 'completed' AND subject_name < ?
		ORDER BY subject_name DESC, id DESC LIMIT 1`, model.ReviewKind, month).Scan(&id)
	if isNoRows(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("previous review: %w", err)
	}
	return id, true, nil
}

// ReviewFor is the review of month, inside the transaction; ok is false
// when none was started.
func (t *Tx) ReviewFor(month string) (int64, bool, error) {
	var id int64
	err := t.queryRow(`SELECT id FROM checklists WHERE kind = ? AND subject_name = ? ORDER BY id DESC LIMIT 1`, model.ReviewKind, month).Scan(&id)
	if isNoRows(err) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// ReviewByMonth resolves a month ("2026-12") to its review's id.
func (s *Store) ReviewByMonth(ctx context.Context, month string) (int64, error) {
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT id FROM checklists WHERE kind = ? AND subject_name = ? ORDER BY id DESC LIMIT 1`, model.ReviewKind, month).Scan(&id)
	if isNoRows(err) {
		return 0, notFound("review", month)
	}
	return id, err
}
