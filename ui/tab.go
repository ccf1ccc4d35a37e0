package ui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/jonboulle/clockwork"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui/components/detail"
)

// Tab is one page of the shell: every tab has the same shape, so the shell
// switches, sizes, reloads and counts them without knowing what they show.
type Tab interface {
	// Name is the tab's title and its ":" command ("people").
	Name() string
	SetSize(w, h int)
	// Load returns a Cmd that reads the tab's data; it runs on start, on
	// switching to a stale tab and when the database changed.
	Load() tea.Cmd
	// Update gets key presses while the tab is shown and every non-key
	// message, so loads that finish in the background land.
	Update(msg tea.Msg) (Tab, tea.Cmd)
	View() string
	// Counts is (rows shown, rows in total) for the status bar.
	Counts() (shown, total int)
	KeyMap() help.KeyMap
}

// Filterable tabs support "/" and ":tab FILTER".
type Filterable interface {
	SetFilter(q string, fuzzy bool)
	Filter() (q string, fuzzy bool)
}

// Opener tabs have a record under the cursor that enter opens.
type Opener interface {
	Selected() (detail.Link, bool)
}

// TabEnv is what a tab is built with.
type TabEnv struct {
	Ctx    context.Context
	Store  *store.Store
	Actor  model.Actor
	Styles *themes.Styles
	// Clock is the console's clock (Options.Clock): every age, "this
	// week" and default date on screen is read from it.
	Clock clockwork.Clock
	// Remote is set for an SSH session: the console then never names a
	// path on the server nor reads a file outside ImportDir.
	Remote bool
	// ImportDir is the one directory a remote session may import from
	// (serve --import-dir); empty turns remote import from files off.
	ImportDir string
}

// forCmd is env for a tea.Cmd that renders: its Styles are a copy taken
// now, on the Update goroutine, because a theme change rewrites the shared
// Styles in place while the Cmd runs on another goroutine.
func (e TabEnv) forCmd() TabEnv {
	st := *e.Styles
	e.Styles = &st
	return e
}

func (e TabEnv) now() time.Time { return e.Clock.Now() }

// ops is the environment an operation (package ops) runs in.
func (e TabEnv) ops() ops.Env { return ops.Env{Store: e.Store, Actor: e.Actor, Clock: e.Clock} }
