package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/opsdeck/opsdeck/model"
)

const silenceSelect = `SELECT s.id, s.check_id, s.service_id, s.device_id, s.starts_at, s.ends_at, s.reason, s.author, s.created_at, s.expired_at,
	coalesce('check ' || k.name, 'service ' || v.name, 'device ' || d.name, '?')
	FROM silences s LEFT JOIN checks k ON k.id = s.check_id LEFT JOIN services v ON v.id = s.service_id LEFT JOIN devices d ON d.id = s.device_id `

func scanSilence(sc scanner) (model.Silence, error) {
	var s model.Silence
	var c, v, d sql.NullInt64
	var st, en, cr string
	var ex sql.NullString
	err := sc.Scan(&s.ID, &c, &v, &d, &st, &en, &s.Reason, &s.Author, &cr, &ex, &s.Target)
	s.CheckID, s.ServiceID, s.DeviceID = idPtr(c), idPtr(v), idPtr(d)
	s.StartsAt, s.EndsAt, s.CreatedAt, s.ExpiredAt = parseTime(st), parseTime(en), parseTime(cr), parseTimePtr(ex)
	return s, err
}

func (t *Tx) activeSilences() ([]model.Silence, error) {
	out, err := collectRows(t.ctx, t.tx, scanSilence, silenceSelect+`WHERE s.expired_at IS NULL AND s.starts_at <= ? AND s.ends_at > ?`, fmtTime(t.at), fmtTime(t.at))
	if err != nil {
		return nil, fmt.Errorf("active silences: %w", err)
	}
	return out, nil
}

// ListSilences returns silences, current and future first; all=false hides
// ended ones.
func (s *Store) ListSilences(ctx context.Context, all bool) ([]model.Silence, error) {
	q, args := silenceSelect+`WHERE s.expired_at IS NULL AND s.ends_at > ?`, []any{fmtTime(s.now())}
	if all {
		q, args = silenceSelect, nil
	}
	out, err := collectRows(ctx, s.r, scanSilence, q+` ORDER BY s.starts_at DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("list silences: %w", err)
	}
	return out, nil
}

// AddSilence records a silence; the transaction's actor is its author.
func (t *Tx) AddSilence(sl *model.Silence) error {
	sl.Author = t.actor.String()
	id, err := addRecord(t, "silence", sl, func(sl *model.Silence) (int64, error) {
		res, err := t.exec(`INSERT INTO silences(check_id, service_id, device_id, starts_at, ends_at, reason, author, created_at) VALUES (?,?,?,?,?,?,?,?)`,
			nullID(sl.CheckID), nullID(sl.ServiceID), nullID(sl.DeviceID), fmtTime(sl.StartsAt), fmtTime(sl.EndsAt), sl.Reason, sl.Author, fmtTime(t.at))
		if err != nil {
			return 0, constraintError("add silence", err)
		}
		return res.LastInsertId()
	})
	if err != nil {
		return err
	}
	saved, err := scanSilence(t.queryRow(silenceSelect+`WHERE s.id = ?`, id))
	if err != nil {
		return err
	}
	*sl = saved
	return t.Audit("create", "silence", id, nil, saved)
}

// ExpireSilence ends a silence now.
func (t *Tx) ExpireSilence(id int64) (model.Silence, error) {
	before, err := scanSilence(t.queryRow(silenceSelect+`WHERE s.id = ?`, id))
	if isNoRows(err) {
		return before, notFound("silence", fmt.Sprint(id))
	} else if err != nil {
		return before, err
	}
	if !before.Active(t.at) && before.StartsAt.Before(t.at) {
		return before, model.Invalid("silence", fmt.Sprint(id), "has already ended")
	}
	if _, err := t.exec(`UPDATE silences SET expired_at = ? WHERE id = ?`, fmtTime(t.at), id); err != nil {
		return before, err
	}
	after, err := scanSilence(t.queryRow(silenceSelect+`WHERE s.id = ?`, id))
	if err != nil {
		return after, err
	}
	return after, t.Audit("expire", "silence", id, before, after)
}
