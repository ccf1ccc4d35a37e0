package ui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/checks"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/ui/components/form"
)

// The keys of alerts and checks. Acknowledge, snooze and resolve are forms
// of the shell (editSpecs below), so reasons are validated inline and the
// same keys work on the alerts tab and on an alert's detail page. Checks
// are managed from a service's detail page and a check's own page.

func init() {
	editSpecs["check"] = checkEdit()
	editSpecs["acknowledge"] = alertAction("acknowledge", "acknowledged", "reason", "what you are doing about it",
		func(t *store.Tx, id int64, v map[string]string) (model.Alert, error) {
			return t.AckAlert(id, v["reason"])
		})
	editSpecs["resolve"] = alertAction("resolve", "resolved", "note", "how it was fixed",
		func(t *store.Tx, id int64, v map[string]string) (model.Alert, error) {
			return t.ResolveAlert(id, v["note"])
		})
	snooze := alertAction("snooze", "snoozed", "reason", "why it can wait",
		func(t *store.Tx, id int64, v map[string]string) (model.Alert, error) {
			d, err := parseSpan("for", v["for"])
			if err != nil {
				return model.Alert{}, err
			}
			return t.SnoozeAlert(id, t.At().Add(d), v["reason"])
		})
	fields := snooze.fields
	snooze.fields = func(env TabEnv, id int64) (string, []form.Field, error) {
		title, fs, err := fields(env, id)
		return title, append([]form.Field{text("for", "for", "", "30m, 2h, 1d")}, fs...), err
	}
	snooze.check = func(v map[string]string) error {
		if _, err := parseSpan("for", v["for"]); err != nil {
			return err
		}
		return required("reason", v["reason"])
	}
	editSpecs["snooze"] = snooze
}

// opsKeys are shown in the hint line and the help where they apply.
var opsKeys = struct {
	Ack, Snooze, Resolve, AddCheck, RunNow, Pause, Delete key.Binding
}{
	Ack:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "ack")),
	Snooze:   key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "snooze")),
	Resolve:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "resolve")),
	AddCheck: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "add check")),
	RunNow:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "run check now")),
	Pause:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume check")),
	Delete:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete check (asks first)")),
}

// contextKeys are the alert/check keys that apply on the screen shown.
func (a *app) contextKeys() []key.Binding {
	if l, ok := a.current(); ok && l.Kind == "alert" {
		return []key.Binding{opsKeys.Ack, opsKeys.Snooze, opsKeys.Resolve}
	}
	if p := a.top(); p != nil {
		switch p.link.Kind {
		case "service":
			return []key.Binding{opsKeys.AddCheck, opsKeys.RunNow, opsKeys.Pause}
		case "device":
			return []key.Binding{opsKeys.RunNow, opsKeys.Pause}
		case "check":
			return []key.Binding{opsKeys.RunNow, opsKeys.Pause, opsKeys.Delete}
		}
	}
	return nil
}

// hintKeys is the hint line: the keys of this screen first, then the
// shell's, minus those the screen's keys take over (a on an alert).
func (a *app) hintKeys() []key.Binding {
	ctx := a.contextKeys()
	taken := map[string]bool{}
	for _, b := range ctx {
		for _, k := range b.Keys() {
			taken[k] = true
		}
	}
	if _, ok := editSpecs[a.kind()]; !ok { // nothing to add, edit or deactivate here
		for _, b := range []key.Binding{a.keys.Add, a.keys.Edit, a.keys.Deactivate} {
			taken[b.Keys()[0]] = true
		}
	}
	keys := ctx
	for _, b := range a.keys.ShortHelp() {
		if !taken[b.Keys()[0]] {
			keys = append(keys, b)
		}
	}
	return keys
}

// shellHelp is the shell's help groups without add/edit/deactivate where
// nothing can be added, edited or deactivated (the alerts tab).
func (a *app) shellHelp() [][]key.Binding {
	groups := a.keys.FullHelp()
	if _, ok := editSpecs[a.kind()]; ok {
		return groups
	}
	return slices.DeleteFunc(groups, func(g []key.Binding) bool {
		return slices.ContainsFunc(g, func(b key.Binding) bool { return slices.Equal(b.Keys(), a.keys.Add.Keys()) })
	})
}

