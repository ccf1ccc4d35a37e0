package ui

import (
	"fmt"
	"sync"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/ui/components/checklist"
	"github.com/opsdeck/opsdeck/ui/components/detail"
)

// checklistUI is what a checklist kind may add to the generic screen; every
// field is optional. A kind registers it from its ui file's init() with
// registerChecklistUI.
type checklistUI struct {
	// Noun names the walk ("onboarding"); default: the kind's name.
	Noun string
	// Header words the top of the screen (extra is Extra's result);
	// default: title, subject, counts.
	Header func(c model.Checklist, extra any) checklist.Header
	// Extra reads what Header and AskDone need (suggestions: spare
	// laptops...), in the load's Cmd, after every write; prev is what it
	// read last time (nil at first), for what is not worth re-reading.
	Extra func(env TabEnv, c model.Checklist, prev any) (any, error)
	// AskDone says what marking step s done asks; default: a step with an
	// Input asks for it, prefilled with its Default.
	AskDone func(c model.Checklist, extra any, s model.ChecklistStep) *checklist.Ask
	// Hint is what space does on an open step.
	Hint func(s model.ChecklistStep) string
	// Link is the record enter opens for a step (extra is Extra's result);
	// default: the step's RefKind and RefID.
	Link func(extra any, s model.ChecklistStep) (detail.Link, bool)
	// Empty is what a checklist without steps says.
	Empty string
	// Completed words a completion (a forced one's reason follows);
	// default: the title and its summary.
	Completed func(c model.Checklist) string
	// Undone is added to "step N undone: back to open" (what undo put back).
	Undone string
}

var (
	checklistUIMu sync.RWMutex
	checklistUIs  = map[string]checklistUI{}
)

// registerChecklistUI registers kind's console additions.
func registerChecklistUI(kind string, u checklistUI) {
	checklistUIMu.Lock()
	defer checklistUIMu.Unlock()
	if _, dup := checklistUIs[kind]; dup {
		panic("checklist UI registered twice: " + kind)
	}
	checklistUIs[kind] = u
}

func uiFor(kind string) checklistUI {
	checklistUIMu.RLock()
	defer checklistUIMu.RUnlock()
	u := checklistUIs[kind]
	if u.Noun == "" {
		u.Noun = kind
	}
	return u
}

// A "checklist" link opens any generic checklist by its id.
func init() {
	registerDetail(detailDef{kind: "checklist", screen: func(env TabEnv, id int64) Screen { return newChecklistScreen(env, id) }})
}

// checklistScreen walks one generic checklist (ops.ChecklistKind) with the
// shared component; the kind's checklistUI adds its questions and words.
type checklistScreen struct {
	env   TabEnv
	id    int64
	find  func(env TabEnv) (int64, error) // the checklist's id, while id is 0
	c     model.Checklist
	extra any
	ui    checklistUI
	err   error
	list  checklist.Model
}

// clMsg is a finished load or write of checklist id.
type clMsg struct {
	id       int64 // the screen's id (0 while it finds its checklist)
	found    int64 // the checklist's id
	c        *model.Checklist
	extra    any
	err      error
	writeErr error
	did      string
	advance  int
}

func newChecklistScreen(env TabEnv, id int64) *checklistScreen {
	return newChecklistScreenFind(env, id, "", nil)
}

// newChecklistScreenFind opens the checklist of kind that find names,
// asked in the first load's Cmd (an offboarding by its leaver).
func newChecklistScreenFind(env TabEnv, id int64, kind string, find func(env TabEnv) (int64, error)) *checklistScreen {
	s := &checklistScreen{env: env, id: id, find: find, list: checklist.New(env.Styles, env.now)}
	s.list.Tag = id
	if kind != "" {
		s.setUI(uiFor(kind))
	}
	s.list.AskDone = func(st model.ChecklistStep) *checklist.Ask {
		if s.ui.AskDone != nil {
			return s.ui.AskDone(s.c, s.extra, st)
		}
		if st.Input != "" {
			return &checklist.Ask{Label: fmt.Sprintf("step %d, %s: ", st.N, st.Input), Default: st.Default, Required: st.Input + " is required"}
		}
		return nil
	}
	s.list.Hint = func(st model.ChecklistStep) string {
		if s.ui.Hint != nil {
			return s.ui.Hint(st)
		}
		return "space marks it done"
	}
	s.list.Links = func(st model.ChecklistStep) bool { _, ok := s.link(st); return ok }
	return s
}

// setUI takes the kind's console additions.
func (s *checklistScreen) setUI(u checklistUI) {
	s.ui, s.list.Noun = u, u.Noun
	if u.Empty != "" {
		s.list.Empty = u.Empty
	}
}

func (s *checklistScreen) link(st model.ChecklistStep) (detail.Link, bool) {
	if s.ui.Link != nil {
		return s.ui.Link(s.extra, st)
	}
	if st.RefKind == "" || st.RefID == nil {
		return detail.Link{}, false
	}
	return detail.Link{Kind: st.RefKind, ID: *st.RefID}, true
}

func (s *checklistScreen) Title() string {
	if s.list.Loaded() {
		return s.ui.Noun + " " + s.c.SubjectName
	}
	if s.ui.Noun != "" {
		return s.ui.Noun
	}
	return "checklist"
}

func (s *checklistScreen) SetSize(w, h int)    { s.list.SetSize(w, h) }
func (s *checklistScreen) KeyMap() help.KeyMap { return s.list.Keys }
func (s *checklistScreen) Capturing() bool     { return s.list.Capturing() }

