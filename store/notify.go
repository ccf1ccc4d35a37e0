package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// channelsTable is the notification_channels table, read and written from
// model.ChannelFields (credentials sealed on the way in), plus enabled.
var channelsTable = newTable("notification_channels", "channel", model.ChannelFields, func(c *model.Channel) (*int64, *time.Time, *time.Time) {
	return &c.ID, &c.CreatedAt, &c.UpdatedAt
}, stored[model.Channel]{col: "enabled", val: func(c *model.Channel) any { return c.Enabled }, dest: func(c *model.Channel) any { return &c.Enabled }})

var channelCols = channelsTable.cols("")

func scanChannel(sc scanner) (model.Channel, error) { return channelsTable.scan(sc, nil) }

// ListChannels returns every notification channel.
func (s *Store) ListChannels(ctx context.Context) ([]model.Channel, error) {
	out, err := channelsTable.list(ctx, s.r, "1=1", "name COLLATE NOCASE", 0)
	if err != nil {
		return nil, err
	}
	return out, presentAll(ctx, s, out)
}

func findChannel(ctx context.Context, db querier, ref string) (model.Channel, error) {
	c, err := scanChannel(db.QueryRowContext(ctx, `SELECT `+channelCols+` FROM notification_channels WHERE name = ? COLLATE NOCASE OR CAST(id AS TEXT) = ?`, ref, ref))
	if isNoRows(err) {
		return c, notFound("channel", ref)
	}
	return c, err
}

func (t *Tx) findChannel(ref string) (model.Channel, error) {
	c, err := findChannel(t.ctx, t.tx, ref)
	if err != nil {
		return c, err
	}
	return c, t.open(&c)
}

// FindChannel resolves a channel name or id.
func (s *Store) FindChannel(ctx context.Context, ref string) (model.Channel, error) {
	c, err := findChannel(ctx, s.r, ref)
	if err != nil {
		return c, err
	}
	return c, present(ctx, s, &c)
}

// GetChannel reads one channel by id.
func (s *Store) GetChannel(ctx context.Context, id int64) (model.Channel, error) {
	c, err := channelsTable.get(ctx, s.r, id)
	if err != nil {
		return c, err
	}
	return c, present(ctx, s, &c)
}

// AddChannel adds a notification channel (admin only: it decides who is woken).
func (t *Tx) AddChannel(c *model.Channel) error {
	if err := t.requireAdmin("add notification channels"); err != nil {
		return err
	}
	id, err := addRecord(t, "channel", c, func(c *model.Channel) (int64, error) {
		if c.ServiceID != nil {
			if _, err := t.GetService(*c.ServiceID); err != nil {
				return 0, model.Invalid("service", strconv.FormatInt(*c.ServiceID, 10), "is not a known service")
			}
		}
		return channelsTable.insert(t, c)
	})
	if err != nil {
		return err
	}
	if *c, err = t.findChannel(strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	return t.Audit("create", "channel", id, nil, *c)
}

// DeleteChannel removes a channel and its undelivered notifications.
func (t *Tx) DeleteChannel(ref string) (model.Channel, error) {
	if err := t.requireAdmin("delete notification channels"); err != nil {
		return model.Channel{}, err
	}
	c, err := t.findChannel(ref)
	if err != nil {
		return c, err
	}
	if _, err := t.exec(`DELETE FROM notification_channels WHERE id = ?`, c.ID); err != nil {
		return c, err
	}
	return c, t.Audit("delete", "channel", c.ID, c, nil)
}

// page queues one notification of an alert per matching channel (global,
// and the alert's service's own) addressed to the service owner and whoever
// is on call at that moment, and records that the alert paged.
func (t *Tx) page(a *model.Alert, event string, at time.Time, wait time.Duration) error {
	return t.pageTo(a, event, at, wait, nil, "")
}

// pageTo is page addressed to the given recipients instead (an escalation
// step), with why leading the timeline entry; nil to: the owner and on call.
func (t *Tx) pageTo(a *model.Alert, event string, at time.Time, wait time.Duration, to []string, why string) error {
	chans, err := collectRows(t.ctx, t.tx, scanChannel, `SELECT `+channelCols+` FROM notification_channels WHERE enabled = 1 AND (service_id IS NULL OR service_id = ?)`, nullID(a.ServiceID))
	if err != nil {
		return err
	}
	n := model.Notification{Event: event, AlertID: a.ID, State: a.State, Severity: a.Severity, Check: a.CheckName,
		Summary: a.Summary, CausedBy: a.CausedBy, Flapping: a.Flapping, OpenedAt: a.OpenedAt, At: at}
	n.Title = model.AlertTitle(a, event)
	if a.ServiceID != nil {
		var owner sql.NullString
		err := t.queryRow(`SELECT s.name, s.runbook_url, p.email FROM services s LEFT JOIN people p ON p.id = s.owner_id AND p.status <> 'departed'
			WHERE s.id = ?`, *a.ServiceID).Scan(&n.Service, &n.Runbook, &owner)
		if err != nil && !isNoRows(err) {
			return err
		}
		n.Owner = owner.String
	}
	if err := t.findingOwner(a, &n); err != nil {
		return err
	}
	oc, err := onCallAt(t.ctx, t.tx, at)
	if err != nil {
		return err
	}
	for _, o := range oc {
		n.OnCall = append(n.OnCall, o.Email)
	}
	n.Recipients = uniq(append([]string{n.Owner}, n.OnCall...))
	if to != nil {
		n.Recipients = uniq(to)
	}
	payload, err := json.Marshal(n)
	if err != nil {
		return err
	}
	notBefore := at.Add(wait)
	for _, c := range chans {
		if _, err := t.exec(`INSERT INTO notification_queue(alert_id, channel_id, event, recipients, payload, not_before, created_at)
			VALUES (?,?,?,?,?,?,?)`, a.ID, c.ID, event, strings.Join(n.Recipients, ","), string(payload), fmtTime(notBefore), fmtTime(at)); err != nil {
			return fmt.Errorf("queue notification: %w", err)
		}
	}
	msg := fmt.Sprintf("%s: queued for %d channel(s) to %s", event, len(chans), orNobody(n.Recipients))
	if len(chans) == 0 {
		msg = event + ": no notification channel is configured (opsdeck channels add)"
	}
	kind := "paged"
	if why != "" {
		kind, msg = event, why+"; "+msg
	}
	if err := t.addEvent(model.AlertEvent{AlertID: a.ID, At: at, Kind: kind, Actor: "system", Message: msg}); err != nil {
		return err
	}
	if event == "resolved" || event == "escalated" {
		return nil
	}
	now := at
	a.LastNotifiedAt = &now
	a.NotifyCount++
	_, err = t.exec(`UPDATE alerts SET last_notified_at = ?, notify_count = ? WHERE id = ?`, fmtTime(now), a.NotifyCount, a.ID)
	return err
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if x != "" && !seen[strings.ToLower(x)] {
			seen[strings.ToLower(x)] = true
			out = append(out, x)
		}
	}
	return out
}

