package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/ui/components/form"
)

// editSpec is how the console adds, edits and deactivates one kind of
// record. Every write goes through store.Write, so it is validated and
// audited exactly like the CLI's.
type editSpec struct {
	kind string
	// fields returns the form for a new record (id 0) or an existing one.
	fields func(env TabEnv, id int64) (title string, fs []form.Field, err error)
	// check validates values with the model only (no I/O), for inline errors
	// while typing; save writes them, resolving references in the Tx.
	check      func(vals map[string]string) error
	save       func(t *store.Tx, id int64, vals map[string]string) (int64, string, error)
	deactivate func(t *store.Tx, id int64) (before, after any, name string, err error)
	verb       string // what deactivating does: "mark departed", "retire"
	// note, when set, is a warning shown under an existing record's form
	// title (a check a checks file manages: the next apply undoes edits).
	note func(env TabEnv, id int64) string
	// done replaces "saved"/"added" in the flash after save ("acknowledged");
	// gone makes d a deletion ("deleted"): the dialog asks "<verb> kind name?".
	done, gone string
}

var editSpecs = map[string]editSpec{"person": personEdit(), "device": deviceEdit(), "service": serviceEdit()}

func choice(key, label, value string, choices []string) form.Field {
	return form.Field{Key: key, Label: label, Value: value, Choices: choices}
}

func text(key, label, value, hint string) form.Field {
	return form.Field{Key: key, Label: label, Value: value, Hint: hint}
}

func personEmail(env TabEnv, id *int64) string {
	if id == nil {
		return ""
	}
	if p, err := env.Store.GetPerson(env.Ctx, *id); err == nil {
		return p.Email
	}
	return strconv.FormatInt(*id, 10)
}

// recordForm is how the console edits one inventory kind: its form comes
// from the kind's field table (model.PersonFields, ...), so every field the
// CLI offers is in the form too, checked by the same Set.
type recordForm[T any] struct {
	kind, verb string
	fields     model.Fields[T]
	blank      T // a new record's defaults
	get        func(env TabEnv, id int64) (T, error)
	name       func(T) string // in titles and the deactivate dialog
	key        func(T) string // in the flash after saving
	add        func(t *store.Tx, rec *T) error
	update     func(t *store.Tx, id int64, fn func(*T) error) (T, T, error)
	deactivate func(t *store.Tx, id int64) (T, T, error)
	id         func(T) int64
}

func (r recordForm[T]) spec() editSpec {
	return editSpec{
		kind: r.kind, verb: r.verb,
		fields: func(env TabEnv, id int64) (string, []form.Field, error) {
			rec, title := r.blank, "Add a "+r.kind
			if id != 0 {
				var err error
				if rec, err = r.get(env, id); err != nil {
					return "", nil, err
				}
				title = "Edit " + r.name(rec)
			}
			return title, tableForm(env, r.fields, &rec), nil
		},
		check: func(v map[string]string) error {
			var rec T
			if err := setForm(r.fields, &rec, v, formNow); err != nil {
				return err
			}
			n, ok := any(&rec).(interface {
				Normalize()
				Validate() error
			})
			if !ok {
				return nil
			}
			n.Normalize()
			return n.Validate()
		},
		save: func(t *store.Tx, id int64, v map[string]string) (int64, string, error) {
			now := t.At().In(time.Local)
			apply := func(rec *T) error {
				if err := setForm(r.fields, rec, v, now); err != nil {
					return err
				}
				return resolveRefs(t, r.fields, rec, v)
			}
			if id == 0 {
				rec := r.blank
				if err := apply(&rec); err != nil {
					return 0, "", err
				}
				err := r.add(t, &rec)
				return r.id(rec), r.key(rec), err
			}
			_, after, err := r.update(t, id, apply)
			return id, r.key(after), err
		},
		deactivate: func(t *store.Tx, id int64) (any, any, string, error) {
			b, a, err := r.deactivate(t, id)
			return b, a, r.name(b), err
		},
	}
}

// formNow stands in for the clock while a form is checked as it is typed
// (no I/O there): it only decides the zone of a local time and what "now"
// parses to; saving reads the store's clock.
var formNow = time.Date(2000, 1, 1, 0, 0, 0, 0, time.Local)

// tableForm is the form fields of a kind's field table, filled from rec.
func tableForm[T any](env TabEnv, fs model.Fields[T], rec *T) []form.Field {
	out := make([]form.Field, 0, len(fs))
	for _, f := range fs {
		if f.NoForm {
			continue
		}
		hint := f.Example
		if hint == "" {
			hint = f.Help
		}
		switch f.Type {
		case model.TypeEnum:
			out = append(out, choice(f.Name, f.FormLabel(), f.Get(rec), f.Values))
		case model.TypeBool:
			v := f.Get(rec)
			if v == "" {
				v = "unknown"
			}
			out = append(out, choice(f.Name, f.FormLabel(), v, []string{"unknown", "yes", "no"}))
		case model.TypeRef:
			if f.Example == "" {
				hint = f.Help + " (name or " + refKey[f.Refers] + ")"
			}
			out = append(out, text(f.Name, f.FormLabel(), refText(env, f.Refers, f.ID(rec)), hint))
		default:
			out = append(out, text(f.Name, f.FormLabel(), f.Get(rec), hint))
		}
	}
	return out
}

