package ui

import (
	"context"
	"fmt"
	"slices"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/ui/components/detail"
	"github.com/opsdeck/opsdeck/ui/components/quickentry"
)

// Capture from anywhere: L opens the quick-entry panel on any tab, with the
// record under the cursor (or the open detail page) as the entry's link;
// X stops the running timer. The running timer ticks in the status bar.
// It is a part of the shell (registry.go): the shell reloads it, routes
// its messages, shows its status and its panel, without knowing it.

// ledgerKeys are the shell-wide ledger bindings.
var ledgerKeys = struct{ Log, Stop key.Binding }{
	Log:  key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "log work on the selection")),
	Stop: key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "stop the timer")),
}

func init() {
	registerPart(partDef{name: "ledger", new: func(env TabEnv) part { return &ledgerPart{env: env} }})
	everywhere := func(actx) bool { return true }
	registerActions(
		action{key: ledgerKeys.Log, write: true, on: everywhere, run: func(a *app, c actx) tea.Cmd { return ledgerOf(a).openQuick(a, c) }},
		action{key: ledgerKeys.Stop, write: true, on: everywhere, run: func(a *app, _ actx) tea.Cmd { return ledgerOf(a).stopTimer(a) }},
	)
}

// ledgerPart is a session's ledger state: the panel and the timer.
type ledgerPart struct {
	env   TabEnv
	panel quickentry.Model
	open  bool // the panel is shown
	width int
	links entryLinks
	timer *model.WorkEntry
	// timerAt is when timer was read; the status bar adds the time since.
	timerAt  time.Time
	timerErr error
}

// ledgerOf is the session's ledger part.
func ledgerOf(a *app) *ledgerPart { return a.part("ledger").(*ledgerPart) }

func (p *ledgerPart) SetWidth(w int) { p.width = w; p.panel.SetWidth(w) }

// Panel is the quick-entry panel while it is open.
func (p *ledgerPart) Panel() panel {
	if p.open {
		return p
	}
	return nil
}

// Key edits the open panel.
func (p *ledgerPart) Key(k tea.KeyPressMsg) tea.Cmd {
	var cmd tea.Cmd
	p.panel, cmd = p.panel.Update(k)
	return cmd
}

func (p *ledgerPart) PanelView() string      { return p.panel.View() }
func (p *ledgerPart) PanelHeight() int       { return quickentry.Height }
func (p *ledgerPart) PanelKeys() help.KeyMap { return p.panel.Keys }
func (p *ledgerPart) Badge() string          { return "LOG" }

// entryLinks is what the quick entry links to.
type entryLinks struct{ person, device, service, alert *int64 }

type (
	quickOpenMsg struct {
		pre   quickentry.Prefill
		links entryLinks
		cats  []string
		err   error
	}
	quickDoneMsg struct {
		msg string
		err error
	}
	timerMsg struct {
		e   *model.WorkEntry
		at  time.Time
		err error
	}
)

// Update handles the ledger's own messages; ok is false for others.
func (p *ledgerPart) Update(a *app, msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case quickOpenMsg:
		if msg.err != nil {
			a.setFlash("cannot log work: "+msg.err.Error(), true)
			return nil, true
		}
		p.panel = quickentry.New(p.env.Styles, msg.cats, msg.pre)
		p.panel.SetWidth(p.width)
		p.links = msg.links
		p.open = true
		return nil, true
	case quickentry.SubmitMsg:
		return p.logWork(msg.Values), true
	case quickentry.CancelMsg:
		p.open = false
		a.setFlash("nothing logged", false)
		return nil, true
	case quickDoneMsg:
		if msg.err != nil {
			if p.open {
				p.panel.SetError(msg.err)
			} else {
				a.setFlash(msg.err.Error(), true)
			}
			return nil, true
		}
		p.open = false
		a.setFlash(msg.msg, false)
		return a.reloadAll(), true
	case timerMsg:
		p.timer, p.timerAt, p.timerErr = msg.e, msg.at, msg.err
		return nil, true
	}
	return nil, false
}

// Reload reads the actor's running entry for the status bar.
func (p *ledgerPart) Reload() tea.Cmd {
	env := p.env
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(env.Ctx, 5*time.Second)
		defer cancel()
		e, err := env.Store.RunningEntry(ctx, env.Actor.String())
		return timerMsg{e: e, at: env.now(), err: err}
	}
}

// Status is the status bar's timer: category and elapsed time, ticking
// with the shell's one-second poll.
func (p *ledgerPart) Status() []string {
	if p.timerErr != nil {
		return []string{"timer: " + ansi.Truncate(p.timerErr.Error(), 20, "…")}
	}
	e := p.timer
	if e == nil {
		return nil
	}
	d := e.Duration(p.timerAt) + p.env.Clock.Since(p.timerAt)
	return []string{"● " + ansi.Truncate(e.Category, 20, "…") + " " + clock(d)}
}

// elapsed prints a logged time: seconds for a short interruption, else
// like the ledger ("1h05m").
func elapsed(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
	return model.FormatDuration(d)
}

