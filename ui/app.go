package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/store"
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
		err  error
	}
	formMsg struct {
		kind  string
		id    int64
		title string
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
	marked        bool
	syncedAt      time.Time
	syncErr       error
	flash         string
	flashErr      bool
	quitArmed     bool
	selectAfter   *detail.Link
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
	a.env = TabEnv{Ctx: opts.Ctx, Store: opts.Store, Actor: opts.Actor, Styles: a.styles}
	a.tabs = []Tab{
		newListTab(a.env, peopleSpec()),
		newListTab(a.env, devicesSpec()),
		newListTab(a.env, servicesSpec()),
		&messageTab{name: "alerts", env: a.env, lines: []string{
			"No checks configured yet, so there are no alerts.",
			"",
			"  opsdeck checks add …     watch a service: http, tcp, dns, tls, exec, heartbeat",
		}},
		&messageTab{name: "ledger", env: a.env, lines: []string{
			"No ledger entries yet.",
			"",
			"  opsdeck ledger …         record planned and unplanned work",
		}},
		newRiskTab(a.env),
		newListTab(a.env, secretsSpec()),
	}
	for i, t := range a.tabs {
		if f, ok := tabOverrides[t.Name()]; ok {
			a.tabs[i] = f(a.env)
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

func (a *app) commandWords() []string {
	var w []string
	for _, t := range a.tabs {
		w = append(w, t.Name())
	}
	return append(w, "theme", "help", "quit")
}

// setTheme swaps the palette in place: every component holds a pointer to
// the same Styles.
func (a *app) setTheme(t themes.Theme) {
	*a.styles = themes.NewStyles(t)
	a.applyHelpStyles()
	textin.Style(&a.filter, a.styles)
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
	cmds := []tea.Cmd{a.load(a.active), a.poll(), tick()}
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
		return markMsg{mark: m, err: err}
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
		t.SetSize(w, h)
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

func (a *app) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = max(msg.Width, 0), max(msg.Height, 0)
		a.layout()
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
	case previewMsg:
		if msg.err != nil {
			a.setFlash("cannot deactivate: "+msg.err.Error(), true)
			return a, nil
		}
		spec := editSpecs[msg.kind]
		a.pending.kind, a.pending.id = msg.kind, msg.id
		a.confirm = confirm.New(a.styles, "deactivate", fmt.Sprintf("Deactivate %s %s: %s?", msg.kind, msg.name, spec.verb), msg.lines)
		a.confirm.SetSize(a.width, a.bodyHeight())
		a.mode = modeConfirm
		return a, nil
	case deactivatedMsg:
		if msg.err != nil {
			a.setFlash("deactivate failed: "+msg.err.Error(), true)
			return a, nil
		}
		a.setFlash(fmt.Sprintf("%s %s deactivated (recorded in the audit log)", msg.kind, msg.name), false)
		return a, a.reloadAll()
	case tea.KeyPressMsg:
		return a, a.onKey(msg)
	case tea.MouseWheelMsg:
		return a, a.onWheel(msg)
	case tea.MouseClickMsg:
		return a, a.onClick(msg)
	case rowsMsg:
		var cmds []tea.Cmd
		for i, t := range a.tabs {
			var cmd tea.Cmd
			a.tabs[i], cmd = t.Update(msg)
			cmds = append(cmds, cmd)
		}
		if a.selectAfter != nil {
			if lt, ok := a.tab().(*listTab); ok && lt.spec.kind == a.selectAfter.Kind && lt.spec.name == msg.tab {
				lt.selectID(a.selectAfter.ID)
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
	a.syncedAt = time.Now()
	if !a.marked {
		a.mark, a.marked = m.mark, true
		return nil
	}
	if m.mark == a.mark {
		return nil
	}
	a.mark = m.mark
	return a.reloadAll()
}

func (a *app) reloadAll() tea.Cmd {
	for i := range a.stale {
		a.stale[i] = true
	}
	cmds := []tea.Cmd{a.load(a.active)}
	if p := a.top(); p != nil {
		cmds = append(cmds, a.loadPage(p))
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
	p := &page{link: l, view: detail.New(a.styles)}
	p.view.SetSize(a.width, a.bodyHeight())
	a.stack = append(a.stack, p)
	return a.loadPage(p)
}

func (a *app) onKey(k tea.KeyPressMsg) tea.Cmd {
	if k.String() != "ctrl+c" {
		a.quitArmed = false
	}
	switch a.mode {
	case modeForm:
		if k.String() == "ctrl+c" {
			if a.quitArmed {
				return tea.Quit
			}
			a.quitArmed = true
			a.setFlash("the form is not saved — ctrl+c again discards it and quits, esc returns", true)
			return nil
		}
		var cmd tea.Cmd
		a.form, cmd = a.form.Update(k)
		return cmd
	case modeConfirm:
		var cmd tea.Cmd
		a.confirm, cmd = a.confirm.Update(k)
		if cmd != nil {
			a.mode = modeNormal // answered: later keys belong to the screen
			if r, ok := cmd().(confirm.ResultMsg); ok && r.Yes {
				return a.deactivate()
			}
			a.setFlash("nothing changed", false)
		}
		return nil
	case modeCommand:
		switch {
		case k.String() == "ctrl+c":
			return tea.Quit
		case key.Matches(k, a.cmdline.Keys.Run):
			// Run at once rather than via a message, so keys typed right
			// after enter already reach the new screen.
			line := strings.TrimSpace(a.cmdline.Value())
			a.cmdline, _ = a.cmdline.Update(k)
			a.mode = modeNormal
			return a.runCommand(line)
		case key.Matches(k, a.cmdline.Keys.Cancel):
			a.cmdline, _ = a.cmdline.Update(k)
			a.mode = modeNormal
			return nil
		}
		var cmd tea.Cmd
		a.cmdline, cmd = a.cmdline.Update(k)
		return cmd
	case modeFilter:
		return a.onFilterKey(k)
	case modeHelp:
		if k.String() == "ctrl+c" {
			return tea.Quit
		}
		a.mode = modeNormal
		return nil
	}
	a.flash = ""
	if cmd, ok := a.screenKey(k); ok {
		return cmd
	}
	ks := k.String()
	switch {
	case key.Matches(k, a.keys.Quit):
		return tea.Quit
	case key.Matches(k, a.keys.Tabs):
		return a.switchTab(int(ks[0] - '1'))
	case key.Matches(k, a.keys.Next):
		return a.switchTab(a.active + 1)
	case key.Matches(k, a.keys.Prev):
		return a.switchTab(a.active - 1)
	case key.Matches(k, a.keys.Command):
		a.mode = modeCommand
		return a.cmdline.Open()
	case key.Matches(k, a.keys.Help):
		a.mode = modeHelp
		return nil
	case key.Matches(k, a.keys.Reload):
		return a.reloadAll()
	case key.Matches(k, a.keys.Back):
		if len(a.stack) > 0 {
			a.stack = a.stack[:len(a.stack)-1]
			if p := a.top(); p != nil && p.screen != nil {
				return a.loadPage(p) // a checklist may have changed meanwhile
			}
			return nil
		}
		if f, ok := a.tab().(Filterable); ok {
			_, fz := f.Filter()
			f.SetFilter("", fz)
		}
		return nil
	case key.Matches(k, a.keys.FuzzyToggle):
		if f, ok := a.tab().(Filterable); ok && len(a.stack) == 0 {
			q, fz := f.Filter()
			f.SetFilter(q, !fz)
		}
		return nil
	case key.Matches(k, a.keys.Filter):
		if f, ok := a.tab().(Filterable); ok && len(a.stack) == 0 {
			q, _ := f.Filter()
			a.filter.SetValue(q)
			a.filter.CursorEnd()
			a.mode = modeFilter
			return a.filter.Focus()
		}
		return nil
	case key.Matches(k, a.keys.Open):
		if p := a.top(); p != nil {
			if l := p.view.Selected(); l != nil {
				return a.push(*l)
			}
			return nil
		}
		if o, ok := a.tab().(Opener); ok {
			if l, ok := o.Selected(); ok {
				return a.push(l)
			}
		}
		return nil
	case key.Matches(k, a.keys.Add):
		if kind := a.kind(); kind != "" {
			return a.loadForm(kind, 0)
		}
		return nil
	case key.Matches(k, a.keys.Edit):
		if l, ok := a.current(); ok {
			return a.loadForm(l.Kind, l.ID)
		}
		return nil
	case key.Matches(k, a.keys.Deactivate):
		if l, ok := a.current(); ok {
			return a.preview(l)
		}
		return nil
	}
	if p := a.top(); p != nil {
		var cmd tea.Cmd
		if p.screen != nil {
			p.screen, cmd = p.screen.Update(k)
			return cmd
		}
		p.view, cmd = p.view.Update(k)
		return cmd
	}
	var cmd tea.Cmd
	a.tabs[a.active], cmd = a.tab().Update(k)
	return cmd
}

// onWheel scrolls the table or detail page three rows per notch.
func (a *app) onWheel(m tea.MouseWheelMsg) tea.Cmd {
	if a.mode != modeNormal {
		return nil
	}
	k := tea.KeyPressMsg{Code: tea.KeyDown}
	if m.Button == tea.MouseWheelUp {
		k = tea.KeyPressMsg{Code: tea.KeyUp}
	}
	var cmds []tea.Cmd
	for range 3 {
		cmds = append(cmds, a.onKey(k))
	}
	return tea.Batch(cmds...)
}

// onClick switches tabs from the tab bar and selects table rows; clicking
// the selected row opens it.
func (a *app) onClick(m tea.MouseClickMsg) tea.Cmd {
	if a.mode != modeNormal || m.Button != tea.MouseLeft {
		return nil
	}
	if m.Y == 0 {
		x := 0
		for i, t := range a.tabs {
			w := ansi.StringWidth(fmt.Sprintf(" %d %s ", i+1, t.Name())) + 1
			if m.X >= x && m.X < x+w {
				return a.switchTab(i)
			}
			x += w
		}
		return nil
	}
	lt, ok := a.tab().(*listTab)
	if !ok || a.top() != nil {
		return nil
	}
	before := lt.table.Cursor()
	if lt.table.SelectVisible(m.Y - 3) { // tab bar, breadcrumb, header
		if lt.table.Cursor() == before {
			if l, ok := lt.Selected(); ok {
				return a.push(l)
			}
		}
	}
	return nil
}

// onFilterKey edits the filter; every keystroke re-filters the table.
func (a *app) onFilterKey(k tea.KeyPressMsg) tea.Cmd {
	f, ok := a.tab().(Filterable)
	if !ok {
		a.mode = modeNormal
		return nil
	}
	_, fz := f.Filter()
	switch k.String() {
	case "ctrl+c":
		return tea.Quit
	case "esc":
		f.SetFilter("", fz)
		a.filter.Blur()
		a.mode = modeNormal
		return nil
	case "enter", "down", "up":
		a.filter.Blur()
		a.mode = modeNormal
		if k.String() != "enter" {
			var cmd tea.Cmd
			a.tabs[a.active], cmd = a.tab().Update(k)
			return cmd
		}
		return nil
	case "ctrl+t":
		f.SetFilter(a.filter.Value(), !fz)
		return nil
	}
	var cmd tea.Cmd
	a.filter, cmd = a.filter.Update(k)
	if q, _ := f.Filter(); q != strings.ToLower(a.filter.Value()) {
		f.SetFilter(a.filter.Value(), fz)
	}
	return cmd
}

// kind is the record kind the screen is about ("" on alerts/ledger).
func (a *app) kind() string {
	if p := a.top(); p != nil {
		return p.link.Kind
	}
	if lt, ok := a.tab().(*listTab); ok {
		return lt.spec.kind
	}
	return ""
}

// current is the record e and d act on: the open detail page, else the row
// under the cursor.
func (a *app) current() (detail.Link, bool) {
	if p := a.top(); p != nil {
		return p.link, true
	}
	if o, ok := a.tab().(Opener); ok {
		return o.Selected()
	}
	return detail.Link{}, false
}

func (a *app) loadForm(kind string, id int64) tea.Cmd {
	spec, ok := editSpecs[kind]
	if !ok {
		return nil
	}
	if !a.env.Actor.CanWrite() {
		a.setFlash("your role ("+a.env.Actor.Role+") cannot change anything", true)
		return nil
	}
	env := a.env
	return func() tea.Msg {
		title, fs, err := spec.fields(env, id)
		return formMsg{kind: kind, id: id, title: title, f: fs, err: err}
	}
}

func (a *app) openForm(m formMsg) tea.Cmd {
	if m.err != nil {
		a.setFlash("cannot open the form: "+m.err.Error(), true)
		return nil
	}
	a.form = form.New(a.styles, m.kind, m.title, m.f)
	a.form.Check = editSpecs[m.kind].check
	a.form.SetSize(a.width, a.bodyHeight())
	a.formKind, a.formID = m.kind, m.id
	a.mode = modeForm
	return nil
}

func (a *app) save(vals map[string]string) tea.Cmd {
	env, spec, id, kind := a.env, editSpecs[a.formKind], a.formID, a.formKind
	return func() tea.Msg {
		var newID int64
		var name string
		err := env.Store.Write(env.Ctx, env.Actor, func(t *store.Tx) error {
			var err error
			newID, name, err = spec.save(t, id, vals)
			return err
		})
		return savedMsg{kind: kind, name: name, id: newID, added: id == 0, err: err}
	}
}

func (a *app) onSaved(m savedMsg) tea.Cmd {
	if m.err != nil {
		if a.mode == modeForm {
			a.form.SetError(m.err)
		} else {
			a.setFlash(m.err.Error(), true)
		}
		return nil
	}
	a.mode = modeNormal
	verb := "saved"
	if m.added {
		verb = "added"
		a.selectAfter = &detail.Link{Kind: m.kind, ID: m.id}
	}
	a.setFlash(fmt.Sprintf("%s %s %s", verb, m.kind, m.name), false)
	return a.reloadAll()
}

func (a *app) preview(l detail.Link) tea.Cmd {
	spec, ok := editSpecs[l.Kind]
	if !ok {
		return nil
	}
	if !a.env.Actor.CanWrite() {
		a.setFlash("your role ("+a.env.Actor.Role+") cannot change anything", true)
		return nil
	}
	env := a.env
	return func() tea.Msg {
		name, lines, err := previewDeactivate(env, spec, l.ID)
		return previewMsg{kind: l.Kind, id: l.ID, name: name, lines: lines, err: err}
	}
}

func (a *app) deactivate() tea.Cmd {
	env, spec, id, kind := a.env, editSpecs[a.pending.kind], a.pending.id, a.pending.kind
	return func() tea.Msg {
		var name string
		err := env.Store.Write(env.Ctx, env.Actor, func(t *store.Tx) error {
			_, _, n, err := spec.deactivate(t, id)
			name = n
			return err
		})
		return deactivatedMsg{kind: kind, name: name, err: err}
	}
}

// runCommand runs a ":" line: a tab name or unique prefix, optionally with
// a filter ("dev kristen"), or theme/help/quit.
func (a *app) runCommand(line string) tea.Cmd {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return nil
	}
	word, arg := strings.ToLower(fields[0]), strings.Join(fields[1:], " ")
	switch word {
	case "q", "quit":
		return tea.Quit
	case "help":
		a.mode = modeHelp
		return nil
	case "theme":
		t, err := themes.Builtin(arg)
		if err != nil {
			a.setFlash(err.Error(), true)
			return nil
		}
		a.setTheme(t)
		return nil
	}
	var hits []int
	for i, t := range a.tabs {
		if t.Name() == word {
			hits = []int{i}
			break
		}
		if strings.HasPrefix(t.Name(), word) {
			hits = append(hits, i)
		}
	}
	if len(hits) != 1 {
		a.setFlash(fmt.Sprintf("unknown command %q — try %s", word, strings.Join(a.commandWords(), ", ")), true)
		return nil
	}
	cmd := a.switchTab(hits[0])
	if f, ok := a.tab().(Filterable); ok {
		_, fz := f.Filter()
		f.SetFilter(arg, fz)
	}
	return cmd
}

// View draws the whole screen; it is the only View that returns tea.View.
func (a *app) View() tea.View {
	v := tea.NewView(a.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion // wheel and clicks; shift+drag still selects text
	v.WindowTitle = "opsdeck"
	return v
}

func (a *app) render() string {
	w, h := a.width, a.height
	if w <= 0 || h <= 0 {
		return ""
	}
	st := a.styles
	if w < minWidth || h < minHeight {
		msg := fmt.Sprintf("terminal too small: %d×%d, opsdeck needs at least %d×%d", w, h, minWidth, minHeight)
		lines := strings.Split(ansi.Wrap(msg, w, ""), "\n")
		if len(lines) > h {
			lines = lines[:h]
		}
		return st.Warn.Render(strings.Join(lines, "\n"))
	}
	bh := a.bodyHeight()
	var body string
	switch a.mode {
	case modeHelp:
		body = a.helpView()
	case modeForm:
		body = a.form.View()
	case modeConfirm:
		body = lipgloss.Place(w, bh, lipgloss.Center, lipgloss.Center, a.confirm.View())
	default:
		if p := a.top(); p != nil {
			switch {
			case p.screen != nil:
				body = p.screen.View()
			case p.err != nil:
				body = st.Error.Render("could not load: ") + st.Text.Render(p.err.Error())
			case !p.loaded:
				body = st.Muted.Render("loading…")
			default:
				body = p.view.View()
			}
		} else {
			body = a.tab().View()
		}
	}
	return fit(strings.Join([]string{a.tabBar(), a.crumbs(), fit(body, w, bh), a.promptLine(), a.statusLine()}, "\n"), w, h)
}

// fit makes s exactly h lines of at most w cells, so the frame never
// scrolls or leaves stale lines behind.
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func (a *app) tabBar() string {
	st := a.styles
	var parts []string
	for i, t := range a.tabs {
		label := fmt.Sprintf(" %d %s ", i+1, t.Name())
		if i == a.active {
			parts = append(parts, st.TabActive.Render(label))
		} else {
			parts = append(parts, st.Tab.Render(label))
		}
	}
	bar := strings.Join(parts, " ")
	brand := st.Title.Render("opsdeck ")
	if gap := a.width - ansi.StringWidth(bar) - ansi.StringWidth(brand); gap > 0 {
		bar += strings.Repeat(" ", gap) + brand
	}
	return ansi.Truncate(bar, a.width, "")
}

// crumbs is the breadcrumb: tab › record › record, and the active filter.
func (a *app) crumbs() string {
	st := a.styles
	parts := []string{st.Accent.Render(a.tab().Name())}
	for _, p := range a.stack {
		name := p.view.Data().Title
		if p.screen != nil {
			name = p.screen.Title()
		}
		if name == "" {
			name = fmt.Sprintf("%s %d", p.link.Kind, p.link.ID)
		}
		parts = append(parts, st.Text.Render(ansi.Truncate(name, 30, "…")))
	}
	line := strings.Join(parts, st.Muted.Render(" › "))
	if f, ok := a.tab().(Filterable); ok && len(a.stack) == 0 {
		if q, fz := f.Filter(); q != "" && a.mode != modeFilter {
			line += st.Muted.Render("  filter ") + st.Match.Render("/"+q) + st.Muted.Render(" ("+modeName(fz)+", esc clears)")
		}
	}
	return ansi.Truncate(line, a.width, "…")
}

func modeName(fuzzy bool) string {
	if fuzzy {
		return "fuzzy"
	}
	return "substring"
}

// promptLine is the filter or command input while typing, else a message
// or the short help.
func (a *app) promptLine() string {
	st := a.styles
	switch a.mode {
	case modeCommand:
		return a.cmdline.View()
	case modeFilter:
		f, _ := a.tab().(Filterable)
		_, fz := f.Filter()
		return ansi.Truncate(a.filter.View()+st.Muted.Render("  "+modeName(fz)+" · ctrl+t toggles · enter keeps · esc clears"), a.width, "…")
	}
	if a.flash != "" {
		s := st.OK
		if a.flashErr {
			s = st.Error
		}
		return s.Render(ansi.Truncate(a.flash, a.width, "…"))
	}
	switch a.mode {
	case modeForm:
		return a.help.ShortHelpView(a.form.Keys.ShortHelp())
	case modeConfirm:
		return a.help.ShortHelpView(a.confirm.Keys.ShortHelp())
	case modeHelp:
		return st.Muted.Render("any key closes the help")
	}
	keys := a.keys.ShortHelp()
	if a.top() != nil {
		keys = append([]key.Binding{a.keys.Back}, keys...)
	}
	if s := a.screenOnTop(); s != nil {
		keys = append(s.KeyMap().ShortHelp(), a.keys.Back, a.keys.Help, a.keys.Quit)
	}
	return a.help.ShortHelpView(keys)
}

func (a *app) statusLine() string {
	modeBadge := map[mode]string{modeNormal: "NORMAL", modeFilter: "FILTER", modeCommand: "COMMAND", modeForm: "EDIT", modeConfirm: "CONFIRM", modeHelp: "HELP"}
	a.status.Mode = modeBadge[a.mode]
	if s := a.screenOnTop(); s != nil && s.Capturing() && a.mode == modeNormal {
		a.status.Mode = "EDIT"
	}
	who := a.env.Actor.String()
	if a.env.Actor.Role != "" {
		who += " (" + a.env.Actor.Role + ")"
	}
	a.status.Left = []string{who, a.env.Store.Path()}
	shown, total := a.tab().Counts()
	count := a.tab().Name() + " " + thousands(total)
	if shown != total {
		count = a.tab().Name() + " " + thousands(shown) + "/" + thousands(total)
	}
	a.status.Right = []string{count, a.freshness()}
	return a.status.View()
}

// freshness says how current the screen is: "live" while polls succeed.
func (a *app) freshness() string {
	switch {
	case a.syncErr != nil:
		return "db error: " + ansi.Truncate(a.syncErr.Error(), 30, "…")
	case a.syncedAt.IsZero():
		return "connecting…"
	}
	age := time.Since(a.syncedAt)
	if age < 3*pollEvery {
		return "live"
	}
	return fmt.Sprintf("stale %ds", int(age.Seconds()))
}

// helpView lists every binding of the shell, the active tab (or detail
// page) and its components, packed into as many columns as fit.
func (a *app) helpView() string {
	st := a.styles
	groups := a.keys.FullHelp()
	var tabKeys help.KeyMap = a.tab().KeyMap()
	if p := a.top(); p != nil {
		tabKeys = p.view.Keys
		if p.screen != nil {
			tabKeys = p.screen.KeyMap()
		}
	}
	groups = append(groups, tabKeys.FullHelp()...)
	var cols [][]string
	for _, g := range groups {
		kw := 0
		for _, b := range g {
			if b.Enabled() {
				kw = max(kw, ansi.StringWidth(b.Help().Key))
			}
		}
		var col []string
		for _, b := range g {
			if !b.Enabled() || b.Help().Key == "" {
				continue
			}
			k := b.Help().Key
			col = append(col, st.Accent.Render(k+strings.Repeat(" ", kw-ansi.StringWidth(k)))+"  "+st.Text.Render(b.Help().Desc))
		}
		if len(col) > 0 {
			cols = append(cols, col)
		}
	}
	var b strings.Builder
	b.WriteString(st.Title.Render("Keys") + "\n\n")
	for len(cols) > 0 { // pack columns left to right, wrapping to new rows
		row, used := [][]string{}, 0
		for len(cols) > 0 {
			w := 0
			for _, l := range cols[0] {
				w = max(w, ansi.StringWidth(l))
			}
			if len(row) > 0 && used+w+4 > a.width {
				break
			}
			padded := make([]string, len(cols[0]))
			for i, l := range cols[0] {
				padded[i] = l + strings.Repeat(" ", w-ansi.StringWidth(l)+4)
			}
			row, used, cols = append(row, padded), used+w+4, cols[1:]
		}
		strs := make([]string, len(row))
		for i, c := range row {
			strs[i] = strings.Join(c, "\n")
		}
		b.WriteString(lipgloss.JoinHorizontal(lipgloss.Top, strs...) + "\n\n")
	}
	b.WriteString(st.Title.Render("Commands") + "\n")
	b.WriteString(st.Text.Render(":people :devices :services :alerts :ledger :risks :secrets  jump (any unique prefix)\n" +
		":dev kristen   jump and filter    :theme dark|light|high-contrast    :q quit\n" +
		"mouse: wheel scrolls, click selects, click again opens, click a tab to switch"))
	return b.String()
}

// thousands formats n as 100,020.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
