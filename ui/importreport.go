package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/transfer"
)

// maxChanges caps the per-record change lines of a report; problems are
// always listed in full (that is what a dry run is for).
const maxChanges = 200

// reportLines renders a dry run for width: what the file is, the summary,
// leavers still holding accounts (loudly), every problem with its row,
// column, value and reason, unknown columns, then what changes.
func reportLines(env TabEnv, r *transfer.Report, width int) []string {
	st := env.Styles
	var out []string
	add := func(s string) { out = append(out, s) }
	wrap := func(s string, indent int) []string { return wrapWords(s, max(width-indent, 10)) }
	say := func(style lipgloss.Style, s string) {
		for _, l := range wrap(s, 0) {
			add(style.Render(l))
		}
	}
	format := r.Format
	if r.Dialect != "" && r.Dialect != "opsdeck" {
		format += ", " + r.Dialect
	}
	for i, l := range wrap("Dry run: import "+r.Kind+" from "+model.Sanitize(r.File)+" ("+format+", "+r.Mode+")", 0) {
		if i == 0 {
			add(st.Title.Render(l))
		} else {
			add(st.Muted.Render(l))
		}
	}
	s := r.Summary
	sum := fmt.Sprintf("%d rows: %d new · %d updated · %d unchanged", s.Total, s.New, s.Updated, s.Unchanged)
	if s.Verified > 0 {
		sum += fmt.Sprintf(" · %d verified", s.Verified)
	}
	if s.Skipped > 0 {
		sum += fmt.Sprintf(" · %d skipped (exist and differ; --update-existing changes them)", s.Skipped)
	}
	sum += fmt.Sprintf(" · %d bad", s.Bad)
	if s.Bad > 0 {
		say(st.Error, sum)
	} else {
		say(st.Text, sum)
	}
	switch {
	case len(r.HeaderProblems) > 0:
		say(st.Error, "The columns cannot be read as "+r.Kind+": nothing can be imported.")
	case r.OK():
		say(st.OK, "No problems: enter commits it all in one transaction.")
	case r.Mode == transfer.ModeSkipBad && !r.WritesRejectFile():
		say(st.Warn, fmt.Sprintf("skip-bad: enter imports the %d good rows; the %d bad ones are listed here and written nowhere", s.Total-s.Bad, s.Bad))
	case r.Mode == transfer.ModeSkipBad:
		say(st.Warn, fmt.Sprintf("skip-bad: enter imports the %d good rows and writes the %d bad ones to %s.rejects.csv", s.Total-s.Bad, s.Bad, strings.TrimSuffix(model.Sanitize(r.File), filepath.Ext(r.File))))
	default:
		say(st.Warn, "Atomic: nothing is imported while any row is bad. Fix the file, or re-run with --mode skip-bad.")
	}
	if len(r.Leavers) > 0 {
		add("")
		say(st.Error, fmt.Sprintf("!! %d ACCOUNTS STILL HELD BY PEOPLE WHO ARE LEAVING OR HAVE LEFT — revoke them", len(r.Leavers)))
		for _, l := range r.Leavers {
			for _, w := range wrap("!! "+model.Sanitize(l), 0) {
				add(st.Error.Render(w))
			}
		}
	}
	if len(r.Problems) > 0 {
		add("")
		add(st.Header.Render(fmt.Sprintf("PROBLEMS (%d, in %d rows)", len(r.Problems), s.Bad)))
		cw := 6
		for _, p := range r.Problems {
			cw = max(cw, min(ansi.StringWidth(model.Sanitize(p.Column)), 22))
		}
		vw := 5
		for _, p := range r.Problems {
			vw = max(vw, min(ansi.StringWidth(fmt.Sprintf("%q", model.Sanitize(p.Value))), max(width/5, 12), 30))
		}
		add(st.Muted.Render(fmt.Sprintf("%6s  %-*s  %-*s  %s", "row", cw, "column", vw, "value", "why")))
		for _, p := range r.Problems {
			row := "header"
			if p.Row > 0 {
				row = fmt.Sprint(p.Row)
			}
			value := "-"
			if p.Row > 0 || p.Value != "" {
				value = fmt.Sprintf("%q", model.Truncate(model.Sanitize(p.Value), 40))
			}
			lead := fmt.Sprintf("%6s  %-*s  %-*s  ", row, cw, ansi.Truncate(dash(model.Sanitize(p.Column)), cw, "…"), vw, ansi.Truncate(value, vw, "…"))
			indent := ansi.StringWidth(lead)
			if width-indent < 20 { // narrow: the reason on its own line
				add(st.Text.Render(lead))
				for _, w := range wrap(p.Reason, 8) {
					add("        " + st.Warn.Render(w))
				}
				continue
			}
			for i, w := range wrap(p.Reason, indent) {
				if i == 0 {
					add(st.Text.Render(lead) + st.Warn.Render(w))
				} else {
					add(strings.Repeat(" ", indent) + st.Warn.Render(w))
				}
			}
		}
	}
	if len(r.Notes) > 0 {
		add("")
		for _, n := range r.Notes {
			for _, w := range wrap("note: "+model.SanitizeN(n, 0), 0) {
				add(st.Muted.Render(w))
			}
		}
	}
	if len(r.Unverify) > 0 {
		add("")
		say(st.Warn, fmt.Sprintf("%d accounts are not in the file and will be marked unverified:", len(r.Unverify)))
		for _, w := range wrap(model.Sanitize(strings.Join(r.Unverify, ", ")), 2) {
			add("  " + st.Text.Render(w))
		}
	}
	var changed []transfer.Item
	for _, it := range r.Items {
		if it.Action == transfer.ActionUpdate || it.Action == transfer.ActionSkip || it.Action == transfer.ActionVerify {
			changed = append(changed, it)
		}
	}
	if len(changed) > 0 {
		add("")
		add(st.Header.Render(fmt.Sprintf("CHANGES TO EXISTING RECORDS (%d)", len(changed))))
		kw := 0
		for _, it := range changed {
			kw = max(kw, min(ansi.StringWidth(model.Sanitize(it.Key)), 32))
		}
		for i, it := range changed {
			if i == maxChanges {
				add(st.Muted.Render(fmt.Sprintf("… and %d more (opsdeck import --dry-run --json lists every row)", len(changed)-maxChanges)))
				break
			}
			line := fmt.Sprintf("%6d  %-9s %-*s  %s", it.Row, it.Action, kw, model.Sanitize(it.Key), model.Sanitize(strings.Join(it.Changes, "; ")))
			add(st.Text.Render(ansi.Truncate(line, width, "…")))
		}
	}
	return out
}

