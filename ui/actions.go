package ui

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui/components/detail"
	"github.com/opsdeck/opsdeck/ui/components/form"
)

func (a *app) loadForm(kind string, id int64) tea.Cmd {
	spec, ok := editSpecs[kind]
	if !ok || !a.canWrite() {
		return nil
	}
	env := a.env
	return func() tea.Msg {
		title, fs, err := spec.fields(env, id)
		note := ""
		if spec.note != nil && err == nil && id != 0 {
			note = spec.note(env, id)
		}
		return formMsg{kind: kind, id: id, title: title, note: note, f: fs, err: err}
	}
}

func (a *app) openForm(m formMsg) tea.Cmd {
	if m.err != nil {
		a.setFlash("cannot open the form: "+m.err.Error(), true)
		return nil
	}
	a.form = form.New(a.styles, m.kind, m.title, m.f)
	a.form.Note = m.note
	a.form.Check = editSpecs[m.kind].check
	a.form.SetSize(a.width, a.bodyHeight())
	a.formKind, a.formID = m.kind, m.id
	a.mode = modeForm
	return nil
}

func (a *app) save(vals map[string]string) tea.Cmd {
	env, spec, id, kind := a.env, editSpecs[a.formKind], a.formID, a.formKind
	return func() tea.Msg {
		var newID int64
		var name string
		err := env.Store.Write(env.Ctx, env.Actor, func(t *store.Tx) error {
			var err error
			newID, name, err = spec.save(t, id, vals)
			return err
		})
		return savedMsg{kind: kind, name: name, id: newID, added: id == 0, err: err}
	}
}

func (a *app) onSaved(m savedMsg) tea.Cmd {
	if m.err != nil {
		if a.mode == modeForm {
			a.form.SetError(m.err)
		} else {
			a.setFlash(m.err.Error(), true)
		}
		return nil
	}
	a.mode = modeNormal
	verb := "saved"
	if m.added {
		verb = "added"
		a.selectAfter = &detail.Link{Kind: m.kind, ID: m.id}
	}
	if done := editSpecs[m.kind].done; done != "" {
		a.setFlash(done+" "+m.name, false)
		return tea.Batch(a.reloadAll(), a.readCounts())
	}
	a.setFlash(fmt.Sprintf("%s %s %s", verb, m.kind, m.name), false)
	return a.reloadAll()
}

func (a *app) preview(l detail.Link) tea.Cmd {
	spec, ok := editSpecs[l.Kind]
	if !ok || !a.canWrite() {
		return nil
	}
	env := a.env
	return func() tea.Msg {
		name, lines, err := previewDeactivate(env, spec, l.ID)
		return previewMsg{kind: l.Kind, id: l.ID, name: name, lines: lines, err: err}
	}
}

func (a *app) deactivate() tea.Cmd {
	env, spec, id, kind := a.env, editSpecs[a.pending.kind], a.pending.id, a.pending.kind
	return func() tea.Msg {
		var name string
		err := env.Store.Write(env.Ctx, env.Actor, func(t *store.Tx) error {
			_, _, n, err := spec.deactivate(t, id)
			name = n
			return err
		})
		return deactivatedMsg{kind: kind, name: name, err: err}
	}
}

func init() {
	registerCommand(commandDef{name: "theme", usage: ":theme dark|light|high-contrast",
		run: func(a *app, arg string) tea.Cmd {
			t, err := themes.Builtin(arg)
			if err != nil {
				a.setFlash(err.Error(), true)
				return nil
			}
			a.setTheme(t)
			return nil
		}})
	registerCommand(commandDef{name: "help", run: func(a *app, _ string) tea.Cmd { a.mode = modeHelp; return nil }})
	registerCommand(commandDef{name: "quit", aliases: []string{"q"}, usage: ":q quit",
		run: func(*app, string) tea.Cmd { return tea.Quit }})
}

// runCommand runs a ":" line: a registered command, or a tab's name,
// alias or unique prefix, optionally with a filter ("dev kristen").
func (a *app) runCommand(line string) tea.Cmd {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return nil
	}
	word, arg := strings.ToLower(fields[0]), strings.Join(fields[1:], " ")
	for _, d := range commandDefs {
		if d.matches(word) {
			return d.run(a, arg)
		}
	}
	var hits []int
	for i, d := range tabDefs {
		if d.name == word || slices.Contains(d.aliases, word) {
			hits = []int{i}
			break
		}
		if strings.HasPrefix(d.name, word) {
			hits = append(hits, i)
		}
	}
	if len(hits) != 1 {
		a.setFlash(fmt.Sprintf("unknown command %q — try %s", word, strings.Join(a.commandWords(), ", ")), true)
		return nil
	}
	cmd := a.switchTab(hits[0])
	if f, ok := a.tab().(Filterable); ok {
		_, fz := f.Filter()
		f.SetFilter(arg, fz)
	}
	return cmd
}
