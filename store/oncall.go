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

// GapHorizon is how far ahead a change is checked for leaving nobody on call.
const GapHorizon = 28 * 24 * time.Hour

const oncallSelect = `SELECT o.id, o.person_id, p.name, p.email, o.starts_at, o.ends_at, o.set_by, o.rotation_id, coalesce(r.name, ''), o.reason, o.cancelled_at
	FROM oncall o JOIN people p ON p.id = o.person_id LEFT JOIN oncall_rotations r ON r.id = o.rotation_id `

func scanOnCall(sc scanner) (model.OnCall, error) {
	var o model.OnCall
	var s, e string
	var rot sql.NullInt64
	var cancelled sql.NullString
	err := sc.Scan(&o.ID, &o.PersonID, &o.PersonName, &o.Email, &s, &e, &o.SetBy, &rot, &o.Rotation, &o.Reason, &cancelled)
	o.StartsAt, o.EndsAt = parseTime(s), parseTime(e)
	o.RotationID, o.CancelledAt = idPtr(rot), parseTimePtr(cancelled)
	return o, err
}

const rotationCols = `id, name, rank, every_days, handoff, tz, anchor, turn_offset, managed, created_at, updated_at`

func scanRotation(sc scanner) (model.Rotation, error) {
	var r model.Rotation
	var anchor, created, updated string
	err := sc.Scan(&r.ID, &r.Name, &r.Rank, &r.EveryDays, &r.Handoff, &r.TZ, &anchor, &r.Offset, &r.Managed, &created, &updated)
	r.Anchor, r.CreatedAt, r.UpdatedAt = parseTime(anchor), parseTime(created), parseTime(updated)
	return r, err
}

// loadPlan reads every rotation with its members and every override: the
// whole input of model.OnCallPlan (a few rows; the schedule is computed).
// A retired rotation (apply --prune) is left out: it pages nobody.
func loadPlan(ctx context.Context, db querier) (model.OnCallPlan, error) {
	return loadRotations(ctx, db, false)
}

func loadRotations(ctx context.Context, db querier, retired bool) (model.OnCallPlan, error) {
	var p model.OnCallPlan
	var err error
	where := ` WHERE retired_at IS NULL`
	if retired {
		where = ``
	}
	p.Rotations, err = collectRows(ctx, db, scanRotation, `SELECT `+rotationCols+` FROM oncall_rotations`+where+` ORDER BY rank, id`)
	if err != nil {
		return p, fmt.Errorf("read rotations: %w", err)
	}
	type mrow struct {
		rot int64
		m   model.RotationMember
	}
	members, err := collectRows(ctx, db, func(sc scanner) (mrow, error) {
		var r mrow
		var joined string
		var removed sql.NullString
		err := sc.Scan(&r.rot, &r.m.PersonID, &r.m.Name, &r.m.Email, &r.m.Role, &r.m.Position, &r.m.Shadow, &joined, &removed, &r.m.RemovedWhy)
		r.m.JoinedAt, r.m.RemovedAt = parseTime(joined), parseTimePtr(removed)
		return r, err
	}, `SELECT m.rotation_id, m.person_id, p.name, p.email, p.role, m.position, m.shadow, m.joined_at, m.removed_at, m.removed_why
		FROM oncall_members m JOIN people p ON p.id = m.person_id ORDER BY m.rotation_id, m.position`)
	if err != nil {
		return p, fmt.Errorf("read rotation members: %w", err)
	}
	for _, m := range members {
		for i := range p.Rotations {
			if p.Rotations[i].ID == m.rot {
				p.Rotations[i].Members = append(p.Rotations[i].Members, m.m)
			}
		}
	}
	p.Overrides, err = collectRows(ctx, db, scanOnCall, oncallSelect+`ORDER BY o.id`)
	if err != nil {
		return p, fmt.Errorf("read overrides: %w", err)
	}
	return p, nil
}

// OnCallPlan reads the rotations and overrides the schedule is computed from.
func (s *Store) OnCallPlan(ctx context.Context) (model.OnCallPlan, error) { return loadPlan(ctx, s.r) }

// Plan is OnCallPlan inside a transaction.
func (t *Tx) Plan() (model.OnCallPlan, error) { return loadPlan(t.ctx, t.tx) }

// shiftOnCall is a computed shift in the shape pages and `people show` use.
func shiftOnCall(s model.Shift) model.OnCall {
	o := model.OnCall{PersonID: s.PersonID, PersonName: s.Person, Email: s.Email, StartsAt: s.Start, EndsAt: s.End,
		Rotation: s.Rotation, Reason: s.Reason, SetBy: "rotation " + s.Rotation}
	if s.RotationID != 0 {
		id := s.RotationID
		o.RotationID = &id
	}
	if s.Override != nil {
		o.ID, o.SetBy = *s.Override, "override of "+s.Rotation
	}
	return o
}

