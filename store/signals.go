package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// Access hygiene (#17): account_signals holds the evidence the exports
// give about each account; model.DeriveAccess turns it into the account's
// two-step status and last activity. This file is the only SQL on it.

const signalCols = `id, account_id, kind, value, at, source, row, col, learned_at, learned_by`

func scanSignal(sc scanner) (model.AccountSignal, error) {
	var s model.AccountSignal
	var at, learned string
	err := sc.Scan(&s.ID, &s.AccountID, &s.Kind, &s.Value, &at, &s.Source, &s.Row, &s.Column, &learned, &s.LearnedBy)
	if at != "" {
		t := parseTime(at)
		s.At = &t
	}
	s.LearnedAt = parseTime(learned)
	return s, err
}

// AddSignal stores one fact about an account, stamped learned now by the
// transaction's actor, and audits it. The same fact told again (the same
// export imported twice) is not stored twice; added says whether it was new.
func (t *Tx) AddSignal(sg *model.AccountSignal) (added bool, err error) {
	sg.Source = model.Sanitize(sg.Source)
	sg.Column = model.Sanitize(sg.Column)
	if err := sg.Validate(); err != nil {
		return false, err
	}
	if !t.actor.CanWrite() {
		return false, fmt.Errorf("%s may not record account evidence (role %s): %w", t.actor, t.actor.Role, model.ErrForbidden)
	}
	at := ""
	if sg.At != nil {
		at = fmtTime(*sg.At)
	}
	sg.LearnedAt, sg.LearnedBy = t.at, t.actor.Name
	res, err := t.exec(`INSERT INTO account_signals(account_id, kind, value, at, source, row, col, learned_at, learned_by)
		VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(account_id, kind, value, at) DO NOTHING`,
		sg.AccountID, sg.Kind, sg.Value, at, sg.Source, sg.Row, sg.Column, fmtTime(sg.LearnedAt), sg.LearnedBy)
	if err != nil {
		return false, fmt.Errorf("record %s of account %d: %w", sg.Kind, sg.AccountID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if sg.ID, err = res.LastInsertId(); err != nil {
		return false, err
	}
	return true, t.Audit("create", "account_signal", sg.ID, nil, sg)
}

// AccountSignals lists one account's evidence, newest learned first.
func (s *Store) AccountSignals(ctx context.Context, accountID int64) ([]model.AccountSignal, error) {
	out, err := collectRows(ctx, s.r, scanSignal, `SELECT `+signalCols+` FROM account_signals WHERE account_id = ? ORDER BY learned_at DESC, id DESC`, accountID)
	if err != nil {
		return nil, fmt.Errorf("account %d evidence: %w", accountID, err)
	}
	return out, nil
}

// signalsByAccount reads the evidence of the given accounts (all when ids
// is empty).
func signalsByAccount(ctx context.Context, db querier, ids []int64) (map[int64][]model.AccountSignal, error) {
	q := `SELECT ` + signalCols + ` FROM account_signals`
	var args []any
	if len(ids) > 0 {
		q += ` WHERE account_id IN (` + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	rows, err := collectRows(ctx, db, scanSignal, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read account evidence: %w", err)
	}
	out := map[int64][]model.AccountSignal{}
	for _, r := range rows {
		out[r.AccountID] = append(out[r.AccountID], r)
	}
	return out, nil
}

// lastReviewed maps account id → the last time a review decided about it.
func lastReviewed(ctx context.Context, db querier) (map[int64]time.Time, error) {
	rows, err := collectRows(ctx, db, func(sc scanner) (struct {
		id int64
		at string
	}, error) {
		var r struct {
			id int64
			at string
		}
		return r, sc.Scan(&r.id, &r.at)
	}, `SELECT account_id, max(decided_at) FROM access_review_lines WHERE decided_at IS NOT NULL GROUP BY account_id`)
	if err != nil {
		return nil, fmt.Errorf("read last reviews: %w", err)
	}
	out := make(map[int64]time.Time, len(rows))
	for _, r := range rows {
		out[r.id] = parseTime(r.at)
	}
	return out, nil
}

// AccountsWithAccess is ListAccounts with each account's Access filled:
// two-step status, last activity (each with its evidence) and last review.
func (s *Store) AccountsWithAccess(ctx context.Context, q AccountQuery) ([]model.Account, error) {
	accts, err := s.ListAccounts(ctx, q)
	if err != nil {
		return nil, err
	}
	return accts, fillAccess(ctx, s.r, accts)
}

// AccountWithAccess is one account with its Access filled.
func (s *Store) AccountWithAccess(ctx context.Context, id int64) (model.Account, error) {
	a, err := s.GetAccount(ctx, id)
	if err != nil {
		return a, err
	}
	one := []model.Account{a}
	err = fillAccess(ctx, s.r, one)
	return one[0], err
}

func fillAccess(ctx context.Context, db querier, accts []model.Account) error {
	var ids []int64
	if len(accts) <= 500 {
		for _, a := range accts {
			ids = append(ids, a.ID)
		}
	}
	sigs, err := signalsByAccount(ctx, db, ids)
	if err != nil {
		return err
	}
	reviewed, err := lastReviewed(ctx, db)
	if err != nil {
		return err
	}
	for i := range accts {
		x := model.DeriveAccess(sigs[accts[i].ID])
		if at, ok := reviewed[accts[i].ID]; ok {
			x.LastReviewedAt = &at
		}
		accts[i].Access = &x
	}
	return nil
}

// offboardingStarts maps person id → when their latest offboarding started.
func offboardingStarts(ctx context.Context, db querier) (map[int64]time.Time, error) {
	rows, err := collectRows(ctx, db, func(sc scanner) (struct {
		id int64
		at sql.NullString
	}, error) {
		var r struct {
			id int64
			at sql.NullString
		}
		return r, sc.Scan(&r.id, &r.at)
	}, `SELECT subject_id, max(started_at) FROM checklists WHERE kind = 'offboarding' GROUP BY subject_id`)
	if err != nil {
		return nil, fmt.Errorf("read offboarding starts: %w", err)
	}
	out := map[int64]time.Time{}
	for _, r := range rows {
		if r.at.Valid {
			out[r.id] = parseTime(r.at.String)
		}
	}
	return out, nil
}

// UsedAfterDeparture lists every use of an account after its holder's
// last day (or offboarding start), newest first: what the
// used_after_departure alert is raised from.
func (s *Store) UsedAfterDeparture(ctx context.Context) ([]model.UsageFinding, error) {
	return s.usedAfterDeparture(ctx, "", 0)
}

// UsedAfterDepartureFor is UsedAfterDeparture for one person (by email) on
// one service: what a usage check reads on each run.
func (s *Store) UsedAfterDepartureFor(ctx context.Context, email string, serviceID int64) ([]model.UsageFinding, error) {
	return s.usedAfterDeparture(ctx, email, serviceID)
}

func (s *Store) usedAfterDeparture(ctx context.Context, email string, serviceID int64) ([]model.UsageFinding, error) {
	q, args := accountSelect+` WHERE p.status IN ('leaving','departed')
		AND EXISTS (SELECT 1 FROM account_signals g WHERE g.account_id = a.id AND g.at <> '')`, []any{}
	if email != "" {
		q += ` AND p.email = ? COLLATE NOCASE AND a.service_id = ?`
		args = append(args, email, serviceID)
	}
	accts, err := collectRows(ctx, s.r, scanAccount, q+` ORDER BY a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("used after departure: %w", err)
	}
	if len(accts) == 0 {
		return nil, nil
	}
	starts, err := offboardingStarts(ctx, s.r)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(accts))
	for i, a := range accts {
		ids[i] = a.ID
	}
	sigs, err := signalsByAccount(ctx, s.r, ids)
	if err != nil {
		return nil, err
	}
	var out []model.UsageFinding
	for _, a := range accts {
		p, err := s.GetPerson(ctx, a.PersonID)
		if err != nil {
			return nil, err
		}
		var started *time.Time
		if t, ok := starts[a.PersonID]; ok {
			started = &t
		}
		cutoff, why, ok := model.DepartureCutoff(p, started)
		if !ok {
			continue
		}
		out = append(out, model.UsedAfterDeparture(a, cutoff, why, sigs[a.ID])...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].UsedAt.After(out[j].UsedAt) })
	return out, nil
}

// AccessPolicy reads the access-hygiene thresholds (meta keys
// access.dormant_after and access.review_every, seconds); defaults when
// unset.
func (s *Store) AccessPolicy(ctx context.Context) (model.AccessPolicy, error) {
	p := model.DefaultAccessPolicy
	for key, d := range map[string]*time.Duration{"access.dormant_after": &p.DormantAfter, "access.review_every": &p.ReviewEvery} {
		var v string
		err := s.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
		if isNoRows(err) {
			continue
		}
		if err != nil {
			return p, fmt.Errorf("read %s: %w", key, err)
		}
		if n, err := time.ParseDuration(v); err == nil && n > 0 {
			*d = n
		}
	}
	return p, nil
}

// SetAccessPolicy stores the thresholds (admins only), audited.
func (t *Tx) SetAccessPolicy(p model.AccessPolicy) (before model.AccessPolicy, err error) {
	if err := t.requireAdmin("change the access policy"); err != nil {
		return before, err
	}
	before = model.DefaultAccessPolicy
	for key, d := range map[string]*time.Duration{"access.dormant_after": &before.DormantAfter, "access.review_every": &before.ReviewEvery} {
		var v string
		if err := t.queryRow(`SELECT value FROM meta WHERE key = ?`, key).Scan(&v); err == nil {
			if n, err := time.ParseDuration(v); err == nil && n > 0 {
				*d = n
			}
		}
	}
	for key, d := range map[string]time.Duration{"access.dormant_after": p.DormantAfter, "access.review_every": p.ReviewEvery} {
		if d <= 0 {
			continue
		}
		if _, err := t.exec(`INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, d.String()); err != nil {
			return before, fmt.Errorf("set %s: %w", key, err)
		}
	}
	return before, t.Audit("update", "access_policy", 0, before, p)
}

// accessRisks evaluates the access-hygiene rules for the risk report.
func (s *Store) accessRisks(ctx context.Context) ([]model.Risk, error) {
	p, err := s.AccessPolicy(ctx)
	if err != nil {
		return nil, err
	}
	accts, err := s.AccountsWithAccess(ctx, AccountQuery{})
	if err != nil {
		return nil, err
	}
	access := make(map[int64]model.AccountAccess, len(accts))
	for _, a := range accts {
		access[a.ID] = *a.Access
	}
	usage, err := s.UsedAfterDeparture(ctx)
	if err != nil {
		return nil, err
	}
	return model.AccessRisks(p, s.now(), accts, access, usage), nil
}

// sourceKindsSQL is model.SourceKinds as an SQL list ('backup','access',
// 'usage'): the checks opsdeck manages, for queries that treat them apart.
var sourceKindsSQL = func() string {
	q := make([]string, len(model.SourceKinds))
	for i, k := range model.SourceKinds {
		q[i] = "'" + strings.ReplaceAll(k, "'", "''") + "'"
	}
	return strings.Join(q, ",")
}()

// SignalCount is how many facts are known about an account.
func (t *Tx) SignalCount(accountID int64) (int, error) {
	var n int
	err := t.queryRow(`SELECT count(*) FROM account_signals WHERE account_id = ?`, accountID).Scan(&n)
	return n, err
}
