package transfer

// On-call rotations in the checks file. A rotation is written with its
// members by email in turn order, its shadows, the shift length, the
// handoff (weekday and time) in its zone and its first handoff (starts),
// so applying the file elsewhere puts the same person on call at the same
// time. Overrides are not in the file: they are one-off cover ("Oscar at
// the dentist") made where they are needed, and apply leaves them alone.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// rotationKeys are a rotation's keys in the file, in the order export
// writes them.
var rotationKeys = []string{"name", "rank", "every", "handoff", "tz", "starts", "offset", "members", "shadows"}

// exportRotations writes the rotations that page (retired ones are left
// out), primary first.
func exportRotations(ctx context.Context, s *store.Store) ([]yaml.MapSlice, error) {
	plan, err := s.OnCallPlan(ctx)
	if err != nil {
		return nil, err
	}
	var out []yaml.MapSlice
	for _, r := range plan.Rotations {
		members, shadows := activeMembers(r)
		m := yaml.MapSlice{{Key: "name", Value: r.Name}, {Key: "rank", Value: r.Rank}, {Key: "every", Value: fmt.Sprintf("%dd", r.EveryDays)},
			{Key: "handoff", Value: r.Handoff}, {Key: "tz", Value: r.TZ}, {Key: "starts", Value: model.ExportTime(&r.Anchor)}}
		if r.Offset != 0 {
			m = append(m, yaml.MapItem{Key: "offset", Value: r.Offset})
		}
		m = append(m, yaml.MapItem{Key: "members", Value: members})
		if len(shadows) > 0 {
			m = append(m, yaml.MapItem{Key: "shadows", Value: shadows})
		}
		out = append(out, m)
	}
	return out, nil
}

// activeMembers are the emails of a rotation's members now: those who
// take turns, in turn order, and the shadows.
func activeMembers(r model.Rotation) (members, shadows []string) {
	ms := slices.Clone(r.Members)
	slices.SortStableFunc(ms, func(a, b model.RotationMember) int { return a.Position - b.Position })
	for _, m := range ms {
		switch {
		case m.RemovedAt != nil:
		case m.Shadow:
			shadows = append(shadows, m.Email)
		default:
			members = append(members, m.Email)
		}
	}
	return members, shadows
}

// rotaPeople finds the people a rotation names, by email or (when it is
// unambiguous) by name.
type rotaPeople struct {
	byKey map[string][]model.Person
}

func loadRotaPeople(ctx context.Context, s *store.Store) (*rotaPeople, error) {
	ps, err := s.ListPeople(ctx, store.PeopleQuery{})
	if err != nil {
		return nil, err
	}
	ix := &rotaPeople{byKey: map[string][]model.Person{}}
	for _, p := range ps {
		for _, k := range []string{p.Email, p.Name} {
			if k = strings.ToLower(strings.TrimSpace(k)); k != "" {
				ix.byKey[k] = append(ix.byKey[k], p)
			}
		}
	}
	return ix, nil
}

// find resolves ref to a person who may be on call, or says why not.
func (ix *rotaPeople) find(ref string) (model.Person, string) {
	found := ix.byKey[strings.ToLower(strings.TrimSpace(ref))]
	switch {
	case len(found) == 0:
		return model.Person{}, "is not a known person"
	case len(found) > 1:
		return model.Person{}, fmt.Sprintf("names %d people; give the email", len(found))
	}
	if why := model.CanBeOnCall(found[0]); why != "" {
		return model.Person{}, why
	}
	return found[0], ""
}