// onCallAt is who the primary rotation (with its overrides) puts on call
// at a moment: the person pages go to besides the service owner.
func onCallAt(ctx context.Context, db querier, at time.Time) ([]model.OnCall, error) {
	p, err := loadPlan(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("on call: %w", err)
	}
	s := p.Now(at)[0]
	if s.Gap {
		return nil, nil
	}
	return []model.OnCall{shiftOnCall(s)}, nil
}

// OnCallAt lists who is on call at a moment (the primary: one person, or
// nobody).
func (s *Store) OnCallAt(ctx context.Context, at time.Time) ([]model.OnCall, error) {
	return onCallAt(ctx, s.r, at)
}

// UpcomingOnCall lists the shifts of every rotation from at for four
// weeks, soonest first (gaps left out).
func (s *Store) UpcomingOnCall(ctx context.Context, at time.Time) ([]model.OnCall, error) {
	p, err := loadPlan(ctx, s.r)
	if err != nil {
		return nil, err
	}
	var out []model.OnCall
	setBy := map[int64]string{}
	for _, o := range p.Overrides {
		setBy[o.ID] = o.SetBy
	}
	for _, sh := range p.Schedule(at, at.Add(GapHorizon)) {
		if !sh.Gap {
			o := shiftOnCall(sh)
			if sh.Override != nil {
				o.SetBy = setBy[*sh.Override] // who set the override
			}
			out = append(out, o)
		}
	}
	return out, nil
}

// OnCallPerson resolves a person who may be on call: known, active, and an
// operator or admin.
func (t *Tx) OnCallPerson(field, ref string) (model.Person, error) {
	p, err := t.FindPerson(ref)
	if err != nil {
		return p, model.Invalid(field, ref, "is not a known person")
	}
	if why := model.CanBeOnCall(p); why != "" {
		return p, model.Invalid(field, ref, why)
	}
	return p, nil
}

func findRotation(ctx context.Context, db querier, ref string) (model.Rotation, error) {
	r, err := scanRotation(db.QueryRowContext(ctx, `SELECT `+rotationCols+` FROM oncall_rotations WHERE retired_at IS NULL AND (name = ? COLLATE NOCASE OR CAST(id AS TEXT) = ?)`, ref, ref))
	if isNoRows(err) {
		return r, model.Invalid("rotation", ref, "is not a known rotation (opsdeck oncall rotation list)")
	}
	return r, err
}

// rotation reads one rotation with its members from the plan.
func (t *Tx) rotation(ref string) (model.Rotation, model.OnCallPlan, error) {
	r, err := findRotation(t.ctx, t.tx, ref)
	if err != nil {
		return r, model.OnCallPlan{}, err
	}
	p, err := t.Plan()
	for _, x := range p.Rotations {
		if x.ID == r.ID {
			r = x
		}
	}
	return r, p, err
}

// RotationSpec is what `oncall rotation add` asks for.
type RotationSpec struct {
	Name, Every, Handoff, TZ string
	Rank, Offset             int // Rank 0: after the last rotation
	Members, Shadows         []string
}

// AddRotation creates a rotation whose first member is on call from the
// latest handoff at or before now.
func (t *Tx) AddRotation(spec RotationSpec) (model.Rotation, error) {
	days, err := model.ParseEvery(spec.Every)
	if err != nil {
		return model.Rotation{}, err
	}
	r := model.Rotation{Name: spec.Name, Rank: spec.Rank, EveryDays: days, Handoff: spec.Handoff, TZ: spec.TZ, Offset: spec.Offset}
	if r.Rank == 0 {
		if err := t.queryRow(`SELECT coalesce(max(rank), 0) + 1 FROM oncall_rotations`).Scan(&r.Rank); err != nil {
			return r, err
		}
	}
	if err := r.Validate(); err != nil {
		return r, err
	}
	if len(spec.Members) == 0 {
		return r, model.Invalid("members", "", "is required: at least one person who takes turns (--members a,b,c)")
	}
	h, _ := model.ParseHandoff(r.Handoff, r.EveryDays)
	loc, _ := model.LoadZone(r.TZ)
	r.Anchor = model.AnchorFor(h, loc, t.at)
	now := fmtTime(t.at)
	res, err := t.exec(`INSERT INTO oncall_rotations(name, rank, every_days, handoff, tz, anchor, turn_offset, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)`,
		r.Name, r.Rank, r.EveryDays, r.Handoff, r.TZ, fmtTime(r.Anchor), r.Offset, now, now)
	if err != nil {
		return r, constraintError("add rotation", err)
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return r, err
	}
	for i, refs := range [][]string{spec.Members, spec.Shadows} {
		for _, ref := range refs {
			if _, err := t.addMember(r, ref, i == 1, r.Anchor); err != nil {
				return r, err
			}
		}
	}
	r, _, err = t.rotation(strconv.FormatInt(r.ID, 10))
	if err != nil {
		return r, err
	}
	return r, t.Audit("create", "oncall_rotation", r.ID, nil, r)
}

