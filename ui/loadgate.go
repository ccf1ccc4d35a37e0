package ui

import tea "charm.land/bubbletea/v2"

// loadGate lets one load of a tab run at a time: a load asked for while
// one runs is owed and runs once when the first answers, so a database
// that changes every second does not queue loads behind each other.
type loadGate struct {
	busy  bool // a load is running
	again bool // the data changed while it ran
}

// start reports whether a load may start now; when one is running it
// records that another is owed instead.
func (g *loadGate) start() bool {
	if g.busy {
		g.again = true
		return false
	}
	g.busy = true
	return true
}

// done ends the running load and starts the owed one, if any, with load.
func (g *loadGate) done(load func() tea.Cmd) tea.Cmd {
	g.busy = false
	if !g.again {
		return nil
	}
	g.again = false
	return load()
}