// stringList reads a list of people: a YAML sequence, or one value with
// commas ("a@x, b@x").
func stringList(where, key string, v any) ([]string, error) {
	var raw []string
	switch x := v.(type) {
	case nil:
	case []any:
		for _, e := range x {
			s, err := scalar(where, key, e)
			if err != nil {
				return nil, err
			}
			raw = append(raw, s)
		}
	default:
		s, err := scalar(where, key, v)
		if err != nil {
			return nil, err
		}
		raw = strings.Split(s, ",")
	}
	var out []string
	for _, s := range raw {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// rotationWant is one rotation of the file, resolved.
type rotationWant struct {
	spec             store.RotationFile
	members, shadows []string // emails, as resolved
	startGiven       bool
}

func readRotation(where string, i int, rec map[string]any, ix *rotaPeople, strict bool, p *ApplyPlan) (rotationWant, error) {
	var w rotationWant
	vals := map[string]string{}
	lists := map[string][]string{}
	for _, k := range sortedKeys(rec) {
		if !slices.Contains(rotationKeys, k) {
			return w, model.Invalid(where, k, "is not a key here (keys: "+strings.Join(rotationKeys, ", ")+")")
		}
		if k == "members" || k == "shadows" {
			l, err := stringList(where, k, rec[k])
			if err != nil {
				return w, err
			}
			lists[k] = l
			continue
		}
		if t, ok := rec[k].(time.Time); ok { // an unquoted YAML timestamp
			vals[k] = t.UTC().Format(time.RFC3339Nano)
			continue
		}
		v, err := scalar(where, k, rec[k])
		if err != nil {
			return w, err
		}
		vals[k] = strings.TrimSpace(v)
	}
	f := &w.spec
	f.Name, f.Handoff, f.TZ = vals["name"], vals["handoff"], vals["tz"]
	if f.Handoff == "" {
		f.Handoff = "Mon 09:00"
	}
	for _, k := range []string{"rank", "offset"} {
		v, ok := vals[k]
		if !ok {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || (k == "rank" && n == 0) {
			return w, model.Invalid(where+"."+k, v, map[string]string{"rank": "is not 1 (primary) or more", "offset": "is not a whole number"}[k])
		}
		if k == "rank" {
			f.Rank = n
		} else {
			f.Offset = n
		}
	}
	every := vals["every"]
	if every == "" {
		every = "7d"
	}
	days, err := model.ParseEvery(every)
	if err != nil {
		fe, _ := model.AsFieldError(err)
		return w, model.Invalid(where+".every", every, fe.Reason)
	}
	f.EveryDays = days
	r := model.Rotation{Name: f.Name, Rank: max(f.Rank, 1), EveryDays: f.EveryDays, Handoff: f.Handoff, TZ: f.TZ}
	if err := r.Validate(); err != nil {
		return w, entryInvalid(where, err)
	}
	f.Name = r.Name
	if v := vals["starts"]; v != "" {
		at, err := model.ParseTime("starts", v, time.UTC)
		if err != nil {
			return w, model.Invalid(where+".starts", v, "is not a time (RFC 3339, e.g. 2026-11-30T08:00:00Z)")
		}
		if err := r.CheckStart(at); err != nil {
			fe, _ := model.AsFieldError(err)
			return w, model.Invalid(where+".starts", v, fe.Reason)
		}
		f.Start, w.startGiven = at, true
	}
	seen := map[int64]string{}
	for _, k := range []string{"members", "shadows"} {
		for _, ref := range lists[k] {
			person, why := ix.find(ref)
			if why != "" {
				if strict {
					return w, model.Invalid(where+"."+k, ref, why)
				}
				p.Warnings = append(p.Warnings, fmt.Sprintf("%s.%s: %q %s; left out of the rotation (--strict-refs refuses the file)", where, k, model.Excerpt(ref), why))
				continue
			}
			if first, dup := seen[person.ID]; dup {
				return w, model.Invalid(where+"."+k, ref, "is "+first+" again; a person is in a rotation once")
			}
			seen[person.ID] = ref
			if k == "members" {
				f.Members, w.members = append(f.Members, person.ID), append(w.members, person.Email)
			} else {
				f.Shadows, w.shadows = append(f.Shadows, person.ID), append(w.shadows, person.Email)
			}
		}
	}
	if len(f.Members) == 0 {
		return w, model.Invalid(where+".members", strings.Join(lists["members"], ", "), "names nobody opsdeck can put on call; a rotation needs at least one person who takes turns")
	}
	return w, nil
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func planRotations(ctx context.Context, s *store.Store, p *ApplyPlan, recs []map[string]any, strict bool) error {
	plan, err := s.OnCallPlan(ctx)
	if err != nil {
		return err
	}
	retired, err := s.RetiredRotations(ctx)
	if err != nil {
		return err
	}
	ix, err := loadRotaPeople(ctx, s)
	if err != nil {
		return err
	}
	rotations := byName(plan.Rotations, func(r model.Rotation) string { return r.Name })
	seen := map[string]int{}
	for i, rec := range recs {
		where := entryWhere("rotations", i, rec)
		w, err := readRotation(where, i, rec, ix, strict, p)
		if err != nil {
			return err
		}
		if err := claimName(seen, "rotations", where, w.spec.Name, i); err != nil {
			return err
		}
		key := strings.ToLower(w.spec.Name)
		spec := w.spec
		cur, exists := rotations[key]
		if !exists {
			id, wasRetired := retired[key]
			rank := "after the last rotation"
			if spec.Rank > 0 {
				rank = model.RankName(spec.Rank)
			}
			what := fmt.Sprintf("%s, every %dd, handoff %s %s: %s", rank, spec.EveryDays, spec.Handoff, spec.TZ, strings.Join(w.members, ", "))
			changes := []string{what}
			if wasRetired {
				changes = append(changes, "brings back the rotation apply retired (its history stays)")
			}
			p.Items = append(p.Items, ApplyChangeItem{Action: ApplyCreate, Kind: "rotation", Name: spec.Name, Changes: changes,
				run: func(t *store.Tx) error { _, err := t.ApplyRotation(id, spec); return err }})
			continue
		}
		changes := diffRotation(cur, w)
		if !cur.Managed {
			changes = append(changes, "managed: no → yes (the file is now its source)")
		}
		if len(changes) == 0 {
			p.Items = append(p.Items, ApplyChangeItem{Action: ApplyUnchanged, Kind: "rotation", Name: cur.Name})
			continue
		}
		id := cur.ID
		p.Items = append(p.Items, ApplyChangeItem{Action: ApplyChange, Kind: "rotation", Name: cur.Name, Changes: changes,
			run: func(t *store.Tx) error { _, err := t.ApplyRotation(id, spec); return err }})
	}
	for _, r := range plan.Rotations {
		if _, inFile := seen[strings.ToLower(r.Name)]; inFile || !r.Managed {
			continue
		}
		id := r.ID
		p.notInFile("rotation", r.Name, "retires it", ApplyChangeItem{Action: ApplyRetire,
			Changes: []string{"pages nobody from now, its overrides ahead cancelled; its history stays"},
			run:     func(t *store.Tx) error { _, err := t.RetireRotation(id); return err }})
	}
	return nil
}

// diffRotation lists "key: old → new" where the stored rotation differs
// from the file's.
func diffRotation(cur model.Rotation, w rotationWant) []string {
	f := w.spec
	var out []string
	add := func(key, before, after string) {
		if before != after {
			out = append(out, fmt.Sprintf("%s: %s → %s", key, listOrNone(before), listOrNone(after)))
		}
	}
	if f.Rank > 0 {
		add("rank", strconv.Itoa(cur.Rank), strconv.Itoa(f.Rank))
	}
	add("every", fmt.Sprintf("%dd", cur.EveryDays), fmt.Sprintf("%dd", f.EveryDays))
	add("handoff", cur.Handoff, f.Handoff)
	add("tz", cur.TZ, f.TZ)
	add("offset", strconv.Itoa(cur.Offset), strconv.Itoa(f.Offset))
	if w.startGiven && !cur.Anchor.Equal(f.Start) {
		add("starts", model.ExportTime(&cur.Anchor), model.ExportTime(&f.Start))
	}
	members, shadows := activeMembers(cur)
	add("members", strings.Join(members, ", "), strings.Join(w.members, ", "))
	add("shadows", strings.Join(shadows, ", "), strings.Join(w.shadows, ", "))
	return out
}

// listOrNone is a setting or a list of people for the diff, in full (an
// excerpt would hide the member that changed).
func listOrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return "[" + model.Sanitize(s) + "]"
}
