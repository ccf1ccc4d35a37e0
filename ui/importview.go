package ui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/transfer"
	"github.com/opsdeck/opsdeck/ui/components/textin"
)

// The import overlay: a path prompt (tab completes file names; options as
// on the command line), the dry run in a Cmd, its report in a scrollable
// view, then commit (enter/c) with a progress bar, or cancel (esc). The
// same transfer.Plan and Report.Commit as `opsdeck import`, so the console
// and the CLI can never disagree about a file.

type importState int

const (
	importPrompt importState = iota
	importPlanning
	importReport
	importCommitting
)

type (
	planMsg struct {
		seq   int
		rep   *transfer.Report
		err   error
		lines []string // the report rendered for width
		width int
	}
	// linesMsg is the report re-rendered for a new width.
	linesMsg struct {
		seq   int
		lines []string
		width int
	}
	committedMsg struct {
		job int64
		rep *transfer.Report
		err error
	}
)

type importView struct {
	env    TabEnv
	kind   string
	preset transfer.Options // --service from a service's page
	w, h   int
	state  importState

	input      textinput.Model
	candidates []string // what tab completion found, when ambiguous
	err        string   // one line: a missing or unreadable file, bad options

	seq        int // the dry run whose result is awaited
	planCancel context.CancelFunc
	rep        *transfer.Report
	lines      []string // the report, rendered for linesW
	linesW     int
	off        int
	commitErr  string

	job *job
}

func newImportView(env TabEnv, kind string, preset transfer.Options) *importView {
	v := &importView{env: env, kind: kind, preset: preset}
	v.input = textin.New(env.Styles, "file: ")
	v.input.Placeholder = "path to a CSV, JSON or YAML file (tab completes)"
	if env.Remote {
		v.input.Placeholder = "a CSV, JSON or YAML file in the import directory (tab completes)"
	}
	v.input.Focus()
	return v
}

func init() {
	registerActions(action{
		key:   key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "import a file (dry run first)")),
		write: true,
		on:    func(c actx) bool { return !c.screen },
		shown: onKinds("person", "device", "service"),
		run:   func(a *app, _ actx) tea.Cmd { return a.startImport() }})
	registerCommand(commandDef{name: "import",
		usage: ":import " + strings.Join(transfer.Kinds, "|") + " [FILE]",
		run:   func(a *app, arg string) tea.Cmd { return a.importCommand(arg) }})
}

// startImport opens the import prompt for what is on screen: people,
// devices or services from their tabs, a service's accounts from its page.
func (a *app) startImport() tea.Cmd {
	kind := map[string]string{"person": "people", "device": "devices", "service": "services"}[a.kind()]
	var preset transfer.Options
	if p := a.top(); p != nil && p.link.Kind == "service" {
		kind, preset.Service = "accounts", p.view.Data().Title
	}
	if kind == "" {
		a.setFlash("i imports into people, devices and services (or :import accounts FILE --service NAME)", true)
		return nil
	}
	return a.openImport(kind, preset, "")
}

// importCommand runs ":import KIND [FILE [--options]]".
func (a *app) importCommand(arg string) tea.Cmd {
	kind, rest, _ := strings.Cut(strings.TrimSpace(arg), " ")
	if !slices.Contains(transfer.Kinds, kind) {
		a.setFlash(fmt.Sprintf("import what? :import %s [FILE]", strings.Join(transfer.Kinds, "|")), true)
		return nil
	}
	return a.openImport(kind, transfer.Options{}, strings.TrimSpace(rest))
}

func (a *app) openImport(kind string, preset transfer.Options, line string) tea.Cmd {
	if !a.env.Actor.CanWrite() {
		a.setFlash("your role ("+a.env.Actor.Role+") cannot import", true)
		return nil
	}
	if a.env.Remote && a.env.ImportDir == "" {
		a.setFlash(ops.RemoteImportOff(kind), true)
		return nil
	}
	v := newImportView(a.env, kind, preset)
	cmd := a.openScreen("import", v)
	if line != "" {
		v.input.SetValue(line)
		v.input.CursorEnd()
		return tea.Batch(cmd, v.plan())
	}
	return cmd
}

