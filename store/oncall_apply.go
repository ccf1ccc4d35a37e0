package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// RotationFile is a rotation as a checks file declares it (opsdeck apply):
// its settings, the people who take turns in order and the shadows, by
// person id (the file's references are resolved before).
type RotationFile struct {
	Name string
	// Rank 0 (the file gives none) keeps a rotation's rank, or puts a new
	// one after the last.
	Rank      int
	EveryDays int
	Handoff   string
	TZ        string
	Offset    int
	// Start is the first handoff; zero keeps the stored one while it is
	// still a handoff of the settings, else the latest handoff up to now.
	Start            time.Time
	Members, Shadows []int64
}

// RetiredRotations names the rotations apply --prune retired (lower-case
// name → id): a file that names one again brings it back.
func (s *Store) RetiredRotations(ctx context.Context) (map[string]int64, error) {
	type row struct {
		id   int64
		name string
	}
	rows, err := collectRows(ctx, s.r, func(sc scanner) (row, error) {
		var r row
		return r, sc.Scan(&r.id, &r.name)
	}, `SELECT id, name FROM oncall_rotations WHERE retired_at IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("read retired rotations: %w", err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[strings.ToLower(r.name)] = r.id
	}
	return out, nil
}

// rotationByID reads one rotation, retired or not, with its members.
func (t *Tx) rotationByID(id int64) (model.Rotation, error) {
	p, err := loadRotations(t.ctx, t.tx, true)
	if err != nil {
		return model.Rotation{}, err
	}
	for _, r := range p.Rotations {
		if r.ID == id {
			return r, nil
		}
	}
	return model.Rotation{}, fmt.Errorf("rotation %d: not found", id)
}

// ApplyRotation makes a rotation match a checks file and marks it managed:
// id 0 creates it (members joined from its first handoff); otherwise the
// stored one (retired or not) takes the file's settings and members. A
// member the file leaves out is removed from now (their past shifts stay
// theirs); one it adds joins from now; the turn order becomes the file's.
func (t *Tx) ApplyRotation(id int64, f RotationFile) (model.Rotation, error) {
	r := model.Rotation{ID: id, Name: f.Name, Rank: f.Rank, EveryDays: f.EveryDays, Handoff: f.Handoff, TZ: f.TZ, Offset: f.Offset, Managed: true}
	var before *model.Rotation
	if id != 0 {
		cur, err := t.rotationByID(id)
		if err != nil {
			return r, err
		}
		before = &cur
	}
	if r.Rank == 0 && before != nil {
		r.Rank = before.Rank
	} else if r.Rank == 0 {
		if err := t.queryRow(`SELECT coalesce(max(rank), 0) + 1 FROM oncall_rotations WHERE retired_at IS NULL`).Scan(&r.Rank); err != nil {
			return r, err
		}
	}
	if err := r.Validate(); err != nil {
		return r, err
	}
	if len(f.Members) == 0 {
		return r, model.Invalid("members", "", "is required: at least one person who takes turns")
	}
	h, _ := model.ParseHandoff(r.Handoff, r.EveryDays)
	loc, _ := model.LoadZone(r.TZ)
	switch {
	case !f.Start.IsZero():
		if err := r.CheckStart(f.Start); err != nil {
			return r, err
		}
		r.Anchor = f.Start
	case before != nil && model.AnchorFor(h, loc, before.Anchor).Equal(before.Anchor):
		r.Anchor = before.Anchor
	default:
		r.Anchor = model.AnchorFor(h, loc, t.at)
	}
	now := fmtTime(t.at)
	joined := t.at
	if before == nil {
		res, err := t.exec(`INSERT INTO oncall_rotations(name, rank, every_days, handoff, tz, anchor, turn_offset, managed, created_at, updated_at) VALUES (?,?,?,?,?,?,?,1,?,?)`,
			r.Name, r.Rank, r.EveryDays, r.Handoff, r.TZ, fmtTime(r.Anchor), r.Offset, now, now)
		if err != nil {
			return r, constraintError("add rotation", err)
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return r, err
		}
		joined = r.Anchor
	} else if _, err := t.exec(`UPDATE oncall_rotations SET name = ?, rank = ?, every_days = ?, handoff = ?, tz = ?, anchor = ?, turn_offset = ?, managed = 1, retired_at = NULL, updated_at = ? WHERE id = ?`,
		r.Name, r.Rank, r.EveryDays, r.Handoff, r.TZ, fmtTime(r.Anchor), r.Offset, now, id); err != nil {
		return r, constraintError("update rotation", err)
	}
	if err := t.setMembers(r, before, f, joined); err != nil {
		return r, err
	}
	after, err := t.rotationByID(r.ID)
	if err != nil {
		return after, err
	}
	if before == nil {
		return after, t.Audit("create", "oncall_rotation", after.ID, nil, after)
	}
	return after, t.Audit("update", "oncall_rotation", after.ID, before, after)
}

// setMembers gives the rotation the file's members in the file's order.
func (t *Tx) setMembers(r model.Rotation, before *model.Rotation, f RotationFile, joined time.Time) error {
	active := map[int64]model.RotationMember{}
	if before != nil {
		for _, m := range before.Members {
			if m.RemovedAt == nil {
				active[m.PersonID] = m
			}
		}
	}
	want := map[int64]bool{}
	for _, id := range append(append([]int64{}, f.Members...), f.Shadows...) {
		if want[id] {
			return model.Invalid("members", fmt.Sprint(id), "names a person twice")
		}
		want[id] = true
	}
	now := fmtTime(t.at)
	for pid := range active {
		if !want[pid] {
			if _, err := t.exec(`UPDATE oncall_members SET removed_at = ?, removed_why = ? WHERE rotation_id = ? AND person_id = ? AND removed_at IS NULL`,
				now, "not in the checks file", r.ID, pid); err != nil {
				return err
			}
		}
	}
	// New positions after every old one (removed members keep theirs, so
	// their past shifts stay theirs): the file's order is the turn order.
	var base int
	if err := t.queryRow(`SELECT coalesce(max(position), 0) FROM oncall_members WHERE rotation_id = ?`, r.ID).Scan(&base); err != nil {
		return err
	}
	n := 0
	for i, ids := range [][]int64{f.Members, f.Shadows} {
		shadow := i == 1
		for _, pid := range ids {
			n++
			if _, ok := active[pid]; ok {
				if _, err := t.exec(`UPDATE oncall_members SET position = ?, shadow = ? WHERE rotation_id = ? AND person_id = ? AND removed_at IS NULL`,
					base+n, shadow, r.ID, pid); err != nil {
					return err
				}
				continue
			}
			if p, err := t.GetPerson(pid); err != nil {
				return err
			} else if why := model.CanBeOnCall(p); why != "" {
				return model.Invalid("members", p.Email, why)
			}
			if _, err := t.exec(`INSERT INTO oncall_members(rotation_id, person_id, position, shadow, joined_at) VALUES (?, ?, ?, ?, ?)`,
				r.ID, pid, base+n, shadow, fmtTime(joined)); err != nil {
				return fmt.Errorf("add rotation member: %w", err)
			}
		}
	}
	return nil
}

// RetireRotation is apply --prune for a managed rotation the file no
// longer has: from now it pages nobody and its overrides ahead are
// cancelled; its row, members and handovers stay (history).
func (t *Tx) RetireRotation(id int64) (model.Rotation, error) {
	before, err := t.rotationByID(id)
	if err != nil {
		return before, err
	}
	now := fmtTime(t.at)
	if _, err := t.exec(`UPDATE oncall_rotations SET retired_at = ?, updated_at = ? WHERE id = ?`, now, now, id); err != nil {
		return before, err
	}
	if _, err := t.exec(`UPDATE oncall SET cancelled_at = ?, reason = reason || ' (cancelled: rotation retired)' WHERE rotation_id = ? AND cancelled_at IS NULL AND ends_at > ?`,
		now, id, now); err != nil {
		return before, err
	}
	return before, t.Audit("retire", "oncall_rotation", id, before, map[string]string{"retired_at": now})
}
