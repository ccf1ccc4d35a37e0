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

// The keys of alerts and checks (their forms are in opsforms.go). They
// are routed before the shell's, only where they apply.

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
			c, err := ops.ToggleCheck(env.Ctx, env.ops(), id)
			switch {
			case err != nil:
				return opsMsg{text: "pause failed: " + err.Error(), isErr: true}
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
