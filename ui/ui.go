// Package ui is opsdeck's console: a Bubble Tea v2 shell with tabs, a
// command line, filtering, help, detail views and forms. It renders and
// never writes SQL: reads and writes are store calls made inside tea.Cmds.
package ui

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/jonboulle/clockwork"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/themes"
)

// Options configure one console session (a local terminal or an SSH
// session, each with its own actor and terminal).
type Options struct {
	Store *store.Store
	Actor model.Actor
	// Theme is nil to follow the terminal's background (dark or light).
	Theme *themes.Theme
	// NoColor draws without colour (NO_COLOR); emphasis stays readable.
	NoColor bool
	// Width and Height are a first guess until the terminal reports its size.
	Width, Height int
	// Profile forces a colour profile in Run; zero lets Bubble Tea detect.
	// (A caller of New passes tea.WithColorProfile to its own program.)
	Profile colorprofile.Profile
	// Ctx bounds the session's store calls; nil means context.Background().
	Ctx context.Context
	// Others, when set, names the other people connected right now (the
	// SSH server's sessions); the status bar shows them. It must be cheap:
	// it is called while rendering.
	Others func() []string
	// Remote marks an SSH session: no server path is shown, and import
	// reads only from ImportDir (empty: not at all).
	Remote    bool
	ImportDir string
	// Clock is the one clock the console reads; nil: the store's.
	Clock clockwork.Clock
	// StartTab is the tab the console opens on ("" is DefaultStartTab);
	// check a user's choice with CheckTab first.
	StartTab string
	// NoMouse leaves the mouse to the terminal (no clicks, no wheel).
	NoMouse bool
}

// DefaultStartTab is the first screen: what needs the user now.
const DefaultStartTab = "home"

// TabNames lists the console's tabs in tab-bar order.
func TabNames() []string {
	out := make([]string, len(tabDefs))
	for i, d := range tabDefs {
		out[i] = d.name
	}
	return out
}

// CheckTab refuses a name that is no tab, naming the tabs there are.
func CheckTab(name string) error {
	if slices.Contains(TabNames(), name) {
		return nil
	}
	return fmt.Errorf("%q is not a tab (one of %s)", name, strings.Join(TabNames(), ", "))
}

// New builds the console's root model.
func New(opts Options) tea.Model { return newApp(opts) }

// Run opens the console on the process's terminal until the user quits.
func Run(ctx context.Context, opts Options) error {
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		opts.NoColor = true
	}
	opts.Ctx = ctx
	popts := []tea.ProgramOption{tea.WithContext(ctx)}
	if opts.Profile != 0 {
		popts = append(popts, tea.WithColorProfile(opts.Profile))
	}
	_, err := tea.NewProgram(New(opts), popts...).Run()
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("console: %w", err)
	}
	return nil
}
