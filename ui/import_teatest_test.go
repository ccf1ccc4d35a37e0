package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/themes"
)

// TestImportAndBackupFlowInRealProgram drives the import and the backups
// view through a real Bubble Tea program (teatest) with a fixed colour
// profile: there the commit's and the backup's progress arrive from their
// goroutines through the channel listener, concurrently with the UI.
func TestImportAndBackupFlowInRealProgram(t *testing.T) {
	s := openStore(t, true)
	dark := themes.Default(true)
	tm := teatest.NewTestModel(t, New(Options{Store: s, Actor: model.LocalActor("tester"), Theme: &dark}),
		teatest.WithInitialTermSize(100, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ANSI256)))
	// The renderer sends only what changed, so look for short strings. The
	// deadline is generous: -race on a shared machine is slow, not wrong.
	waitFor := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(ansi.Strip(string(b)), what) },
			teatest.WithDuration(60*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	waitFor("Kristen Park")
	tm.Type("i")
	waitFor("file:")
	tm.Type(testdata(t, "people-1000-7bad.csv"))
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("PROBLEMS (7")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	waitFor("nothing written")
	tm.Type(":import people " + testdata(t, "people.json"))
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("enter/c commit")
	tm.Type("c")
	waitFor("(run 1, audited)")
	tm.Type(":backups")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("BACKUP JOBS")
	tm.Type("b")
	waitFor("backed up to")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(60*time.Second)).(*app)
	if final.overlay != nil {
		t.Fatalf("overlay %s still open", final.overlay.Name())
	}
	if shown, total := final.tab().Counts(); shown != 21 || total != 21 {
		t.Fatalf("people %d/%d after importing one new person", shown, total)
	}
}
