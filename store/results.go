package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// Result status codes in check_results (kept small: millions of rows).
var statusCode = map[string]int{"up": 0, "warn": 1, "down": 2, "error": 3}
var statusName = []string{"up", "warn", "down", "error"}

// Outcome is one finished run as the scheduler hands it to the store: the
// result (Status "" when there is nothing to record, e.g. an on-time
// heartbeat) and when the check runs next.
type Outcome struct {
	Result  model.CheckResult
	NextRun time.Time
	// Check, when set, is the check as it ran (the scheduler's copy, at
	// most one reload old): ApplyResults judges the result against it
	// instead of reading the check again, which was a quarter of the
	// writer's time at 50,000 checks. A check deleted meanwhile is still
	// noticed (its state row is gone).
	Check *model.Check
}

// NotifyPolicy says when pages go out.
type NotifyPolicy struct {
	// GroupWait delays a first page so that a device alert firing a moment
	// later can claim it as "caused by" before anyone is paged.
	GroupWait time.Duration
	// Repeat re-sends a firing, unacknowledged alert this often.
	Repeat time.Duration
}

// DefaultNotifyPolicy: wait 30 s to group, repeat every 30 min.
var DefaultNotifyPolicy = NotifyPolicy{GroupWait: 30 * time.Second, Repeat: 30 * time.Minute}

// ApplyResults records a batch of outcomes in this transaction: raw
// results, each check's latest state and next run, and every alert
// transition the engine (model.Evaluate) decides, with its events and
// pages. The scheduler calls it with many outcomes at once so that a busy
// minute costs a few transactions, not thousands.
func (t *Tx) ApplyResults(outs []Outcome, np NotifyPolicy) error {
	silences, err := t.activeSilences()
	if err != nil {
		return err
	}
	t.hosts = map[int64][]int64{}
	if t.openChecks, err = t.checksWithOpenAlerts(); err != nil {
		return err
	}
	defer func() { t.hosts, t.openChecks = nil, nil }()
	for _, o := range outs {
		if err := t.applyOne(o, silences, np); err != nil {
			return fmt.Errorf("apply result of check %d: %w", o.Result.CheckID, err)
		}
	}
	return nil
}

func (t *Tx) applyOne(o Outcome, silences []model.Silence, np NotifyPolicy) error {
	r := o.Result
	if r.Status == "" {
		if o.NextRun.IsZero() {
			return nil
		}
		_, err := t.exec(`UPDATE check_state SET next_run_at = ? WHERE check_id = ?`, fmtTime(o.NextRun), r.CheckID)
		return err
	}
	var c model.Check
	var st model.CheckState
	var err error
	if o.Check != nil && o.Check.ID == r.CheckID {
		c = *o.Check
		st, err = scanState(t.queryRow(`SELECT `+stateCols+` FROM check_state WHERE check_id = ?`, c.ID))
		if isNoRows(err) {
			return nil // deleted while it ran
		} else if err != nil {
			return err
		}
	} else {
		// Through the statement cache, and without opening credentials:
		// the alert engine needs none of them.
		c, err = getCheck(t.ctx, cachedTx{t}, r.CheckID)
		if errors.Is(err, model.ErrNotFound) {
			return nil // deleted while it ran
		} else if err != nil {
			return err
		}
		if st, err = getState(t.ctx, cachedTx{t}, c.ID); err != nil {
			return err
		}
	}
	r.CheckName = c.Name
	if c.Kind == "heartbeat" && !r.OK() && st.LastPingAt != nil && st.LastPingAt.After(r.At) && !st.LastPingBad && !model.FromFuture(*st.LastPingAt, r.At) {
		// A lateness verdict overtaken by a good ping that arrived meanwhile.
		return t.applyOne(Outcome{Result: model.CheckResult{CheckID: c.ID}, NextRun: o.NextRun}, silences, np)
	}
	var open *model.Alert
	if t.openChecks == nil || t.openChecks[c.ID] {
		if open, err = t.openAlert(c.ID); err != nil {
			return err
		}
	}
	ec, err := t.evalContext(&c, silences, r.At)
	if err != nil {
		return err
	}
	ev := model.Evaluate(c.Policy(), st, open, r, ec)
	if !o.NextRun.IsZero() {
		ev.State.NextRunAt = o.NextRun
	} else {
		ev.State.NextRunAt = st.NextRunAt
	}
	if err := t.insertResult(r, c.Kind, r.Status != st.Status); err != nil {
		return err
	}
	if err := t.saveState(ev.State); err != nil {
		return err
	}
	if ev.Alert == nil {
		return nil
	}
	a := ev.Alert
	a.ServiceID, a.DeviceID = c.ServiceID, c.DeviceID
	isNew := a.ID == 0
	if err := t.saveAlert(a); err != nil {
		return err
	}
	for _, e := range ev.Events {
		e.AlertID = a.ID
		if err := t.addEvent(e); err != nil {
			return err
		}
	}
	switch {
	case isNew:
		if err := t.auditAlert("fire", nil, a); err != nil {
			return err
		}
		if c.IsHostCheck() {
			if err := t.claimHostedAlerts(a, &c); err != nil {
				return err
			}
		}
	case a.State == "resolved":
		if err := t.auditAlert("resolve", open, a); err != nil {
			return err
		}
	}
	if ev.NotifyResolved {
		return t.page(a, "resolved", r.At, 0)
	}
	if model.DuePage(a, r.At, np.Repeat) {
		event := "fired"
		if a.Flapping {
			event = "flapping"
		}
		return t.page(a, event, r.At, np.GroupWait)
	}
	return nil
}

