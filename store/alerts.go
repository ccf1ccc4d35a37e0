package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

const alertCols = `a.id, a.check_id, a.check_name, a.service_id, a.device_id, a.state, a.severity, a.summary, a.flapping,
	a.caused_by_device_id, coalesce(cd.name, ''), a.caused_by_alert_id, a.silence_id, a.opened_at, a.acked_at, a.acked_by,
	a.ack_reason, a.snoozed_until, a.snooze_reason, a.resolved_at, a.resolved_by, a.resolve_note, a.last_notified_at,
	a.notify_count, a.public_note`

const alertFrom = ` FROM alerts a LEFT JOIN devices cd ON cd.id = a.caused_by_device_id `

func scanAlert(sc scanner) (model.Alert, error) {
	var a model.Alert
	var check, svc, dev, cdev, calert, sil sql.NullInt64
	var opened string
	var acked, snoozed, resolved, notified sql.NullString
	err := sc.Scan(&a.ID, &check, &a.CheckName, &svc, &dev, &a.State, &a.Severity, &a.Summary, &a.Flapping,
		&cdev, &a.CausedBy, &calert, &sil, &opened, &acked, &a.AckedBy, &a.AckReason, &snoozed, &a.SnoozeReason,
		&resolved, &a.ResolvedBy, &a.ResolveNote, &notified, &a.NotifyCount, &a.PublicNote)
	a.CheckID, a.ServiceID, a.DeviceID = idPtr(check), idPtr(svc), idPtr(dev)
	a.CausedByDeviceID, a.CausedByAlertID, a.SilenceID = idPtr(cdev), idPtr(calert), idPtr(sil)
	a.OpenedAt = parseTime(opened)
	a.AckedAt, a.SnoozedUntil, a.ResolvedAt, a.LastNotifiedAt = parseTimePtr(acked), parseTimePtr(snoozed), parseTimePtr(resolved), parseTimePtr(notified)
	return a, err
}

func getAlert(ctx context.Context, db querier, id int64) (model.Alert, error) {
	a, err := scanAlert(db.QueryRowContext(ctx, `SELECT `+alertCols+alertFrom+`WHERE a.id = ?`, id))
	if isNoRows(err) {
		return a, notFound("alert", strconv.FormatInt(id, 10))
	}
	return a, err
}

// GetAlert reads one alert.
func (s *Store) GetAlert(ctx context.Context, id int64) (model.Alert, error) {
	return getAlert(ctx, s.r, id)
}

// GetAlert reads one alert inside the transaction.
func (t *Tx) GetAlert(id int64) (model.Alert, error) { return getAlert(t.ctx, t.tx, id) }