// opsMsg reports a finished check action (run now, pause) for the flash.
type opsMsg struct {
	text  string
	isErr bool
}

// opsKey handles the alert and check keys; false leaves k to the shell.
func (a *app) opsKey(k tea.KeyPressMsg) (tea.Cmd, bool) {
	ks := k.String()
	_, onAlerts := a.tab().(*alertsTab)
	if action, ok := map[string]string{"a": "acknowledge", "z": "snooze", "r": "resolve"}[ks]; ok {
		// An alert's page, or a row of the alerts tab (not another tab's
		// row that happens to link to an alert).
		if l, ok := a.current(); ok && l.Kind == "alert" && (onAlerts || a.top() != nil) {
			return a.loadForm(action, l.ID), true
		}
		if onAlerts && a.top() == nil {
			a.setFlash("no alert selected", true)
			return nil, true
		}
		return nil, false
	}
	p := a.top()
	if onAlerts && p == nil && (ks == "e" || ks == "d") {
		a.setFlash("alerts are not edited: a acknowledges, z snoozes, r resolves, enter opens", true)
		return nil, true
	}
	if p == nil {
		return nil, false
	}
	switch {
	case p.link.Kind == "service" && ks == "c":
		return a.newCheckForm(p.link.ID), true
	case (p.link.Kind == "service" || p.link.Kind == "device") && (ks == "x" || ks == "p"):
		if sel := p.view.Selected(); sel != nil && sel.Kind == "check" {
			return a.checkAction(ks, sel.ID), true
		}
		a.setFlash("select a check first (↓ to the Checks section)", true)
		return nil, true
	case p.link.Kind == "check" && (ks == "x" || ks == "p"):
		return a.checkAction(ks, p.link.ID), true
	case p.link.Kind == "check" && ks == "d":
		// Back to where the check was listed: after the deletion its page
		// would have nothing to show.
		a.stack = a.stack[:len(a.stack)-1]
		return a.previewCheckDelete(p.link.ID), true
	}
	return nil, false
}

func (a *app) canWrite() bool {
	if !a.env.Actor.CanWrite() {
		a.setFlash("your role ("+a.env.Actor.Role+") cannot change anything", true)
		return false
	}
	return true
}

// checkAction runs a check now (x) or pauses/resumes it (p), in a Cmd.
func (a *app) checkAction(ks string, id int64) tea.Cmd {
	if !a.canWrite() {
		return nil
	}
	env := a.env
	if ks == "p" {
		return func() tea.Msg {
			var c model.Check
			err := env.Store.Write(env.Ctx, env.Actor, func(t *store.Tx) error {
				cur, err := t.GetCheck(id)
				if err != nil {
					return err
				}
				c, err = t.SetCheckPaused(id, !cur.Paused)
				return err
			})
			if err != nil {
				return opsMsg{text: "pause failed: " + err.Error(), isErr: true}
			}
			if c.Paused {
				return opsMsg{text: "paused check " + c.Name + ": it does not run until resumed (p)"}
			}
			return opsMsg{text: "resumed check " + c.Name}
		}
	}
	a.setFlash("running the check…", false)
	return func() tea.Msg { return runCheckNow(env, id) }
}

