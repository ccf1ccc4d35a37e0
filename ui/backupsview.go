package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/internal/human"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui/components/detail"
)

// The backups overlay (":backups", or b on the services tab): the company's
// backup jobs and opsdeck's own backups with their state and its one-line
// reason, last run, size, duration and verification; b takes a backup of
// opsdeck's database now and t restore-tests the newest one, each with a
// progress bar and cancellable. Restoring for real is left to the CLI: it
// replaces the database file under this very console.

type backupsData struct {
	health  []model.BackupHealth
	runs    []model.BackupRun
	idle    []model.BackupJob // paused jobs: not run, no alert
	bare    []model.Service   // active services no job covers
	dir     string
	loadErr error
}

type (
	backupsMsg    struct{ data backupsData }
	backupDoneMsg struct {
		job  int64
		what string // "backup" or "restore test"
		line string // what happened, for the flash
		err  error
	}
)

type backupsView struct {
	env   TabEnv
	w, h  int
	data  *backupsData
	lines []string
	off   int
	job   *job
	title string // of the running job
	// last is the outcome of the last backup or restore test, shown on top.
	last    string
	lastErr bool
}

func init() {
	open := func(a *app) tea.Cmd { return a.openScreen("backups", newBackupsView(a.env)) }
	registerActions(action{
		key: key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "backups")),
		on:  func(c actx) bool { return c.kind == "service" && !c.screen },
		run: func(a *app, _ actx) tea.Cmd { return open(a) }})
	registerCommand(commandDef{name: "backups", aliases: []string{"backup"},
		usage: ":backups   backup jobs and opsdeck's own",
		run:   func(a *app, _ string) tea.Cmd { return open(a) }})
}

func newBackupsView(env TabEnv) *backupsView { return &backupsView{env: env} }

// Title is the breadcrumb.
func (v *backupsView) Title() string { return "backups" }

func (v *backupsView) SetSize(w, h int) { v.w, v.h = w, h; v.render() }

// Capturing while a backup or restore test runs: esc cancels it, and the
// shell's keys (tabs, q) wait, so the work is never orphaned.
func (v *backupsView) Capturing() bool { return v.job != nil }

func (v *backupsView) KeyMap() help.KeyMap {
	b := func(k, desc string) key.Binding { return key.NewBinding(key.WithKeys(k), key.WithHelp(k, desc)) }
	if v.job != nil {
		return keyList{b("esc", "cancel")}
	}
	return keyList{b("b", "back up opsdeck now"), b("t", "restore-test the newest"), b("↑↓", "scroll")}
}

func (v *backupsView) Load() tea.Cmd {
	env := v.env
	return func() tea.Msg { return backupsMsg{data: loadBackups(env)} }
}

// loadBackups reads everything the view shows (in a Cmd).
func loadBackups(env TabEnv) backupsData {
	ctx, s := env.Ctx, env.Store
	d := backupsData{dir: store.DefaultBackupDir(s.Path())}
	var err error
	if d.health, err = s.BackupHealth(ctx, model.DefaultSelfBackupPolicy, env.now()); err != nil {
		d.loadErr = err
		return d
	}
	if d.runs, err = s.ListBackupRuns(ctx, store.BackupRunQuery{Limit: 30}); err != nil {
		d.loadErr = err
		return d
	}
	jobs, err := s.ListBackupJobs(ctx, store.BackupJobQuery{})
	if err != nil {
		d.loadErr = err
		return d
	}
	for _, j := range jobs {
		if j.Status == "paused" { // retired jobs leave the lists, as in the CLI
			d.idle = append(d.idle, j)
		}
	}
	d.bare, d.loadErr = s.ServicesWithoutBackupJob(ctx)
	return d
}

func (v *backupsView) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case backupsMsg:
		v.data = &msg.data
		v.render()
	case progressMsg:
		return v, v.job.onProgress(msg)
	case backupDoneMsg:
		if v.job == nil || msg.job != v.job.id {
			return v, nil
		}
		v.job = nil
		v.last, v.lastErr, v.off = msg.line, msg.err != nil, 0
		v.render()
		return v, v.Load()
	case tea.KeyPressMsg:
		return v.onKey(msg)
	}
	return v, nil
}

func (v *backupsView) onKey(k tea.KeyPressMsg) (Screen, tea.Cmd) {
	if v.job != nil {
		if k.String() == "esc" {
			v.job.cancel()
			v.job.phase = "cancelling…"
		}
		return v, nil
	}
	switch k.String() {
	case "b":
		return v, v.backupNow()
	case "t":
		return v, v.restoreTest()
	case "up", "k":
		v.off--
	case "down", "j":
		v.off++
	case "pgup", "ctrl+b":
		v.off -= v.h
	case "pgdown", "space", "ctrl+f":
		v.off += v.h
	case "home", "g":
		v.off = 0
	case "end", "G":
		v.off = len(v.lines)
	}
	v.off = max(min(v.off, len(v.lines)-v.h), 0)
	return v, nil
}