// evalContext finds what the inventory says about a check right now: a
// down device its service runs on (an open alert on that device's host
// check) and an active silence covering it.
func (t *Tx) evalContext(c *model.Check, silences []model.Silence, now time.Time) (model.EvalContext, error) {
	ec := model.EvalContext{Now: now}
	var hosts []int64
	if c.ServiceID != nil {
		svcHosts, ok := t.hosts[*c.ServiceID]
		if !ok {
			var err error
			if svcHosts, err = t.serviceHosts(*c.ServiceID); err != nil {
				return ec, err
			}
			if t.hosts != nil {
				t.hosts[*c.ServiceID] = svcHosts
			}
		}
		hosts = append(hosts, svcHosts...)
		if c.DeviceID != nil {
			hosts = append(hosts, *c.DeviceID)
		}
	}
	// A backup state or a leftover account is not caused by a host being
	// down: source checks stand on their own.
	if len(hosts) > 0 && !c.IsSource() {
		ph := strings.TrimSuffix(strings.Repeat("?,", len(hosts)), ",")
		args := make([]any, len(hosts))
		for i, h := range hosts {
			args[i] = h
		}
		var devID, alertID int64
		var name string
		err := t.queryRow(`SELECT d.id, d.name, a.id FROM alerts a JOIN checks k ON k.id = a.check_id JOIN devices d ON d.id = k.device_id
			WHERE a.state <> 'resolved' AND k.service_id IS NULL AND k.device_id IN (`+ph+`) ORDER BY a.id LIMIT 1`, args...).Scan(&devID, &name, &alertID)
		switch {
		case err == nil:
			ec.CausedByDeviceID, ec.CausedBy, ec.CausedByAlertID = &devID, name, &alertID
		case !isNoRows(err):
			return ec, err
		}
	}
	for i := range silences {
		if silences[i].Matches(c, hosts, now) {
			id := silences[i].ID
			ec.SilenceID = &id
			break
		}
	}
	return ec, nil
}

func (t *Tx) serviceHosts(serviceID int64) ([]int64, error) {
	rows, err := t.queryOnce(`SELECT device_id FROM service_hosts WHERE service_id = ?`, serviceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hosts []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		hosts = append(hosts, id)
	}
	return hosts, rows.Err()
}