func (t *Tx) addMember(r model.Rotation, ref string, shadow bool, joined time.Time) (model.Person, error) {
	field := "members"
	if shadow {
		field = "shadow"
	}
	p, err := t.OnCallPerson(field, strings.TrimSpace(ref))
	if err != nil {
		return p, err
	}
	var dup int
	if err := t.queryRow(`SELECT count(*) FROM oncall_members WHERE rotation_id = ? AND person_id = ? AND removed_at IS NULL`, r.ID, p.ID).Scan(&dup); err != nil {
		return p, err
	}
	if dup > 0 {
		return p, model.Invalid(field, ref, "is already in rotation "+r.Name)
	}
	_, err = t.exec(`INSERT INTO oncall_members(rotation_id, person_id, position, shadow, joined_at)
		VALUES (?, ?, (SELECT coalesce(max(position), 0) + 1 FROM oncall_members WHERE rotation_id = ?), ?, ?)`, r.ID, p.ID, r.ID, shadow, fmtTime(joined))
	return p, err
}

// AddRotationMember adds a person to a rotation from now: at the end of
// the turn order, or as a shadow (beside whoever is on call, no turns).
func (t *Tx) AddRotationMember(rotRef, personRef string, shadow bool) (model.Rotation, error) {
	r, _, err := t.rotation(rotRef)
	if err != nil {
		return r, err
	}
	before := r
	if _, err := t.addMember(r, personRef, shadow, t.at); err != nil {
		return r, err
	}
	if r, _, err = t.rotation(rotRef); err != nil {
		return r, err
	}
	return r, t.Audit("update", "oncall_rotation", r.ID, before, r)
}

// Removal is what taking someone out of the rotations did.
type Removal struct {
	Person string             `json:"person"`
	Turns  []model.TurnChange `json:"turns"`
	Gaps   []model.Shift      `json:"gaps"`
	Text   string             `json:"text"`
	// Warning: the rotation is managed by a checks file, which the next
	// apply puts back (model.Rotation.ManagedWarning).
	Warning string `json:"warning,omitempty"`
}

// removeFromRotations takes a person out of the rotation (0: all) from now:
// their turns go to the next member, their future overrides are cancelled.
// A change that leaves nobody on call within GapHorizon is refused unless
// force (then the gaps are returned, and shown as a risk).
func (t *Tx) removeFromRotations(p model.Person, rotID int64, why string, force bool) (Removal, error) {
	before, err := t.Plan()
	if err != nil {
		return Removal{}, err
	}
	now := fmtTime(t.at)
	q := `UPDATE oncall_members SET removed_at = ?, removed_why = ? WHERE person_id = ? AND removed_at IS NULL`
	args := []any{now, why, p.ID}
	if rotID != 0 {
		q += ` AND rotation_id = ?`
		args = append(args, rotID)
	}
	res, err := t.exec(q, args...)
	if err != nil {
		return Removal{}, err
	}
	n, _ := res.RowsAffected()
	oq := `UPDATE oncall SET cancelled_at = ?, reason = reason || ? WHERE person_id = ? AND cancelled_at IS NULL AND ends_at > ?`
	oargs := []any{now, " (cancelled: " + why + ")", p.ID, now}
	if rotID != 0 {
		oq += ` AND rotation_id = ?`
		oargs = append(oargs, rotID)
	}
	res, err = t.exec(oq, oargs...)
	if err != nil {
		return Removal{}, err
	}
	m, _ := res.RowsAffected()
	after, err := t.Plan()
	if err != nil {
		return Removal{}, err
	}
	end := t.at.Add(GapHorizon)
	rm := Removal{Person: p.Name, Turns: model.TurnsTaken(before, after, p.ID, t.at, end)}
	if n+m == 0 {
		rm.Text = p.Name + " is in no rotation and has no override ahead"
		return rm, nil
	}
	rm.Gaps = newGaps(before.Gaps(t.at, end), after.Gaps(t.at, end))
	rm.Text = model.DescribeTurns(p.Name, rm.Turns, time.Local)
	if len(rm.Gaps) > 0 {
		g := rm.Gaps[0]
		gap := fmt.Sprintf("leaves nobody on call from %s to %s", g.Start.Local().Format("2006-01-02 15:04"), g.End.Local().Format("2006-01-02 15:04"))
		if !force {
			return rm, model.Invalid("person", p.Email, "removing them "+gap+"; add someone to the rotation first, or --force")
		}
		rm.Text += "; " + gap
	}
	return rm, nil
}

