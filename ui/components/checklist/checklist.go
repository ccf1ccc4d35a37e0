// Package checklist is the console's keyboard checklist: a header with a
// progress bar, one line per step (state, title, flags, who and when), the
// selected step's detail, procedure and latest note, and the question being
// asked. Offboarding, onboarding, access reviews and monthly reviews all
// walk through it, with the same keys.
//
// The component does no I/O: a key that changes something becomes an
// ActionMsg for the host screen, which runs the operation in a tea.Cmd and
// hands the re-read steps back with SetData (and the outcome with Flash).
package checklist

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui/components/textin"
)

// Actions an ActionMsg carries.
const (
	ActDone     = "done"
	ActSkip     = "skip"
	ActBlock    = "block"
	ActNote     = "note"
	ActUndo     = "undo"
	ActComplete = "complete"
	ActForce    = "force"
	ActFollow   = "follow"
)

// ActionMsg is a key the host must act on: Action on step N (0 for the
// checklist), with Value the answer typed or chosen (a reason, a note, a
// username, a device's destination). Tag is the host's, so a message from
// an older screen is recognised.
type ActionMsg struct {
	Tag    int64
	Action string
	N      int
	Value  string
}

// Ask is what marking a step done asks first: a text (Label, prefilled
// with Default, with Suggestions) or, with Choices, one of them (Default
// preselected). Required refuses an empty answer with that text.
type Ask struct {
	Label       string
	Default     string
	Suggestions []string
	Choices     []string
	Required    string
}

// Header is the checklist's top: a title, a sub line, and Status (the
// counts, or who completed it; Completed styles it as finished).
type Header struct {
	Title     string
	Sub       string
	Status    string
	Completed bool
}

// Model is the checklist component.
type Model struct {
	Keys KeyMap
	Tag  int64
	// AskDone says what marking a step done asks first (nil: nothing).
	AskDone func(model.ChecklistStep) *Ask
	// Hint is what space does on an open step, shown under it.
	Hint func(model.ChecklistStep) string
	// Links reports whether enter opens a record for the step.
	Links func(model.ChecklistStep) bool
	// Empty is shown when there are no steps.
	Empty string
	// Noun names the walk in messages ("offboarding", "onboarding").
	Noun string

	styles *themes.Styles
	now    func() time.Time
	header Header
	steps  []model.ChecklistStep
	frozen bool
	loaded bool

	cursor, offset int
	asking         string // the action the open question is for, "" for none
	ask            Ask
	input          textinput.Model
	choice         int
	flash          string
	flashErr       bool
	busy           bool
	w, h           int
}

// New makes an empty checklist drawn with st; now is the injected clock.
func New(st *themes.Styles, now func() time.Time) Model {
	return Model{Keys: DefaultKeys(), styles: st, now: now, input: textin.New(st, ""),
		Empty: "There are no steps: c completes.", Noun: "checklist"}
}

// SetSize sets the area the checklist fills.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	m.input.SetWidth(max(w-32, 10))
	m.clamp()
}

// Capturing reports whether a question is open (keys go to it).
func (m Model) Capturing() bool { return m.asking != "" }

// Loaded reports whether SetData has been called.
func (m Model) Loaded() bool { return m.loaded }

// Busy reports whether a change is being saved.
func (m Model) Busy() bool { return m.busy }

// SetBusy marks a change as being saved (keys that write are held off).
func (m *Model) SetBusy(b bool) { m.busy = b }

// Flash shows the outcome of the last action (an error in error style).
func (m *Model) Flash(s string, isErr bool) { m.flash, m.flashErr = s, isErr }

// Steps are the steps shown.
func (m Model) Steps() []model.ChecklistStep { return m.steps }

// Current is the step under the cursor.
func (m Model) Current() (model.ChecklistStep, bool) {
	if m.cursor < 0 || m.cursor >= len(m.steps) {
		return model.ChecklistStep{}, false
	}
	return m.steps[m.cursor], true
}

// SetData shows a (re-)read checklist: the cursor stays on the same step,
// starts on the first unfinished one, and moves past advance (the step just
// closed). frozen says the checklist is completed and cannot change.
func (m *Model) SetData(h Header, steps []model.ChecklistStep, frozen bool, advance int) {
	keep := -1
	if st, ok := m.Current(); ok && m.loaded {
		keep = st.N
	}
	first := !m.loaded
	m.header, m.steps, m.frozen, m.loaded, m.busy = h, steps, frozen, true, false
	for i, st := range steps {
		if st.N == keep || (first && keep < 0 && !st.Closed()) {
			m.cursor, keep = i, st.N
		}
	}
	if advance != 0 && keep == advance {
		m.cursor++
	}
	m.clamp()
}

