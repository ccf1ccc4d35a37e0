package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/ui/components/confirm"
	"github.com/opsdeck/opsdeck/ui/components/detail"
)

// onKey routes a key press: to the open form, dialog or prompt first, then
// to the global bindings, then to the detail page or tab on screen.
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
	case modePanel:
		if k.String() == "ctrl+c" {
			return tea.Quit
		}
		if pn := a.openPanel(); pn != nil {
			cmd := pn.Key(k)
			a.syncPanel()
			return cmd
		}
		a.mode = modeNormal
		return nil
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
	// A feature's action takes the key where it applies (registry.go).
	if ac, c, ok := a.actionFor(k); ok {
		return ac.run(a, c)
	}
	switch {
	case key.Matches(k, a.keys.Quit):
		return tea.Quit
	case key.Matches(k, a.keys.Tabs):
		for i, d := range tabDefs {
			if k.String() == d.key {
				return a.switchTab(i)
			}
		}
		return nil
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
			if p := a.top(); p != nil {
				return a.loadPage(p) // it may have changed meanwhile (a walked checklist)
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
		if g, ok := a.tab().(goer); ok && g.Go() != "" {
			return a.runCommand(g.Go())
		}
		return nil
	case key.Matches(k, a.keys.Add, a.keys.Edit, a.keys.Deactivate) && a.kind() == "":
		a.setFlash("a, e and d work on people, devices and services", true)
		return nil
	case key.Matches(k, a.keys.Add):
		return a.loadForm(a.kind(), 0)
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
		for i := range a.tabs {
			w := ansi.StringWidth(a.tabLabel(i)) + 1
			if m.X >= x && m.X < x+w {
				return a.switchTab(i)
			}
			x += w
		}
		return nil
	}
	if a.wide() && a.top() == nil && m.X >= a.listWidth(a.tab()) && a.side != nil && m.Y >= 2 {
		return a.push(a.side.link) // a click on the pane opens its record
	}
	c, ok := a.tab().(clicker)
	if !ok || a.top() != nil {
		return nil
	}
	l, open := c.Click(m.Y - 2) // below the tab bar and breadcrumb
	switch {
	case !open:
		return nil
	case l.Kind != "":
		return a.push(l)
	}
	if g, ok := a.tab().(goer); ok && g.Go() != "" {
		return a.runCommand(g.Go())
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
	if rt, ok := a.tab().(recordTab); ok {
		return rt.RecordKind()
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
