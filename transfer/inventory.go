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
		r.Items = append(r.Items, devicePlan.item(r, ix, cm, row, vals, probs, it, cur, exists, cur.ID, opts.UpdateExisting))
	}
	return nil
}

func planServices(ctx context.Context, s *store.Store, r *Report, cm model.ColumnMap, rows []model.TableRow, opts Options) error {
	ix, err := loadPeople(ctx, s)
	if err != nil {
		return err
	}
	services, err := servicesByName(ctx, s)
	if err != nil {
		return err
	}
	seen := map[string]int{}
	for _, row := range rows {
		vals, probs := cm.Values(row)
		name := model.Sanitize(vals["name"])
		it := Item{Row: row.Row, Key: name, cells: row.Cells, dep: -1}
		if p := dupProblem(seen, strings.ToLower(name), row.Row, cm.Column("name"), name); p != nil {
			probs = append(probs, *p)
		}
		cur, exists := services[strings.ToLower(name)]
		r.Items = append(r.Items, servicePlan.item(r, ix, cm, row, vals, probs, it, cur, exists, cur.ID, opts.UpdateExisting))
	}
	return nil
}

// servicesByName indexes the stored services by lower-cased name, the key
// an import row names a service by.
func servicesByName(ctx context.Context, s *store.Store) (map[string]model.Service, error) {
	svcs, err := s.ListServices(ctx, store.ServiceQuery{})
	if err != nil {
		return nil, err
	}
	return byName(svcs, func(sv model.Service) string { return sv.Name }), nil
}

// byName indexes records by lower-cased name: a file's or an import
// row's names match stored ones whatever their case.
func byName[T any](recs []T, name func(T) string) map[string]T {
	out := make(map[string]T, len(recs))
	for _, r := range recs {
		out[strings.ToLower(name(r))] = r
	}
	return out
}

// checkedRecord is a record kind an import row becomes: normalised and
// validated through its pointer.
type checkedRecord[T any] interface {
	*T
	Normalize()
	Validate() error
}

// upsertPlan is how rows of one record kind with a person column (a
// device's holder, a service's owner) are planned and written; devices and
// services differ only in these pieces.
type upsertPlan[T any, P checkedRecord[T]] struct {
	apply     func(*T, map[string]string)
	personCol string
	person    func(*T) **int64
	update    func(*store.Tx, int64, func(*T) error) (T, T, error)
	add       func(*store.Tx, *T) error
}

var (
	devicePlan = upsertPlan[model.Device, *model.Device]{
		apply: model.ApplyDevice, personCol: "holder",
		person: func(d *model.Device) **int64 { return &d.HolderID },
		update: (*store.Tx).UpdateDevice, add: (*store.Tx).AddDevice,
	}
	servicePlan = upsertPlan[model.Service, *model.Service]{
		apply: model.ApplyService, personCol: "owner",
		person: func(sv *model.Service) **int64 { return &sv.OwnerID },
		update: (*store.Tx).UpdateService, add: (*store.Tx).AddService,
	}
)

// item finishes a row's plan: the row's values and resolved person applied
// to the stored record cur (or a new one), validated, the action decided,
// and the write that replays the same values at commit. probs holds what
// the row's own checks found so far.
func (u upsertPlan[T, P]) item(r *Report, ix *peopleIndex, cm model.ColumnMap, row model.TableRow, vals map[string]string,
	probs []model.ImportProblem, it Item, cur T, exists bool, id int64, updateExisting bool) Item {
	rec := cur
	u.apply(&rec, vals)
	probs = personRef(r, ix, cm, row, vals, u.personCol, u.person(&rec), probs)
	P(&rec).Normalize()
	it.Problems = validationProblems(cm, row.Row, P(&rec).Validate(), probs)
	if len(it.Problems) == 0 {
		if exists {
			decide(&it, cur, rec, updateExisting)
		} else {
			it.Action = ActionNew
		}
	}
	person, hasPerson := *u.person(&rec), cm.Has(u.personCol)
	it.run = func(t *store.Tx, _ *commitState) error {
		apply := func(x *T) {
			u.apply(x, vals)
			if hasPerson {
				*u.person(x) = person
			}
		}
		if exists {
			_, _, err := u.update(t, id, func(x *T) error { apply(x); return nil })
			return err
		}
		var x T
		apply(&x)
		return u.add(t, &x)
	}
	return it
}
