package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

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

func personEdit() editSpec {
	return editSpec{
		kind: "person", verb: "mark departed",
		fields: func(env TabEnv, id int64) (string, []form.Field, error) {
			p := model.Person{Status: "active", Role: "viewer"}
			title := "Add a person"
			if id != 0 {
				var err error
				if p, err = env.Store.GetPerson(env.Ctx, id); err != nil {
					return "", nil, err
				}
				title = "Edit " + p.Name
			}
			return title, []form.Field{
				text("name", "name", p.Name, "Full Name"),
				text("email", "email", p.Email, "name@example.com"),
				text("title", "title", p.Title, "job title"),
				text("department", "department", p.Department, ""),
				text("manager", "manager", personEmail(env, p.ManagerID), "name or email"),
				choice("status", "status", p.Status, model.PersonStatuses),
				choice("role", "role", p.Role, model.Roles),
				text("start_date", "start_date", p.StartDate, "YYYY-MM-DD"),
				text("end_date", "end_date", p.EndDate, "YYYY-MM-DD"),
				text("notes", "notes", p.Notes, ""),
			}, nil
		},
		check: func(v map[string]string) error {
			var p model.Person
			model.ApplyPerson(&p, v)
			p.Normalize()
			return p.Validate()
		},
		save: func(t *store.Tx, id int64, v map[string]string) (int64, string, error) {
			mgr, err := ops.OptPersonTx(t, "manager", v["manager"])
			if err != nil {
				return 0, "", err
			}
			if id == 0 {
				p := model.Person{ManagerID: mgr}
				model.ApplyPerson(&p, v)
				err := t.AddPerson(&p)
				return p.ID, p.Name, err
			}
			_, after, err := t.UpdatePerson(id, func(p *model.Person) error { model.ApplyPerson(p, v); p.ManagerID = mgr; return nil })
			return id, after.Name, err
		},
		deactivate: func(t *store.Tx, id int64) (any, any, string, error) {
			b, a, err := t.DeactivatePerson(id)
			return b, a, b.Name, err
		},
	}
}

func deviceEdit() editSpec {
	return editSpec{
		kind: "device", verb: "retire (and clear its holder)",
		fields: func(env TabEnv, id int64) (string, []form.Field, error) {
			d := model.Device{Kind: "laptop", Status: "in_use"}
			title := "Add a device"
			if id != 0 {
				var err error
				if d, err = env.Store.GetDevice(env.Ctx, id); err != nil {
					return "", nil, err
				}
				title = "Edit " + d.AssetTag + " " + d.Name
			}
			return title, []form.Field{
				text("asset_tag", "asset_tag", d.AssetTag, "unique tag, e.g. LT-042"),
				text("name", "name", d.Name, ""),
				choice("kind", "kind", d.Kind, model.DeviceKinds),
				text("serial", "serial", d.Serial, ""),
				text("model", "model", d.Model, ""),
				text("os", "os", d.OS, "macOS, Ubuntu…"),
				text("os_version", "os_version", d.OSVersion, ""),
				text("holder", "holder", personEmail(env, d.HolderID), "name or email"),
				text("location", "location", d.Location, ""),
				choice("status", "status", d.Status, model.DeviceStatuses),
				text("purchase_date", "purchase_date", d.PurchaseDate, "YYYY-MM-DD"),
				text("notes", "notes", d.Notes, ""),
			}, nil
		},
		check: func(v map[string]string) error {
			var d model.Device
			model.ApplyDevice(&d, v)
			d.Normalize()
			return d.Validate()
		},
		save: func(t *store.Tx, id int64, v map[string]string) (int64, string, error) {
			holder, err := ops.OptPersonTx(t, "holder", v["holder"])
			if err != nil {
				return 0, "", err
			}
			if id == 0 {
				d := model.Device{HolderID: holder}
				model.ApplyDevice(&d, v)
				err := t.AddDevice(&d)
				return d.ID, d.AssetTag, err
			}
			_, after, err := t.UpdateDevice(id, func(d *model.Device) error { model.ApplyDevice(d, v); d.HolderID = holder; return nil })
			return id, after.AssetTag, err
		},
		deactivate: func(t *store.Tx, id int64) (any, any, string, error) {
			b, a, err := t.DeactivateDevice(id)
			return b, a, b.AssetTag + " " + b.Name, err
		},
	}
}

func serviceEdit() editSpec {
	return editSpec{
		kind: "service", verb: "retire",
		fields: func(env TabEnv, id int64) (string, []form.Field, error) {
			s := model.Service{Kind: "saas", Criticality: "medium", Status: "active"}
			title := "Add a service"
			if id != 0 {
				var err error
				if s, err = env.Store.GetService(env.Ctx, id); err != nil {
					return "", nil, err
				}
				title = "Edit " + s.Name
			}
			return title, []form.Field{
				text("name", "name", s.Name, "unique name"),
				choice("kind", "kind", s.Kind, model.ServiceKinds),
				choice("criticality", "criticality", s.Criticality, model.Criticalities),
				text("owner", "owner", personEmail(env, s.OwnerID), "name or email"),
				text("url", "url", s.URL, "https://…"),
				text("runbook_url", "runbook_url", s.RunbookURL, ""),
				choice("status", "status", s.Status, model.ServiceStatuses),
				text("notes", "notes", s.Notes, ""),
			}, nil
		},
		check: func(v map[string]string) error {
			var s model.Service
			model.ApplyService(&s, v)
			s.Normalize()
			return s.Validate()
		},
		save: func(t *store.Tx, id int64, v map[string]string) (int64, string, error) {
			owner, err := ops.OptPersonTx(t, "owner", v["owner"])
			if err != nil {
				return 0, "", err
			}
			if id == 0 {
				s := model.Service{OwnerID: owner}
				model.ApplyService(&s, v)
				err := t.AddService(&s)
				return s.ID, s.Name, err
			}
			_, after, err := t.UpdateService(id, func(s *model.Service) error { model.ApplyService(s, v); s.OwnerID = owner; return nil })
			return id, after.Name, err
		},
		deactivate: func(t *store.Tx, id int64) (any, any, string, error) {
			b, a, err := t.DeactivateService(id)
			return b, a, b.Name, err
		},
	}
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