// openAlert is the check's unresolved alert, or nil.
func (t *Tx) openAlert(checkID int64) (*model.Alert, error) {
	a, err := scanAlert(t.queryRow(`SELECT `+alertCols+alertFrom+`WHERE a.check_id = ? AND a.state <> 'resolved'`, checkID))
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// checksWithOpenAlerts is the set of checks that have an open alert.
func (t *Tx) checksWithOpenAlerts() (map[int64]bool, error) {
	ids, err := collectRows(t.ctx, cachedTx{t}, func(sc scanner) (id int64, err error) { return id, sc.Scan(&id) },
		`SELECT check_id FROM alerts WHERE state <> 'resolved' AND check_id IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("checks with open alerts: %w", err)
	}
	set := make(map[int64]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set, nil
}

// AlertQuery narrows ListAlerts.
type AlertQuery struct {
	State   string // firing, acknowledged, resolved, or "open" (default: all)
	CheckID int64
	Limit   int // 0: 500
}

// ListAlerts returns alerts firing first, then acknowledged, then resolved;
// newest first within each state.
func (s *Store) ListAlerts(ctx context.Context, q AlertQuery) ([]model.Alert, error) {
	where, args := []string{"1=1"}, []any{}
	switch q.State {
	case "":
	case "open":
		where = append(where, "a.state <> 'resolved'")
	default:
		where, args = append(where, "a.state = ?"), append(args, q.State)
	}
	if q.CheckID != 0 {
		where, args = append(where, "a.check_id = ?"), append(args, q.CheckID)
	}
	if q.Limit <= 0 {
		q.Limit = 500
	}
	out, err := collectRows(ctx, s.r, scanAlert, `SELECT `+alertCols+alertFrom+`WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY CASE a.state WHEN 'firing' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END, a.opened_at DESC LIMIT %d`, q.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}

// AlertEvents is an alert's timeline, oldest first.
func (s *Store) AlertEvents(ctx context.Context, alertID int64) ([]model.AlertEvent, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, alert_id, at, kind, actor, message FROM alert_events WHERE alert_id = ? ORDER BY id`, alertID)
	if err != nil {
		return nil, fmt.Errorf("alert events: %w", err)
	}
	defer rows.Close()
	var out []model.AlertEvent
	for rows.Next() {
		var e model.AlertEvent
		var at string
		if err := rows.Scan(&e.ID, &e.AlertID, &at, &e.Kind, &e.Actor, &e.Message); err != nil {
			return nil, err
		}
		e.At = parseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *Tx) addEvent(e model.AlertEvent) error {
	if e.Actor == "" {
		e.Actor = t.actor.String()
	}
	_, err := t.exec(`INSERT INTO alert_events(alert_id, at, kind, actor, message) VALUES (?,?,?,?,?)`,
		e.AlertID, fmtTime(e.At), e.Kind, e.Actor, model.SanitizeMultiline(e.Message, 1024))
	if err != nil {
		return fmt.Errorf("add alert event: %w", err)
	}
	return nil
}

// saveAlert inserts a new alert (ID 0) or writes every mutable column.
func (t *Tx) saveAlert(a *model.Alert) error {
	if a.ID == 0 {
		res, err := t.exec(`INSERT INTO alerts(check_id, check_name, service_id, device_id, state, severity, summary, opened_at)
			VALUES (?,?,?,?,?,?,?,?)`, nullID(a.CheckID), a.CheckName, nullID(a.ServiceID), nullID(a.DeviceID), a.State,
			a.Severity, model.Sanitize(a.Summary), fmtTime(a.OpenedAt))
		if err != nil {
			return fmt.Errorf("open alert: %w", err)
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if t.openChecks != nil && a.CheckID != nil {
			t.openChecks[*a.CheckID] = true
		}
	}
	_, err := t.exec(`UPDATE alerts SET state=?, severity=?, summary=?, flapping=?, caused_by_device_id=?, caused_by_alert_id=?,
		silence_id=?, acked_at=?, acked_by=?, ack_reason=?, snoozed_until=?, snooze_reason=?, resolved_at=?, resolved_by=?,
		resolve_note=?, last_notified_at=?, notify_count=? WHERE id=?`,
		a.State, a.Severity, model.Sanitize(a.Summary), a.Flapping, nullID(a.CausedByDeviceID), nullID(a.CausedByAlertID),
		nullID(a.SilenceID), fmtTimePtr(a.AckedAt), a.AckedBy, a.AckReason, fmtTimePtr(a.SnoozedUntil), a.SnoozeReason,
		fmtTimePtr(a.ResolvedAt), a.ResolvedBy, a.ResolveNote, fmtTimePtr(a.LastNotifiedAt), a.NotifyCount, a.ID)
	if err != nil {
		return fmt.Errorf("save alert %d: %w", a.ID, err)
	}
	return nil
}

// operate is the one path for operator transitions (ack, snooze, resolve):
// read, apply the pure transition, save, record the event, audit.
func (t *Tx) operate(id int64, action string, fn func(model.Alert) (model.Alert, model.AlertEvent, error)) (model.Alert, error) {
	before, err := t.GetAlert(id)
	if err != nil {
		return before, err
	}
	after, ev, err := fn(before)
	if err != nil {
		return before, err
	}
	if err := t.saveAlert(&after); err != nil {
		return before, err
	}
	ev.AlertID = id
	if err := t.addEvent(ev); err != nil {
		return before, err
	}
	return after, t.auditAlert(action, &before, &after)
}

// auditAlert is the one place every alert transition is recorded in the
// audit log: "fire", "acknowledge", "snooze", "resolve" (by hand or after
// M successes). Features that follow alerts hook in here, in the same
// transaction: the ledger opens an unplanned-work entry on "acknowledge"
// and closes it on "resolve".
func (t *Tx) auditAlert(action string, before, after *model.Alert) error {
	var b any
	if before != nil {
		b = before
	}
	if err := t.Audit(action, "alert", after.ID, b, after); err != nil {
		return err
	}
	return t.ledgerFollowsAlert(action, after)
}

// ledgerFollowsAlert keeps the unplanned-work ledger honest about triage:
// acknowledging an alert starts an unplanned "production incident" entry
// for whoever acknowledged it (interrupting what they were doing), and
// resolving the alert, by hand or by the checks recovering, stops it and
// resumes what it interrupted. The entry stays editable afterwards.
func (t *Tx) ledgerFollowsAlert(action string, a *model.Alert) error {
	switch action {
	case "acknowledge":
		if t.actor.Kind == "system" {
			return nil
		}
		var svc int64
		if a.ServiceID != nil {
			svc = *a.ServiceID
		}
		title := a.CheckName
		if a.Summary != "" {
			title += ": " + a.Summary
		}
		_, err := t.StartAlertEntry(a.ID, svc, model.Truncate(title, 200))
		return err
	case "resolve":
		_, err := t.StopAlertEntry(a.ID)
		return err
	}
	return nil
}

// AckAlert acknowledges a firing alert with a reason; the transaction's
// actor is recorded as the one who owns it. This is the single place an
// acknowledgement is written, so features that react to it (the ledger
// opening an unplanned-work entry) hook in here, in the same transaction.
func (t *Tx) AckAlert(id int64, reason string) (model.Alert, error) {
	return t.operate(id, "acknowledge", func(a model.Alert) (model.Alert, model.AlertEvent, error) {
		return model.Ack(a, t.actor.String(), reason, t.at)
	})
}

// SnoozeAlert mutes an open alert's notifications until a time.
func (t *Tx) SnoozeAlert(id int64, until time.Time, reason string) (model.Alert, error) {
	return t.operate(id, "snooze", func(a model.Alert) (model.Alert, model.AlertEvent, error) {
		return model.Snooze(a, t.actor.String(), reason, until, t.at)
	})
}

// ResolveAlert closes an open alert by hand with a note. Like AckAlert it
// is the one place a manual resolution is written (the ledger closes its
// entry here); automatic resolutions go through resolved().
func (t *Tx) ResolveAlert(id int64, note string) (model.Alert, error) {
	return t.operate(id, "resolve", func(a model.Alert) (model.Alert, model.AlertEvent, error) {
		return model.Resolve(a, t.actor.String(), note, t.at)
	})
}

// AlertGroup is one root cause with the alerts it explains.
type AlertGroup struct {
	Root   model.Alert   `json:"root"`
	Caused []model.Alert `json:"caused"`
	Age    string        `json:"age"` // since the root opened, e.g. "12m"
}

// AlertGroups returns open alerts grouped by root cause: an alert caused
// by a down device sits under that device's alert. Groups whose root is
// firing come first, then acknowledged; oldest root first within a state,
// because the longest-burning fire matters most.
func (s *Store) AlertGroups(ctx context.Context, now time.Time) ([]AlertGroup, error) {
	open, err := s.ListAlerts(ctx, AlertQuery{State: "open", Limit: 10000})
	if err != nil {
		return nil, err
	}
	idx := map[int64]int{}
	var groups []AlertGroup
	for _, a := range open {
		if a.CausedByAlertID == nil {
			idx[a.ID] = len(groups)
			groups = append(groups, AlertGroup{Root: a, Age: model.Span(now.Sub(a.OpenedAt))})
		}
	}
	for _, a := range open {
		if a.CausedByAlertID == nil {
			continue
		}
		if i, ok := idx[*a.CausedByAlertID]; ok {
			groups[i].Caused = append(groups[i].Caused, a)
			continue
		}
		// The root resolved first: the alert stands on its own for now.
		idx[a.ID] = len(groups)
		groups = append(groups, AlertGroup{Root: a, Age: model.Span(now.Sub(a.OpenedAt))})
	}
	rank := map[string]int{"firing": 0, "acknowledged": 1}
	for i := 1; i < len(groups); i++ {
		for j := i; j > 0; j-- {
			a, b := groups[j-1].Root, groups[j].Root
			if rank[a.State] < rank[b.State] || (rank[a.State] == rank[b.State] && !b.OpenedAt.Before(a.OpenedAt)) {
				break
			}
			groups[j-1], groups[j] = groups[j], groups[j-1]
		}
	}
	return groups, nil
}

// AlertDetail is everything the alert detail view shows.
type AlertDetail struct {
	Alert    model.Alert         `json:"alert"`
	Check    *model.Check        `json:"check"`
	State    *model.CheckState   `json:"check_state"`
	Service  *model.Service      `json:"service"`
	Device   *model.Device       `json:"device"`
	Owner    *model.Person       `json:"owner"`
	Runbook  string              `json:"runbook_url"`
	OnCall   []model.OnCall      `json:"on_call"`
	Events   []model.AlertEvent  `json:"timeline"`
	Results  []model.CheckResult `json:"last_results"` // newest first
	Latency  []float64           `json:"latency_ms"`   // oldest first, for a sparkline
	Uptime   Uptime              `json:"uptime"`
	Caused   []model.Alert       `json:"caused"` // open alerts this one explains
	Age      string              `json:"age"`
	CausedBy *model.Alert        `json:"caused_by_alert"`
}

// GetAlertDetail assembles the detail view of one alert.
func (s *Store) GetAlertDetail(ctx context.Context, id int64, now time.Time) (AlertDetail, error) {
	var d AlertDetail
	a, err := s.GetAlert(ctx, id)
	if err != nil {
		return d, err
	}
	d.Alert = a
	end := now
	if a.ResolvedAt != nil {
		end = *a.ResolvedAt
	}
	d.Age = model.Span(end.Sub(a.OpenedAt))
	if d.Events, err = s.AlertEvents(ctx, id); err != nil {
		return d, err
	}
	if a.CheckID != nil {
		c, err := s.GetCheck(ctx, *a.CheckID)
		if err == nil {
			d.Check = &c
			st, err := s.CheckState(ctx, c.ID)
			if err != nil {
				return d, err
			}
			d.State = &st
			if d.Results, err = s.RecentResults(ctx, c.ID, 30); err != nil {
				return d, err
			}
			for i := len(d.Results) - 1; i >= 0; i-- {
				d.Latency = append(d.Latency, d.Results[i].LatencyMs)
			}
			if d.Uptime, err = s.Uptime(ctx, c.ID, now); err != nil {
				return d, err
			}
		}
	}
	svcID := a.ServiceID
	if d.Check != nil && d.Check.ServiceID != nil {
		svcID = d.Check.ServiceID
	}
	if svcID != nil {
		if sv, err := s.GetService(ctx, *svcID); err == nil {
			d.Service, d.Runbook = &sv, sv.RunbookURL
			if sv.OwnerID != nil {
				if p, err := s.GetPerson(ctx, *sv.OwnerID); err == nil {
					d.Owner = &p
				}
			}
		}
	}
	devID := a.DeviceID
	if d.Check != nil && d.Check.DeviceID != nil {
		devID = d.Check.DeviceID
	}
	if devID != nil {
		if dv, err := s.GetDevice(ctx, *devID); err == nil {
			d.Device = &dv
		}
	}
	if a.CausedByAlertID != nil {
		if ca, err := s.GetAlert(ctx, *a.CausedByAlertID); err == nil {
			d.CausedBy = &ca
		}
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+alertCols+alertFrom+`WHERE a.caused_by_alert_id = ? AND a.state <> 'resolved' ORDER BY a.id`, id)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		ca, err := scanAlert(rows)
		if err != nil {
			return d, err
		}
		d.Caused = append(d.Caused, ca)
	}
	if err := rows.Err(); err != nil {
		return d, err
	}
	d.OnCall, err = s.OnCallAt(ctx, now)
	return d, err
}

// AlertCounts is how many alerts are firing (and not suppressed by a
// device or silence) and acknowledged, for a status bar.
func (s *Store) AlertCounts(ctx context.Context) (firing, acknowledged int, err error) {
	err = s.r.QueryRowContext(ctx, `SELECT coalesce(sum(state = 'firing' AND caused_by_device_id IS NULL AND silence_id IS NULL), 0),
		coalesce(sum(state = 'acknowledged'), 0) FROM alerts WHERE state <> 'resolved'`).Scan(&firing, &acknowledged)
	return firing, acknowledged, err
}

// ResultsMark changes whenever any check records a result. Results are
// not audited (thousands a minute), so a console that polls ChangeMark for
// audited writes polls this too to refresh check states.
func (s *Store) ResultsMark(ctx context.Context) (string, error) {
	var m sql.NullString
	err := s.r.QueryRowContext(ctx, `SELECT max(last_run_at) FROM check_state`).Scan(&m)
	return m.String, err
}
