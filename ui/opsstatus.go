package ui

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/store"
)

// opsPoll is what the console polls besides ChangeMark: check results are
// not audited (thousands a minute), so they move ResultsMark instead, and
// the status bar shows the alert counts on every tab.
type opsPoll struct {
	results       string
	firing, acked int
}

func readOpsPoll(ctx context.Context, s *store.Store) (opsPoll, error) {
	var p opsPoll
	var err error
	if p.results, err = s.ResultsMark(ctx); err != nil {
		return p, err
	}
	p.firing, p.acked, err = s.AlertCounts(ctx)
	return p, err
}

// countsMsg updates the status bar's alert counts right after an action
// of this session, without waiting for the next poll.
type countsMsg opsPoll

func (a *app) readCounts() tea.Cmd {
	env := a.env
	return func() tea.Msg {
		var c countsMsg
		var err error
		if c.firing, c.acked, err = env.Store.AlertCounts(env.Ctx); err != nil {
			return nil // the next poll reports the error
		}
		return c
	}
}

// reloadResults refreshes only what results change (alerts, check states
// on a service, check or alert page); inventory tables stay as they are,
// so a busy scheduler does not reload 100,000 people every second.
func (a *app) reloadResults() tea.Cmd {
	var cmds []tea.Cmd
	for i := range a.tabs {
		if !tabDefs[i].results {
			continue
		}
		if i == a.active {
			cmds = append(cmds, a.load(i))
		} else {
			a.stale[i] = true
		}
	}
	if p := a.top(); p != nil && detailDefs[p.link.Kind].results {
		cmds = append(cmds, a.loadPage(p))
	}
	return tea.Batch(cmds...)
}

// alertStatus is the status bar's alert segment.
func (a *app) alertStatus() string {
	if !a.marked {
		return ""
	}
	if a.ops.firing == 0 && a.ops.acked == 0 {
		return "no alerts"
	}
	return fmt.Sprintf("%d firing · %d acked", a.ops.firing, a.ops.acked)
}
