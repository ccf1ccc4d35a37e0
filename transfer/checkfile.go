package transfer

// Checks as code: `opsdeck export checks` writes the checks, silences,
// notification channels and on-call rotations as one YAML document, and
// `opsdeck apply -f` makes the database match such a file, as a diff.
// The keys of checks and channels are the field tables' (model.CheckFields,
// model.ChannelFields): a field added to a table is a key here with no
// change to this file. Rotations: checkfile_rotations.go.
//
// Secrets never sit in the file. A field the table marks secret (a
// channel's URL, an SMTP password, a check's headers, a target with a
// password in it) is written as KEY_env: VARIABLE, and apply reads the
// value from that environment variable; a clear secret in the file is
// refused, naming the key, so a checks.yaml can live in git.

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// CheckFileVersion is the document's version key.
const CheckFileVersion = 1

// Apply actions, as the dry run prints them.
const (
	ApplyCreate = "create"
	ApplyChange = "change"
	ApplyPause  = "pause"
	ApplyResume = "resume"
	ApplyRemove = "remove"
	// ApplyRetire: a managed rotation the file no longer has, with --prune
	// (it keeps its history, so it is retired rather than removed).
	ApplyRetire    = "retire"
	ApplyUnchanged = "unchanged"
	// ApplyOrphan: a managed check the file no longer has; --prune removes it.
	ApplyOrphan = "not in file"
)

// ApplyChangeItem is one record the apply touches (or leaves).
type ApplyChangeItem struct {
	Action  string   `json:"action"`
	Kind    string   `json:"kind"` // check, silence, channel
	Name    string   `json:"name"`
	Changes []string `json:"changes,omitempty"`

	run func(t *store.Tx) error
}

// ApplyPlan is what applying a file does: every change, in order.
type ApplyPlan struct {
	File    string            `json:"file"`
	Prune   bool              `json:"prune"`
	Items   []ApplyChangeItem `json:"items"`
	Summary map[string]int    `json:"summary"`
	// Warnings are references the file makes that do not resolve (a
	// rotation's member opsdeck does not know): left out of what is
	// applied; ApplyOptions.StrictRefs makes them errors.
	Warnings []string `json:"warnings"`
	Applied  bool     `json:"applied"`
}

// ApplyOptions are how a checks file is applied.
type ApplyOptions struct {
	// Prune also removes (retires, for a rotation) what apply manages and
	// the file no longer has.
	Prune bool
	// StrictRefs refuses the file when a reference does not resolve,
	// instead of a warning.
	StrictRefs bool
	// Getenv reads the environment for KEY_env secrets (nil: os.LookupEnv).
	Getenv Getenv
	// NoEnv, when set, says why no environment is read (over SSH: never
	// the server's); a KEY_env in the file is then refused with it.
	NoEnv string
}

// envReader reads KEY_env variables, or says why it may not.
type envReader struct {
	get   Getenv
	noEnv string
}

// Changed reports whether applying the plan writes anything.
func (p *ApplyPlan) Changed() bool {
	for _, it := range p.Items {
		if it.run != nil {
			return true
		}
	}
	return false
}

// checkFileDoc is the document as YAML holds it. Records are maps so that
// their keys come from the field tables.
type checkFileDoc struct {
	Version   int              `yaml:"version"`
	Checks    []map[string]any `yaml:"checks"`
	Silences  []map[string]any `yaml:"silences"`
	Channels  []map[string]any `yaml:"channels"`
	Rotations []map[string]any `yaml:"rotations"`
}

// fileKey is a field's key in the file: its flag name in snake_case
// (interval_s is interval, written 30s).
func fileKey(f model.FieldSpec) string { return strings.ReplaceAll(f.FlagName(), "-", "_") }

// envSuffix marks a key whose value is the name of an environment variable
// holding the field's secret.
const envSuffix = "_env"

var envVarName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// noFileFields are table fields the file does not carry: generated
// (a heartbeat's ping token).
var noFileFields = []string{"ping_token"}

