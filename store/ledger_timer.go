package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// The ledger's writes. The timer rules, per actor:
//
//   - at most one entry runs (a unique index enforces it);
//   - starting unplanned work while an entry runs interrupts it: the
//     running entry is paused (its segment closes) and the new entry
//     records it in interrupts_id;
//   - starting planned work while an entry runs is refused: stop it first;
//   - stopping an interruption resumes the entry it paused (a new segment
//     opens at the same instant), if that entry is still paused;
//   - stopping an entry that is itself paused under another interruption
//     splices it out: whoever interrupted it now resumes what it had paused;
//   - resuming an entry by hand detaches it from the interruption that
//     paused it.
//
// Every change writes an audit row for each entry it touches.

const entityEntry = "work_entry"

// GetEntry reads one entry inside the transaction.
func (t *Tx) GetEntry(id int64) (model.WorkEntry, error) { return getEntry(t.ctx, t.tx, id, t.at) }

// checkEntry validates e and its links against the tables. Inactive
// categories are refused for new choices unless allowInactive (alert hooks
// must never fail an acknowledgement over configuration).
func (t *Tx) checkEntry(e *model.WorkEntry, allowInactive bool) error {
	e.Normalize()
	if err := e.Validate(); err != nil {
		return err
	}
	var active bool
	err := t.queryRow(`SELECT active FROM ledger_categories WHERE name = ?`, e.Category).Scan(&active)
	if isNoRows(err) || (err == nil && !active && !allowInactive) {
		cats, _ := ledgerCategories(t.ctx, t.tx)
		var names []string
		for _, c := range cats {
			if c.Active {
				names = append(names, c.Name)
			}
		}
		return model.Invalid("category", e.Category, "is not a ledger category (one of: "+strings.Join(names, ", ")+")")
	} else if err != nil {
		return fmt.Errorf("check category: %w", err)
	}
	if e.PersonID != nil {
		if _, err := t.GetPerson(*e.PersonID); err != nil {
			return model.Invalid("person", fmt.Sprint(*e.PersonID), "is not a known person")
		}
	}
	if e.DeviceID != nil {
		if _, err := t.GetDevice(*e.DeviceID); err != nil {
			return model.Invalid("device", fmt.Sprint(*e.DeviceID), "is not a known device")
		}
	}
	if e.ServiceID != nil {
		if _, err := t.GetService(*e.ServiceID); err != nil {
			return model.Invalid("service", fmt.Sprint(*e.ServiceID), "is not a known service")
		}
	}
	// An alert link typed by a person must name an alert; the alert hooks
	// (allowInactive) link the alert that is calling them.
	if e.AlertID != nil && !allowInactive {
		if _, err := t.GetAlert(*e.AlertID); err != nil {
			return model.Invalid("alert", fmt.Sprint(*e.AlertID), "is not a known alert")
		}
	}
	return nil
}

// notFuture refuses times after the transaction's clock (a minute of skew
// allowed): the ledger records work done, not plans.
func (t *Tx) notFuture(field string, at time.Time) error {
	if at.After(t.at.Add(time.Minute)) {
		return model.Invalid(field, at.Format(time.RFC3339), "is in the future")
	}
	return nil
}

func (t *Tx) insertEntry(e *model.WorkEntry, status string) error {
	if e.Actor == "" {
		e.Actor = t.actor.String()
	}
	now := fmtTime(t.at)
	res, err := t.exec(`INSERT INTO work_entries(kind, category, note, started_at, ended_at, status, person_id, device_id,
		service_id, alert_id, interrupts_id, actor, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		e.Kind, e.Category, e.Note, fmtTime(e.StartedAt), fmtTimePtr(e.EndedAt), status, nullID(e.PersonID), nullID(e.DeviceID),
		nullID(e.ServiceID), nullID(e.AlertID), nullID(e.InterruptsID), e.Actor, now, now)
	if err != nil {
		return constraintError("add ledger entry", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO work_segments(entry_id, started_at, ended_at) VALUES (?,?,?)`,
		id, fmtTime(e.StartedAt), fmtTimePtr(e.EndedAt)); err != nil {
		return fmt.Errorf("add ledger segment: %w", err)
	}
	saved, err := t.GetEntry(id)
	if err != nil {
		return err
	}
	*e = saved
	return nil
}