// Title is the breadcrumb.
func (v *importView) Title() string {
	if v.preset.Service != "" {
		return "import accounts of " + v.preset.Service
	}
	return "import " + v.kind
}

// syncRender is how many problems and rows a report may have for it to be
// re-rendered inside Update on a resize; bigger ones (100,000 bad rows take
// about a second) re-render in a Cmd and show the old layout meanwhile.
const syncRender = 2000

func (v *importView) SetSize(w, h int) {
	v.w, v.h = w, h
	v.input.SetWidth(max(w-8, 10))
	if v.rep != nil && v.linesW != w && len(v.rep.Problems)+len(v.rep.Items) <= syncRender {
		v.lines, v.linesW = reportLines(v.env, v.rep, w), w
	}
	v.clamp()
}

// Load re-renders a big report for the current width (the shell calls it
// after a resize); the import itself has nothing to re-read.
func (v *importView) Load() tea.Cmd {
	if v.rep == nil || v.linesW == v.w {
		return nil
	}
	env, rep, w, seq := v.env.forCmd(), v.rep, v.w, v.seq
	return func() tea.Msg { return linesMsg{seq: seq, lines: reportLines(env, rep, w), width: w} }
}

// Capturing: while typing, planning or committing every key (esc too)
// is the import's; on the report the shell's keys work and esc closes it
// (a dry run writes nothing).
func (v *importView) Capturing() bool { return v.state != importReport }

func (v *importView) KeyMap() help.KeyMap {
	b := func(k, desc string) key.Binding { return key.NewBinding(key.WithKeys(k), key.WithHelp(k, desc)) }
	switch v.state {
	case importPrompt:
		return keyList{b("enter", "dry run"), b("tab", "complete the file name"), b("esc", "close")}
	case importPlanning:
		return keyList{b("esc", "stop")}
	case importCommitting:
		return keyList{b("esc", "cancel the import (nothing is written)")}
	}
	keys := keyList{b("↑↓/pgup/pgdn", "scroll"), b("g/G", "top/bottom")}
	if v.canCommit() {
		keys = append(keyList{key.NewBinding(key.WithKeys("enter", "c"), key.WithHelp("enter/c", "commit"))}, keys...)
	}
	return keys
}

// keyList is a help.KeyMap of one group.
type keyList []key.Binding

func (k keyList) ShortHelp() []key.Binding  { return k }
func (k keyList) FullHelp() [][]key.Binding { return [][]key.Binding{k} }

// canCommit is whether the report allows a commit: atomic needs a clean
// file; skip-bad needs readable columns.
func (v *importView) canCommit() bool {
	r := v.rep
	return ops.CanCommit(r)
}

func (v *importView) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case planMsg:
		if msg.seq != v.seq || v.state != importPlanning {
			return v, nil
		}
		if msg.err != nil {
			v.state, v.err = importPrompt, planError(msg.err)
			return v, v.input.Focus()
		}
		v.state, v.rep, v.off, v.commitErr = importReport, msg.rep, 0, ""
		v.lines, v.linesW = msg.lines, msg.width
		return v, v.Load() // the window may have changed meanwhile
	case linesMsg:
		if msg.seq == v.seq && v.rep != nil {
			v.lines, v.linesW = msg.lines, msg.width
			v.clamp()
		}
		return v, nil
	case progressMsg:
		return v, v.job.onProgress(msg)
	case committedMsg:
		if v.job == nil || msg.job != v.job.id {
			return v, nil
		}
		v.job, v.state = nil, importReport // until the shell closes it
		if msg.err != nil {
			if errors.Is(msg.err, context.Canceled) {
				return v, screenDone("import cancelled: nothing written", false, false)
			}
			v.commitErr = oneLine(msg.err.Error())
			return v, nil
		}
		return v, screenDone(committedLine(msg.rep), false, true)
	case tea.KeyPressMsg:
		return v.onKey(msg)
	}
	return v, nil
}