// loadChecklist reads checklist id (or, when id is 0, the one find
// names) and its kind's extra; prev is the extra read last time.
func loadChecklist(env TabEnv, id int64, find func(TabEnv) (int64, error), prev any) clMsg {
	want := id
	if id == 0 && find != nil {
		var err error
		if id, err = find(env); err != nil {
			return clMsg{id: want, err: err}
		}
	}
	c, err := env.Store.Checklist(env.Ctx, id)
	if err != nil {
		return clMsg{id: want, err: err}
	}
	m := clMsg{id: want, found: id, c: &c}
	if u := uiFor(c.Kind); u.Extra != nil {
		m.extra, m.err = u.Extra(env, c, prev)
	}
	return m
}

func (s *checklistScreen) Load() tea.Cmd {
	env, id, find, prev := s.env, s.id, s.find, s.extra
	return func() tea.Msg { return loadChecklist(env, id, find, prev) }
}

func (s *checklistScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case clMsg:
		if msg.id == s.id {
			s.onData(msg)
		}
		return s, nil
	case checklist.ActionMsg:
		if msg.Tag != s.id {
			return s, nil
		}
		return s, s.onAction(msg)
	case tea.KeyPressMsg:
		return s, s.list.Update(msg)
	}
	return s, nil
}

func (s *checklistScreen) onData(m clMsg) {
	switch {
	case m.writeErr != nil:
		s.list.SetBusy(false)
		s.list.Flash(m.writeErr.Error(), true)
		return
	case m.err != nil:
		s.err = m.err
		return
	}
	s.c, s.extra, s.err = *m.c, m.extra, nil
	if s.id == 0 { // found: from now on the screen is this checklist's
		s.id, s.find, s.list.Tag = m.found, nil, m.found
	}
	s.setUI(uiFor(s.c.Kind))
	var h checklist.Header
	if s.ui.Header != nil {
		h = s.ui.Header(s.c, s.extra)
	} else {
		h = checklist.Header{Title: s.c.Title,
			Sub: fmt.Sprintf("%s %s · started %s by %s", s.c.SubjectKind, s.c.SubjectName, s.c.StartedAt.Local().Format("2006-01-02 15:04"), s.c.StartedBy)}
	}
	if h.Status == "" {
		h.Status = checklist.StatusLine(s.c.Progress, s.c.CompletedAt, s.c.CompletedBy, s.c.Forced, s.c.ForceReason)
	}
	h.Completed = s.c.Status != model.ChecklistOpen
	s.list.SetData(h, s.c.Steps, h.Completed, m.advance)
	if m.did != "" {
		s.list.Flash(m.did, false)
	}
}

// write runs one operation and re-reads the checklist in the same Cmd.
func (s *checklistScreen) write(advance int, fn func(env TabEnv, ref ops.ChecklistRef) (string, error)) tea.Cmd {
	env, id, prev := s.env, s.id, s.extra
	return func() tea.Msg {
		did, err := fn(env, ops.ChecklistRef{ID: id})
		if err != nil {
			return clMsg{id: id, writeErr: err}
		}
		m := loadChecklist(env, id, nil, prev)
		m.did, m.advance = did, advance
		return m
	}
}

// onAction runs what the component asked for through ops (as `opsdeck
// <kind> step|complete`).
func (s *checklistScreen) onAction(a checklist.ActionMsg) tea.Cmd {
	switch a.Action {
	case checklist.ActFollow:
		for _, st := range s.c.Steps {
			if l, ok := s.link(st); ok && st.N == a.N {
				return func() tea.Msg { return openLinkMsg{link: l} }
			}
		}
		return nil
	case checklist.ActComplete, checklist.ActForce:
		force, reason, words := a.Action == checklist.ActForce, a.Value, s.ui.Completed
		return s.write(0, func(env TabEnv, ref ops.ChecklistRef) (string, error) {
			c, err := ops.CompleteChecklist(env.Ctx, env.ops(), ref, force, reason)
			did := c.Title + " completed"
			if words != nil {
				did = words(c)
			} else if c.Summary != "" {
				did += ": " + c.Summary
			}
			if c.Forced {
				did += "; forced: " + c.ForceReason
			}
			return did, err
		})
	}
	ch := ops.StepChange{N: a.N}
	advance := 0
	switch a.Action {
	case checklist.ActDone:
		ch.Action, ch.Value, advance = ops.StepDone, a.Value, a.N
	case checklist.ActSkip:
		ch.Action, ch.Reason, advance = ops.StepSkip, a.Value, a.N
	case checklist.ActBlock:
		ch.Action, ch.Reason = ops.StepBlock, a.Value
	case checklist.ActNote:
		ch.Action, ch.Note = ops.StepNote, a.Value
	case checklist.ActUndo:
		ch.Action = ops.StepUndo
	}
	undone := s.ui.Undone
	return s.write(advance, func(env TabEnv, ref ops.ChecklistRef) (string, error) {
		st, err := ops.SetChecklistStep(env.Ctx, env.ops(), ref, ch)
		switch {
		case ch.Action == ops.StepNote:
			return fmt.Sprintf("note added to step %d", st.N), err
		case ch.Action == ops.StepUndo:
			did := fmt.Sprintf("step %d undone: back to open", st.N)
			if undone != "" {
				did += ", " + undone
			}
			return did, err
		}
		did := fmt.Sprintf("step %d %s", st.N, st.State)
		if st.Effect != "" {
			did += ": " + st.Effect
		}
		return did, err
	})
}

func (s *checklistScreen) View() string {
	if s.err != nil {
		st := s.env.Styles
		noun := s.ui.Noun
		if noun == "" {
			noun = "checklist"
		}
		return st.Error.Render("could not load the "+noun+": ") + st.Text.Render(s.err.Error())
	}
	return s.list.View()
}
