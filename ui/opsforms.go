package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/ui/components/form"
)

// The forms of alerts and checks. Acknowledge, snooze and resolve are
// forms of the shell (editSpecs), so reasons are validated inline and the
// same keys work on the alerts tab and on an alert's detail page; the check
// form adds and edits checks from a service's page and a check's own page.

func init() {
	editSpecs["check"] = checkEdit()
	editSpecs["acknowledge"] = alertAction(ops.Acknowledge, "acknowledged", "reason", "what you are doing about it")
	editSpecs["resolve"] = alertAction(ops.Resolve, "resolved", "note", "how it was fixed")
	snooze := alertAction(ops.Snooze, "snoozed", "reason", "why it can wait")
	fields := snooze.fields
	snooze.fields = func(env TabEnv, id int64) (string, []form.Field, error) {
		title, fs, err := fields(env, id)
		return title, append([]form.Field{text("for", "for", "", "30m, 2h, 1d")}, fs...), err
	}
	snooze.check = func(v map[string]string) error {
		if _, err := ops.Until("for", v["for"], time.Time{}); err != nil { // the form only; the save reads the clock
			return err
		}
		return required("reason", v["reason"])
	}
	editSpecs["snooze"] = snooze
}

// alertAction is a one-field form (reason or note) that runs one triage
// step (ops.ChangeAlertTx) in the form's transaction.
func alertAction(verb, done, field, hint string) editSpec {
	return editSpec{
		kind: verb, done: done,
		fields: func(env TabEnv, id int64) (string, []form.Field, error) {
			al, err := env.Store.GetAlert(env.Ctx, id)
			if err != nil {
				return "", nil, err
			}
			title := fmt.Sprintf("%s alert %d · %s · %s %s", strings.ToUpper(verb[:1])+verb[1:], al.ID, al.CheckName,
				alertState(al, env.now()), model.Span(env.Clock.Since(al.OpenedAt)))
			return title, []form.Field{text(field, field, "", hint+" (required)")}, nil
		},
		check: func(v map[string]string) error { return required(field, v[field]) },
		save: func(t *store.Tx, id int64, v map[string]string) (int64, string, error) {
			al, err := ops.ChangeAlertTx(t, id, ops.AlertChange{Verb: verb, Text: v[field], For: v["for"]})
			return id, fmt.Sprintf("alert %d (%s)", id, al.CheckName), err
		},
	}
}

func required(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return model.Invalid(field, v, "is required")
	}
	return nil
}

// newCheckForm opens the add-check form with the service filled in.
func (a *app) newCheckForm(serviceID int64) tea.Cmd {
	if !a.canWrite() {
		return nil
	}
	env := a.env
	return func() tea.Msg {
		sv, err := env.Store.GetService(env.Ctx, serviceID)
		if err != nil {
			return formMsg{kind: "check", err: err}
		}
		fs := checkFields(env, model.Check{Kind: "http", IntervalS: 60, ServiceID: &sv.ID})
		return formMsg{kind: "check", title: "Add a check to " + sv.Name, f: fs}
	}
}

// checkFields is the check form, from the check's field table; the kinds
// offered depend on the check (see kindChoices).
func checkFields(env TabEnv, c model.Check) []form.Field {
	fs := tableForm(env, model.CheckFields, &c)
	for i := range fs {
		if fs[i].Key == "kind" {
			fs[i].Choices = kindChoices(c.Kind)
		}
	}
	return fs
}

func checkEdit() editSpec {
	return editSpec{
		kind: "check", verb: "Delete", gone: "deleted",
		fields: func(env TabEnv, id int64) (string, []form.Field, error) {
			if id == 0 {
				return "Add a check", checkFields(env, model.Check{Kind: "http", IntervalS: 60}), nil
			}
			c, err := env.Store.GetCheck(env.Ctx, id)
			if err != nil {
				return "", nil, err
			}
			return "Edit check " + c.Name, checkFields(env, c), nil
		},
		note: func(env TabEnv, id int64) string {
			c, err := env.Store.GetCheck(env.Ctx, id)
			if err != nil {
				return ""
			}
			return managedNote(c.Managed)
		},
		check: func(v map[string]string) error {
			var c model.Check
			if err := applyCheck(&c, v, formNow); err != nil {
				return err
			}
			// References are resolved when saving; stand-ins let the model
			// check everything else without I/O.
			var ref int64
			if v["service"] != "" {
				c.ServiceID = &ref
			}
			if v["device"] != "" {
				c.DeviceID = &ref
			}
			c.Normalize()
			return c.Validate()
		},
		save: func(t *store.Tx, id int64, v map[string]string) (int64, string, error) {
			now := t.At().In(time.Local)
			apply := func(c *model.Check) error {
				if err := applyCheck(c, v, now); err != nil {
					return err
				}
				return resolveRefs(t, model.CheckFields, c, v)
			}
			if id == 0 {
				var c model.Check
				if err := apply(&c); err != nil {
					return 0, "", err
				}
				err := t.AddCheck(&c)
				return c.ID, c.Name, err
			}
			before, after, err := t.UpdateCheck(id, apply)
			if w := before.ManagedWarning(); w != "" {
				return id, after.Name + " (warning: " + w + ")", err
			}
			return id, after.Name, err
		},
		deactivate: func(t *store.Tx, id int64) (any, any, string, error) {
			c, err := t.DeleteCheck(id)
			return c, nil, c.Name, err
		},
	}
}

// applyCheck copies the form's values onto c through the table.
func applyCheck(c *model.Check, v map[string]string, now time.Time) error {
	if c.Kind != v["kind"] {
		c.Method, c.RecordType = "", "" // Normalize picks the new kind's default
	}
	if err := setForm(model.CheckFields, c, v, now); err != nil {
		return err
	}
	if c.TimeoutS > c.IntervalS {
		c.TimeoutS = 0 // the default: at most the interval
	}
	return nil
}

// kindChoices offers the kinds people add; a check opsdeck manages (backup,
// access) shows its own kind, which the store will not let anyone change.
func kindChoices(current string) []string {
	if model.IsSourceKind(current) {
		return []string{current}
	}
	return model.ProbeKinds
}