// runCheckNow is `opsdeck checks run`: probe now, record the result like a
// scheduled one (it may fire or resolve an alert), say what happened.
func runCheckNow(env TabEnv, id int64) opsMsg {
	c, err := env.Store.GetCheck(env.Ctx, id)
	if err != nil {
		return opsMsg{text: "run failed: " + err.Error(), isErr: true}
	}
	st, err := env.Store.CheckState(env.Ctx, id)
	if err != nil {
		return opsMsg{text: "run failed: " + err.Error(), isErr: true}
	}
	r := checks.NewRunner()
	defer r.Close()
	ctx, cancel := context.WithTimeout(env.Ctx, c.Timeout()+5*time.Second)
	defer cancel()
	res := r.Run(ctx, &c, &st)
	if res.Status == "" { // a heartbeat is judged, not probed
		return opsMsg{text: fmt.Sprintf("%s: heartbeat, last ping %s", c.Name, model.Ago(st.LastPingAt, time.Now()))}
	}
	if err := env.Store.Write(env.Ctx, env.Actor, func(t *store.Tx) error { return t.RecordManualRun(res, store.DefaultNotifyPolicy) }); err != nil {
		return opsMsg{text: "could not record the result: " + err.Error(), isErr: true}
	}
	return opsMsg{text: fmt.Sprintf("%s: %s in %s — %s", c.Name, res.Status, ms(res.LatencyMs), firstLine(res.Message)), isErr: !res.OK()}
}

func (a *app) previewCheckDelete(id int64) tea.Cmd {
	if !a.canWrite() {
		return nil
	}
	env := a.env
	return func() tea.Msg {
		c, err := env.Store.GetCheck(env.Ctx, id)
		if err != nil {
			return previewMsg{kind: "check", id: id, err: err}
		}
		lines := []string{c.Kind + " " + dash(c.Target), "", "Removed: the check, its latest state, raw results and rollups."}
		if as, err := env.Store.ListAlerts(env.Ctx, store.AlertQuery{CheckID: id, State: "open"}); err == nil && len(as) > 0 {
			lines = append(lines, fmt.Sprintf("Its open alert %d is resolved with the note \"check deleted\".", as[0].ID))
		}
		lines = append(lines, "Kept: past alerts (they keep the check's name) and the audit log.")
		return previewMsg{kind: "check", id: id, name: c.Name, lines: lines}
	}
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
		choice("kind", "kind", c.Kind, model.CheckKinds),
		text("target", "target", c.Target, "http(s) URL · host:port (tcp, tls) · DNS name · command"),
		text("interval_s", "interval", fmtSpan(c.IntervalS), "30s, 5m, 1h"),
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
	if ref := strings.TrimSpace(v["service"]); ref != "" {
		s, err := t.FindService(ref)
		if err != nil {
			return nil, nil, model.Invalid("service", ref, "is not a known service (give its name or id)")
		}
		svc = &s.ID
	}
	if ref := strings.TrimSpace(v["device"]); ref != "" {
		d, err := t.FindDevice(ref)
		if err != nil {
			return nil, nil, model.Invalid("device", ref, "is not a known device (give its asset tag or id)")
		}
		dev = &d.ID
	}
	return svc, dev, nil
}

// alertAction is a one-field form (reason or note) that runs one alert
// transition in a Tx.
func alertAction(verb, done, field, hint string, do func(t *store.Tx, id int64, v map[string]string) (model.Alert, error)) editSpec {
	return editSpec{
		kind: verb, done: done,
		fields: func(env TabEnv, id int64) (string, []form.Field, error) {
			al, err := env.Store.GetAlert(env.Ctx, id)
			if err != nil {
				return "", nil, err
			}
			title := fmt.Sprintf("%s alert %d · %s · %s %s", strings.ToUpper(verb[:1])+verb[1:], al.ID, al.CheckName,
				alertState(al, time.Now()), model.Span(time.Since(al.OpenedAt)))
			return title, []form.Field{text(field, field, "", hint+" (required)")}, nil
		},
		check: func(v map[string]string) error { return required(field, v[field]) },
		save: func(t *store.Tx, id int64, v map[string]string) (int64, string, error) {
			al, err := do(t, id, v)
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

// fmtSpan writes seconds the way parseSpan reads them: 30s, 5m, 2h, 1d.
func fmtSpan(s int) string {
	for _, u := range []struct {
		n    int
		unit string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}} {
		if s >= u.n && s%u.n == 0 {
			return strconv.Itoa(s/u.n) + u.unit
		}
	}
	return strconv.Itoa(s) + "s"
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