// ExportChecks writes the database's checks (those people add, not the
// ones opsdeck derives from backups and access), active and future
// silences and channels as the YAML document apply reads. Secrets become
// KEY_env references; vars lists the variables apply will need.
func ExportChecks(ctx context.Context, s *store.Store) (doc []byte, vars []string, err error) {
	cs := s.WithCredentials()
	checks, err := cs.ListChecks(ctx, store.CheckQuery{})
	if err != nil {
		return nil, nil, err
	}
	names, err := loadNames(ctx, s)
	if err != nil {
		return nil, nil, err
	}
	var out yaml.MapSlice
	out = append(out, yaml.MapItem{Key: "version", Value: CheckFileVersion})
	var checkItems []yaml.MapSlice
	for i := range checks {
		c := &checks[i]
		if model.IsSourceKind(c.Kind) {
			continue
		}
		m, v := exportRecord(model.CheckFields, c, c.Name, names)
		vars = append(vars, v...)
		if c.Paused {
			m = append(m, yaml.MapItem{Key: "paused", Value: true})
		}
		checkItems = append(checkItems, m)
	}
	out = append(out, yaml.MapItem{Key: "checks", Value: orEmpty(checkItems)})
	sils, err := s.ListSilences(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	var silItems []yaml.MapSlice
	for _, sl := range sils {
		key, name, _ := strings.Cut(sl.Target, " ")
		silItems = append(silItems, yaml.MapSlice{{Key: key, Value: name},
			{Key: "starts_at", Value: model.ExportTime(&sl.StartsAt)}, {Key: "ends_at", Value: model.ExportTime(&sl.EndsAt)},
			{Key: "reason", Value: sl.Reason}})
	}
	out = append(out, yaml.MapItem{Key: "silences", Value: orEmpty(silItems)})
	chans, err := cs.ListChannels(ctx)
	if err != nil {
		return nil, nil, err
	}
	var chItems []yaml.MapSlice
	for i := range chans {
		ch := &chans[i]
		m, v := exportRecord(model.ChannelFields, ch, ch.Name, names)
		vars = append(vars, v...)
		if !ch.Enabled {
			m = append(m, yaml.MapItem{Key: "enabled", Value: false})
		}
		chItems = append(chItems, m)
	}
	out = append(out, yaml.MapItem{Key: "channels", Value: orEmpty(chItems)})
	rots, err := exportRotations(ctx, s)
	if err != nil {
		return nil, nil, err
	}
	out = append(out, yaml.MapItem{Key: "rotations", Value: orEmpty(rots)})
	b, err := yaml.Marshal(out)
	return b, vars, err
}

func orEmpty(xs []yaml.MapSlice) any {
	if len(xs) == 0 {
		return []any{}
	}
	return xs
}

// exportRecord is rec's keys in table order: empty values left out,
// references by name, secrets as KEY_env with a variable named after the
// record and the field.
func exportRecord[T any](fs model.Fields[T], rec *T, name string, names *nameIndex) (yaml.MapSlice, []string) {
	var m yaml.MapSlice
	var vars []string
	for _, f := range fs {
		if slices.Contains(noFileFields, f.Name) {
			continue
		}
		key := fileKey(f.FieldSpec)
		var v string
		if f.Type == model.TypeRef {
			v = names.name(f.Refers, f.ID(rec))
		} else {
			v = f.Get(rec)
		}
		if v == "" || (f.Type == model.TypeYesNo && v == "no") || (f.Int != nil && *f.Int(rec) == 0) {
			continue // the default: apply reads a missing key as it
		}
		if f.Secret != model.NotSecret && model.HoldsSecret(f.Secret, v) {
			env := envVar(name, key)
			vars = append(vars, env)
			m = append(m, yaml.MapItem{Key: key + envSuffix, Value: env})
			continue
		}
		if f.Type == model.TypeInt {
			m = append(m, yaml.MapItem{Key: key, Value: *f.Int(rec)})
			continue
		}
		m = append(m, yaml.MapItem{Key: key, Value: v})
	}
	return m, vars
}

// envVar names the environment variable a record's secret field is read
// from: OPSDECK_<RECORD>_<FIELD>, upper case, other characters as _.
func envVar(record, key string) string {
	up := strings.ToUpper("OPSDECK_" + record + "_" + key)
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, up)
}