// clock prints an elapsed time as 4:05 or 1:04:05.
func clock(d time.Duration) string {
	s := int(max(d, 0).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// openQuick reads the categories and what the selection links to, then
// opens the panel (quickOpenMsg).
func (p *ledgerPart) openQuick(a *app, c actx) tea.Cmd {
	if !p.env.Actor.CanWrite() {
		a.setFlash("your role ("+p.env.Actor.Role+") cannot log work", true)
		return nil
	}
	env := p.env
	sel := c.sel
	if !c.hasSel {
		sel = detail.Link{}
	}
	return func() tea.Msg { return prefillQuick(env, sel) }
}

// prefillQuick turns the selection into links and a likely category: a
// device is laptop support for its holder, a person an access request, an
// offboarding checklist offboarding work for the leaver, a service or an
// alert a production incident.
func prefillQuick(env TabEnv, sel detail.Link) quickOpenMsg {
	var m quickOpenMsg
	cats, err := env.Store.LedgerCategories(env.Ctx)
	if err != nil {
		return quickOpenMsg{err: err}
	}
	for _, c := range cats {
		if c.Active {
			m.cats = append(m.cats, c.Name)
		}
	}
	id := sel.ID
	switch sel.Kind {
	case "device":
		d, err := env.Store.GetDevice(env.Ctx, id)
		if err != nil {
			return quickOpenMsg{err: err}
		}
		m.links.device, m.pre.Category = &id, "laptop support"
		m.pre.Link = "device " + d.AssetTag + " " + d.Name
		if d.HolderID != nil {
			p, err := env.Store.GetPerson(env.Ctx, *d.HolderID)
			if err != nil {
				return quickOpenMsg{err: err}
			}
			m.links.person = d.HolderID
			m.pre.Link += " · for " + p.Name
		}
	case "person":
		p, err := env.Store.GetPerson(env.Ctx, id)
		if err != nil {
			return quickOpenMsg{err: err}
		}
		m.links.person, m.pre.Category, m.pre.Link = &id, "access request", "for "+p.Name
	case "service":
		s, err := env.Store.GetService(env.Ctx, id)
		if err != nil {
			return quickOpenMsg{err: err}
		}
		m.links.service, m.pre.Category, m.pre.Link = &id, model.IncidentCategory, "service "+s.Name
	case "offboarding": // an offboarding checklist: the work is walking the leaver out
		p, err := env.Store.GetPerson(env.Ctx, id)
		if err != nil {
			return quickOpenMsg{err: err}
		}
		m.links.person, m.pre.Category, m.pre.Link = &id, "offboarding", "offboarding of "+p.Name
	case "alert":
		m.links.alert, m.pre.Category, m.pre.Link = &id, model.IncidentCategory, fmt.Sprintf("alert #%d", id)
	}
	if m.pre.Category != "" && !slices.Contains(m.cats, m.pre.Category) {
		m.pre.Category = "" // deactivated: let the user choose
	}
	return m
}

// logWork writes the panel's entry: with a duration a finished entry
// ending now, else a timer (unplanned work interrupts what runs).
func (p *ledgerPart) logWork(v quickentry.Values) tea.Cmd {
	env, l := p.env, p.links
	return func() tea.Msg {
		e := model.WorkEntry{Kind: v.Kind, Category: v.Category, Note: v.Note, PersonID: l.person, DeviceID: l.device, ServiceID: l.service, AlertID: l.alert}
		var paused *model.WorkEntry
		err := env.Store.Write(env.Ctx, env.Actor, func(t *store.Tx) error {
			if v.Duration > 0 {
				end := env.now()
				e.StartedAt, e.EndedAt = end.Add(-v.Duration), &end
				return t.AddEntry(&e)
			}
			var err error
			paused, err = t.StartEntry(&e)
			return err
		})
		if err != nil {
			return quickDoneMsg{err: err}
		}
		what := e.Kind + " " + e.Category
		if link := e.Link(); link != "" {
			what += " (" + link + ")"
		}
		if v.Duration > 0 {
			return quickDoneMsg{msg: fmt.Sprintf("logged %s of %s", model.FormatDuration(v.Duration), what)}
		}
		msg := "started " + what
		if paused != nil {
			msg += "; paused " + paused.Category
		}
		return quickDoneMsg{msg: msg}
	}
}

// stopTimer stops the running entry; an interruption resumes what it
// paused.
func (p *ledgerPart) stopTimer(a *app) tea.Cmd {
	if !p.env.Actor.CanWrite() {
		a.setFlash("your role ("+p.env.Actor.Role+") cannot log work", true)
		return nil
	}
	env := p.env
	return func() tea.Msg {
		run, err := env.Store.RunningEntry(env.Ctx, env.Actor.String())
		if err != nil {
			return quickDoneMsg{err: err}
		}
		if run == nil {
			return quickDoneMsg{err: fmt.Errorf("no timer is running (L starts one)")}
		}
		var stopped model.WorkEntry
		var resumed *model.WorkEntry
		err = env.Store.Write(env.Ctx, env.Actor, func(t *store.Tx) error {
			var err error
			stopped, resumed, err = t.StopEntry(run.ID, time.Time{})
			return err
		})
		if err != nil {
			return quickDoneMsg{err: err}
		}
		msg := fmt.Sprintf("stopped %s %s after %s", stopped.Kind, stopped.Category, elapsed(stopped.Duration(env.now())))
		if resumed != nil {
			msg += fmt.Sprintf("; resumed %s %s", resumed.Kind, resumed.Category)
		}
		return quickDoneMsg{msg: msg}
	}
}
