package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/opsdeck/opsdeck/internal/instants"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/themes"
)

// TestFlowInRealProgram runs the console in a real Bubble Tea program
// (teatest) with a fixed colour profile and theme, drives a user's path
// through it, and compares the final frame with a golden file
// (go test ./ui -run TestFlowInRealProgram -update rewrites it). The clock
// stands still at the pinned instant's wall time.
func TestFlowInRealProgram(t *testing.T) {
	s := openStoreAt(t, clockworkAt(instants.Pinned.Wall()), true)
	tm := realProgram(t, New(testerOptions(s)), 80, 24)
	waitFor := func(what string) { t.Helper(); waitOutput(t, tm, what) }
	waitFor("Kristen Park")
	tm.Type("2")
	waitFor("kristen-laptop")
	tm.Type(":dev kristen")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("/kristen")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("Holder")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("Dave Kim")
	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*app)
	lines := strings.Split(final.View().Content, "\n")
	// The status bar holds the temp path and the poll state; check it
	// apart from the golden frame.
	status := ansi.Strip(lines[len(lines)-1])
	if !strings.Contains(status, "local:tester") || !strings.Contains(status, "devices 1/30") {
		t.Fatalf("status bar %q", status)
	}
	teatest.RequireEqualOutput(t, []byte(strings.Join(lines[:len(lines)-1], "\n")))
}

// realProgram runs m in a real Bubble Tea program (teatest) in a w×h
// terminal with a fixed colour profile: teatest v2 must be given one, or
// frames depend on the terminal the tests run in.
func realProgram(t *testing.T, m tea.Model, w, h int) *teatest.TestModel {
	t.Helper()
	return teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ANSI256)))
}

// testerOptions is the console the real-program tests drive: s, opened on
// the people tab by the local user "tester", in the dark theme.
func testerOptions(s *store.Store) Options {
	dark := themes.Default(true)
	return Options{StartTab: "people", Store: s, Actor: model.LocalActor("tester"), Theme: &dark}
}

// waitOutput waits (10 s at most) until the program has written every
// one of what.
func waitOutput(t *testing.T, tm *teatest.TestModel, what ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range what {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

// TestZeroSizeDoesNotFlood runs a real program in a 0×0 terminal: it must
// not panic, loop or keep writing (a renderer asked to draw into nothing
// can repaint forever).
func TestZeroSizeDoesNotFlood(t *testing.T) {
	s := openStore(t, true)
	opts := testerOptions(s)
	opts.Theme, opts.NoColor = nil, true
	tm := realProgram(t, New(opts), 0, 0)
	tm.Send(tea.WindowSizeMsg{})
	tm.Type("j/x")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	time.Sleep(500 * time.Millisecond)
	var out bytes.Buffer
	out.ReadFrom(tm.Output())
	before := out.Len()
	time.Sleep(1500 * time.Millisecond) // a tick and a poll happen meanwhile
	out.ReadFrom(tm.Output())
	if grew := out.Len() - before; grew > 512 {
		t.Fatalf("wrote %d bytes in 1.5 s into a 0×0 terminal", grew)
	}
	tm.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Kristen Park")) },
		teatest.WithDuration(10*time.Second))
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}