// nameIndex names services, devices and people by id and back.
type nameIndex struct {
	byID   map[string]map[int64]string
	byName map[string]map[string]int64
}

func loadNames(ctx context.Context, s *store.Store) (*nameIndex, error) {
	ix := &nameIndex{byID: map[string]map[int64]string{}, byName: map[string]map[string]int64{}}
	add := func(kind string, id int64, keys ...string) {
		if ix.byID[kind] == nil {
			ix.byID[kind], ix.byName[kind] = map[int64]string{}, map[string]int64{}
		}
		ix.byID[kind][id] = keys[0]
		for _, k := range keys {
			if k != "" {
				ix.byName[kind][strings.ToLower(k)] = id
			}
		}
	}
	svcs, err := s.ListServices(ctx, store.ServiceQuery{})
	if err != nil {
		return nil, err
	}
	for _, sv := range svcs {
		add("service", sv.ID, sv.Name)
	}
	devs, err := s.ListDevices(ctx, store.DeviceQuery{})
	if err != nil {
		return nil, err
	}
	for _, d := range devs {
		add("device", d.ID, d.AssetTag, d.Name)
	}
	ps, err := s.ListPeople(ctx, store.PeopleQuery{})
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		add("person", p.ID, p.Email)
	}
	return ix, nil
}

func (ix *nameIndex) name(kind string, id *int64) string {
	if id == nil {
		return ""
	}
	return ix.byID[kind][*id]
}

func (ix *nameIndex) id(kind, name string) (int64, bool) {
	id, ok := ix.byName[kind][strings.ToLower(strings.TrimSpace(name))]
	return id, ok
}

// Getenv reads an environment variable; tests and the CLI pass os.LookupEnv.
type Getenv func(string) (string, bool)

// PlanApply reads a checks file and works out what applying it changes,
// against the database. prune also removes managed checks the file no
// longer has, silences it does not list, and channels it does not name.
// It writes nothing; Commit does.
func PlanApply(ctx context.Context, s *store.Store, name string, data []byte, opts ApplyOptions) (*ApplyPlan, error) {
	getenv := envReader{get: opts.Getenv, noEnv: opts.NoEnv}
	if getenv.get == nil {
		getenv.get = os.LookupEnv
	}
	prune := opts.Prune
	fail := func(err error) (*ApplyPlan, error) { return nil, fmt.Errorf("apply %s: %w", model.Sanitize(name), err) }
	var doc checkFileDoc
	if err := yaml.UnmarshalWithOptions(data, &doc, yaml.Strict()); err != nil {
		return fail(fmt.Errorf("not a checks file: %s", firstLine(err.Error())))
	}
	if doc.Version != CheckFileVersion {
		return fail(model.Invalid("version", strconv.Itoa(doc.Version), fmt.Sprintf("is not %d (the version this opsdeck writes)", CheckFileVersion)))
	}
	names, err := loadNames(ctx, s)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	p := &ApplyPlan{File: name, Prune: prune, Items: []ApplyChangeItem{}, Summary: map[string]int{}, Warnings: []string{}}
	if err := planChecks(ctx, s, p, doc.Checks, names, getenv, now); err != nil {
		return fail(err)
	}
	if err := planSilences(ctx, s, p, doc.Silences, names, now); err != nil {
		return fail(err)
	}
	if err := planChannels(ctx, s, p, doc.Channels, names, getenv, now); err != nil {
		return fail(err)
	}
	if err := planRotations(ctx, s, p, doc.Rotations, opts.StrictRefs); err != nil {
		return fail(err)
	}
	for _, it := range p.Items {
		p.Summary[it.Action]++
	}
	return p, nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return model.Truncate(model.Sanitize(l), 160)
}