// claimHostedAlerts marks the open alerts of services running on a device
// whose host check just fired as caused by it, so they stop paging at once
// (pages already queued are dropped at delivery).
func (t *Tx) claimHostedAlerts(root *model.Alert, host *model.Check) error {
	rows, err := t.query(`SELECT a.id FROM alerts a JOIN checks k ON k.id = a.check_id
		WHERE a.state <> 'resolved' AND a.id <> ? AND a.caused_by_device_id IS NULL AND k.service_id IS NOT NULL
		AND k.kind NOT IN (`+sourceKindsSQL+`)
		AND (k.device_id = ? OR k.service_id IN (SELECT service_id FROM service_hosts WHERE device_id = ?))`,
		root.ID, *host.DeviceID, *host.DeviceID)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	var name string
	if err := t.queryRow(`SELECT name FROM devices WHERE id = ?`, *host.DeviceID).Scan(&name); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := t.exec(`UPDATE alerts SET caused_by_device_id = ?, caused_by_alert_id = ? WHERE id = ?`, *host.DeviceID, root.ID, id); err != nil {
			return err
		}
		if err := t.addEvent(model.AlertEvent{AlertID: id, At: t.at, Kind: "caused_by", Actor: "system",
			Message: "caused by " + name + " (device down); not paging separately"}); err != nil {
			return err
		}
	}
	return nil
}

// insertResult writes one raw result; changed marks a result whose status
// differs from the check's previous one, which Prune keeps beyond the
// last RawKeep.
func (t *Tx) insertResult(r model.CheckResult, kind string, changed bool) error {
	var msg any
	if !r.OK() || kind == "exec" {
		msg = model.SanitizeMultiline(r.Message, 4096)
	}
	// INSERT OR REPLACE: two results in the same millisecond (a ping and a
	// lateness verdict) keep the later one rather than failing the batch.
	_, err := t.exec(`INSERT OR REPLACE INTO check_results(check_id, at_ms, status, latency, message, changed) VALUES (?,?,?,?,?,?)`,
		r.CheckID, r.At.UnixMilli(), statusCode[r.Status], int64(math.Round(r.LatencyMs*10)), msg, changed)
	if err != nil {
		return fmt.Errorf("insert result: %w", err)
	}
	return nil
}

func (t *Tx) saveState(st model.CheckState) error {
	_, err := t.exec(`INSERT INTO check_state(check_id, status, consec_ok, consec_fail, history, flapping, last_run_at, last_ok_at,
		last_fail_at, latency_ms, message, next_run_at, last_ping_at, last_ping_bad) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT(check_id) DO UPDATE SET status=excluded.status, consec_ok=excluded.consec_ok, consec_fail=excluded.consec_fail,
		history=excluded.history, flapping=excluded.flapping, last_run_at=excluded.last_run_at, last_ok_at=excluded.last_ok_at,
		last_fail_at=excluded.last_fail_at, latency_ms=excluded.latency_ms, message=excluded.message,
		next_run_at=excluded.next_run_at, last_ping_at=excluded.last_ping_at, last_ping_bad=excluded.last_ping_bad`,
		st.CheckID, st.Status, st.ConsecOK, st.ConsecFail, st.History, st.Flapping, fmtTimePtr(st.LastRunAt),
		fmtTimePtr(st.LastOKAt), fmtTimePtr(st.LastFailAt), st.LatencyMs, model.Truncate(st.Message, 512),
		fmtTime(st.NextRunAt), fmtTimePtr(st.LastPingAt), st.LastPingBad)
	if err != nil {
		return fmt.Errorf("save check state: %w", err)
	}
	return nil
}

// RecordPing records a heartbeat ping (or a failure report) from a job and
// applies it as a result right away.
func (t *Tx) RecordPing(checkID int64, failed bool, message string, np NotifyPolicy) (model.CheckResult, error) {
	c, err := t.GetCheck(checkID)
	if err != nil {
		return model.CheckResult{}, err
	}
	if c.Kind != "heartbeat" {
		return model.CheckResult{}, model.Invalid("check", c.Name, "is a "+c.Kind+" check, not a heartbeat")
	}
	r := model.CheckResult{CheckID: c.ID, CheckName: c.Name, At: t.at, Status: "up", Message: "ping received"}
	if failed {
		r.Status, r.Message = "down", "job reported failure"
	}
	if m := model.Sanitize(message); m != "" {
		r.Message += ": " + m
	}
	if _, err := t.exec(`UPDATE check_state SET last_ping_at = ?, last_ping_bad = ? WHERE check_id = ?`, fmtTime(t.at), failed, c.ID); err != nil {
		return r, err
	}
	if err := t.ApplyResults([]Outcome{{Result: r}}, np); err != nil {
		return r, err
	}
	return r, t.Audit("ping", "check", c.ID, nil, map[string]any{"failed": failed, "message": r.Message})
}

