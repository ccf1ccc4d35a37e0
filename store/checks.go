package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// checksTable is the checks table, read and written from model.CheckFields
// (credentials sealed on the way in), plus paused (not a user field: the
// pause and resume commands set it). The ping token's hash is written on
// insert and when a token is issued, never read.
var checksTable = newTable("checks", "check", model.CheckFields, func(c *model.Check) (*int64, *time.Time, *time.Time) {
	return &c.ID, &c.CreatedAt, &c.UpdatedAt
}, stored[model.Check]{col: "paused", val: func(c *model.Check) any { return c.Paused }, dest: func(c *model.Check) any { return &c.Paused }},
	stored[model.Check]{col: "managed", val: func(c *model.Check) any { return c.Managed }, dest: func(c *model.Check) any { return &c.Managed }})

var checkCols = checksTable.cols("")

func scanCheck(sc scanner) (model.Check, error) { return checksTable.scan(sc, nil) }

// CheckQuery narrows ListChecks.
type CheckQuery struct {
	ServiceID int64
	DeviceID  int64
	Kind      string
	Paused    *bool
}

// ListChecks returns checks ordered by name.
func (s *Store) ListChecks(ctx context.Context, q CheckQuery) ([]model.Check, error) {
	cs, err := listChecks(ctx, s.r, q)
	if err != nil {
		return nil, err
	}
	return cs, presentAll(ctx, s, cs)
}