func (m *Model) clamp() {
	n := len(m.steps)
	m.cursor = max(min(m.cursor, n-1), 0)
	rows := m.listHeight()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+rows {
		m.offset = m.cursor - rows + 1
	}
	m.offset = max(min(m.offset, n-rows), 0)
}

func (m *Model) emit(action string, n int, value string) tea.Cmd {
	tag := m.Tag
	if action != ActFollow {
		m.busy = true
	}
	return func() tea.Msg { return ActionMsg{Tag: tag, Action: action, N: n, Value: value} }
}

// Update handles a key press; anything else is ignored.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if m.asking != "" {
		return m.onAnswer(k)
	}
	return m.onKey(k)
}

func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	st, ok := m.Current()
	defer m.clamp()
	switch {
	case key.Matches(k, m.Keys.Up):
		m.cursor--
	case key.Matches(k, m.Keys.Down):
		m.cursor++
	case key.Matches(k, m.Keys.Top):
		m.cursor = 0
	case key.Matches(k, m.Keys.Bottom):
		m.cursor = len(m.steps) - 1
	case key.Matches(k, m.Keys.Follow):
		if ok && m.links(st) {
			return m.emit(ActFollow, st.N, "")
		}
		if ok {
			m.Flash(fmt.Sprintf("step %d is a %s step: there is no record to open", st.N, st.Kind), false)
		}
	case m.busy:
		m.Flash("still saving the last change…", false)
	case !m.loaded:
	case key.Matches(k, m.Keys.Complete):
		return m.emit(ActComplete, 0, "")
	case key.Matches(k, m.Keys.Force):
		m.open(ActForce, Ask{Label: "force completion, reason: ", Required: "a reason is required"})
	case !ok:
	case key.Matches(k, m.Keys.Done):
		if st.Closed() {
			m.Flash(fmt.Sprintf("step %d is already %s; u undoes it", st.N, st.State), true)
			return nil
		}
		if m.AskDone != nil {
			if a := m.AskDone(st); a != nil {
				m.open(ActDone, *a)
				return nil
			}
		}
		return m.emit(ActDone, st.N, "")
	case key.Matches(k, m.Keys.Skip):
		m.open(ActSkip, Ask{Label: fmt.Sprintf("skip step %d, reason: ", st.N), Required: "a reason is required"})
	case key.Matches(k, m.Keys.Block):
		m.open(ActBlock, Ask{Label: fmt.Sprintf("step %d is blocked by: ", st.N), Required: "a reason is required"})
	case key.Matches(k, m.Keys.Note):
		m.open(ActNote, Ask{Label: fmt.Sprintf("note for step %d: ", st.N), Required: "type a note or a ticket link"})
	case key.Matches(k, m.Keys.Undo):
		return m.emit(ActUndo, st.N, "")
	}
	return nil
}

func (m *Model) links(st model.ChecklistStep) bool {
	if m.Links != nil {
		return m.Links(st)
	}
	return st.RefID != nil
}

// open asks a question for action.
func (m *Model) open(action string, a Ask) {
	m.asking, m.ask, m.flash = action, a, ""
	m.choice = 0
	for i, c := range a.Choices {
		if c == a.Default {
			m.choice = i
		}
	}
	m.input.Reset()
	m.input.ShowSuggestions = len(a.Suggestions) > 0
	m.input.SetSuggestions(a.Suggestions)
	m.input.SetValue(a.Default)
	m.input.CursorEnd()
	m.input.Focus()
}

// onAnswer edits the open question; enter submits, esc cancels. An empty
// required answer is refused here, before anything is written.
func (m *Model) onAnswer(k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "esc":
		m.asking = ""
		m.Flash("nothing changed", false)
		return nil
	case "enter":
		val := strings.TrimSpace(m.input.Value())
		if len(m.ask.Choices) > 0 {
			val = m.ask.Choices[m.choice]
		}
		if m.ask.Required != "" && val == "" {
			m.Flash(m.ask.Required+" (esc cancels)", true)
			return nil
		}
		action := m.asking
		m.asking = ""
		n := 0
		if st, ok := m.Current(); ok && action != ActForce {
			n = st.N
		}
		return m.emit(action, n, val)
	}
	if n := len(m.ask.Choices); n > 0 {
		switch k.String() {
		case "left", "h", "shift+tab":
			m.choice = (m.choice + n - 1) % n
		case "right", "l", "tab", "space":
			m.choice = (m.choice + 1) % n
		}
		return nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(k)
	m.flash = ""
	return cmd
}