func (v *backupsView) canWrite() bool {
	if v.env.Actor.CanWrite() {
		return true
	}
	v.last, v.lastErr = "your role ("+v.env.Actor.Role+") cannot take or test backups", true
	v.render()
	return false
}

// backupNow takes an online backup of opsdeck's database into the default
// directory; cancelling stops it within one step and the store records a
// failed run, leaving earlier backups untouched.
func (v *backupsView) backupNow() tea.Cmd {
	if !v.canWrite() {
		return nil
	}
	env := v.env
	j, cmd := startJob(env.Ctx, "starting", func(ctx context.Context, id int64, progress report) tea.Msg {
		run, err := env.Store.Backup(ctx, env.Actor, store.BackupOptions{Reason: "manual", Progress: func(p store.BackupProgress) {
			progress(p.Phase, p.Done, p.Total)
		}})
		done := backupDoneMsg{job: id, what: "backup", err: err}
		switch {
		case errors.Is(err, context.Canceled):
			done.line = "backup cancelled: no file written, earlier backups untouched (recorded as a cancelled run)"
		case err != nil:
			done.line = "backup failed: " + oneLine(err.Error())
		default:
			done.line = fmt.Sprintf("backed up to %s: %s in %s, verified (integrity %s, row counts match)",
				filepath.Base(run.File), human.Bytes(run.SizeBytes), human.Took(run.DurationMS), run.Integrity)
		}
		return done
	})
	v.job, v.title = j, "Backing up opsdeck's database"
	return cmd
}

// restoreTest proves the newest backup restores: it restores it, with the
// real restore code (verify, copy, verify the copy), into a temporary
// directory, opens the result as opsdeck would (migrating an older one),
// and records the outcome on the run. A cancelled test records nothing.
func (v *backupsView) restoreTest() tea.Cmd {
	if !v.canWrite() {
		return nil
	}
	env := v.env
	j, cmd := startJob(env.Ctx, "finding the newest backup", func(ctx context.Context, id int64, progress report) tea.Msg {
		done := backupDoneMsg{job: id, what: "restore test"}
		run, rep, err := ops.RestoreTest(ctx, env.ops(), "", ops.Progress(progress))
		switch {
		case errors.Is(err, ops.ErrNoBackup):
			done.err, done.line = err, "restore test: no backup to test: press b to take one"
		case errors.Is(err, context.Canceled):
			done.err, done.line = err, "restore test cancelled: nothing recorded"
		case err != nil:
			done.err, done.line = err, "restore test not recorded: "+oneLine(err.Error())
		case !rep.OK:
			problem := strings.Join(rep.Problems, "; ")
			done.err, done.line = errors.New(problem), "restore test FAILED for "+filepath.Base(run.File)+": "+oneLine(problem)
		default:
			done.line = "restore test passed: " + filepath.Base(run.File) + " restores, verifies and opens (recorded)"
		}
		return done
	})
	v.job, v.title = j, "Restore test of the newest backup (into a temporary directory)"
	return cmd
}

func (v *backupsView) View() string {
	if v.job != nil {
		return v.job.view(v.env.Styles, v.title, v.w)
	}
	if v.data == nil {
		return v.env.Styles.Muted.Render("loading backups…")
	}
	end := min(v.off+v.h, len(v.lines))
	return strings.Join(v.lines[v.off:end], "\n")
}

