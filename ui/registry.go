package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ui/components/detail"
)

// The console's registries. A feature registers its tab, its ":" commands,
// its actions and its detail pages from an init() in its own file; the
// shell (app.go, input.go, view.go) only routes keys and messages to what
// is registered, so it knows no feature by name. docs/dev/adding.md walks
// through adding a tab.

// tabDef is a registered tab. The tab bar, the number keys, the ":" words
// and the help are derived from these.
type tabDef struct {
	name string // title and ":" command ("people")
	key  string // the number key that shows it ("1"); tabs are ordered by it. "" for none: the
	// tab follows the numbered ones (by name) and is reached with ":" or tab/shift+tab
	aliases []string // further ":" words
	help    string   // what the tab shows, for "?"
	// results is set for tabs that show check results: they reload when
	// results move, not only on audited changes (opsstatus.go).
	results bool
	new     func(env TabEnv) Tab
}

var tabDefs []tabDef

// registerTab adds a tab; a clash of name or key is a programming error.
func registerTab(d tabDef) {
	for _, o := range tabDefs {
		if o.name == d.name || (d.key != "" && o.key == d.key) {
			panic(fmt.Sprintf("ui: tab %q (key %s) clashes with %q (key %s)", d.name, d.key, o.name, o.key))
		}
	}
	if d.key != "" && (len(d.key) != 1 || d.key[0] < '0' || d.key[0] > '9') {
		panic(fmt.Sprintf("ui: tab %q: number key %q is not 0-9", d.name, d.key))
	}
	tabDefs = append(tabDefs, d)
	slices.SortFunc(tabDefs, func(a, b tabDef) int {
		if (a.key == "") != (b.key == "") {
			return strings.Compare(b.key, a.key) // numbered first
		}
		return cmp.Or(strings.Compare(a.key, b.key), strings.Compare(a.name, b.name))
	})
}

// commandDef is a registered ":" command that is not a tab.
type commandDef struct {
	name    string
	aliases []string
	usage   string // the line in "?": ":import people|devices [FILE]"
	run     func(a *app, arg string) tea.Cmd
}

var commandDefs []commandDef

// registerCommand adds a ":" command; a word another command already
// answers to is a programming error (two features cannot both own ":review").
func registerCommand(d commandDef) {
	for _, o := range commandDefs {
		for _, w := range append([]string{d.name}, d.aliases...) {
			if o.matches(w) {
				panic(fmt.Sprintf("ui: command %q clashes with %q", w, o.name))
			}
		}
	}
	commandDefs = append(commandDefs, d)
}

func (d commandDef) matches(word string) bool {
	return d.name == word || slices.Contains(d.aliases, word)
}

// actx is what an action decides and runs on: where the user is and what
// is selected.
type actx struct {
	tab    string       // the active tab's name
	kind   string       // the record kind on screen: the page's, else the tab's rows' ("" for none)
	page   *detail.Link // the page on top of the tab; nil on the tab itself
	screen bool         // the page on top is an interactive screen
	sel    detail.Link  // the record acted on: the page, else the row under the cursor
	hasSel bool
	pick   *detail.Link // the row selected inside the page (a check on a service page)
	actor  model.Actor
}

// action is a key a feature binds where it applies: on selects where
// (tab, page, selection) and run does it. The first registered action
// that is on takes the key, before the shell's own keys. An action with no
// help text is not listed (a hint like "alerts are not edited"); a write
// action is not listed for a role that cannot write (its run still says
// why when pressed).
type action struct {
	key   key.Binding
	hint  bool // also on the hint line, not only in "?"
	write bool // changes something: listed only for roles that can write
	on    func(c actx) bool
	// shown, when set, narrows where the action is listed (a key that
	// answers everywhere with what it needs, listed where it works).
	shown func(c actx) bool
	run   func(a *app, c actx) tea.Cmd
}

var actions []action

func registerActions(as ...action) { actions = append(actions, as...) }