func (v *importView) onKey(k tea.KeyPressMsg) (Screen, tea.Cmd) {
	ks := k.String()
	switch v.state {
	case importPrompt:
		switch ks {
		case "esc":
			return v, screenDone("", false, false)
		case "enter":
			return v, v.plan()
		case "tab":
			v.complete()
			return v, nil
		}
		var cmd tea.Cmd
		v.input, cmd = v.input.Update(k)
		v.candidates = nil
		return v, cmd
	case importPlanning:
		if ks == "esc" {
			v.planCancel()
			v.state = importPrompt
			return v, v.input.Focus()
		}
	case importCommitting:
		if ks == "esc" {
			v.job.cancel()
			v.job.phase = "cancelling…"
		}
	case importReport:
		switch ks {
		case "enter", "c":
			if v.canCommit() {
				return v, v.commit()
			}
		case "up", "k":
			v.off--
		case "down", "j":
			v.off++
		case "pgup", "ctrl+b":
			v.off -= v.page()
		case "pgdown", "space", "ctrl+f":
			v.off += v.page()
		case "home", "g":
			v.off = 0
		case "end", "G":
			v.off = len(v.lines)
		}
		v.clamp()
	}
	return v, nil
}

func (v *importView) page() int { return max(v.h-1, 1) }

func (v *importView) clamp() { v.off = max(min(v.off, len(v.lines)-v.page()), 0) }

// plan starts the dry run of what the prompt names.
func (v *importView) plan() tea.Cmd {
	path, opts, err := parseImportLine(v.input.Value(), v.preset, v.env.Remote)
	if err != nil {
		v.err = err.Error()
		return nil
	}
	v.err, v.candidates = "", nil
	v.seq++
	v.state = importPlanning
	v.input.Blur()
	ctx, cancel := context.WithCancel(v.env.Ctx)
	v.planCancel = cancel
	env, kind, seq, w := v.env.forCmd(), v.kind, v.seq, v.w
	return func() tea.Msg {
		defer cancel()
		src := ops.ImportSource{Name: path, Remote: env.Remote, Dir: env.ImportDir}
		rep, err := ops.PlanImport(ctx, env.ops(), kind, src, opts)
		if err != nil {
			return planMsg{seq: seq, err: err}
		}
		return planMsg{seq: seq, rep: rep, lines: reportLines(env, rep, w), width: w}
	}
}

// commit writes the planned import in one transaction, reporting progress.
func (v *importView) commit() tea.Cmd {
	env, rep := v.env, v.rep
	j, cmd := startJob(env.Ctx, "writing", func(ctx context.Context, id int64, progress report) tea.Msg {
		err := ops.CommitImport(ctx, env.ops(), rep, ops.Progress(progress))
		return committedMsg{job: id, rep: rep, err: err}
	})
	v.job, v.state = j, importCommitting
	return cmd
}