// render lays the view out for the width (on load and resize).
func (v *backupsView) render() {
	if v.data == nil {
		return
	}
	st, d, now := v.env.Styles, v.data, v.env.now()
	var out []string
	add := func(s string) { out = append(out, ansi.Truncate(s, v.w, "…")) }
	if v.last != "" {
		style := st.OK
		if v.lastErr {
			style = st.Error
		}
		for _, l := range strings.Split(ansi.Wrap(v.last, max(v.w, 10), ""), "\n") {
			add(style.Render(l))
		}
		add("")
	}
	if d.loadErr != nil {
		add(st.Error.Render("could not read backups: ") + st.Text.Render(d.loadErr.Error()))
	}
	add(st.Header.Render("BACKUP JOBS") + st.Muted.Render("  opsdeck itself first"))
	jobName := func(h model.BackupHealth) string {
		if h.Kind == "self" {
			return "opsdeck (this database)"
		}
		return model.Sanitize(h.Name + " · " + h.ServiceName)
	}
	nameW := 10
	for _, h := range d.health {
		nameW = max(nameW, min(ansi.StringWidth(jobName(h)), 40))
	}
	wide := v.w >= 20+nameW+60
	for _, h := range d.health {
		name := jobName(h)
		size, took := "-", "-"
		if h.LastSizeBytes != nil {
			size = human.Bytes(*h.LastSizeBytes)
		}
		if h.LastRunAt != nil {
			took = human.Took(h.LastDurationMS)
		}
		state := stateCell(st, themes.DomainBackup, string(h.State), 22)
		name = ansi.Truncate(name, nameW, "…")
		facts := fmt.Sprintf("last run %-9s %9s  took %-7s tested %s", model.Ago(h.LastRunAt, now), size, took, model.Ago(h.RestoreTestedAt, now))
		if wide {
			add(state + st.Text.Render(fmt.Sprintf(" %-*s  %s", nameW, name, facts)))
		} else {
			add(state + st.Text.Render(" "+name))
			add(st.Text.Render("    " + facts))
		}
		if h.Reason != "" {
			for i, l := range strings.Split(ansi.Wrap(model.Sanitize(h.Reason), max(v.w-6, 10), ""), "\n") {
				lead := "    ↳ "
				if i > 0 {
					lead = "      "
				}
				add(st.Muted.Render(lead + l))
			}
		}
	}
	for _, j := range d.idle {
		add(st.Muted.Render(fmt.Sprintf("%-20s %s · %s", j.Status, model.Sanitize(j.Name), model.Sanitize(j.ServiceName))))
	}
	if len(d.bare) > 0 {
		add("")
		add(st.Header.Render(fmt.Sprintf("SERVICES WITH NO BACKUP JOB (%d)", len(d.bare))))
		for _, s := range d.bare {
			line := fmt.Sprintf("  %-24s %s", model.Sanitize(s.Name), s.Criticality)
			if s.Criticality == "critical" || s.Criticality == "high" {
				add(st.Warn.Render(line + "  ← nothing backs it up"))
			} else {
				add(st.Text.Render(line))
			}
		}
	}
	add("")
	where := d.dir
	if v.env.Remote {
		where = "the server's backup directory"
	}
	add(st.Header.Render("OPSDECK'S OWN BACKUPS") + st.Muted.Render("  newest first, in "+where))
	if len(d.runs) == 0 {
		add(st.Muted.Render("  none yet — b takes one now (the scheduler takes one daily)"))
	}
	for _, r := range d.runs {
		verified := "verified"
		if !r.Verified {
			verified = "NOT verified"
		}
		test := "never restore-tested"
		switch {
		case r.RestoreTestedAt != nil && r.RestoreTestOK != nil && *r.RestoreTestOK:
			test = "restore test ok " + model.Ago(r.RestoreTestedAt, now)
		case r.RestoreTestedAt != nil:
			test = "restore test FAILED " + model.Ago(r.RestoreTestedAt, now)
		}
		file := "-"
		if r.File != "" {
			file = filepath.Base(r.File)
		}
		if r.PrunedAt != nil {
			file += " (pruned)"
		}
		style := st.Text
		if r.Status != "ok" {
			style, verified, test = st.Error, r.Status, ""
		}
		add(style.Render(fmt.Sprintf("  %-9s %-13s %8s %6s  %-12s %s  %s", model.Ago(&r.StartedAt, now), r.Reason, human.Bytes(r.SizeBytes),
			human.Took(r.DurationMS), verified, test, file)))
		if r.Error != "" {
			add(st.Muted.Render("    ↳ " + model.Sanitize(r.Error)))
		}
	}
	add("")
	for _, l := range strings.Split(ansi.Wrap("Restoring for real is not done from the console: it replaces the database under it. "+
		"Quit, then run `opsdeck restore FILE` in a shell (it keeps a safety copy and verifies).", max(v.w, 10), ""), "\n") {
		add(st.Muted.Render(l))
	}
	v.lines = out
	v.off = max(min(v.off, len(v.lines)-v.h), 0)
}

// backupSection is a service page's backup coverage: the jobs covering it
// with their state, or a warning when none does (loud for critical ones).
func backupSection(env TabEnv, svc model.Service, now time.Time) (detail.Section, error) {
	jobs, err := env.Store.ListBackupJobs(env.Ctx, store.BackupJobQuery{ServiceID: svc.ID})
	if err != nil {
		return detail.Section{}, err
	}
	sec := detail.Section{Title: fmt.Sprintf("Backups (%d jobs)", len(jobs)), Empty: "no backup job (opsdeck backups add NAME --service " + svc.Name + " …)"}
	if len(jobs) == 0 && (svc.Criticality == "critical" || svc.Criticality == "high") && svc.Status != "retired" {
		sec.Rows = append(sec.Rows, detail.Row{Text: "NO BACKUP JOB: nothing backs up this " + svc.Criticality + " service (b: backups)", Warn: true})
	}
	for _, j := range jobs {
		h, err := env.Store.JobHealth(env.Ctx, j, now)
		if err != nil {
			return sec, err
		}
		state := string(h.State)
		if j.Status != "active" {
			state = j.Status
		}
		sec.Rows = append(sec.Rows, detail.Row{Text: fmt.Sprintf("%s: %s · last run %s · restore-tested %s · %s", model.Sanitize(j.Name), state,
			model.Ago(h.LastRunAt, now), model.Ago(h.RestoreTestedAt, now), model.Sanitize(h.Reason)), Warn: j.Status == "active" && !h.State.Healthy()})
	}
	return sec, nil
}