// RecordManualRun stores the result of `checks run` like a scheduled one.
func (t *Tx) RecordManualRun(r model.CheckResult, np NotifyPolicy) error {
	if r.Status == "" {
		return nil
	}
	if err := t.ApplyResults([]Outcome{{Result: r}}, np); err != nil {
		return err
	}
	return t.Audit("run", "check", r.CheckID, nil, map[string]any{"status": r.Status, "message": r.Message})
}

// RecentResults returns a check's last n raw results, newest first.
func (s *Store) RecentResults(ctx context.Context, checkID int64, n int) ([]model.CheckResult, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT at_ms, status, latency, message FROM check_results WHERE check_id = ? ORDER BY at_ms DESC LIMIT ?`, checkID, n)
	if err != nil {
		return nil, fmt.Errorf("recent results: %w", err)
	}
	defer rows.Close()
	var out []model.CheckResult
	for rows.Next() {
		var at, lat int64
		var st int
		var msg sql.NullString
		if err := rows.Scan(&at, &st, &lat, &msg); err != nil {
			return nil, err
		}
		r := model.CheckResult{CheckID: checkID, At: time.UnixMilli(at).UTC(), LatencyMs: float64(lat) / 10, Message: msg.String}
		if st >= 0 && st < len(statusName) {
			r.Status = statusName[st]
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Uptime is the share of successful runs over three windows, in percent
// (-1 when there were no runs).
type Uptime struct {
	Day   float64 `json:"24h"`
	Week  float64 `json:"7d"`
	Month float64 `json:"30d"`
}

// Uptime combines daily rollups for the whole rolled-up days of a window,
// hourly rollups for the hours around them and raw results newer than the
// last rolled-up hour, so it is cheap for any window and needs hourly
// rollups only for the last days (Retention.HourlyDays).
func (s *Store) Uptime(ctx context.Context, checkID int64, now time.Time) (Uptime, error) {
	rolled, err := s.metaTime(ctx, metaRolledHourly)
	if err != nil {
		return Uptime{}, err
	}
	rolledDays, err := s.metaTime(ctx, metaRolledDaily)
	if err != nil {
		return Uptime{}, err
	}
	sum := func(table string, from, until time.Time, n, ok *int64) error {
		if !until.After(from) {
			return nil
		}
		var bn, bok int64
		err := s.r.QueryRowContext(ctx, `SELECT coalesce(sum(n),0), coalesce(sum(ok),0) FROM `+table+`
			WHERE check_id = ? AND bucket >= ? AND bucket < ?`, checkID, from.Unix(), until.Unix()).Scan(&bn, &bok)
		*n, *ok = *n+bn, *ok+bok
		return err
	}
	pct := func(d time.Duration) (float64, error) {
		from := now.Add(-d)
		var n, ok int64
		// Whole days inside the window that are rolled up: one row each.
		if day := from.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour); rolledDays.After(day) && rolled.After(day) {
			if err := sum("check_rollups_hourly", from, day, &n, &ok); err != nil {
				return 0, err
			}
			if err := sum("check_rollups_daily", day, rolledDays, &n, &ok); err != nil {
				return 0, err
			}
			from = rolledDays
		}
		if rolled.After(from) {
			if err := sum("check_rollups_hourly", from, rolled, &n, &ok); err != nil {
				return 0, err
			}
			from = rolled
		}
		var rn, rok int64
		err := s.r.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(status = 0),0) FROM check_results
			WHERE check_id = ? AND at_ms >= ?`, checkID, from.UnixMilli()).Scan(&rn, &rok)
		if err != nil {
			return 0, err
		}
		n, ok = n+rn, ok+rok
		if n == 0 {
			return -1, nil
		}
		return math.Round(float64(ok)/float64(n)*10000) / 100, nil
	}
	var u Uptime
	if u.Day, err = pct(24 * time.Hour); err != nil {
		return u, err
	}
	if u.Week, err = pct(7 * 24 * time.Hour); err != nil {
		return u, err
	}
	u.Month, err = pct(30 * 24 * time.Hour)
	return u, err
}
