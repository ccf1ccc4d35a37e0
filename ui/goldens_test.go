package ui

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/jonboulle/clockwork"
	"github.com/opsdeck/opsdeck/internal/instants"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/themes"
)

// The goldens are a picture of every registered tab at 80×24 and 200×50 in
// every built-in theme and without colour, so a colour or layout change
// shows in review (testdata/TestTabGoldens/TAB/THEME_WxH.golden; `go test
// ./ui -run TestTabGoldens -update` redraws them). A tab registered later
// gets its pictures by being registered. The demo is drawn at the pinned
// instant on a clock that stands still, with some of its checks failing so
// alerts fire; frames go through a fixed 256-colour profile.

func TestTabGoldens(t *testing.T) {
	clock := clockwork.NewFakeClockAt(instants.Pinned.Wall())
	s := openStoreAt(t, clock, true)
	fireDemoChecks(t, s, clock)
	sizes := [][2]int{{80, 24}, {200, 50}}
	for _, d := range tabDefs {
		for _, th := range append(themes.Names(), "no-color") {
			for _, sz := range sizes {
				t.Run(fmt.Sprintf("%s/%s_%dx%d", d.name, th, sz[0], sz[1]), func(t *testing.T) {
					opts := Options{Store: s, Actor: model.LocalActor("tester"), Width: sz[0], Height: sz[1], StartTab: d.name, Clock: clock}
					if th == "no-color" {
						opts.NoColor = true
					} else {
						tt, err := themes.Builtin(th)
						if err != nil {
							t.Fatal(err)
						}
						opts.Theme = &tt
					}
					a := newApp(opts)
					run(t, a, a.load(a.active))
					run(t, a, a.syncSide()) // the pane, at 200 columns
					golden.RequireEqual(t, frame(t, a))
				})
			}
		}
	}
}

// frame is the screen without its status bar (the database's temporary
// path), in 256 colours.
func frame(t *testing.T, a *app) string {
	t.Helper()
	lines := strings.Split(a.View().Content, "\n")
	var buf bytes.Buffer
	w := &colorprofile.Writer{Forward: &buf, Profile: colorprofile.ANSI256}
	if _, err := w.WriteString(strings.Join(lines[:len(lines)-1], "\n")); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// fireDemoChecks records enough failures of the demo's probe checks to
// fire their alerts, as the scheduler would on a machine where nothing
// answers: Home and the alerts tab then show firing alerts.
func fireDemoChecks(t *testing.T, s *store.Store, clock *clockwork.FakeClock) {
	t.Helper()
	ctx := t.Context()
	cs, err := s.ListChecks(ctx, store.CheckQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range model.DefaultFailAfter {
		var outs []store.Outcome
		for _, c := range cs {
			if c.Kind == "http" || c.Kind == "tcp" {
				outs = append(outs, store.Outcome{Result: model.CheckResult{CheckID: c.ID, At: clock.Now(), Status: "down", Message: fmt.Sprintf("connection refused (%d)", i+1)}})
			}
		}
		if len(outs) == 0 {
			t.Fatal("the demo has no http or tcp checks to fail")
		}
		if err := s.Write(ctx, model.SystemActor("scheduler"), func(tx *store.Tx) error {
			return tx.ApplyResults(outs, store.DefaultNotifyPolicy)
		}); err != nil {
			t.Fatal(err)
		}
	}
}
