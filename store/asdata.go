package store

import (
	"strconv"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// Writes that checks as code (opsdeck apply) and the status page need
// beyond the kinds' own files (#21).

// UpdateChannel applies fn to channel id and audits the change (admin
// only, as adding one is: a channel decides who is woken).
func (t *Tx) UpdateChannel(id int64, fn func(*model.Channel) error) (before, after model.Channel, err error) {
	if err := t.requireAdmin("edit notification channels"); err != nil {
		return before, after, err
	}
	get := func(id int64) (model.Channel, error) { return t.findChannel(strconv.FormatInt(id, 10)) }
	before, after, _, err = updateRecord(t, "channel", id, get, fn, func(c *model.Channel) error {
		if c.ServiceID != nil {
			if _, err := t.GetService(*c.ServiceID); err != nil {
				return model.Invalid("service", strconv.FormatInt(*c.ServiceID, 10), "is not a known service")
			}
		}
		if err := t.seal(c); err != nil {
			return err
		}
		_, err := t.exec(`UPDATE notification_channels SET name=?, kind=?, url=?, smtp_addr=?, smtp_from=?, smtp_user=?, smtp_pass=?,
			smtp_tls=?, extra_to=?, service_id=?, enabled=?, updated_at=? WHERE id=?`,
			c.Name, c.Kind, c.URL, c.SMTPAddr, c.SMTPFrom, c.SMTPUser, c.SMTPPass, c.SMTPTLS, c.ExtraTo, nullID(c.ServiceID), c.Enabled,
			fmtTime(t.at), c.ID)
		return constraintError("update channel", err)
	})
	return before, after, err
}

// SetAlertPublicNote sets what the status page says about an incident
// (sanitized; empty clears it) and audits it.
func (t *Tx) SetAlertPublicNote(id int64, note string) (model.Alert, error) {
	before, err := t.GetAlert(id)
	if err != nil {
		return before, err
	}
	note = model.SanitizeMultiline(note, 2000)
	if _, err := t.exec(`UPDATE alerts SET public_note = ? WHERE id = ?`, note, id); err != nil {
		return before, err
	}
	after, err := t.GetAlert(id)
	if err != nil {
		return after, err
	}
	return after, t.Audit("public-note", "alert", id, before, after)
}

// AddDailyRollup records a day of a check's results when the day has none
// yet: for the demo company's history (its status page shows 90 days).
func (t *Tx) AddDailyRollup(checkID int64, day time.Time, n, ok int, p50, p95, maxMs float64) error {
	b := day.UTC().Truncate(24 * time.Hour).Unix()
	_, err := t.exec(`INSERT OR IGNORE INTO check_rollups_daily(check_id, bucket, n, ok, p50_ms, p95_ms, max_ms) VALUES (?,?,?,?,?,?,?)`,
		checkID, b, n, ok, p50, p95, maxMs)
	return err
}
