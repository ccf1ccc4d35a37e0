package ui

import (
	"context"
	"fmt"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/jonboulle/clockwork"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui/components/cmdline"
	"github.com/opsdeck/opsdeck/ui/components/confirm"
	"github.com/opsdeck/opsdeck/ui/components/detail"
	"github.com/opsdeck/opsdeck/ui/components/form"
	"github.com/opsdeck/opsdeck/ui/components/statusbar"
	"github.com/opsdeck/opsdeck/ui/components/textin"
)

// Minimum usable size; below it the console says so instead of drawing a
// broken layout.
const minWidth, minHeight = 50, 10

// pollEvery is how often the console asks the store whether anything
// changed (another process, an SSH user, the scheduler).
const pollEvery = time.Second

type mode int

const (
	modeNormal mode = iota
	modeFilter
	modeCommand
	modeForm
	modeConfirm
	modeHelp
	modePanel // a part's panel is open (the ledger's quick entry)
)

// page is a detail view pushed on top of a tab; the stack is the breadcrumb.
type page struct {
	link   detail.Link
	view   detail.Model
	screen Screen // set for interactive pages (the offboarding checklist)
	loaded bool
	err    error
}

// Messages the app sends itself.
type (
	tickMsg struct{}
	markMsg struct {
		mark int64
		ops  opsPoll // results mark and alert counts (opsstatus.go)
		err  error
	}
	formMsg struct {
		kind  string
		id    int64
		title string
		note  string // a warning under the title (form.Model.Note)
		f     []form.Field
		err   error
	}
	savedMsg struct {
		kind, name string
		id         int64
		added      bool
		err        error
	}
	previewMsg struct {
		kind, name string
		id         int64
		lines      []string
		err        error
	}
	deactivatedMsg struct {
		kind, name string
		err        error
	}
)

type app struct {
	env    TabEnv
	opts   Options
	styles *themes.Styles
	keys   keyMap

	tabs   []Tab
	active int
	stale  []bool
	stack  []*page

	mode     mode
	filter   textinput.Model
	cmdline  cmdline.Model
	form     form.Model
	formKind string
	formID   int64
	confirm  confirm.Model
	pending  struct {
		kind string
		id   int64
	}
	help   help.Model
	status statusbar.Model

	width, height int
	mark          int64
	ops           opsPoll
	marked        bool
	syncedAt      time.Time
	syncErr       error
	flash         string
	flashErr      bool
	quitArmed     bool
	selectAfter   *detail.Link
	parts         []part // as partDefs
	side          *sidePane
}

func newApp(opts Options) *app {
	if opts.Ctx == nil {
		opts.Ctx = context.Background()
	}
	th := themes.Default(true)
	switch {
	case opts.NoColor:
		th = themes.Mono()
	case opts.Theme != nil:
		th = *opts.Theme
	}
	st := themes.NewStyles(th)
	a := &app{opts: opts, styles: &st, keys: defaultKeys(), width: opts.Width, height: opts.Height}
	switch {
	case opts.Clock != nil:
	case opts.Store != nil:
		opts.Clock = opts.Store.Clock()
	default:
		opts.Clock = clockwork.NewRealClock()
	}
	// Every read goes through the actor's view of the store: credentials
	// come back masked (admins also see ping tokens).
	a.env = TabEnv{Ctx: opts.Ctx, Store: opts.Store.For(opts.Actor), Actor: opts.Actor, Styles: a.styles, Clock: opts.Clock,
		Remote: opts.Remote, ImportDir: opts.ImportDir}
	for _, d := range tabDefs {
		a.tabs = append(a.tabs, d.new(a.env))
	}
	for _, d := range partDefs {
		a.parts = append(a.parts, d.new(a.env))
	}
	start := opts.StartTab
	if start == "" {
		start = DefaultStartTab
	}
	for i, d := range tabDefs {
		if d.name == start {
			a.active = i
		}
	}
	a.stale = make([]bool, len(a.tabs))
	for i := range a.stale {
		a.stale[i] = true
	}
	a.filter = textin.New(a.styles, "/")
	a.cmdline = cmdline.New(a.styles, a.commandWords())
	a.help = help.New()
	a.status = statusbar.New(a.styles)
	a.applyHelpStyles()
	a.layout()
	return a
}

// commandWords are the ":" words: the tabs', then the commands'.
func (a *app) commandWords() []string {
	var w []string
	for _, d := range tabDefs {
		w = append(w, d.name)
	}
	for _, d := range commandDefs {
		w = append(w, d.name)
	}
	return w
}

// setTheme swaps the palette in place: every component holds a pointer to
// the same Styles.
func (a *app) setTheme(t themes.Theme) {
	*a.styles = themes.NewStyles(t)
	a.applyHelpStyles()
	textin.Style(&a.filter, a.styles)
	a.cmdline.Restyle()
}