// AddEntry records finished work after the fact (StartedAt and EndedAt
// set). Overlaps with other entries are allowed; reports count the time
// once (model.Attribute).
func (t *Tx) AddEntry(e *model.WorkEntry) error {
	if err := t.checkEntry(e, false); err != nil {
		return err
	}
	if e.EndedAt == nil {
		return model.Invalid("end", "", "is required (give --minutes or --end)")
	}
	if err := t.notFuture("at", e.StartedAt); err != nil {
		return err
	}
	if err := t.notFuture("end", *e.EndedAt); err != nil {
		return err
	}
	if err := t.insertEntry(e, "stopped"); err != nil {
		return err
	}
	return t.Audit("create", entityEntry, e.ID, nil, *e)
}

// openEntries lists the actor's running and paused entries inside the
// transaction, running first.
func (t *Tx) openEntries(actor string) ([]model.WorkEntry, error) {
	open, err := listEntries(t.ctx, t.tx, LedgerQuery{Actor: actor, Open: true}, t.at)
	if err != nil {
		return nil, err
	}
	sortOpen(open)
	return open, nil
}

func (t *Tx) running(actor string) (*model.WorkEntry, error) {
	open, err := t.openEntries(actor)
	if err != nil || len(open) == 0 || open[0].Status != "running" {
		return nil, err
	}
	return &open[0], nil
}

// StartEntry starts a timer at e.StartedAt (zero: now) for e.Actor (empty:
// the transaction's actor). Unplanned work interrupts a running entry,
// which is returned paused; planned work while something runs is refused.
func (t *Tx) StartEntry(e *model.WorkEntry) (paused *model.WorkEntry, err error) {
	return t.startEntry(e, false)
}

// Interrupt starts unplanned work, pausing whatever runs (see StartEntry).
func (t *Tx) Interrupt(e *model.WorkEntry) (paused *model.WorkEntry, err error) {
	e.Kind = "unplanned"
	return t.startEntry(e, false)
}

func (t *Tx) startEntry(e *model.WorkEntry, allowInactive bool) (*model.WorkEntry, error) {
	if e.StartedAt.IsZero() {
		e.StartedAt = t.at
	}
	e.EndedAt = nil
	if err := t.checkEntry(e, allowInactive); err != nil {
		return nil, err
	}
	if err := t.notFuture("at", e.StartedAt); err != nil {
		return nil, err
	}
	if e.Actor == "" {
		e.Actor = t.actor.String()
	}
	cur, err := t.running(e.Actor)
	if err != nil {
		return nil, err
	}
	var paused *model.WorkEntry
	if cur != nil {
		if e.Kind != "unplanned" {
			return nil, fmt.Errorf("entry #%d (%s %s, since %s) is running: stop it first, or start unplanned work to interrupt it",
				cur.ID, cur.Kind, cur.Category, cur.StartedAt.Local().Format("2006-01-02 15:04"))
		}
		p, err := t.pause(*cur, e.StartedAt)
		if err != nil {
			return nil, err
		}
		paused = &p
		id := cur.ID
		e.InterruptsID = &id
	}
	if err := t.insertEntry(e, "running"); err != nil {
		return nil, err
	}
	return paused, t.Audit("start", entityEntry, e.ID, nil, *e)
}

// openSegmentStart is when e's open segment began (e must be running).
func openSegmentStart(e model.WorkEntry) time.Time {
	for _, s := range e.Segments {
		if s.End == nil {
			return s.Start
		}
	}
	return e.StartedAt
}

// lastEnd is when e's last closed segment ended.
func lastEnd(e model.WorkEntry) time.Time {
	end := e.StartedAt
	for _, s := range e.Segments {
		if s.End != nil && s.End.After(end) {
			end = *s.End
		}
	}
	return end
}

func (t *Tx) setStatus(id int64, status string, ended *time.Time, interrupts *int64) error {
	_, err := t.exec(`UPDATE work_entries SET status = ?, ended_at = ?, interrupts_id = ?, updated_at = ? WHERE id = ?`,
		status, fmtTimePtr(ended), nullID(interrupts), fmtTime(t.at), id)
	if err != nil {
		return fmt.Errorf("update ledger entry %d: %w", id, err)
	}
	return nil
}