func listChecks(ctx context.Context, db querier, q CheckQuery) ([]model.Check, error) {
	where, args := []string{"1=1"}, []any{}
	if q.ServiceID != 0 {
		where, args = append(where, "service_id = ?"), append(args, q.ServiceID)
	}
	if q.DeviceID != 0 {
		where, args = append(where, "device_id = ?"), append(args, q.DeviceID)
	}
	if q.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, q.Kind)
	}
	if q.Paused != nil {
		where, args = append(where, "paused = ?"), append(args, *q.Paused)
	}
	rows, err := db.QueryContext(ctx, `SELECT `+checkCols+` FROM checks WHERE `+strings.Join(where, " AND ")+` ORDER BY name COLLATE NOCASE`, args...)
	if err != nil {
		return nil, fmt.Errorf("list checks: %w", err)
	}
	defer rows.Close()
	var out []model.Check
	for rows.Next() {
		c, err := scanCheck(rows)
		if err != nil {
			return nil, fmt.Errorf("list checks: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func getCheck(ctx context.Context, db querier, id int64) (model.Check, error) {
	c, err := scanCheck(db.QueryRowContext(ctx, `SELECT `+checkCols+` FROM checks WHERE id = ?`, id))
	if isNoRows(err) {
		return c, notFound("check", strconv.FormatInt(id, 10))
	}
	return c, err
}

func findCheck(ctx context.Context, db querier, ref string) (model.Check, error) {
	ref = strings.TrimSpace(ref)
	c, err := scanCheck(db.QueryRowContext(ctx, `SELECT `+checkCols+` FROM checks WHERE name = ? COLLATE NOCASE`, ref))
	if err == nil || !isNoRows(err) {
		return c, err
	}
	if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		return getCheck(ctx, db, id)
	}
	return c, notFound("check", ref)
}

// GetCheck reads one check by id.
func (s *Store) GetCheck(ctx context.Context, id int64) (model.Check, error) {
	c, err := getCheck(ctx, s.r, id)
	if err != nil {
		return c, err
	}
	return c, present(ctx, s, &c)
}

// FindCheck resolves a check name (case-insensitive) or id.
func (s *Store) FindCheck(ctx context.Context, ref string) (model.Check, error) {
	c, err := findCheck(ctx, s.r, ref)
	if err != nil {
		return c, err
	}
	return c, present(ctx, s, &c)
}

// FindCheckByToken resolves a heartbeat's secret ping token (matched on
// its hash: the token is stored encrypted).
func (s *Store) FindCheckByToken(ctx context.Context, token string) (model.Check, error) {
	c, err := scanCheck(s.r.QueryRowContext(ctx, `SELECT `+checkCols+` FROM checks WHERE ping_token_hash = ? AND ping_token_hash <> ''`, tokenHash(token)))
	if isNoRows(err) {
		return c, notFound("check with ping token", "…")
	}
	if err != nil {
		return c, err
	}
	return c, present(ctx, s, &c)
}

// GetCheck reads one check inside the transaction.
func (t *Tx) GetCheck(id int64) (model.Check, error) {
	c, err := getCheck(t.ctx, t.tx, id)
	if err != nil {
		return c, err
	}
	return c, t.open(&c)
}

// FindCheck resolves a check reference inside the transaction.
func (t *Tx) FindCheck(ref string) (model.Check, error) {
	c, err := findCheck(t.ctx, t.tx, ref)
	if err != nil {
		return c, err
	}
	return c, t.open(&c)
}

func (t *Tx) checkRefs(c *model.Check) error {
	var id int64
	err := t.queryRow(`SELECT id FROM checks WHERE name = ? COLLATE NOCASE AND id <> ?`, c.Name, c.ID).Scan(&id)
	if err == nil {
		return model.Invalid("name", c.Name, fmt.Sprintf("already names check %d", id))
	} else if !isNoRows(err) {
		return err
	}
	if c.ServiceID != nil {
		if _, err := t.GetService(*c.ServiceID); err != nil {
			return model.Invalid("service", strconv.FormatInt(*c.ServiceID, 10), "is not a known service")
		}
	}
	if c.DeviceID != nil {
		if _, err := t.GetDevice(*c.DeviceID); err != nil {
			return model.Invalid("device", strconv.FormatInt(*c.DeviceID, 10), "is not a known device")
		}
	}
	return nil
}

// checkExec keeps exec commands admin-only: an exec check runs a command
// as the scheduler's user, so choosing one is as powerful as a shell on
// that host. Pausing or renaming an existing exec check is not.
func (t *Tx) checkExec(before, c *model.Check) error {
	if c.Kind == "exec" && (before == nil || before.Kind != "exec" || before.Target != c.Target || before.Env != c.Env) {
		return t.requireAdmin("add or change exec commands")
	}
	return nil
}

func newToken() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// AddCheck inserts c (setting its ID), schedules its first run on its
// stable beat, and audits it. Heartbeats get a secret ping token.
func (t *Tx) AddCheck(c *model.Check) error {
	id, err := addRecord(t, "check", c, func(c *model.Check) (int64, error) {
		if err := t.checkExec(nil, c); err != nil {
			return 0, err
		}
		if err := t.checkSource(nil, c); err != nil {
			return 0, err
		}
		if err := t.checkRefs(c); err != nil {
			return 0, err
		}
		if c.Kind == "heartbeat" && c.PingToken == "" {
			c.PingToken = newToken()
		}
		hash := tokenHash(c.PingToken)
		return checksTable.insert(t, c, set{"ping_token_hash", hash})
	})
	if err != nil {
		return err
	}
	saved, err := t.GetCheck(id)
	if err != nil {
		return err
	}
	*c = saved
	next := model.NextRun(t.at, c.RunEvery(), model.Offset(id, c.RunEvery()))
	if _, err := t.exec(`INSERT INTO check_state(check_id, next_run_at) VALUES (?, ?)`, id, fmtTime(next)); err != nil {
		return fmt.Errorf("add check state: %w", err)
	}
	return t.Audit("create", "check", id, nil, saved)
}

// UpdateCheck applies fn to check id and audits the change. A new interval
// moves the next run onto the new beat.
func (t *Tx) UpdateCheck(id int64, fn func(*model.Check) error) (before, after model.Check, err error) {
	cur, err := t.GetCheck(id)
	if err != nil {
		return cur, cur, err
	}
	// Source checks are judged before the generic validation, so turning
	// one into something else is refused for what it is.
	guarded := func(c *model.Check) error {
		if err := fn(c); err != nil {
			return err
		}
		n := *c
		n.Normalize()
		return t.checkSource(&cur, &n)
	}
	before, after, changed, err := updateRecord(t, "check", id, t.GetCheck, guarded, func(c *model.Check) error {
		if err := t.checkExec(&cur, c); err != nil {
			return err
		}
		if err := t.checkRefs(c); err != nil {
			return err
		}
		return checksTable.update(t, c)
	})
	if err != nil || !changed {
		return before, after, err
	}
	if before.IntervalS != after.IntervalS || (before.Paused && !after.Paused) {
		next := model.NextRun(t.at, after.RunEvery(), model.Offset(id, after.RunEvery()))
		if _, err := t.exec(`UPDATE check_state SET next_run_at = ? WHERE check_id = ?`, fmtTime(next), id); err != nil {
			return before, after, err
		}
	}
	if after.Kind == "heartbeat" && after.PingToken == "" {
		tok := model.Check{PingToken: newToken()}
		hash := tokenHash(tok.PingToken)
		if err := t.seal(&tok); err != nil {
			return before, after, err
		}
		if _, err := t.exec(`UPDATE checks SET ping_token = ?, ping_token_hash = ? WHERE id = ?`, tok.PingToken, hash, id); err != nil {
			return before, after, err
		}
	}
	return before, after, nil
}

// SetCheckPaused pauses or resumes a check.
func (t *Tx) SetCheckPaused(id int64, paused bool) (model.Check, error) {
	_, after, err := t.UpdateCheck(id, func(c *model.Check) error { c.Paused = paused; return nil })
	return after, err
}

// DeleteCheck removes a check with its state, raw results and rollups.
// Its alerts stay (they keep the check's name) for the record; an open one
// is resolved with the note "check deleted".
func (t *Tx) DeleteCheck(id int64) (model.Check, error) {
	c, err := t.GetCheck(id)
	if err != nil {
		return c, err
	}
	if c.IsSource() && t.actor.Kind != "system" {
		// The next sync would only create it again (and its alert with it).
		return c, model.Invalid("check", c.Name, "is managed by opsdeck and leaves by itself when its "+c.Kind+" problem is gone; pause it to mute it")
	}
	if a, err := t.openAlert(id); err != nil {
		return c, err
	} else if a != nil {
		if _, err := t.ResolveAlert(a.ID, "check deleted"); err != nil {
			return c, err
		}
	}
	for _, q := range []string{
		`DELETE FROM check_results WHERE check_id = ?`,
		`DELETE FROM check_rollups_hourly WHERE check_id = ?`,
		`DELETE FROM check_rollups_daily WHERE check_id = ?`,
		`DELETE FROM checks WHERE id = ?`,
	} {
		if _, err := t.exec(q, id); err != nil {
			return c, fmt.Errorf("delete check %s: %w", c.Name, err)
		}
	}
	return c, t.Audit("delete", "check", id, c, nil)
}

const stateCols = `check_id, status, consec_ok, consec_fail, history, flapping, last_run_at, last_ok_at, last_fail_at,
	latency_ms, message, next_run_at, last_ping_at, last_ping_bad`

func scanState(sc scanner) (model.CheckState, error) {
	var st model.CheckState
	var run, ok, fail, ping sql.NullString
	var next string
	err := sc.Scan(&st.CheckID, &st.Status, &st.ConsecOK, &st.ConsecFail, &st.History, &st.Flapping, &run, &ok, &fail,
		&st.LatencyMs, &st.Message, &next, &ping, &st.LastPingBad)
	st.LastRunAt, st.LastOKAt, st.LastFailAt, st.LastPingAt = parseTimePtr(run), parseTimePtr(ok), parseTimePtr(fail), parseTimePtr(ping)
	st.NextRunAt = parseTime(next)
	return st, err
}

func getState(ctx context.Context, db querier, checkID int64) (model.CheckState, error) {
	st, err := scanState(db.QueryRowContext(ctx, `SELECT `+stateCols+` FROM check_state WHERE check_id = ?`, checkID))
	if isNoRows(err) {
		return model.CheckState{CheckID: checkID, Status: "pending"}, nil
	}
	return st, err
}

// CheckState is the latest state of one check (no history scan).
func (s *Store) CheckState(ctx context.Context, checkID int64) (model.CheckState, error) {
	return getState(ctx, s.r, checkID)
}

// CheckStates returns the latest state of every check, by check id.
func (s *Store) CheckStates(ctx context.Context) (map[int64]model.CheckState, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+stateCols+` FROM check_state`)
	if err != nil {
		return nil, fmt.Errorf("check states: %w", err)
	}
	defer rows.Close()
	out := map[int64]model.CheckState{}
	for rows.Next() {
		st, err := scanState(rows)
		if err != nil {
			return nil, err
		}
		out[st.CheckID] = st
	}
	return out, rows.Err()
}

// ChecksMark changes whenever a check is added, edited, paused or deleted,
// so the scheduler reloads only when something changed.
func (s *Store) ChecksMark(ctx context.Context) (string, error) {
	return checksMark(ctx, s.r)
}

// ChecksMark is Store.ChecksMark inside this transaction: the mark with
// this transaction's changes and nobody else's.
func (t *Tx) ChecksMark() (string, error) { return checksMark(t.ctx, t.tx) }

func checksMark(ctx context.Context, db querier) (string, error) {
	var n int64
	var m sql.NullString
	err := db.QueryRowContext(ctx, `SELECT count(*), max(updated_at) FROM checks`).Scan(&n, &m)
	return fmt.Sprintf("%d/%s", n, m.String), err
}