// actx describes the screen for the actions.
func (a *app) actx() actx {
	c := actx{tab: a.tab().Name(), kind: a.kind(), actor: a.env.Actor}
	if p := a.top(); p != nil {
		l := p.link
		c.page, c.screen = &l, p.screen != nil
		if p.screen == nil {
			c.pick = p.view.Selected()
		}
	}
	c.sel, c.hasSel = a.current()
	return c
}

// actionFor is the action k triggers here, if any.
func (a *app) actionFor(k tea.KeyPressMsg) (action, actx, bool) {
	c := a.actx()
	for _, ac := range actions {
		if key.Matches(k, ac.key) && ac.on(c) {
			return ac, c, true
		}
	}
	return action{}, c, false
}

// activeActions are the actions that apply here and have help text.
func (a *app) activeActions(hintOnly bool) []key.Binding {
	c := a.actx()
	var bs []key.Binding
	for _, ac := range actions {
		if ac.key.Help().Key != "" && (!hintOnly || ac.hint) && (!ac.write || c.actor.CanWrite()) &&
			ac.on(c) && (ac.shown == nil || ac.shown(c)) {
			bs = append(bs, ac.key)
		}
	}
	return bs
}

// detailDef is a registered link kind: what opens when a link of this
// kind is followed — a read-only detail page (load) or an interactive
// screen (screen).
type detailDef struct {
	kind   string
	load   func(env TabEnv, id int64) (detail.Data, error)
	screen func(env TabEnv, id int64) Screen
	// results is set for pages that show check results: they reload when
	// results move (opsstatus.go).
	results bool
}

var detailDefs = map[string]detailDef{}

func registerDetail(d detailDef) {
	if _, dup := detailDefs[d.kind]; dup {
		panic("ui: detail page " + d.kind + " registered twice")
	}
	detailDefs[d.kind] = d
}

// part is a session-wide feature beside the tabs (the ledger's quick entry
// and running timer): it reloads whenever the shell reloads, handles its
// own messages, adds to the status bar and may open a panel over the
// bottom of the body that takes the keys while it is open.
type part interface {
	// Reload reads what the part shows (on start and on every reload).
	Reload() tea.Cmd
	// Update handles the part's own messages; ok is false for others.
	Update(a *app, msg tea.Msg) (cmd tea.Cmd, ok bool)
	// Status is the part's segments of the status bar.
	Status() []string
	SetWidth(w int)
	// Panel is the part's open panel, nil when none is open.
	Panel() panel
}

// panel is a part's overlay: it takes every key but ctrl+c.
type panel interface {
	Key(k tea.KeyPressMsg) tea.Cmd
	PanelView() string
	PanelHeight() int
	PanelKeys() help.KeyMap
	Badge() string // the status bar's mode while open ("LOG")
}

type partDef struct {
	name string
	new  func(env TabEnv) part
}

var partDefs []partDef

func registerPart(d partDef) { partDefs = append(partDefs, d) }

// part is the session's part registered as name (a feature finds its own).
func (a *app) part(name string) part {
	for i, d := range partDefs {
		if d.name == name {
			return a.parts[i]
		}
	}
	panic("ui: no part " + name)
}

// openPanel is the open panel of a part, if any.
func (a *app) openPanel() panel {
	for _, p := range a.parts {
		if pn := p.Panel(); pn != nil {
			return pn
		}
	}
	return nil
}

// syncPanel keeps the mode in step with the parts' panels.
func (a *app) syncPanel() {
	switch open := a.openPanel() != nil; {
	case open && a.mode == modeNormal:
		a.mode = modePanel
	case !open && a.mode == modePanel:
		a.mode = modeNormal
	}
}

// onKinds is an action predicate: the record kind on screen is one of kinds.
func onKinds(kinds ...string) func(actx) bool {
	return func(c actx) bool { return slices.Contains(kinds, c.kind) }
}