var refKey = map[string]string{"person": "email", "service": "id", "device": "asset tag"}

// refText is what a form shows for a reference: a natural key.
func refText(env TabEnv, refers string, id *int64) string {
	if id == nil {
		return ""
	}
	switch refers {
	case "person":
		return personEmail(env, id)
	case "service":
		if s, err := env.Store.GetService(env.Ctx, *id); err == nil {
			return s.Name
		}
	case "device":
		if d, err := env.Store.GetDevice(env.Ctx, *id); err == nil {
			return d.AssetTag
		}
	}
	return strconv.FormatInt(*id, 10)
}

// setForm reads a form's values into rec through the table's Set; the
// form holds every field but references (resolveRefs, in the write).
func setForm[T any](fs model.Fields[T], rec *T, v map[string]string, now time.Time) error {
	for _, f := range fs {
		if val, ok := v[f.Name]; ok && !f.NoForm && f.Type != model.TypeRef {
			if err := f.Set(rec, val, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// resolveRefs sets rec's references from what the form gives.
func resolveRefs[T any](t *store.Tx, fs model.Fields[T], rec *T, v map[string]string) error {
	for _, f := range fs {
		if f.Type != model.TypeRef || f.NoForm {
			continue
		}
		ref, ok := v[f.Name]
		if !ok {
			continue
		}
		var id *int64
		var err error
		switch ref = strings.TrimSpace(ref); f.Refers {
		case "person":
			id, err = ops.OptPersonTx(t, f.Name, ref)
		case "service":
			id, err = ops.OptServiceTx(t, f.Name, ref)
		case "device":
			id, err = ops.OptDeviceTx(t, f.Name, ref)
		default:
			err = fmt.Errorf("no reference kind %q (a bug in a field table)", f.Refers)
		}
		if err != nil {
			return err
		}
		f.SetID(rec, id)
	}
	return nil
}

func personEdit() editSpec {
	return recordForm[model.Person]{
		kind: "person", verb: "mark departed", fields: model.PersonFields,
		blank:      model.Person{Status: "active", Role: "viewer"},
		get:        func(env TabEnv, id int64) (model.Person, error) { return env.Store.GetPerson(env.Ctx, id) },
		name:       func(p model.Person) string { return p.Name },
		key:        func(p model.Person) string { return p.Name },
		id:         func(p model.Person) int64 { return p.ID },
		add:        (*store.Tx).AddPerson,
		update:     (*store.Tx).UpdatePerson,
		deactivate: (*store.Tx).DeactivatePerson,
	}.spec()
}

func deviceEdit() editSpec {
	return recordForm[model.Device]{
		kind: "device", verb: "retire (and clear its holder)", fields: model.DeviceFields,
		blank:      model.Device{Kind: "laptop", Status: "in_use"},
		get:        func(env TabEnv, id int64) (model.Device, error) { return env.Store.GetDevice(env.Ctx, id) },
		name:       func(d model.Device) string { return d.AssetTag + " " + d.Name },
		key:        func(d model.Device) string { return d.AssetTag },
		id:         func(d model.Device) int64 { return d.ID },
		add:        (*store.Tx).AddDevice,
		update:     (*store.Tx).UpdateDevice,
		deactivate: (*store.Tx).DeactivateDevice,
	}.spec()
}

func serviceEdit() editSpec {
	return recordForm[model.Service]{
		kind: "service", verb: "retire", fields: model.ServiceFields,
		blank:      model.Service{Kind: "saas", Criticality: "medium", Status: "active"},
		get:        func(env TabEnv, id int64) (model.Service, error) { return env.Store.GetService(env.Ctx, id) },
		name:       func(s model.Service) string { return s.Name },
		key:        func(s model.Service) string { return s.Name },
		id:         func(s model.Service) int64 { return s.ID },
		add:        (*store.Tx).AddService,
		update:     (*store.Tx).UpdateService,
		deactivate: (*store.Tx).DeactivateService,
	}.spec()
}

// errDryRun rolls back a transaction that only computed a preview.
var errDryRun = errors.New("dry run")

// previewDeactivate runs the deactivation in a transaction that is rolled
// back, so the confirmation shows exactly what the store would change.
func previewDeactivate(env TabEnv, spec editSpec, id int64) (name string, lines []string, err error) {
	err = env.Store.Write(env.Ctx, env.Actor, func(t *store.Tx) error {
		b, a, n, err := spec.deactivate(t, id)
		if err != nil {
			return err
		}
		name = n
		bj, _ := json.Marshal(b)
		aj, _ := json.Marshal(a)
		lines = model.DiffJSON(string(bj), string(aj))
		return errDryRun
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	if err == nil && len(lines) == 0 {
		lines = []string{"nothing changes: it is already deactivated"}
	}
	if err == nil && spec.kind == "person" {
		accts, aerr := env.Store.ListAccounts(env.Ctx, store.AccountQuery{PersonID: id, Status: "active"})
		devs, derr := env.Store.ListDevices(env.Ctx, store.DeviceQuery{HolderID: id})
		if aerr == nil && derr == nil && len(accts)+len(devs) > 0 {
			lines = append(lines, "", fmt.Sprintf("Not changed: %s and %s stay assigned;", plural(len(accts), "active account"), plural(len(devs), "device")),
				"offboarding revokes them step by step.")
		}
	}
	return name, lines, err
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