// wrapWords breaks plain text at spaces only (ansi.Wrap also breaks at
// hyphens, splitting "--mode" across lines); a word longer than the width
// is cut hard.
func wrapWords(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case ansi.StringWidth(line)+1+ansi.StringWidth(w) <= width:
			line += " " + w
		default:
			lines, line = append(lines, line), w
		}
		for ansi.StringWidth(line) > width {
			lines, line = append(lines, ansi.Truncate(line, width, "")), ansi.TruncateLeft(line, width, "")
		}
	}
	return append(lines, line)
}

// complete extends the path in the prompt to the longest unambiguous file
// name; when several files match, they are listed under the prompt.
func (v *importView) complete() {
	val := v.input.Value()
	typed, rest, hasOpts := strings.Cut(val, " --")
	dir, base := filepath.Split(typed)
	ents, isDir, err := v.listDir(dir)
	if err != nil {
		v.candidates = nil
		if v.env.Remote {
			v.candidates = []string{oneLine(err.Error())}
		}
		return
	}
	var names []string
	for _, e := range ents {
		n := e.Name()
		if !strings.HasPrefix(n, base) || (strings.HasPrefix(n, ".") && !strings.HasPrefix(base, ".")) {
			continue
		}
		if e.IsDir() || (e.Type()&os.ModeSymlink != 0 && isDir(n)) {
			n += "/"
		}
		names = append(names, n)
	}
	slices.Sort(names)
	if len(names) == 0 {
		v.candidates = []string{"no file matches " + typed}
		return
	}
	pre := names[0]
	for _, n := range names[1:] {
		for !strings.HasPrefix(n, pre) {
			pre = pre[:len(pre)-1]
		}
	}
	nv := dir + pre
	if hasOpts {
		nv += " --" + rest
	}
	v.input.SetValue(nv)
	v.input.SetCursor(len([]rune(dir + pre)))
	v.candidates = nil
	if len(names) > 1 {
		v.candidates = names
	}
}

// listDir lists the directory the prompt is completing in, with a test
// for whether an entry (a symlink) leads to a directory. Locally that is
// any directory; for a remote session only inside the import directory,
// through an os.Root, so neither "..", "~", an absolute path nor a
// symlink can list anything outside it.
func (v *importView) listDir(dir string) ([]os.DirEntry, func(name string) bool, error) {
	if !v.env.Remote {
		d := expandHome(dir)
		if d == "" {
			d = "."
		}
		ents, err := os.ReadDir(d)
		return ents, func(n string) bool {
			fi, err := os.Stat(filepath.Join(d, n))
			return err == nil && fi.IsDir()
		}, err
	}
	if v.env.ImportDir == "" {
		return nil, nil, errors.New(ops.RemoteImportOff(v.kind))
	}
	d := "."
	if dir != "" {
		if err := transfer.CheckRelName(dir); err != nil {
			return nil, nil, err
		}
		d = dir
	}
	root, err := os.OpenRoot(v.env.ImportDir)
	if err != nil {
		return nil, nil, errors.New("the import directory cannot be opened")
	}
	defer root.Close()
	f, err := root.Open(d)
	if err != nil {
		return nil, nil, fmt.Errorf("no directory %s in the import directory", model.Excerpt(dir))
	}
	defer f.Close()
	ents, err := f.ReadDir(-1)
	if err != nil {
		return nil, nil, fmt.Errorf("no directory %s in the import directory", model.Excerpt(dir))
	}
	isDir := map[string]bool{}
	for _, e := range ents {
		if e.Type()&os.ModeSymlink != 0 {
			fi, err := root.Stat(filepath.Join(d, e.Name()))
			isDir[e.Name()] = err == nil && fi.IsDir()
		}
	}
	return ents, func(n string) bool { return isDir[n] }, nil
}

// expandHome turns a leading ~/ into the home directory, as a shell would.
func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if h, err := os.UserHomeDir(); err == nil {
			return filepath.Join(h, strings.TrimPrefix(p, "~"))
		}
	}
	return p
}
