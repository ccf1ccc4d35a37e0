package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/internal/human"
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
		_, fs, err := checkFields(env, model.Check{Kind: "http", IntervalS: 60}, sv.Name, "")
		return formMsg{kind: "check", title: "Add a check to " + sv.Name, f: fs, err: err}
	}
}

func checkFields(env TabEnv, c model.Check, service, device string) (string, []form.Field, error) {
	return "Add a check", []form.Field{
		text("name", "name", c.Name, "unique, no spaces: web-health"),
		text("service", "service", service, "service name (empty: a device check)"),
		text("device", "device", device, "asset tag (optional; alone: watches the device)"),
		choice("kind", "kind", c.Kind, kindChoices(c.Kind)),
		text("target", "target", c.Target, "http(s) URL · host:port (tcp, tls) · DNS name · command"),
		text("interval_s", "interval", human.Interval(c.Interval()), "30s, 5m, 1h"),
		text("condition", "condition", c.Condition, `default per kind, e.g. status == 200 && latency < 300ms`),
	}, nil
}

func checkEdit() editSpec {
	return editSpec{
		kind: "check", verb: "Delete", gone: "deleted",
		fields: func(env TabEnv, id int64) (string, []form.Field, error) {
			if id == 0 {
				return checkFields(env, model.Check{Kind: "http", IntervalS: 60}, "", "")
			}
			c, err := env.Store.GetCheck(env.Ctx, id)
			if err != nil {
				return "", nil, err
			}
			var svc, dev string
			if c.ServiceID != nil {
				if v, err := env.Store.GetService(env.Ctx, *c.ServiceID); err == nil {
					svc = v.Name
				}
			}
			if c.DeviceID != nil {
				if v, err := env.Store.GetDevice(env.Ctx, *c.DeviceID); err == nil {
					dev = v.AssetTag
				}
			}
			_, fs, err := checkFields(env, c, svc, dev)
			return "Edit check " + c.Name, fs, err
		},
		check: func(v map[string]string) error {
			var c model.Check
			if err := applyCheck(&c, v); err != nil {
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
			svc, dev, err := checkRefs(t, v)
			if err != nil {
				return 0, "", err
			}
			if id == 0 {
				c := model.Check{ServiceID: svc, DeviceID: dev}
				if err := applyCheck(&c, v); err != nil {
					return 0, "", err
				}
				err := t.AddCheck(&c)
				return c.ID, c.Name, err
			}
			_, after, err := t.UpdateCheck(id, func(c *model.Check) error {
				c.ServiceID, c.DeviceID = svc, dev
				return applyCheck(c, v)
			})
			return id, after.Name, err
		},
		deactivate: func(t *store.Tx, id int64) (any, any, string, error) {
			c, err := t.DeleteCheck(id)
			return c, nil, c.Name, err
		},
	}
}

// applyCheck copies the form's values onto c.
func applyCheck(c *model.Check, v map[string]string) error {
	iv, err := parseSpan("interval_s", v["interval_s"])
	if err != nil {
		return err
	}
	if c.Kind != v["kind"] {
		c.Method, c.RecordType = "", "" // Normalize picks the new kind's default
	}
	c.Name, c.Kind, c.Target, c.Condition = v["name"], v["kind"], v["target"], v["condition"]
	c.IntervalS = int(iv / time.Second)
	if c.TimeoutS > c.IntervalS {
		c.TimeoutS = 0 // the default: at most the interval
	}
	return nil
}

func checkRefs(t *store.Tx, v map[string]string) (svc, dev *int64, err error) {
	if svc, err = ops.OptServiceTx(t, "service", strings.TrimSpace(v["service"])); err != nil {
		return nil, nil, err
	}
	dev, err = ops.OptDeviceTx(t, "device", strings.TrimSpace(v["device"]))
	return svc, dev, err
}

// parseSpan reads a positive duration: "90" (seconds), "30m", "2h", "1d".
func parseSpan(field, v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second, nil
	}
	if n, ok := strings.CutSuffix(v, "d"); ok {
		if d, err := strconv.Atoi(n); err == nil && d > 0 {
			return time.Duration(d) * 24 * time.Hour, nil
		}
	}
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return d, nil
	}
	return 0, model.Invalid(field, v, "is not a duration like 30m, 2h or 1d")
}

// kindChoices offers the kinds people add; a check opsdeck manages (backup,
// access) shows its own kind, which the store will not let anyone change.
func kindChoices(current string) []string {
	if model.IsSourceKind(current) {
		return []string{current}
	}
	return model.ProbeKinds
}