func (a *app) applyHelpStyles() {
	hs := help.DefaultStyles(a.styles.Theme.Dark)
	if a.styles.Theme.Mono {
		hs = help.Styles{ShortKey: a.styles.Accent, ShortDesc: a.styles.Text, ShortSeparator: a.styles.Muted,
			FullKey: a.styles.Accent, FullDesc: a.styles.Text, FullSeparator: a.styles.Muted, Ellipsis: a.styles.Muted}
	} else {
		hs.ShortKey, hs.FullKey = a.styles.Accent, a.styles.Accent
		hs.ShortDesc, hs.FullDesc = a.styles.Muted, a.styles.Text
	}
	a.help.Styles = hs
}

func (a *app) Init() tea.Cmd {
	cmds := []tea.Cmd{a.load(a.active), a.poll(), tick(), a.reloadParts()}
	if a.opts.Theme == nil && !a.opts.NoColor {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

func tick() tea.Cmd { return tea.Tick(pollEvery, func(time.Time) tea.Msg { return tickMsg{} }) }

// poll reads the change mark in a Cmd; Update compares it.
func (a *app) poll() tea.Cmd {
	env := a.env
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(env.Ctx, 5*time.Second)
		defer cancel()
		m, err := env.Store.ChangeMark(ctx)
		if err != nil {
			return markMsg{err: err}
		}
		ops, err := readOpsPoll(ctx, env.Store)
		return markMsg{mark: m, ops: ops, err: err}
	}
}

func (a *app) load(i int) tea.Cmd {
	a.stale[i] = false
	return a.tabs[i].Load()
}

func (a *app) loadPage(p *page) tea.Cmd {
	if p.screen != nil {
		return p.screen.Load()
	}
	env, l := a.env, p.link
	return func() tea.Msg { return loadDetail(env, l) }
}

// layout sizes every component for the current window: a tab bar and a
// breadcrumb line on top, a prompt line and the status bar at the bottom.
func (a *app) layout() {
	w, h := a.width, a.bodyHeight()
	for _, t := range a.tabs {
		t.SetSize(a.listWidth(t), h)
	}
	if a.side != nil {
		a.side.view.SetSize(a.paneWidth(), h)
	}
	for _, p := range a.stack {
		p.view.SetSize(w, h)
		if p.screen != nil {
			p.screen.SetSize(w, h)
		}
	}
	a.form.SetSize(w, h)
	a.confirm.SetSize(w, h)
	a.filter.SetWidth(max(w-30, 10))
	a.cmdline.SetWidth(w)
	a.help.SetWidth(w)
	a.status.SetSize(w)
	for _, p := range a.parts {
		p.SetWidth(w)
	}
}

func (a *app) bodyHeight() int { return max(a.height-4, 1) }

func (a *app) tab() Tab { return a.tabs[a.active] }

func (a *app) top() *page {
	if len(a.stack) == 0 {
		return nil
	}
	return a.stack[len(a.stack)-1]
}

func (a *app) setFlash(msg string, isErr bool) { a.flash, a.flashErr = msg, isErr }

// Update handles msg, then lets the side pane follow the selection.
func (a *app) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if cmd, ok := a.onSide(msg); ok {
		return a, cmd
	}
	_, cmd := a.update(msg)
	if side := a.syncSide(); side != nil {
		return a, tea.Batch(cmd, side)
	}
	return a, cmd
}

