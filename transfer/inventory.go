package transfer

import (
	"context"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// personRef resolves an optional person column (holder, owner) into dst.
// An empty cell clears it.
func personRef(r *Report, ix *peopleIndex, cm model.ColumnMap, row model.TableRow, vals map[string]string, field string, dst **int64, probs []model.ImportProblem) []model.ImportProblem {
	ref, ok := vals[field]
	if !ok {
		return probs
	}
	*dst = nil
	if ref == "" {
		return probs
	}
	p, why := ix.find(ref)
	if why != "" {
		r.unresolved(&probs, model.ImportProblem{Row: row.Row, Column: cm.Column(field), Value: ref, Reason: why})
		return probs
	}
	id := p.ID
	*dst = &id
	return probs
}

func planDevices(ctx context.Context, s *store.Store, r *Report, cm model.ColumnMap, rows []model.TableRow, opts Options) error {
	ix, err := loadPeople(ctx, s)
	if err != nil {
		return err
	}
	devs, err := s.ListDevices(ctx, store.DeviceQuery{})
	if err != nil {
		return err
	}
	byTag, bySerial := map[string]model.Device{}, map[string]model.Device{}
	for _, d := range devs {
		byTag[strings.ToLower(d.AssetTag)] = d
		if d.Serial != "" {
			bySerial[d.Serial] = d
		}
	}
	seenTag, seenSerial := map[string]int{}, map[string]int{}
	for _, row := range rows {
		vals, probs := cm.Values(row)
		tag := model.Sanitize(vals["asset_tag"])
		it := Item{Row: row.Row, Key: tag, cells: row.Cells, dep: -1}
		if p := dupProblem(seenTag, strings.ToLower(tag), row.Row, cm.Column("asset_tag"), tag); p != nil {
			probs = append(probs, *p)
		}
		serial := model.Sanitize(vals["serial"])
		if p := dupProblem(seenSerial, serial, row.Row, cm.Column("serial"), serial); p != nil {
			probs = append(probs, *p)
		}
		cur, exists := byTag[strings.ToLower(tag)]
		if other, ok := bySerial[serial]; ok && serial != "" && (!exists || other.ID != cur.ID) {
			probs = append(probs, model.ImportProblem{Row: row.Row, Column: cm.Column("serial"), Value: serial, Reason: "already belongs to device " + other.AssetTag})
		}
		rec := cur
		model.ApplyDevice(&rec, vals)
		probs = personRef(r, ix, cm, row, vals, "holder", &rec.HolderID, probs)
		rec.Normalize()
		it.Problems = validationProblems(cm, row.Row, rec.Validate(), probs)
		if len(it.Problems) == 0 {
			if exists {
				decide(&it, cur, rec, opts.UpdateExisting)
			} else {
				it.Action = ActionNew
			}
		}
		holder, hasHolder := rec.HolderID, cm.Has("holder")
		id := cur.ID
		it.run = func(t *store.Tx, _ *commitState) error {
			apply := func(d *model.Device) {
				model.ApplyDevice(d, vals)
				if hasHolder {
					d.HolderID = holder
				}
			}
			if exists {
				_, _, err := t.UpdateDevice(id, func(d *model.Device) error { apply(d); return nil })
				return err
			}
			var d model.Device
			apply(&d)
			return t.AddDevice(&d)
		}
		r.Items = append(r.Items, it)
	}
	return nil
}

func planServices(ctx context.Context, s *store.Store, r *Report, cm model.ColumnMap, rows []model.TableRow, opts Options) error {
	ix, err := loadPeople(ctx, s)
	if err != nil {
		return err
	}
	svcs, err := s.ListServices(ctx, store.ServiceQuery{})
	if err != nil {
		return err
	}
	byName := map[string]model.Service{}
	for _, sv := range svcs {
		byName[strings.ToLower(sv.Name)] = sv
	}
	seen := map[string]int{}
	for _, row := range rows {
		vals, probs := cm.Values(row)
		name := model.Sanitize(vals["name"])
		it := Item{Row: row.Row, Key: name, cells: row.Cells, dep: -1}
		if p := dupProblem(seen, strings.ToLower(name), row.Row, cm.Column("name"), name); p != nil {
			probs = append(probs, *p)
		}
		cur, exists := byName[strings.ToLower(name)]
		rec := cur
		model.ApplyService(&rec, vals)
		probs = personRef(r, ix, cm, row, vals, "owner", &rec.OwnerID, probs)
		rec.Normalize()
		it.Problems = validationProblems(cm, row.Row, rec.Validate(), probs)
		if len(it.Problems) == 0 {
			if exists {
				decide(&it, cur, rec, opts.UpdateExisting)
			} else {
				it.Action = ActionNew
			}
		}
		owner, hasOwner := rec.OwnerID, cm.Has("owner")
		id := cur.ID
		it.run = func(t *store.Tx, _ *commitState) error {
			apply := func(sv *model.Service) {
				model.ApplyService(sv, vals)
				if hasOwner {
					sv.OwnerID = owner
				}
			}
			if exists {
				_, _, err := t.UpdateService(id, func(sv *model.Service) error { apply(sv); return nil })
				return err
			}
			var sv model.Service
			apply(&sv)
			return t.AddService(&sv)
		}
		r.Items = append(r.Items, it)
	}
	return nil
}