// newGaps are the gaps of after that were not gaps before.
func newGaps(before, after []model.Shift) []model.Shift {
	var out []model.Shift
	for _, a := range after {
		old := false
		for _, b := range before {
			if !b.Start.After(a.Start) && !b.End.Before(a.End) {
				old = true
			}
		}
		if !old {
			out = append(out, a)
		}
	}
	return out
}

// RemoveRotationMember takes a person out of one rotation from now.
func (t *Tx) RemoveRotationMember(rotRef, personRef string, force bool) (Removal, error) {
	r, _, err := t.rotation(rotRef)
	if err != nil {
		return Removal{}, err
	}
	p, err := t.FindPerson(personRef)
	if err != nil {
		return Removal{}, model.Invalid("person", personRef, "is not a known person")
	}
	rm, err := t.removeFromRotations(p, r.ID, "removed by "+t.actor.String(), force)
	if err != nil {
		return rm, err
	}
	after, _, err := t.rotation(rotRef)
	if err != nil {
		return rm, err
	}
	rm.Warning = r.ManagedWarning()
	return rm, t.Audit("update", "oncall_rotation", r.ID, r, after)
}

// AddOverride puts a person on call for a window of a rotation ("": the
// primary). The rotation's shift comes back when the override ends;
// nothing is cut or deleted.
func (t *Tx) AddOverride(rotRef, personRef string, start, end time.Time, reason string) (model.OnCall, error) {
	p, err := t.OnCallPerson("person", personRef)
	if err != nil {
		return model.OnCall{}, err
	}
	if !end.After(start) {
		return model.OnCall{}, model.Invalid("until", end.UTC().Format(time.RFC3339), "is not after "+start.UTC().Format(time.RFC3339))
	}
	var rot any
	if rotRef != "" {
		r, err := findRotation(t.ctx, t.tx, rotRef)
		if err != nil {
			return model.OnCall{}, err
		}
		rot = r.ID
	}
	res, err := t.exec(`INSERT INTO oncall(person_id, starts_at, ends_at, set_by, created_at, rotation_id, reason) VALUES (?,?,?,?,?,?,?)`,
		p.ID, fmtTime(start), fmtTime(end), t.actor.String(), fmtTime(t.at), rot, model.Sanitize(reason))
	if err != nil {
		return model.OnCall{}, err
	}
	id, _ := res.LastInsertId()
	o, err := scanOnCall(t.queryRow(oncallSelect+`WHERE o.id = ?`, id))
	if err != nil {
		return o, err
	}
	return o, t.Audit("create", "oncall", id, nil, o)
}

// SetOnCall is the old `oncall set`: an override of the primary rotation
// (or of the ad-hoc on-call when there is no rotation). It no longer cuts
// whoever was on call; their shift comes back when it ends.
func (t *Tx) SetOnCall(personRef string, start, end time.Time) (model.OnCall, error) {
	return t.AddOverride("", personRef, start, end, "oncall set")
}

// CancelOverride ends an override now (or drops one not yet started),
// keeping its row; refused when that leaves nobody on call unless force.
func (t *Tx) CancelOverride(id int64, force bool) (model.OnCall, error) {
	o, err := scanOnCall(t.queryRow(oncallSelect+`WHERE o.id = ?`, id))
	if isNoRows(err) {
		return o, model.Invalid("override", strconv.FormatInt(id, 10), "is not a known override (opsdeck oncall override list)")
	}
	if err != nil {
		return o, err
	}
	if o.CancelledAt != nil || !o.EndsAt.After(t.at) {
		return o, model.Invalid("override", strconv.FormatInt(id, 10), "has already ended")
	}
	before, err := t.Plan()
	if err != nil {
		return o, err
	}
	if _, err := t.exec(`UPDATE oncall SET cancelled_at = ? WHERE id = ?`, fmtTime(t.at), id); err != nil {
		return o, err
	}
	after, err := t.Plan()
	if err != nil {
		return o, err
	}
	end := t.at.Add(GapHorizon)
	if g := newGaps(before.Gaps(t.at, end), after.Gaps(t.at, end)); len(g) > 0 && !force {
		return o, model.Invalid("override", strconv.FormatInt(id, 10), fmt.Sprintf("cancelling it leaves nobody on call from %s to %s; --force to accept the gap",
			g[0].Start.Local().Format("2006-01-02 15:04"), g[0].End.Local().Format("2006-01-02 15:04")))
	}
	got, err := scanOnCall(t.queryRow(oncallSelect+`WHERE o.id = ?`, id))
	if err != nil {
		return got, err
	}
	return got, t.Audit("cancel", "oncall", id, o, got)
}

