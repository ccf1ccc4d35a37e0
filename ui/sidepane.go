package ui

import (
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/opsdeck/opsdeck/ui/components/detail"
)

// The side pane (lazygit's layout): when the terminal is at least
// sideMinWidth wide, a tab whose rows are records shows the selected
// record's detail page beside the list — any kind registered with a
// load (registerDetail), so a new tab gets the pane by being an Opener.
// Narrower, nothing changes: the list has the whole width and enter opens
// the page.

const sideMinWidth = 160

// sideDelay lets a held-down cursor key settle before the pane reads the
// record under it: one read per pause, not one per row passed.
const sideDelay = 80 * time.Millisecond

type sidePane struct {
	link   detail.Link
	view   detail.Model
	seq    int
	loaded bool
	err    error
	screen bool // the kind opens an interactive screen: nothing to preview
}

type (
	sideWaitMsg struct{ seq int }
	sideMsg     struct {
		seq int
		msg detailMsg
	}
)

// wide reports whether the active tab is drawn with the pane.
func (a *app) wide() bool {
	if a.width < sideMinWidth {
		return false
	}
	_, ok := a.tab().(Opener)
	return ok
}

// listWidth is the width a tab gets: all of it, or the list's share
// beside the pane.
func (a *app) listWidth(t Tab) int {
	if _, ok := t.(Opener); ok && a.width >= sideMinWidth {
		return a.width * 11 / 20
	}
	return a.width
}

func (a *app) paneWidth() int { return a.width - a.listWidth(a.tab()) - 1 }

// syncSide follows the selection: when the record under the cursor
// changed, the pane waits sideDelay and then loads it in a Cmd.
func (a *app) syncSide() tea.Cmd {
	if !a.wide() || a.top() != nil {
		return nil
	}
	l, ok := a.tab().(Opener).Selected()
	if !ok {
		if a.side != nil {
			a.side = nil
		}
		return nil
	}
	if a.side != nil && a.side.link == l {
		return nil
	}
	seq := 1
	if a.side != nil {
		seq = a.side.seq + 1
	}
	d := detailDefs[l.Kind]
	a.side = &sidePane{link: l, view: detail.New(a.styles), seq: seq, screen: d.screen != nil}
	a.side.view.Passive = true
	a.side.view.SetSize(a.paneWidth(), a.bodyHeight())
	if a.side.screen {
		return nil
	}
	return tea.Tick(sideDelay, func(time.Time) tea.Msg { return sideWaitMsg{seq: seq} })
}

// loadSide reads the pane's record (again, after a change) in a Cmd.
func (a *app) loadSide() tea.Cmd {
	if a.side == nil || a.side.screen {
		return nil
	}
	env, l, seq := a.env, a.side.link, a.side.seq
	return func() tea.Msg { return sideMsg{seq: seq, msg: loadDetail(env, l)} }
}

// onSide handles the pane's messages; ok is false for others.
func (a *app) onSide(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case sideWaitMsg:
		if a.side != nil && a.side.seq == msg.seq {
			return a.loadSide(), true
		}
		return nil, true
	case sideMsg:
		if a.side != nil && a.side.seq == msg.seq && a.side.link == msg.msg.link {
			a.side.loaded, a.side.err = true, msg.msg.err
			if msg.msg.err == nil {
				a.side.view.SetData(msg.msg.data)
			}
		}
		return nil, true
	}
	return nil, false
}

// withSide draws the list and the pane side by side.
func (a *app) withSide(list string) string {
	st := a.styles
	lw, pw, h := a.listWidth(a.tab()), a.paneWidth(), a.bodyHeight()
	var pane string
	switch s := a.side; {
	case s == nil:
		pane = st.Muted.Render("nothing selected")
	case s.screen:
		pane = st.Muted.Render("enter opens the " + s.link.Kind + " checklist")
	case s.err != nil:
		pane = st.Error.Render("could not load: ") + st.Text.Render(s.err.Error())
	case !s.loaded:
		pane = st.Muted.Render("loading…")
	default:
		pane = s.view.View()
	}
	bar := st.Muted.Render(strings.TrimSuffix(strings.Repeat("│\n", h), "\n"))
	return lipgloss.JoinHorizontal(lipgloss.Top, padTo(fit(list, lw, h), lw), bar, fit(pane, pw, h))
}

// padTo pads every line of s to w cells, so the pane starts in one column.
func padTo(s string, w int) string {
	return lipgloss.NewStyle().Width(w).Render(s)
}