func orNobody(xs []string) string {
	if len(xs) == 0 {
		return "nobody (no owner, nobody on call)"
	}
	return strings.Join(xs, ", ")
}

// EnqueueRepeats pages again for firing alerts nobody acknowledged (and
// for the first time for alerts whose silence, snooze or cause ended).
func (t *Tx) EnqueueRepeats(repeat time.Duration) (int, error) {
	rows, err := t.query(`SELECT ` + alertCols + alertFrom + `WHERE a.state = 'firing'`)
	if err != nil {
		return 0, err
	}
	var due []model.Alert
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		if model.DuePage(&a, t.at, repeat) {
			due = append(due, a)
		}
	}
	rows.Close()
	for i := range due {
		event := "repeat"
		if due[i].LastNotifiedAt == nil {
			event = "fired"
		}
		if err := t.page(&due[i], event, t.at, 0); err != nil {
			return i, err
		}
	}
	return len(due), nil
}

// Queued is one pending notification with its channel and current alert.
type Queued struct {
	ID         int64
	Channel    model.Channel
	Alert      model.Alert
	Event      string
	Recipients []string
	Payload    model.Notification
	Attempts   int
	CreatedAt  time.Time
}

// DueNotifications returns pending notifications whose time has come.
func (s *Store) DueNotifications(ctx context.Context, now time.Time, limit int) ([]Queued, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, channel_id, alert_id, event, recipients, payload, attempts, created_at FROM notification_queue
		WHERE state = 'pending' AND not_before <= ? ORDER BY not_before LIMIT ?`, fmtTime(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due notifications: %w", err)
	}
	type row struct {
		q         Queued
		ch, alert int64
		payload   string
		recips    string
		created   string
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.q.ID, &r.ch, &r.alert, &r.q.Event, &r.recips, &r.payload, &r.q.Attempts, &r.created); err != nil {
			rows.Close()
			return nil, err
		}
		rs = append(rs, r)
	}
	rows.Close()
	out := make([]Queued, 0, len(rs))
	for _, r := range rs {
		// Delivery uses the channel's credentials: read them in clear.
		if r.q.Channel, err = s.WithCredentials().GetChannel(ctx, r.ch); err != nil {
			return nil, err
		}
		if r.q.Alert, err = s.GetAlert(ctx, r.alert); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(r.payload), &r.q.Payload); err != nil {
			return nil, fmt.Errorf("notification %d: %w", r.q.ID, err)
		}
		r.q.CreatedAt = parseTime(r.created)
		if r.recips != "" {
			r.q.Recipients = strings.Split(r.recips, ",")
		}
		out = append(out, r.q)
	}
	return out, nil
}

// MaxAttempts is how often a notification is tried before it is given up.
const MaxAttempts = 8

// FinishNotification records a delivery attempt: sent, dropped (the alert
// no longer wants it, with why), or failed (retried with backoff until
// MaxAttempts). Every outcome lands on the alert's timeline.
func (t *Tx) FinishNotification(q Queued, outcome string, detail string) error {
	attempts := q.Attempts + 1
	state, kind := outcome, "notified"
	var notBefore any
	switch outcome {
	case "sent":
	case "dropped":
		kind = "notify_dropped"
	case "failed":
		kind = "notify_failed"
		if attempts < MaxAttempts {
			state = "pending"
			backoff := min(30*time.Second<<(attempts-1), 10*time.Minute)
			notBefore = fmtTime(t.at.Add(backoff))
			detail += fmt.Sprintf(" (attempt %d of %d, retrying in %s)", attempts, MaxAttempts, backoff)
		}
	default:
		return fmt.Errorf("finish notification: unknown outcome %q", outcome)
	}
	_, err := t.exec(`UPDATE notification_queue SET state = ?, attempts = ?, last_error = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END,
		not_before = coalesce(?, not_before) WHERE id = ?`, state, attempts, model.Sanitize(detail), outcome, fmtTime(t.at), notBefore, q.ID)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("%s via %s (%s)", q.Event, q.Channel.Name, q.Channel.Kind)
	if detail != "" {
		msg += ": " + detail
	}
	return t.addEvent(model.AlertEvent{AlertID: q.Alert.ID, At: t.at, Kind: kind, Actor: "system", Message: msg})
}

// NotificationRow is one queue row for `alerts show` and tests.
type NotificationRow struct {
	ID        int64      `json:"id"`
	AlertID   int64      `json:"alert_id"`
	Channel   string     `json:"channel"`
	Event     string     `json:"event"`
	State     string     `json:"state"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error"`
	SentAt    *time.Time `json:"sent_at"`
}