// Overrides lists overrides ending after at (all with all), newest first.
func (s *Store) Overrides(ctx context.Context, at time.Time, all bool) ([]model.OnCall, error) {
	if all {
		return collectRows(ctx, s.r, scanOnCall, oncallSelect+`ORDER BY o.starts_at DESC, o.id DESC`)
	}
	return collectRows(ctx, s.r, scanOnCall, oncallSelect+`WHERE o.ends_at > ? AND o.cancelled_at IS NULL ORDER BY o.starts_at, o.id`, fmtTime(at))
}

// OnCallGaps are the windows within GapHorizon from at where nobody is on
// call (a risk; forced changes can leave them).
func (s *Store) OnCallGaps(ctx context.Context, at time.Time) ([]model.Shift, error) {
	p, err := loadPlan(ctx, s.r)
	if err != nil {
		return nil, err
	}
	return p.Gaps(at, at.Add(GapHorizon)), nil
}

// LeaveRotations is the offboarding's on-call step: the leaver leaves
// every rotation now and their future overrides are cancelled (why says
// on whose behalf, "offboarding of Bill"). It returns the step, already
// done, that says who takes their turns (or that nobody does, which the
// risks then show); nil when they were in no rotation. Called once, when
// the offboarding starts.
func (t *Tx) LeaveRotations(p model.Person, why string) (*model.ChecklistStep, error) {
	rm, err := t.removeFromRotations(p, 0, why, true)
	if err != nil {
		return nil, err
	}
	if rm.Turns == nil && rm.Gaps == nil && strings.Contains(rm.Text, "is in no rotation") {
		return nil, nil
	}
	if err := t.Audit("leave_rotations", "person", p.ID, nil, rm); err != nil {
		return nil, err
	}
	return &model.ChecklistStep{Kind: model.StepTemplate, Title: "Remove " + p.Name + " from the on-call rotations",
		Detail: rm.Text, State: model.StateDone, Effect: rm.Text}, nil
}

// EscalationDelays reads the configured delays (criticality → delay).
func (s *Store) EscalationDelays(ctx context.Context) (map[string]time.Duration, error) {
	return escalationDelays(ctx, s.r)
}

func escalationDelays(ctx context.Context, db querier) (map[string]time.Duration, error) {
	type row struct {
		crit string
		s    int64
	}
	rows, err := collectRows(ctx, db, func(sc scanner) (row, error) {
		var r row
		return r, sc.Scan(&r.crit, &r.s)
	}, `SELECT criticality, after_s FROM oncall_escalation`)
	if err != nil {
		return nil, fmt.Errorf("read escalation delays: %w", err)
	}
	out := map[string]time.Duration{}
	for k, v := range model.DefaultEscalation {
		out[k] = v
	}
	for _, r := range rows {
		out[r.crit] = time.Duration(r.s) * time.Second
	}
	return out, nil
}

// SetEscalation sets the delay before each escalation step for a criticality.
func (t *Tx) SetEscalation(criticality string, d time.Duration) error {
	crit := strings.ToLower(strings.TrimSpace(criticality))
	ok := false
	for _, c := range model.Criticalities {
		ok = ok || c == crit
	}
	if !ok {
		return model.Invalid("criticality", criticality, "is not one of "+strings.Join(model.Criticalities, ", "))
	}
	if d < time.Minute || d > 24*time.Hour {
		return model.Invalid("after", d.String(), "must be from 1m to 24h")
	}
	before, err := escalationDelays(t.ctx, t.tx)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO oncall_escalation(criticality, after_s) VALUES (?, ?) ON CONFLICT(criticality) DO UPDATE SET after_s = excluded.after_s`,
		crit, int64(d/time.Second)); err != nil {
		return err
	}
	return t.Audit("update", "oncall_escalation", 0, map[string]string{crit: before[crit].String()}, map[string]string{crit: d.String()})
}