func (a *app) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	for _, p := range a.parts {
		if cmd, ok := p.Update(a, msg); ok {
			a.syncPanel()
			return a, cmd
		}
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = max(msg.Width, 0), max(msg.Height, 0)
		a.layout()
		if s := a.screenOnTop(); s != nil {
			return a, s.Load() // a big import report re-renders for the width off the loop
		}
		return a, nil
	case tea.BackgroundColorMsg:
		if a.opts.Theme == nil && !a.opts.NoColor {
			a.setTheme(themes.Default(msg.IsDark()))
		}
		return a, nil
	case tickMsg:
		return a, tea.Batch(a.poll(), tick())
	case markMsg:
		return a, a.onMark(msg)
	case detailMsg:
		for _, p := range a.stack {
			if p.link == msg.link {
				p.loaded, p.err = true, msg.err
				if msg.err == nil {
					p.view.SetData(msg.data)
				}
			}
		}
		return a, nil
	case formMsg:
		return a, a.openForm(msg)
	case form.SubmitMsg:
		return a, a.save(msg.Values)
	case form.CancelMsg:
		a.mode = modeNormal
		return a, nil
	case savedMsg:
		return a, a.onSaved(msg)
	case opsMsg:
		a.setFlash(msg.text, msg.isErr)
		return a, tea.Batch(a.reloadAll(), a.readCounts())
	case countsMsg:
		a.ops.firing, a.ops.acked = msg.firing, msg.acked
		return a, nil
	case previewMsg:
		if msg.err != nil {
			a.setFlash("cannot deactivate: "+msg.err.Error(), true)
			return a, nil
		}
		spec := editSpecs[msg.kind]
		a.pending.kind, a.pending.id = msg.kind, msg.id
		title := fmt.Sprintf("Deactivate %s %s: %s?", msg.kind, msg.name, spec.verb)
		if spec.gone != "" {
			title = fmt.Sprintf("%s %s %s?", spec.verb, msg.kind, msg.name)
		}
		a.confirm = confirm.New(a.styles, "deactivate", title, msg.lines)
		a.confirm.SetSize(a.width, a.bodyHeight())
		a.mode = modeConfirm
		return a, nil
	case deactivatedMsg:
		if msg.err != nil {
			a.setFlash("deactivate failed: "+msg.err.Error(), true)
			return a, nil
		}
		gone := "deactivated"
		if g := editSpecs[msg.kind].gone; g != "" {
			gone = g
			// A deleted record has no page to come back to.
			if p := a.top(); p != nil && p.link.Kind == msg.kind {
				a.stack = a.stack[:len(a.stack)-1]
			}
		}
		a.setFlash(fmt.Sprintf("%s %s %s (recorded in the audit log)", msg.kind, msg.name, gone), false)
		return a, a.reloadAll()
	case tea.KeyPressMsg:
		return a, a.onKey(msg)
	case tea.MouseWheelMsg:
		if a.opts.NoMouse {
			return a, nil
		}
		return a, a.onWheel(msg)
	case tea.MouseClickMsg:
		if a.opts.NoMouse { // a terminal may report clicks anyway
			return a, nil
		}
		return a, a.onClick(msg)
	case rowsMsg:
		var cmds []tea.Cmd
		for i, t := range a.tabs {
			var cmd tea.Cmd
			a.tabs[i], cmd = t.Update(msg)
			cmds = append(cmds, cmd)
		}
		if a.selectAfter != nil && msg.tab == a.tab().Name() {
			if ls, ok := a.tab().(linkSelector); ok && ls.SelectLink(*a.selectAfter) {
				a.selectAfter = nil
			}
		}
		return a, tea.Batch(cmds...)
	}
	// Anything else (a plugged-in tab's or a screen's own messages) goes to
	// every tab and screen.
	scmd, handled := a.onScreenMsg(msg)
	if handled {
		return a, scmd
	}
	cmds := []tea.Cmd{scmd}
	for i, t := range a.tabs {
		var cmd tea.Cmd
		a.tabs[i], cmd = t.Update(msg)
		cmds = append(cmds, cmd)
	}
	return a, tea.Batch(cmds...)
}

// onMark reloads what is on screen when the database changed, and marks
// the other tabs stale so they reload when shown.
func (a *app) onMark(m markMsg) tea.Cmd {
	if m.err != nil {
		a.syncErr = m.err
		return nil
	}
	a.syncErr = nil
	a.syncedAt = a.env.now()
	results := m.ops.results != a.ops.results
	a.ops = m.ops
	if !a.marked {
		a.mark, a.marked = m.mark, true
		return nil
	}
	if m.mark == a.mark {
		if results {
			return a.reloadResults()
		}
		return nil
	}
	a.mark = m.mark
	return a.reloadAll()
}

func (a *app) reloadAll() tea.Cmd {
	for i := range a.stale {
		a.stale[i] = true
	}
	cmds := []tea.Cmd{a.load(a.active), a.reloadParts(), a.loadSide()}
	if p := a.top(); p != nil {
		cmds = append(cmds, a.loadPage(p))
	}
	return tea.Batch(cmds...)
}

func (a *app) reloadParts() tea.Cmd {
	var cmds []tea.Cmd
	for _, p := range a.parts {
		cmds = append(cmds, p.Reload())
	}
	return tea.Batch(cmds...)
}

func (a *app) switchTab(i int) tea.Cmd {
	i = (i + len(a.tabs)) % len(a.tabs)
	a.active = i
	a.stack = nil
	a.quitArmed = false
	if a.stale[i] {
		return a.load(i)
	}
	return nil
}

func (a *app) push(l detail.Link) tea.Cmd {
	if d, ok := detailDefs[l.Kind]; ok && d.screen != nil {
		return a.pushScreen(pushScreenMsg{link: l, screen: d.screen(a.env, l.ID)})
	}
	p := &page{link: l, view: detail.New(a.styles)}
	p.view.SetSize(a.width, a.bodyHeight())
	a.stack = append(a.stack, p)
	return a.loadPage(p)
}
