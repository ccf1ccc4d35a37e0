package ui

import (
	"fmt"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/internal/human"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
)

// The keys of alerts and checks (their forms are in opsforms.go), bound
// as actions where they apply (registry.go).

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

func init() {
	// An alert's page, or a row of the alerts tab (not another tab's row
	// that happens to link to an alert).
	onAlert := func(c actx) bool {
		return c.hasSel && c.sel.Kind == "alert" && (c.tab == "alerts" || c.page != nil)
	}
	alertForm := func(b key.Binding, form string) action {
		return action{key: b, hint: true, write: true, on: onAlert,
			run: func(a *app, c actx) tea.Cmd { return a.loadForm(form, c.sel.ID) }}
	}
	onAlertsTab := func(c actx) bool { return c.tab == "alerts" && c.page == nil }
	// The check under the cursor of a service or device page, else none.
	pickedCheck := func(c actx) (int64, bool) {
		if c.page.Kind == "check" {
			return c.page.ID, true
		}
		if c.pick != nil && c.pick.Kind == "check" {
			return c.pick.ID, true
		}
		return 0, false
	}
	checkKey := func(b key.Binding, ks string) action {
		return action{key: b, hint: true, write: true, on: func(c actx) bool { return c.page != nil && onKinds("service", "device", "check")(c) },
			run: func(a *app, c actx) tea.Cmd {
				if id, ok := pickedCheck(c); ok {
					return a.checkAction(ks, id)
				}
				a.setFlash("select a check first (↓ to the Checks section)", true)
				return nil
			}}
	}
	registerActions(
		alertForm(opsKeys.Ack, "acknowledge"),
		alertForm(opsKeys.Snooze, "snooze"),
		alertForm(opsKeys.Resolve, "resolve"),
		action{key: key.NewBinding(key.WithKeys("a", "z", "r")), on: onAlertsTab,
			run: func(a *app, _ actx) tea.Cmd { a.setFlash("no alert selected", true); return nil }},
		action{key: key.NewBinding(key.WithKeys("e", "d")), on: onAlertsTab,
			run: func(a *app, _ actx) tea.Cmd {
				a.setFlash("alerts are not edited: a acknowledges, z snoozes, r resolves, enter opens", true)
				return nil
			}},
		action{key: opsKeys.AddCheck, hint: true, write: true, on: func(c actx) bool { return c.page != nil && c.page.Kind == "service" },
			run: func(a *app, c actx) tea.Cmd { return a.newCheckForm(c.page.ID) }},
		checkKey(opsKeys.RunNow, "x"),
		checkKey(opsKeys.Pause, "p"),
		action{key: opsKeys.Delete, hint: true, write: true, on: func(c actx) bool { return c.page != nil && c.page.Kind == "check" },
			run: func(a *app, c actx) tea.Cmd {
				// Back to where the check was listed: after the deletion its
				// page would have nothing to show.
				a.stack = a.stack[:len(a.stack)-1]
				return a.previewCheckDelete(c.page.ID)
			}},
	)
}

// hintKeys is the hint line: the actions of this screen first, then the
// shell's keys, minus those the actions take over (a on an alert).
func (a *app) hintKeys() []key.Binding {
	ctx := a.activeActions(true)
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
			c, err := ops.ToggleCheck(env.Ctx, env.ops(), id)
			switch {
			case err != nil:
				return opsMsg{text: "pause failed: " + err.Error(), isErr: true}
			case c.Managed:
				verb := map[bool]string{true: "paused", false: "resumed"}[c.Paused]
				return opsMsg{text: verb + " check " + c.Name + " (warning: " + c.ManagedWarning() + ")"}
			case c.Paused:
				return opsMsg{text: "paused check " + c.Name + ": it does not run until resumed (p)"}
			}
			return opsMsg{text: "resumed check " + c.Name}
		}
	}
	a.setFlash("running the check…", false)
	return func() tea.Msg { return runCheckNow(env, id) }
}

// runCheckNow runs the check (ops.RunCheck, as `opsdeck checks run`) and
// says what happened in the flash.
func runCheckNow(env TabEnv, id int64) opsMsg {
	run, err := ops.RunCheck(env.Ctx, env.ops(), id)
	if err != nil {
		return opsMsg{text: "run failed: " + err.Error(), isErr: true}
	}
	res := run.Result
	return opsMsg{text: fmt.Sprintf("%s: %s in %s — %s", run.Check.Name, res.Status, human.Latency(res.LatencyMs), firstLine(res.Message)), isErr: !res.OK()}
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