// scalar is a YAML value as the text a field reads.
func scalar(where, key string, v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case bool:
		return model.YesNo(&x), nil
	case int, int64, uint64, float64:
		return fmt.Sprint(x), nil
	}
	return "", model.Invalid(where+"."+key, fmt.Sprint(v), "is not a single value")
}

// recordValues turns one record of the file into field values by table
// key: unknown keys refused, KEY_env read from the environment, a clear
// secret refused. extra names keys the caller reads itself (paused).
func recordValues[T any](fs model.Fields[T], where string, rec map[string]any, getenv envReader, extra ...string) (map[string]string, error) {
	byKey := map[string]model.FieldSpec{}
	var keys []string
	for _, f := range fs {
		if !slices.Contains(noFileFields, f.Name) {
			byKey[fileKey(f.FieldSpec)] = f.FieldSpec
			keys = append(keys, fileKey(f.FieldSpec))
		}
	}
	vals := map[string]string{}
	ordered := make([]string, 0, len(rec))
	for k := range rec {
		ordered = append(ordered, k)
	}
	sort.Strings(ordered)
	for _, k := range ordered {
		v, err := scalar(where, k, rec[k])
		if err != nil {
			return nil, err
		}
		if slices.Contains(extra, k) {
			vals[k] = v
			continue
		}
		if base, ok := strings.CutSuffix(k, envSuffix); ok {
			f, known := byKey[base]
			if known && f.Secret != model.NotSecret {
				if !envVarName.MatchString(v) {
					return nil, model.Invalid(where+"."+k, v, "is not an environment variable name")
				}
				if getenv.noEnv != "" {
					return nil, model.Invalid(where+"."+k, v, getenv.noEnv)
				}
				secret, set := getenv.get(v)
				if !set || secret == "" {
					return nil, model.Invalid(where+"."+k, v, "is not set (or empty) in the environment; apply reads the "+base+" from it")
				}
				vals[f.Name] = secret
				continue
			}
		}
		f, ok := byKey[k]
		if !ok {
			return nil, model.Invalid(where, k, "is not a key here (keys: "+strings.Join(append(keys, extra...), ", ")+")")
		}
		if f.Secret != model.NotSecret && model.HoldsSecret(f.Secret, v) {
			return nil, model.Invalid(where+"."+k, "", "holds a credential; the file must not: write "+k+envSuffix+": VARIABLE and set VARIABLE in the environment")
		}
		vals[f.Name] = v
	}
	return vals, nil
}

// buildRecord sets rec's fields from vals through the table: a value
// parsed as the field reads it, a reference resolved by name.
func buildRecord[T any](fs model.Fields[T], where string, rec *T, vals map[string]string, names *nameIndex, now time.Time) error {
	for _, f := range fs {
		v, ok := vals[f.Name]
		if !ok {
			continue
		}
		if f.Type == model.TypeRef {
			if strings.TrimSpace(v) == "" {
				f.SetID(rec, nil)
				continue
			}
			id, found := names.id(f.Refers, v)
			if !found {
				return model.Invalid(where+"."+fileKey(f.FieldSpec), v, "is not a known "+f.Refers)
			}
			f.SetID(rec, &id)
			continue
		}
		if err := f.Set(rec, v, now); err != nil {
			if fe, ok := model.AsFieldError(err); ok {
				return model.Invalid(where+"."+fileKey(f.FieldSpec), fe.Value, fe.Reason)
			}
			return err
		}
	}
	return nil
}

