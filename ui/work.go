package ui

import (
	"context"
	"fmt"
	"sync/atomic"

	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui/components/detail"
)

// Long work (an import commit, a backup, a restore test) runs in a tea.Cmd
// and streams its progress to the program: the work's callback sends on a
// buffered channel — dropping a message when it is full, so the work never
// waits for the screen — and a Cmd that reads one message is re-armed by
// Update until the channel closes. Update never blocks on any of it.

var jobSeq atomic.Int64

// progressMsg is one progress report of job.
type progressMsg struct {
	job         int64
	phase       string
	done, total int
}

// job is one piece of running work: its id tells its messages apart from a
// finished or cancelled job's late ones; cancel stops it.
type job struct {
	id     int64
	ch     chan progressMsg
	cancel context.CancelFunc
	phase  string
	done   int
	total  int
}

// report is what the work calls with its progress (from its goroutine).
type report func(phase string, done, total int)

// startJob runs work in a Cmd; work's returned message is delivered when
// it ends (it must carry the job id so late results of a cancelled job can
// be told apart). The returned Cmd also listens for progress.
func startJob(parent context.Context, phase string, work func(ctx context.Context, id int64, progress report) tea.Msg) (*job, tea.Cmd) {
	ctx, cancel := context.WithCancel(parent)
	j := &job{id: jobSeq.Add(1), ch: make(chan progressMsg, 16), cancel: cancel, phase: phase}
	run := func() tea.Msg {
		defer cancel()
		defer close(j.ch)
		return work(ctx, j.id, func(phase string, done, total int) {
			select {
			case j.ch <- progressMsg{job: j.id, phase: phase, done: done, total: total}:
			default: // the screen is behind; the next report supersedes this one
			}
		})
	}
	return j, tea.Batch(run, j.listen())
}

// listen reads the next progress report; nil once the work has ended.
func (j *job) listen() tea.Cmd {
	ch := j.ch
	return func() tea.Msg {
		if p, ok := <-ch; ok {
			return p
		}
		return nil
	}
}

// onProgress records p if it is this job's and re-arms the listener.
func (j *job) onProgress(p progressMsg) tea.Cmd {
	if j == nil || p.job != j.id {
		return nil
	}
	j.phase, j.done, j.total = p.phase, p.done, p.total
	return j.listen()
}

// view draws the job's bar and phase in width cells.
func (j *job) view(st *themes.Styles, title string, width int) string {
	pct := 0.0
	if j.total > 0 {
		pct = min(float64(j.done)/float64(j.total), 1)
	}
	bar := newBar(st, max(min(width-4, 60), 10))
	count := ""
	if j.total > 0 {
		count = fmt.Sprintf(" %s of %s", thousands(j.done), thousands(j.total))
	}
	phase := j.phase
	if d, ok := phaseText[phase]; ok {
		phase = d
	}
	return st.Title.Render(title) + "\n\n" + bar.ViewAs(pct) + "\n" +
		st.Muted.Render(phase+count) + "\n\n" + st.Muted.Render("esc cancels")
}

// phaseText says what the store's backup and restore phases are doing.
var phaseText = map[string]string{
	"snapshot":    "taking a consistent snapshot",
	"copy":        "copying pages",
	"verify":      "verifying the copy: fsync, checksum, integrity check, row counts",
	"check":       "verifying the backup: checksum, integrity check, row counts",
	"safety-copy": "keeping a safety copy",
	"open":        "opening the restored copy as opsdeck would",
	"done":        "done",
}

func newBar(st *themes.Styles, width int) progress.Model {
	opts := []progress.Option{progress.WithWidth(width), progress.WithFillCharacters('█', '░')}
	if st.Theme.Mono {
		opts = append(opts, progress.WithColors(lipgloss.NoColor{}))
	} else {
		opts = append(opts, progress.WithColors(lipgloss.Color(st.Theme.Accent)))
	}
	b := progress.New(opts...)
	if st.Theme.Mono {
		b.EmptyColor = lipgloss.NoColor{}
	}
	return b
}

// screenDoneMsg closes the screen on top (an import that committed or was
// cancelled) with a flash; the tabs reload when it changed data.
type screenDoneMsg struct {
	flash   string
	isErr   bool
	changed bool
}

func screenDone(flash string, isErr, changed bool) tea.Cmd {
	return func() tea.Msg { return screenDoneMsg{flash: flash, isErr: isErr, changed: changed} }
}

// openScreen shows s on top of the current tab or page; kind names it in
// the stack ("import", "backups": no record has such a kind).
func (a *app) openScreen(kind string, s Screen) tea.Cmd {
	return a.pushScreen(pushScreenMsg{link: detail.Link{Kind: kind}, screen: s})
}