func (v *importView) View() string {
	st := v.env.Styles
	switch v.state {
	case importPrompt, importPlanning:
		var b strings.Builder
		b.WriteString(st.Title.Render("Import "+v.kind) + st.Muted.Render(" — a dry run first: nothing is written until you commit") + "\n\n")
		b.WriteString(v.input.View() + "\n")
		if v.err != "" {
			b.WriteString(st.Error.Render(ansi.Wrap(v.err, max(v.w, 10), "")) + "\n")
		}
		if len(v.candidates) > 0 {
			b.WriteString(st.Muted.Render(ansi.Truncate(strings.Join(v.candidates, "  "), v.w, "…")) + "\n")
		}
		if v.state == importPlanning {
			b.WriteString("\n" + st.Muted.Render("reading the file and checking every row…"))
			return b.String()
		}
		if v.env.Remote {
			b.WriteString("\n" + st.Muted.Render(ansi.Wrap("over SSH: a file the server's admin put in the import directory, or send your own: ssh HOST import "+v.kind+" - < FILE", max(v.w, 10), "")) + "\n")
		}
		b.WriteString("\n" + st.Muted.Render("after the path, optionally:") + "\n")
		opts := []string{"--format auto|csv|json|yaml", "--mode atomic|skip-bad", "--update-existing"}
		switch v.kind {
		case "accounts":
			opts = append(opts, "--service NAME (a member list without a service column)")
		case "software":
			opts = append(opts, "--device REF (osquery output)")
		}
		opts = append(opts, "--encoding latin1")
		for _, o := range opts {
			b.WriteString(st.Text.Render("  "+o) + "\n")
		}
		if v.preset.Service != "" {
			b.WriteString("\n" + st.Muted.Render("every row is an account of "+v.preset.Service))
		}
		return b.String()
	case importCommitting:
		return v.job.view(st, fmt.Sprintf("Importing %d rows into %s", v.rep.Summary.Total, v.kind), v.w)
	}
	end := min(v.off+v.page(), len(v.lines))
	body := strings.Join(v.lines[v.off:end], "\n")
	if len(v.lines) > v.page() {
		body += "\n" + st.Muted.Render(fmt.Sprintf("lines %d–%d of %d", v.off+1, end, len(v.lines)))
	}
	if v.commitErr != "" {
		return st.Error.Render(ansi.Truncate(v.commitErr, v.w, "…")) + "\n" + body
	}
	return body
}

// parseImportLine splits "PATH [--format F] [--mode M] [--update-existing]
// [--service NAME] [--device REF] [--encoding E]" — the CLI's flags, so
// what works in a shell works here.
//
// For a remote session the path is a name inside the import directory:
// relative, no "..", no "~" (transfer.CheckRelName).
func parseImportLine(line string, preset transfer.Options, remote bool) (string, transfer.Options, error) {
	opts := preset
	parts := strings.Split(" "+line, " --")
	path := strings.TrimSpace(parts[0])
	if path == "" {
		return "", opts, fmt.Errorf("give the path of the file to import")
	}
	if remote {
		if err := transfer.CheckRelName(path); err != nil {
			return "", opts, err
		}
	} else {
		path = expandHome(path)
	}
	for _, p := range parts[1:] {
		name, val, _ := strings.Cut(strings.TrimSpace(p), " ")
		name, val = strings.TrimPrefix(name, "--"), strings.Trim(strings.TrimSpace(val), `"'`)
		if n, v, ok := strings.Cut(name, "="); ok {
			name, val = n, v
		}
		switch name {
		case "format":
			opts.Format = val
		case "mode":
			opts.Mode = val
		case "update-existing":
			opts.UpdateExisting = true
		case "service":
			opts.Service = val
		case "device":
			opts.Device = val
		case "encoding":
			opts.Encoding = val
		default:
			return "", opts, fmt.Errorf("unknown option --%s (use --format, --mode, --update-existing, --service, --device, --encoding)", name)
		}
	}
	return path, opts, ops.CheckImportOptions(opts)
}

// committedLine is the flash after a commit: counts and the run id.
func committedLine(r *transfer.Report) string {
	s := r.Summary
	line := fmt.Sprintf("imported %s: %d new, %d updated, %d unchanged", filepath.Base(r.File), s.New, s.Updated, s.Unchanged)
	if s.Verified > 0 {
		line += fmt.Sprintf(", %d verified", s.Verified)
	}
	if s.Bad > 0 && r.RejectFile != "" {
		line += fmt.Sprintf(", %d rejected to %s", s.Bad, filepath.Base(r.RejectFile))
	} else if s.Bad > 0 {
		line += fmt.Sprintf(", %d rejected", s.Bad)
	}
	if s.Unverified > 0 {
		line += fmt.Sprintf(", %d marked unverified", s.Unverified)
	}
	return line + fmt.Sprintf(" (run %d, audited)", r.RunID)
}

// planError is what the prompt says when a file cannot be read: the
// file system's reason without the path said twice, else the decoder's.
func planError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Sprintf("cannot read %s: %v", pe.Path, pe.Err)
	}
	return oneLine(err.Error())
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
