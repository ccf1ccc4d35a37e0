package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/opsdeck/opsdeck/model"
)

// Access reviews (#17) are generic checklists (kind access_review, see
// ops/access_review.go); this file keeps their decisions, one
// access_review_lines row per account, and is the only SQL on them.

// ReviewCandidate is an account a review shows, with its service's owner
// (the reviewer).
type ReviewCandidate struct {
	model.Account
	OwnerID    *int64
	OwnerEmail string
}

// ReviewCandidates lists the active accounts a review covers (one service,
// or the services one person owns, or all when both are 0), with their
// access and their service's owner, ordered by owner, service and holder.
func (t *Tx) ReviewCandidates(serviceID, ownerID int64) ([]ReviewCandidate, error) {
	f := (&filter{}).eq("a.service_id", serviceID)
	q := accountSelect + ` WHERE a.status = 'active' AND ` + f.sql()
	args := f.args
	if ownerID != 0 {
		q += ` AND s.owner_id = ?`
		args = append(args, ownerID)
	}
	accts, err := collectRows(t.ctx, t.tx, scanAccount, q+` ORDER BY a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("accounts to review: %w", err)
	}
	if err := fillAccess(t.ctx, t.tx, accts); err != nil {
		return nil, err
	}
	owners := map[int64]ReviewCandidate{}
	rows, err := collectRows(t.ctx, t.tx, func(sc scanner) (ReviewCandidate, error) {
		var c ReviewCandidate
		var oid sql.NullInt64
		var email sql.NullString
		err := sc.Scan(&c.ServiceID, &oid, &email)
		if oid.Valid {
			c.OwnerID = &oid.Int64
		}
		c.OwnerEmail = email.String
		return c, err
	}, `SELECT s.id, s.owner_id, p.email FROM services s LEFT JOIN people p ON p.id = s.owner_id`)
	if err != nil {
		return nil, fmt.Errorf("service owners: %w", err)
	}
	for _, r := range rows {
		owners[r.ServiceID] = r
	}
	out := make([]ReviewCandidate, len(accts))
	for i, a := range accts {
		o := owners[a.ServiceID]
		out[i] = ReviewCandidate{Account: a, OwnerID: o.OwnerID, OwnerEmail: o.OwnerEmail}
	}
	return out, nil
}

const reviewLineCols = `l.id, l.review_id, l.step_n, l.revoke_n, l.account_id, l.reviewer_id, coalesce(p.email, ''), l.holder, l.service, l.username,
	l.entitlement, l.two_step, l.last_activity, l.decision, l.new_entitlement, l.reason, l.decided_by, l.decided_at, l.due_date`

const reviewLineFrom = ` FROM access_review_lines l LEFT JOIN people p ON p.id = l.reviewer_id`

func scanReviewLine(sc scanner) (model.ReviewLine, error) {
	var l model.ReviewLine
	var reviewer sql.NullInt64
	var decided sql.NullString
	err := sc.Scan(&l.ID, &l.ReviewID, &l.StepN, &l.RevokeN, &l.AccountID, &reviewer, &l.Reviewer, &l.Holder, &l.Service, &l.Username,
		&l.Entitlement, &l.TwoStep, &l.LastActivity, &l.Decision, &l.NewEntitlement, &l.Reason, &l.DecidedBy, &decided, &l.DueDate)
	if reviewer.Valid {
		l.ReviewerID = &reviewer.Int64
	}
	l.DecidedAt = parseTimePtr(decided)
	return l, err
}

// AddReviewLine stores one account's line of review l.ReviewID, audited.
func (t *Tx) AddReviewLine(l *model.ReviewLine) error {
	res, err := t.exec(`INSERT INTO access_review_lines(review_id, step_n, account_id, reviewer_id, holder, service, username, entitlement,
		two_step, last_activity) VALUES (?,?,?,?,?,?,?,?,?,?)`, l.ReviewID, l.StepN, l.AccountID, nullID(l.ReviewerID), l.Holder, l.Service,
		l.Username, l.Entitlement, l.TwoStep, l.LastActivity)
	if err != nil {
		return fmt.Errorf("add review line for account %d: %w", l.AccountID, err)
	}
	if l.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	return t.Audit("create", "access_review_line", l.ID, nil, l)
}

// ReviewLineAt is the line of review whose decision step (or revocation
// step) is n.
func (t *Tx) ReviewLineAt(review int64, n int) (model.ReviewLine, error) {
	l, err := scanReviewLine(t.queryRow(`SELECT `+reviewLineCols+reviewLineFrom+` WHERE l.review_id = ? AND (l.step_n = ? OR l.revoke_n = ?)`,
		review, n, n))
	if isNoRows(err) {
		return l, model.Invalid("step", strconv.Itoa(n), "is not an account of this review")
	}
	return l, err
}

// DecideReviewLine records what was decided on line id (decision "" clears
// it, for undo), audited with the line before and after.
func (t *Tx) DecideReviewLine(id int64, d model.Decision, due string, revokeN int) (model.ReviewLine, error) {
	before, err := scanReviewLine(t.queryRow(`SELECT `+reviewLineCols+reviewLineFrom+` WHERE l.id = ?`, id))
	if err != nil {
		return before, fmt.Errorf("review line %d: %w", id, err)
	}
	var by, at any = "", nil
	if d.Decision != "" {
		by, at = t.actor.String(), fmtTime(t.at)
	}
	if _, err := t.exec(`UPDATE access_review_lines SET decision = ?, new_entitlement = ?, reason = ?, decided_by = ?, decided_at = ?,
		due_date = ?, revoke_n = ? WHERE id = ?`, d.Decision, d.NewEntitlement, d.Reason, by, at, due, revokeN, id); err != nil {
		return before, fmt.Errorf("decide review line %d: %w", id, err)
	}
	after, err := scanReviewLine(t.queryRow(`SELECT `+reviewLineCols+reviewLineFrom+` WHERE l.id = ?`, id))
	if err != nil {
		return after, err
	}
	return after, t.Audit("update", "access_review_line", id, before, after)
}

// ReviewLines lists a review's lines in step order.
func (s *Store) ReviewLines(ctx context.Context, review int64) ([]model.ReviewLine, error) {
	out, err := collectRows(ctx, s.r, scanReviewLine, `SELECT `+reviewLineCols+reviewLineFrom+` WHERE l.review_id = ? ORDER BY l.step_n`, review)
	if err != nil {
		return nil, fmt.Errorf("review %d lines: %w", review, err)
	}
	return out, nil
}

// AppendChecklistStep adds a step at the end of open checklist id (a
// review's revocation, decided while walking it) and returns its number.
// The checklist's own start audit does not list it, so it is audited here.
func (t *Tx) AppendChecklistStep(id int64, s model.ChecklistStep) (int, error) {
	c, err := t.openChecklist(id)
	if err != nil {
		return 0, err
	}
	s.Normalize()
	if err := s.Validate(); err != nil {
		return 0, err
	}
	var n int
	if err := t.queryRow(`SELECT coalesce(max(n), 0) + 1 FROM checklist_steps WHERE checklist_id = ?`, c.ID).Scan(&n); err != nil {
		return 0, fmt.Errorf("append step: %w", err)
	}
	res, err := t.exec(`INSERT INTO checklist_steps(checklist_id, n, kind, ref_kind, ref_id, title, detail, procedure, link, warn,
		input, default_value, due, state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,'open')`,
		c.ID, n, s.Kind, s.RefKind, nullID(s.RefID), s.Title, s.Detail, s.Procedure, s.Link, s.Warn, s.Input, s.Default, s.Due)
	if err != nil {
		return 0, fmt.Errorf("append step %d: %w", n, err)
	}
	if s.ID, err = res.LastInsertId(); err != nil {
		return 0, err
	}
	s.ChecklistID, s.N, s.State = c.ID, n, model.StateOpen
	return n, t.Audit("added", "checklist_step", s.ID, nil, s)
}

// WithdrawChecklistStep skips open step n of checklist id with a reason (a
// revocation whose decision was undone); a step already walked is left.
func (t *Tx) WithdrawChecklistStep(id int64, n int, reason string) error {
	var state string
	err := t.queryRow(`SELECT state FROM checklist_steps WHERE checklist_id = ? AND n = ?`, id, n).Scan(&state)
	if isNoRows(err) || (err == nil && state != model.StateOpen && state != model.StateBlocked) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = t.MarkChecklistStep(id, n, model.ChecklistMark{State: model.StateSkipped, Reason: reason}, nil)
	return err
}
