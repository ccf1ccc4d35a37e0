package ui

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/ui/components/detail"
)

// Screen is an interactive page pushed on the breadcrumb stack like a
// detail page (the offboarding checklist, the form that starts one). The
// shell owns the stack, esc, help and polling; the screen owns its keys,
// its loads and its writes, each inside a tea.Cmd.
type Screen interface {
	// Title is the screen's breadcrumb label.
	Title() string
	SetSize(w, h int)
	// Load re-reads the screen's data; the shell calls it when the
	// database changed while the screen is on top.
	Load() tea.Cmd
	// Update gets key presses while the screen is on top and every
	// non-key message, so results of its Cmds land.
	Update(msg tea.Msg) (Screen, tea.Cmd)
	View() string
	KeyMap() help.KeyMap
	// Capturing is true while the screen reads text (a reason, a note, a
	// form): then every key but ctrl+c goes to the screen, esc included.
	Capturing() bool
}

// Messages a screen sends the shell to navigate.
type (
	// openLinkMsg opens the detail page of a record above the screen.
	openLinkMsg struct{ link detail.Link }
	// pushScreenMsg shows a screen; replace swaps it for the top screen
	// (the start form becomes the checklist it started).
	pushScreenMsg struct {
		link    detail.Link
		screen  Screen
		replace bool
	}
	// popScreenMsg closes the top screen (a cancelled form).
	popScreenMsg struct{}
)

// pushScreen puts s on top of the stack and loads it.
func (a *app) pushScreen(m pushScreenMsg) tea.Cmd {
	if m.replace && len(a.stack) > 0 && a.top().screen != nil {
		a.stack = a.stack[:len(a.stack)-1]
	}
	a.flash = ""
	p := &page{link: m.link, screen: m.screen, loaded: true}
	p.screen.SetSize(a.width, a.bodyHeight())
	a.stack = append(a.stack, p)
	return p.screen.Load()
}

// onScreenMsg handles navigation messages and hands every other message to
// the screens on the stack; handled is true for navigation.
func (a *app) onScreenMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case openLinkMsg:
		return a.push(msg.link), true
	case pushScreenMsg:
		return a.pushScreen(msg), true
	case screenErrMsg:
		a.setFlash(msg.err.Error(), true)
		return nil, true
	case screenDoneMsg:
		if p := a.top(); p != nil && p.screen != nil {
			a.stack = a.stack[:len(a.stack)-1]
		}
		if msg.flash != "" {
			a.setFlash(msg.flash, msg.isErr)
		}
		if msg.changed {
			return a.reloadAll(), true
		}
		return nil, true
	case popScreenMsg:
		if p := a.top(); p != nil && p.screen != nil {
			a.stack = a.stack[:len(a.stack)-1]
		}
		return nil, true
	}
	var cmds []tea.Cmd
	for _, p := range a.stack {
		if p.screen != nil {
			var cmd tea.Cmd
			p.screen, cmd = p.screen.Update(msg)
			cmds = append(cmds, cmd)
		}
	}
	return tea.Batch(cmds...), false
}

// screenKey routes a key to the screen on top when it is reading text, or
// when the key is enter (a screen decides what enter follows). handled is
// false when the shell should treat the key as usual.
func (a *app) screenKey(k tea.KeyPressMsg) (tea.Cmd, bool) {
	ks := k.String()
	if p := a.top(); p != nil && p.screen != nil && ks != "ctrl+c" && (p.screen.Capturing() || ks == "enter") {
		var cmd tea.Cmd
		p.screen, cmd = p.screen.Update(k)
		return cmd, true
	}
	return nil, false
}

// screenOnTop is the top page's screen, or nil.
func (a *app) screenOnTop() Screen {
	if p := a.top(); p != nil {
		return p.screen
	}
	return nil
}
