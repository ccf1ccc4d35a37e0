package ui

import (
	"bytes"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// TestImportAndBackupFlowInRealProgram drives the import and the backups
// view through a real Bubble Tea program (teatest) with a fixed colour
// profile: there the commit's and the backup's progress arrive from their
// goroutines through the channel listener, concurrently with the UI.
func TestImportAndBackupFlowInRealProgram(t *testing.T) {
	s := openStore(t, true)
	p := &probe{app: newApp(testerOptions(s))}
	tm := realProgram(t, p, 100, 40)
	enter := func() { tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter}) }
	p.waitFor(t, "Kristen Park")
	tm.Type("i")
	p.waitFor(t, "file:")
	tm.Type(testdata(t, "people-1000-7bad.csv"))
	enter()
	p.waitFor(t, "PROBLEMS (7, in 7 rows)", "978  status")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	p.waitFor(t, "1 of 20") // back on the table: the report is closed
	tm.Type(":import people " + testdata(t, "people.json"))
	enter()
	p.waitFor(t, "enter/c commit")
	tm.Type("c")
	p.waitFor(t, "(run 1, audited)", "people 21")
	tm.Type(":backups")
	enter()
	p.waitFor(t, "BACKUP JOBS")
	tm.Type("b")
	p.waitFor(t, "backed up to")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	p.waitFor(t, "people 21")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(60*time.Second))
	// The real terminal got coloured frames in the fixed profile.
	out, _ := io.ReadAll(tm.FinalOutput(t))
	if !bytes.Contains(out, []byte("\x1b[38;5;")) {
		t.Fatalf("no 256-colour output")
	}
}

// probe wraps the console and keeps the plain text of its latest frame
// where the test can read it without racing the program: teatest's output
// is the renderer's diffs, in which a string on screen may never appear
// whole.
type probe struct {
	*app
	frame atomic.Pointer[string]
}

func (p *probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.app.Update(msg)
	f := ansi.Strip(p.app.render())
	p.frame.Store(&f)
	return p, cmd
}

// waitFor polls the latest frame until it shows every string in want. The
// deadline is generous: -race on a shared machine is slow, not wrong.
func (p *probe) waitFor(t *testing.T, want ...string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		f := p.frame.Load()
		ok := f != nil
		for _, w := range want {
			ok = ok && strings.Contains(*f, w)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			if f == nil {
				t.Fatalf("no frame showed %q", want)
			}
			t.Fatalf("screen never showed %q:\n%s", want, *f)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