// diffFields lists "key: old → new" for the table's fields that differ.
func diffFields[T any](fs model.Fields[T], before, after *T, names *nameIndex) []string {
	var out []string
	for _, f := range fs {
		if slices.Contains(noFileFields, f.Name) {
			continue
		}
		var b, a string
		if f.Type == model.TypeRef {
			b, a = names.name(f.Refers, f.ID(before)), names.name(f.Refers, f.ID(after))
		} else {
			b, a = f.Get(before), f.Get(after)
		}
		if b == a {
			continue
		}
		if f.Secret != model.NotSecret {
			out = append(out, fileKey(f.FieldSpec)+": (secret) changed")
			continue
		}
		out = append(out, fmt.Sprintf("%s: %s → %s", fileKey(f.FieldSpec), orNone(b), orNone(a)))
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return strconv.Quote(model.Excerpt(s))
}

// copyFields copies the file's fields of src onto dst (the stored record
// being updated), leaving what the file does not carry.
func copyFields[T any](fs model.Fields[T], dst, src *T) {
	for _, f := range fs {
		if slices.Contains(noFileFields, f.Name) {
			continue
		}
		switch {
		case f.Ref != nil:
			*f.Ref(dst) = *f.Ref(src)
		case f.Bool != nil:
			*f.Bool(dst) = *f.Bool(src)
		case f.Time != nil:
			*f.Time(dst) = *f.Time(src)
		case f.Int != nil:
			*f.Int(dst) = *f.Int(src)
		case f.Plain != nil:
			*f.Plain(dst) = *f.Plain(src)
		case f.SetID != nil:
			f.SetID(dst, f.ID(src))
		}
	}
}

// entryWhere names entry i of a section of the file for errors:
// "checks[2]", or "checks[2] (web)" when the entry has a name.
func entryWhere(section string, i int, rec map[string]any) string {
	if n, ok := rec["name"].(string); ok && n != "" {
		return fmt.Sprintf("%s[%d] (%s)", section, i, model.Excerpt(n))
	}
	return fmt.Sprintf("%s[%d]", section, i)
}

// entryInvalid places a record's validation error in the file: its field
// under the entry ("checks[2] (web).target"), else the entry itself.
func entryInvalid(where string, err error) error {
	if fe, ok := model.AsFieldError(err); ok {
		return model.Invalid(where+"."+fe.Field, fe.Value, fe.Reason)
	}
	return fmt.Errorf("%s: %w", where, err)
}

// entryYesNo sets *dst from the entry's yes/no value key, when it has one.
func entryYesNo(where, key string, vals map[string]string, dst *bool) error {
	v, ok := vals[key]
	if !ok {
		return nil
	}
	b := model.ParseYesNo(v)
	if b == nil {
		return model.Invalid(where+"."+key, v, "is not yes or no")
	}
	*dst = *b
	return nil
}

// claimName records that entry i of section names name (case-insensitive);
// a second entry with that name is refused, naming the first.
func claimName(seen map[string]int, section, where, name string, i int) error {
	key := strings.ToLower(name)
	if first, dup := seen[key]; dup {
		return model.Invalid(where+".name", name, fmt.Sprintf("appears again (first at %s[%d])", section, first))
	}
	seen[key] = i
	return nil
}

// notInFile adds the item for a record apply created that the file no
// longer names: a note saying what --prune does (prunes: "removes it"),
// or with --prune the action itself.
func (p *ApplyPlan) notInFile(kind, name, prunes string, pruned ApplyChangeItem) {
	if !p.Prune {
		p.Items = append(p.Items, ApplyChangeItem{Action: ApplyOrphan, Kind: kind, Name: name,
			Changes: []string{"created by apply, no longer in the file: --prune " + prunes}})
		return
	}
	pruned.Kind, pruned.Name = kind, name
	p.Items = append(p.Items, pruned)
}

func planChecks(ctx context.Context, s *store.Store, p *ApplyPlan, recs []map[string]any, names *nameIndex, getenv envReader, now time.Time) error {
	existing, err := s.WithCredentials().ListChecks(ctx, store.CheckQuery{})
	if err != nil {
		return err
	}
	checks := byName(existing, func(c model.Check) string { return c.Name })
	seen := map[string]int{}
	for i, rec := range recs {
		where := entryWhere("checks", i, rec)
		vals, err := recordValues(model.CheckFields, where, rec, getenv, "paused")
		if err != nil {
			return err
		}
		var want model.Check
		if err := buildRecord(model.CheckFields, where, &want, vals, names, now); err != nil {
			return err
		}
		if err := entryYesNo(where, "paused", vals, &want.Paused); err != nil {
			return err
		}
		want.Managed = true
		want.Normalize()
		if err := want.Validate(); err != nil {
			return entryInvalid(where, err)
		}
		if model.IsSourceKind(want.Kind) {
			return model.Invalid(where+".kind", want.Kind, "is created by opsdeck from its own records, not by a file")
		}
		if err := claimName(seen, "checks", where, want.Name, i); err != nil {
			return err
		}
		cur, exists := checks[strings.ToLower(want.Name)]
		if !exists {
			c := want
			p.Items = append(p.Items, ApplyChangeItem{Action: ApplyCreate, Kind: "check", Name: want.Name,
				Changes: []string{strings.TrimSpace(want.Kind + " " + model.Excerpt(maskedTarget(want)) + map[bool]string{true: " (paused)"}[want.Paused])},
				run:     func(t *store.Tx) error { c := c; return t.AddCheck(&c) }})
			continue
		}
		if model.IsSourceKind(cur.Kind) {
			return model.Invalid(where+".name", want.Name, "names a check opsdeck manages itself ("+cur.Kind+")")
		}
		after := cur
		copyFields(model.CheckFields, &after, &want)
		after.Paused, after.Managed = want.Paused, true
		after.Normalize()
		changes := diffFields(model.CheckFields, &cur, &after, names)
		if !cur.Managed {
			changes = append(changes, "managed: no → yes (the file is now its source)")
		}
		action := ApplyChange
		switch {
		case cur.Paused == after.Paused && len(changes) == 0:
			p.Items = append(p.Items, ApplyChangeItem{Action: ApplyUnchanged, Kind: "check", Name: cur.Name})
			continue
		case !cur.Paused && after.Paused && len(changes) == 0:
			action = ApplyPause
		case cur.Paused && !after.Paused && len(changes) == 0:
			action = ApplyResume
		case cur.Paused != after.Paused:
			changes = append(changes, fmt.Sprintf("paused: %s → %s", model.YesNo(&cur.Paused), model.YesNo(&after.Paused)))
		}
		id, w := cur.ID, want
		p.Items = append(p.Items, ApplyChangeItem{Action: action, Kind: "check", Name: cur.Name, Changes: changes,
			run: func(t *store.Tx) error {
				_, _, err := t.UpdateCheck(id, func(c *model.Check) error {
					copyFields(model.CheckFields, c, &w)
					c.Paused, c.Managed = w.Paused, true
					return nil
				})
				return err
			}})
	}
	for _, c := range existing {
		if _, inFile := seen[strings.ToLower(c.Name)]; inFile || !c.Managed || model.IsSourceKind(c.Kind) {
			continue
		}
		id := c.ID
		p.notInFile("check", c.Name, "removes it", ApplyChangeItem{Action: ApplyRemove,
			run: func(t *store.Tx) error { _, err := t.DeleteCheck(id); return err }})
	}
	return nil
}

// maskedTarget is a check's target for the dry run: a credential in it masked.
func maskedTarget(c model.Check) string {
	f, _ := model.CheckFields.Field("target")
	return model.Mask(f.Secret, c.Target, func(string) string { return "…" })
}

// silenceTargets are the keys a silence in the file names its target with.
var silenceTargets = []string{"check", "service", "device"}

func planSilences(ctx context.Context, s *store.Store, p *ApplyPlan, recs []map[string]any, names *nameIndex, now time.Time) error {
	existing, err := s.ListSilences(ctx, false)
	if err != nil {
		return err
	}
	checks, err := s.ListChecks(ctx, store.CheckQuery{})
	if err != nil {
		return err
	}
	checkIDs := map[string]int64{}
	for _, c := range checks {
		checkIDs[strings.ToLower(c.Name)] = c.ID
	}
	// A silence on a check the same file creates: the check is resolved
	// inside the transaction, after it is written.
	fileChecks := map[string]bool{}
	for _, it := range p.Items {
		if it.Kind == "check" && it.Action == ApplyCreate {
			fileChecks[strings.ToLower(it.Name)] = true
		}
	}
	key := func(target string, st, en time.Time, reason string) string {
		return strings.ToLower(target) + "|" + st.UTC().Format(time.RFC3339) + "|" + en.UTC().Format(time.RFC3339) + "|" + reason
	}
	have := map[string]model.Silence{}
	for _, sl := range existing {
		have[key(sl.Target, sl.StartsAt, sl.EndsAt, sl.Reason)] = sl
	}
	keep := map[string]bool{}
	for i, rec := range recs {
		where := fmt.Sprintf("silences[%d]", i)
		vals := map[string]string{}
		for k, v := range rec {
			if !slices.Contains(append([]string{"starts_at", "ends_at", "reason"}, silenceTargets...), k) {
				return model.Invalid(where, k, "is not a key here (keys: check|service|device, starts_at, ends_at, reason)")
			}
			sv, err := scalar(where, k, v)
			if err != nil {
				return err
			}
			vals[k] = sv
		}
		var sl model.Silence
		var target, tkind, tname string
		for _, k := range silenceTargets {
			if v := vals[k]; v != "" {
				if target != "" {
					return model.Invalid(where+"."+k, v, "is a second target; a silence names one check, service or device")
				}
				target, tkind, tname = k+" "+v, k, v
			}
		}
		if target == "" {
			return model.Invalid(where, "", "names no target: give check, service or device")
		}
		lateCheck := false
		switch tkind {
		case "check":
			id, ok := checkIDs[strings.ToLower(tname)]
			switch {
			case ok:
				sl.CheckID = &id
			case fileChecks[strings.ToLower(tname)]:
				lateCheck = true
			default:
				return model.Invalid(where+".check", tname, "is not a known check (nor one this file creates)")
			}
		default:
			id, ok := names.id(tkind, tname)
			if !ok {
				return model.Invalid(where+"."+tkind, tname, "is not a known "+tkind)
			}
			if tkind == "service" {
				sl.ServiceID = &id
			} else {
				sl.DeviceID = &id
			}
		}
		for _, k := range []string{"starts_at", "ends_at"} {
			t, err := model.ParseTime(k, vals[k], now.Location())
			if err != nil {
				return model.Invalid(where+"."+k, vals[k], "is not a time (RFC 3339, e.g. 2026-12-24T18:00:00Z)")
			}
			if k == "starts_at" {
				sl.StartsAt = t
			} else {
				sl.EndsAt = t
			}
		}
		sl.Reason = vals["reason"]
		if lateCheck {
			standIn := int64(-1) // the check this file creates; resolved on commit
			sl.CheckID = &standIn
		}
		sl.Normalize()
		if err := sl.Validate(); err != nil {
			return entryInvalid(where, err)
		}
		k := key(target, sl.StartsAt, sl.EndsAt, sl.Reason)
		keep[k] = true
		if _, ok := have[k]; ok {
			p.Items = append(p.Items, ApplyChangeItem{Action: ApplyUnchanged, Kind: "silence", Name: target})
			continue
		}
		if !sl.EndsAt.After(now) {
			return model.Invalid(where+".ends_at", vals["ends_at"], "is in the past")
		}
		want, checkName := sl, tname
		p.Items = append(p.Items, ApplyChangeItem{Action: ApplyCreate, Kind: "silence", Name: target,
			Changes: []string{sl.StartsAt.UTC().Format(time.RFC3339) + " → " + sl.EndsAt.UTC().Format(time.RFC3339) + ": " + model.Excerpt(sl.Reason)},
			run: func(t *store.Tx) error {
				sl := want
				if lateCheck {
					c, err := t.FindCheck(checkName)
					if err != nil {
						return err
					}
					sl.CheckID = &c.ID
				}
				return t.AddSilence(&sl)
			}})
	}
	if !p.Prune {
		return nil
	}
	for k, sl := range have {
		if keep[k] {
			continue
		}
		id := sl.ID
		p.Items = append(p.Items, ApplyChangeItem{Action: ApplyRemove, Kind: "silence", Name: sl.Target,
			Changes: []string{"ended now (expired)"},
			run:     func(t *store.Tx) error { _, err := t.ExpireSilence(id); return err }})
	}
	return nil
}

func planChannels(ctx context.Context, s *store.Store, p *ApplyPlan, recs []map[string]any, names *nameIndex, getenv envReader, now time.Time) error {
	existing, err := s.WithCredentials().ListChannels(ctx)
	if err != nil {
		return err
	}
	channels := byName(existing, func(c model.Channel) string { return c.Name })
	seen := map[string]bool{}
	for i, rec := range recs {
		where := entryWhere("channels", i, rec)
		vals, err := recordValues(model.ChannelFields, where, rec, getenv, "enabled")
		if err != nil {
			return err
		}
		want := model.Channel{Enabled: true}
		if err := buildRecord(model.ChannelFields, where, &want, vals, names, now); err != nil {
			return err
		}
		if err := entryYesNo(where, "enabled", vals, &want.Enabled); err != nil {
			return err
		}
		want.Normalize()
		if err := want.Validate(); err != nil {
			return entryInvalid(where, err)
		}
		key := strings.ToLower(want.Name)
		if seen[key] {
			return model.Invalid(where+".name", want.Name, "appears twice")
		}
		seen[key] = true
		cur, exists := channels[key]
		if !exists {
			c := want
			p.Items = append(p.Items, ApplyChangeItem{Action: ApplyCreate, Kind: "channel", Name: want.Name, Changes: []string{want.Kind},
				run: func(t *store.Tx) error { c := c; return t.AddChannel(&c) }})
			continue
		}
		after := cur
		copyFields(model.ChannelFields, &after, &want)
		after.Enabled = want.Enabled
		after.Normalize()
		changes := diffFields(model.ChannelFields, &cur, &after, names)
		if cur.Enabled != after.Enabled {
			changes = append(changes, fmt.Sprintf("enabled: %s → %s", model.YesNo(&cur.Enabled), model.YesNo(&after.Enabled)))
		}
		if len(changes) == 0 {
			p.Items = append(p.Items, ApplyChangeItem{Action: ApplyUnchanged, Kind: "channel", Name: cur.Name})
			continue
		}
		id, w := cur.ID, want
		p.Items = append(p.Items, ApplyChangeItem{Action: ApplyChange, Kind: "channel", Name: cur.Name, Changes: changes,
			run: func(t *store.Tx) error {
				_, _, err := t.UpdateChannel(id, func(c *model.Channel) error {
					copyFields(model.ChannelFields, c, &w)
					c.Enabled = w.Enabled
					return nil
				})
				return err
			}})
	}
	if !p.Prune {
		return nil
	}
	for _, c := range existing {
		if seen[strings.ToLower(c.Name)] {
			continue
		}
		name := c.Name
		p.Items = append(p.Items, ApplyChangeItem{Action: ApplyRemove, Kind: "channel", Name: c.Name,
			run: func(t *store.Tx) error { _, err := t.DeleteChannel(name); return err }})
	}
	return nil
}

// Commit applies the plan in one transaction: every change audited by
// the store as actor, plus one "apply" audit row naming the file and the
// counts. Any failure writes nothing.
func (p *ApplyPlan) Commit(ctx context.Context, s *store.Store, actor model.Actor) error {
	if p.Applied {
		return fmt.Errorf("apply %s: already applied", p.File)
	}
	if !p.Changed() {
		p.Applied = true
		return nil
	}
	err := s.Write(ctx, actor, func(t *store.Tx) error {
		for _, it := range p.Items {
			if it.run == nil {
				continue
			}
			if err := it.run(t); err != nil {
				return fmt.Errorf("apply %s: %s %s %s: %w", model.Sanitize(p.File), it.Action, it.Kind, model.Excerpt(it.Name), err)
			}
		}
		return t.Audit("apply", "checks_file", 0, nil, map[string]any{"file": p.File, "prune": p.Prune, "summary": p.Summary})
	})
	if err != nil {
		return err
	}
	p.Applied = true
	return nil
}