// AlertNotifications lists the notifications queued for an alert.
func (s *Store) AlertNotifications(ctx context.Context, alertID int64) ([]NotificationRow, error) {
	return collectRows(ctx, s.r, func(sc scanner) (NotificationRow, error) {
		var r NotificationRow
		var sent sql.NullString
		err := sc.Scan(&r.ID, &r.AlertID, &r.Channel, &r.Event, &r.State, &r.Attempts, &r.LastError, &sent)
		r.SentAt = parseTimePtr(sent)
		return r, err
	}, `SELECT q.id, q.alert_id, c.name, q.event, q.state, q.attempts, q.last_error, q.sent_at
		FROM notification_queue q JOIN notification_channels c ON c.id = q.channel_id WHERE q.alert_id = ? ORDER BY q.id`, alertID)
}

// SuspectHost names a device the alert's service runs on whose host check
// is failing but has not fired yet ("" if none). Its services' first pages
// are held meanwhile: if the device goes on to fire, it claims them.
func (s *Store) SuspectHost(ctx context.Context, a model.Alert) (string, error) {
	if a.ServiceID == nil {
		return "", nil
	}
	var name string
	// A source check's alert (backup, access) is never caused by a host.
	err := s.r.QueryRowContext(ctx, `SELECT d.name FROM checks k JOIN check_state st ON st.check_id = k.id JOIN devices d ON d.id = k.device_id
		WHERE k.service_id IS NULL AND k.paused = 0 AND st.consec_fail > 0
		AND (k.device_id IN (SELECT device_id FROM service_hosts WHERE service_id = ?) OR k.device_id = ?)
		AND NOT EXISTS (SELECT 1 FROM alerts x WHERE x.check_id = k.id AND x.state <> 'resolved')
		AND NOT EXISTS (SELECT 1 FROM checks src WHERE src.id = ? AND src.kind IN (`+sourceKindsSQL+`)) LIMIT 1`,
		*a.ServiceID, nullID(a.DeviceID), nullID(a.CheckID)).Scan(&name)
	if isNoRows(err) {
		return "", nil
	}
	return name, err
}

// PostponeNotification moves a pending notification's time (no attempt counted).
func (t *Tx) PostponeNotification(id int64, until time.Time) error {
	_, err := t.exec(`UPDATE notification_queue SET not_before = ? WHERE id = ? AND state = 'pending'`, fmtTime(until), id)
	return err
}