// pause closes running entry e's segment at at.
func (t *Tx) pause(e model.WorkEntry, at time.Time) (model.WorkEntry, error) {
	if start := openSegmentStart(e); at.Before(start) {
		return e, model.Invalid("at", at.Format(time.RFC3339), fmt.Sprintf("is before entry #%d's current stretch began (%s)", e.ID, start.Format(time.RFC3339)))
	}
	if _, err := t.exec(`UPDATE work_segments SET ended_at = ? WHERE entry_id = ? AND ended_at IS NULL`, fmtTime(at), e.ID); err != nil {
		return e, fmt.Errorf("pause ledger entry %d: %w", e.ID, err)
	}
	if err := t.setStatus(e.ID, "paused", nil, e.InterruptsID); err != nil {
		return e, err
	}
	after, err := t.GetEntry(e.ID)
	if err != nil {
		return e, err
	}
	return after, t.Audit("pause", entityEntry, e.ID, e, after)
}

// resume opens a new segment for paused entry e at at (or reopens the last
// one if it ended exactly then, so an instant interruption leaves no seam).
func (t *Tx) resume(e model.WorkEntry, at time.Time) (model.WorkEntry, error) {
	if end := lastEnd(e); at.Before(end) {
		return e, model.Invalid("at", at.Format(time.RFC3339), fmt.Sprintf("is before entry #%d was paused (%s)", e.ID, end.Format(time.RFC3339)))
	}
	res, err := t.exec(`UPDATE work_segments SET ended_at = NULL WHERE entry_id = ? AND ended_at = ?`, e.ID, fmtTime(at))
	if err != nil {
		return e, fmt.Errorf("resume ledger entry %d: %w", e.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := t.exec(`INSERT INTO work_segments(entry_id, started_at) VALUES (?, ?)`, e.ID, fmtTime(at)); err != nil {
			return e, fmt.Errorf("resume ledger entry %d: %w", e.ID, err)
		}
	}
	if err := t.setStatus(e.ID, "running", nil, e.InterruptsID); err != nil {
		return e, constraintError("resume ledger entry", err)
	}
	after, err := t.GetEntry(e.ID)
	if err != nil {
		return e, err
	}
	return after, t.Audit("resume", entityEntry, e.ID, e, after)
}

// entryOrRunning resolves id, or the actor's running entry when id is 0.
func (t *Tx) entryOrRunning(id int64, what string) (model.WorkEntry, error) {
	if id != 0 {
		return t.GetEntry(id)
	}
	cur, err := t.running(t.actor.String())
	if err != nil {
		return model.WorkEntry{}, err
	}
	if cur == nil {
		return model.WorkEntry{}, fmt.Errorf("nothing is running to %s (see 'opsdeck ledger list --open')", what)
	}
	return *cur, nil
}

// StopEntry finishes entry id (0: the actor's running entry) at at (zero:
// now). If it was an interruption, the entry it paused resumes and is
// returned.
func (t *Tx) StopEntry(id int64, at time.Time) (stopped model.WorkEntry, resumed *model.WorkEntry, err error) {
	if at.IsZero() {
		at = t.at
	}
	if err := t.notFuture("at", at); err != nil {
		return stopped, nil, err
	}
	e, err := t.entryOrRunning(id, "stop")
	if err != nil {
		return e, nil, err
	}
	return t.stop(e, at)
}

func (t *Tx) stop(e model.WorkEntry, at time.Time) (model.WorkEntry, *model.WorkEntry, error) {
	var end time.Time
	switch e.Status {
	case "stopped":
		return e, nil, model.Invalid("entry", fmt.Sprint(e.ID), "is already stopped")
	case "running":
		if start := openSegmentStart(e); at.Before(start) {
			return e, nil, model.Invalid("at", at.Format(time.RFC3339), fmt.Sprintf("is before entry #%d's current stretch began (%s)", e.ID, start.Format(time.RFC3339)))
		}
		if _, err := t.exec(`UPDATE work_segments SET ended_at = ? WHERE entry_id = ? AND ended_at IS NULL`, fmtTime(at), e.ID); err != nil {
			return e, nil, fmt.Errorf("stop ledger entry %d: %w", e.ID, err)
		}
		end = at
	default: // paused: its time ended when it was paused
		end = lastEnd(e)
	}
	if err := t.setStatus(e.ID, "stopped", &end, e.InterruptsID); err != nil {
		return e, nil, err
	}
	// Splice e out of the interruption chain: an entry that interrupted e
	// now resumes what e had interrupted.
	if err := t.relinkInterrupter(e.ID, e.InterruptsID); err != nil {
		return e, nil, err
	}
	after, err := t.GetEntry(e.ID)
	if err != nil {
		return e, nil, err
	}
	if err := t.Audit("stop", entityEntry, e.ID, e, after); err != nil {
		return after, nil, err
	}
	if e.Status != "running" || e.InterruptsID == nil {
		return after, nil, nil
	}
	prev, err := t.GetEntry(*e.InterruptsID)
	if err != nil || prev.Status != "paused" {
		return after, nil, err
	}
	if r, err := t.running(prev.Actor); err != nil || r != nil {
		return after, nil, err // someone else's timer runs: leave prev paused
	}
	res, err := t.resume(prev, at)
	if err != nil {
		return after, nil, err
	}
	return after, &res, nil
}

// relinkInterrupter points the open entry that interrupted id (if any) at
// newTarget, auditing the change.
func (t *Tx) relinkInterrupter(id int64, newTarget *int64) error {
	var child int64
	err := t.queryRow(`SELECT id FROM work_entries WHERE interrupts_id = ? AND status <> 'stopped'`, id).Scan(&child)
	if isNoRows(err) {
		return nil
	} else if err != nil {
		return fmt.Errorf("relink interruption: %w", err)
	}
	before, err := t.GetEntry(child)
	if err != nil {
		return err
	}
	if _, err := t.exec(`UPDATE work_entries SET interrupts_id = ?, updated_at = ? WHERE id = ?`, nullID(newTarget), fmtTime(t.at), child); err != nil {
		return fmt.Errorf("relink interruption: %w", err)
	}
	after, err := t.GetEntry(child)
	if err != nil {
		return err
	}
	return t.Audit("relink", entityEntry, child, before, after)
}

// PauseEntry pauses entry id (0: the actor's running entry) at at (zero:
// now), e.g. for a break. Nothing resumes by itself.
func (t *Tx) PauseEntry(id int64, at time.Time) (model.WorkEntry, error) {
	if at.IsZero() {
		at = t.at
	}
	if err := t.notFuture("at", at); err != nil {
		return model.WorkEntry{}, err
	}
	e, err := t.entryOrRunning(id, "pause")
	if err != nil {
		return e, err
	}
	if e.Status != "running" {
		return e, model.Invalid("entry", fmt.Sprint(e.ID), "is not running (it is "+e.Status+")")
	}
	return t.pause(e, at)
}

// ResumeEntry resumes paused entry id (0: the actor's most recently paused
// entry) at at (zero: now). Refused while another entry runs.
func (t *Tx) ResumeEntry(id int64, at time.Time) (model.WorkEntry, error) {
	if at.IsZero() {
		at = t.at
	}
	if err := t.notFuture("at", at); err != nil {
		return model.WorkEntry{}, err
	}
	var e model.WorkEntry
	if id != 0 {
		var err error
		if e, err = t.GetEntry(id); err != nil {
			return e, err
		}
	} else {
		open, err := t.openEntries(t.actor.String())
		if err != nil {
			return e, err
		}
		for _, o := range open {
			if o.Status == "paused" {
				e = o
				break
			}
		}
		if e.ID == 0 {
			return e, fmt.Errorf("nothing is paused to resume")
		}
	}
	if e.Status != "paused" {
		return e, model.Invalid("entry", fmt.Sprint(e.ID), "is not paused (it is "+e.Status+")")
	}
	if cur, err := t.running(e.Actor); err != nil {
		return e, err
	} else if cur != nil {
		return e, fmt.Errorf("entry #%d (%s) is running: stop or pause it before resuming #%d", cur.ID, cur.Category, e.ID)
	}
	// Resumed by hand: the interruption that paused it no longer owns it.
	if err := t.relinkInterrupter(e.ID, nil); err != nil {
		return e, err
	}
	return t.resume(e, at)
}

// UpdateEntry edits an entry's kind, category, note and links, and for a
// finished entry its start (the first segment's) and end (the last's).
func (t *Tx) UpdateEntry(id int64, fn func(*model.WorkEntry) error) (before, after model.WorkEntry, err error) {
	before, err = t.GetEntry(id)
	if err != nil {
		return before, after, err
	}
	after = before
	if err := fn(&after); err != nil {
		return before, after, err
	}
	allowInactive := after.Category == before.Category
	if err := t.checkEntry(&after, allowInactive); err != nil {
		return before, after, err
	}
	segs := before.Segments
	if !after.StartedAt.Equal(before.StartedAt) {
		if err := t.notFuture("at", after.StartedAt); err != nil {
			return before, after, err
		}
		if first := segs[0]; first.End != nil && after.StartedAt.After(*first.End) {
			return before, after, model.Invalid("at", after.StartedAt.Format(time.RFC3339), "is after the entry's first stretch ended; split the entry instead")
		}
		if _, err := t.exec(`UPDATE work_segments SET started_at = ? WHERE entry_id = ? AND started_at = ?`, fmtTime(after.StartedAt), id, fmtTime(segs[0].Start)); err != nil {
			return before, after, fmt.Errorf("edit ledger entry %d: %w", id, err)
		}
	}
	if !equalTimePtr(after.EndedAt, before.EndedAt) {
		if before.Status != "stopped" || after.EndedAt == nil {
			return before, after, model.Invalid("end", "", "can only be changed on a stopped entry (stop it first)")
		}
		if err := t.notFuture("end", *after.EndedAt); err != nil {
			return before, after, err
		}
		last := segs[len(segs)-1]
		if after.EndedAt.Before(last.Start) && len(segs) > 1 {
			return before, after, model.Invalid("end", after.EndedAt.Format(time.RFC3339), "is before the entry's last stretch began")
		}
		if _, err := t.exec(`UPDATE work_segments SET ended_at = ? WHERE entry_id = ? AND started_at = ?`, fmtTime(*after.EndedAt), id, fmtTime(last.Start)); err != nil {
			return before, after, fmt.Errorf("edit ledger entry %d: %w", id, err)
		}
	}
	_, err = t.exec(`UPDATE work_entries SET kind=?, category=?, note=?, started_at=?, ended_at=?, person_id=?, device_id=?, service_id=?, alert_id=?, updated_at=? WHERE id=?`,
		after.Kind, after.Category, after.Note, fmtTime(after.StartedAt), fmtTimePtr(after.EndedAt), nullID(after.PersonID), nullID(after.DeviceID),
		nullID(after.ServiceID), nullID(after.AlertID), fmtTime(t.at), id)
	if err != nil {
		return before, after, constraintError("edit ledger entry", err)
	}
	if after, err = t.GetEntry(id); err != nil {
		return before, after, err
	}
	return before, after, t.Audit("update", entityEntry, id, before, after)
}

func equalTimePtr(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// StartAlertEntry is the alert engine's hook, called in the transaction that
// acknowledges alert alertID: it starts an unplanned "production incident"
// entry for the acknowledging actor, linked to the alert and its service
// (0: none), with the alert's title as note, interrupting whatever runs.
// Acknowledging again while the entry is open returns that entry unchanged.
func (t *Tx) StartAlertEntry(alertID, serviceID int64, title string) (model.WorkEntry, error) {
	open, err := listEntries(t.ctx, t.tx, LedgerQuery{AlertID: alertID, Open: true}, t.at)
	if err != nil {
		return model.WorkEntry{}, err
	}
	if len(open) > 0 {
		return open[0], nil
	}
	e := model.WorkEntry{Kind: "unplanned", Category: model.IncidentCategory, Note: title, AlertID: &alertID}
	if serviceID > 0 {
		e.ServiceID = &serviceID
	}
	_, err = t.startEntry(&e, true)
	return e, err
}

// StopAlertEntry is the alert engine's hook, called in the transaction that
// resolves alert alertID: it stops the alert's open entries (whoever's they
// are; resolving is often the scheduler's doing), resuming what each had
// interrupted. No open entry is not an error (stopped by hand, or acked
// before the ledger existed).
func (t *Tx) StopAlertEntry(alertID int64) ([]model.WorkEntry, error) {
	open, err := listEntries(t.ctx, t.tx, LedgerQuery{AlertID: alertID, Open: true}, t.at)
	if err != nil {
		return nil, err
	}
	var out []model.WorkEntry
	for _, e := range open {
		stopped, _, err := t.stop(e, t.at)
		if err != nil {
			return out, fmt.Errorf("stop ledger entry for alert %d: %w", alertID, err)
		}
		out = append(out, stopped)
	}
	return out, nil
}
