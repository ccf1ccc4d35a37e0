package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/ui/components/detail"
	"github.com/opsdeck/opsdeck/ui/components/textin"
)

// checklistKeys are the checklist's bindings; "?" lists them.
type checklistKeys struct {
	Up, Down, Top, Bottom, Done, Skip, Block, Note, Undo, Complete, Force, Follow key.Binding
}

func (k checklistKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Done, k.Skip, k.Block, k.Note, k.Undo, k.Complete, k.Follow}
}

func (k checklistKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom, k.Follow}, {k.Done, k.Skip, k.Block, k.Note, k.Undo}, {k.Complete, k.Force}}
}

func defaultChecklistKeys() checklistKeys {
	b := func(h, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(h, desc))
	}
	return checklistKeys{
		Up:       b("↑/k", "previous step", "up", "k"),
		Down:     b("↓/j", "next step", "down", "j"),
		Top:      b("g", "first step", "g", "home"),
		Bottom:   b("G", "last step", "G", "end"),
		Done:     b("space", "done", "space"),
		Skip:     b("s", "skip", "s"),
		Block:    b("b", "block", "b"),
		Note:     b("n", "note", "n"),
		Undo:     b("u", "undo", "u"),
		Complete: b("c", "complete", "c"),
		Force:    b("C", "force complete", "C"),
		Follow:   b("enter", "open record", "enter"),
	}
}

// prompt is what the checklist is asking for, if anything.
type prompt int

const (
	promptNone prompt = iota
	promptSkip
	promptBlock
	promptNote
	promptForce
	promptDevice
	promptSuccessor
)

// offData is one read of an offboarding: the checklist and where each
// step's record lives (an account step opens the account's service).
type offData struct {
	off       model.Offboarding
	links     map[int]detail.Link
	successor string   // the successor's email, the handover prompt's default
	people    []string // active people's emails, for the successor prompt
}

// offMsg is a finished load or write (a write re-reads the checklist in the
// same Cmd, so the screen never shows a state the database does not have).
type offMsg struct {
	personID int64
	data     *offData
	err      error // reading failed
	writeErr error // the write was refused; data is nil
	did      string
	advance  int // step to move past on success (0: stay)
}

// checklist is the keyboard walk through one offboarding.
type checklist struct {
	env      TabEnv
	personID int64
	data     offData
	loaded   bool
	err      error
	cursor   int
	offset   int
	prompt   prompt
	input    textinput.Model
	choice   int // index into model.RecoveredDeviceStatuses
	flash    string
	flashErr bool
	busy     bool
	keys     checklistKeys
	w, h     int
}

// An "offboarding" link opens the person's checklist (its ID is the
// person's).
func init() {
	registerDetail(detailDef{kind: "offboarding", screen: func(env TabEnv, id int64) Screen { return newChecklist(env, id) }})
}

func newChecklist(env TabEnv, personID int64) *checklist {
	return &checklist{env: env, personID: personID, keys: defaultChecklistKeys(), input: textin.New(env.Styles, "")}
}

func (c *checklist) Title() string {
	if c.loaded {
		return "offboarding " + c.data.off.PersonName
	}
	return "offboarding"
}

func (c *checklist) SetSize(w, h int) {
	c.w, c.h = w, h
	c.input.SetWidth(max(w-32, 10))
	c.clamp()
}

func (c *checklist) KeyMap() help.KeyMap { return c.keys }
func (c *checklist) Capturing() bool     { return c.prompt != promptNone }

func (c *checklist) Load() tea.Cmd {
	env, id, people := c.env, c.personID, c.data.people == nil
	return func() tea.Msg {
		d, err := loadOffData(env, id, people)
		return offMsg{personID: id, data: d, err: err}
	}
}

// loadOffData reads the checklist; people (for the successor prompt) only
// when asked, once per screen: on a 100,000-person database that list is
// not worth re-reading after every key.
func loadOffData(env TabEnv, personID int64, people bool) (*offData, error) {
	ctx, s := env.Ctx, env.Store
	o, err := s.Offboarding(ctx, personID)
	if err != nil {
		return nil, err
	}
	d := &offData{off: o, links: map[int]detail.Link{}, successor: personEmail(env, o.SuccessorID)}
	for _, st := range o.Steps {
		if st.RefID == nil {
			continue
		}
		switch st.Kind {
		case model.StepAccount:
			if a, err := s.GetAccount(ctx, *st.RefID); err == nil {
				d.links[st.N] = detail.Link{Kind: "service", ID: a.ServiceID}
			}
		case model.StepDevice, model.StepService, model.StepSecret:
			d.links[st.N] = detail.Link{Kind: st.Kind, ID: *st.RefID}
		}
	}
	if people && o.Status == "open" {
		ps, err := s.ListPeople(ctx, store.PeopleQuery{Status: "active"})
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			d.people = append(d.people, p.Email)
		}
	}
	return d, nil
}

// write runs one operation (its own transaction) and re-reads the
// checklist.
func (c *checklist) write(advance int, fn func(env TabEnv, who ops.Leaver) (string, error)) tea.Cmd {
	env, id, people, off := c.env, c.personID, c.data.people == nil, c.data.off.ID
	c.busy = true
	return func() tea.Msg {
		did, err := fn(env, ops.OffboardingID(off))
		if err != nil {
			return offMsg{personID: id, writeErr: err}
		}
		d, err := loadOffData(env, id, people)
		return offMsg{personID: id, data: d, err: err, did: did, advance: advance}
	}
}

func (c *checklist) steps() []model.OffboardingStep { return c.data.off.Steps }

func (c *checklist) current() (model.OffboardingStep, bool) {
	if c.cursor < 0 || c.cursor >= len(c.steps()) {
		return model.OffboardingStep{}, false
	}
	return c.steps()[c.cursor], true
}

func (c *checklist) setFlash(s string, isErr bool) { c.flash, c.flashErr = s, isErr }

func (c *checklist) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case offMsg:
		if msg.personID != c.personID {
			return c, nil
		}
		return c, c.onData(msg)
	case tea.KeyPressMsg:
		if c.prompt != promptNone {
			return c, c.onPromptKey(msg)
		}
		return c, c.onKey(msg)
	}
	return c, nil
}

func (c *checklist) onData(m offMsg) tea.Cmd {
	if m.data == nil && m.writeErr == nil && m.err == nil {
		return nil
	}
	if m.writeErr != nil || m.did != "" {
		c.busy = false
	}
	if m.writeErr != nil {
		c.setFlash(m.writeErr.Error(), true)
		return nil
	}
	if m.err != nil {
		c.err = m.err
		return nil
	}
	keep := -1
	if st, ok := c.current(); ok {
		keep = st.N
	}
	first := !c.loaded
	if m.data.people == nil {
		m.data.people = c.data.people
	}
	c.data, c.loaded, c.err = *m.data, true, nil
	for i, st := range c.steps() {
		if st.N == keep || (first && keep < 0 && !st.Closed()) {
			c.cursor, keep = i, st.N
		}
	}
	if m.advance != 0 && keep == m.advance {
		c.cursor++ // a step just closed: on to the next one
	}
	if m.did != "" {
		c.setFlash(m.did, false)
	}
	c.clamp()
	return nil
}

func (c *checklist) clamp() {
	n := len(c.steps())
	c.cursor = max(min(c.cursor, n-1), 0)
	rows := c.listHeight()
	if c.cursor < c.offset {
		c.offset = c.cursor
	}
	if c.cursor >= c.offset+rows {
		c.offset = c.cursor - rows + 1
	}
	c.offset = max(min(c.offset, n-rows), 0)
}

func (c *checklist) onKey(k tea.KeyPressMsg) tea.Cmd {
	st, ok := c.current()
	switch {
	case key.Matches(k, c.keys.Up):
		c.cursor--
	case key.Matches(k, c.keys.Down):
		c.cursor++
	case key.Matches(k, c.keys.Top):
		c.cursor = 0
	case key.Matches(k, c.keys.Bottom):
		c.cursor = len(c.steps()) - 1
	case key.Matches(k, c.keys.Follow):
		if l, found := c.data.links[st.N]; ok && found {
			return func() tea.Msg { return openLinkMsg{link: l} }
		}
		if ok {
			c.setFlash("step "+fmt.Sprint(st.N)+" is a "+st.Kind+" step: there is no record to open", false)
		}
	case c.busy:
		c.setFlash("still saving the last change…", false)
	case !c.loaded:
	case key.Matches(k, c.keys.Complete):
		return c.complete(false, "")
	case key.Matches(k, c.keys.Force):
		c.ask(promptForce, "")
	case !ok:
	case key.Matches(k, c.keys.Done):
		return c.done(st)
	case key.Matches(k, c.keys.Skip):
		c.ask(promptSkip, "")
	case key.Matches(k, c.keys.Block):
		c.ask(promptBlock, "")
	case key.Matches(k, c.keys.Note):
		c.ask(promptNote, "")
	case key.Matches(k, c.keys.Undo):
		return c.step(0, ops.StepChange{N: st.N, Action: ops.StepUndo}, func(s model.OffboardingStep) string {
			return fmt.Sprintf("step %d undone: back to open, the inventory is restored", s.N)
		})
	}
	c.clamp()
	return nil
}

// done marks the step done, first asking where a device goes and who
// takes over a service.
func (c *checklist) done(st model.OffboardingStep) tea.Cmd {
	switch {
	case st.State == model.StateDone || st.State == model.StateSkipped:
		c.setFlash(fmt.Sprintf("step %d is already %s; u undoes it", st.N, st.State), true)
		return nil
	case st.Kind == model.StepDevice:
		c.choice = 0
		c.ask(promptDevice, "")
		return nil
	case st.Kind == model.StepService:
		c.ask(promptSuccessor, c.data.successor)
		c.input.ShowSuggestions = true
		c.input.SetSuggestions(c.data.people)
		return nil
	}
	return c.mark(st, ops.StepChange{Action: ops.StepDone})
}

func (c *checklist) ask(p prompt, value string) {
	c.prompt = p
	c.flash = ""
	c.input.Reset()
	c.input.ShowSuggestions = false
	c.input.SetValue(value)
	c.input.CursorEnd()
	c.input.Focus()
}

// step runs one step change (ops.AdvanceStep, as `opsdeck offboard
// step`) and words what it did.
func (c *checklist) step(advance int, ch ops.StepChange, did func(model.OffboardingStep) string) tea.Cmd {
	return c.write(advance, func(env TabEnv, who ops.Leaver) (string, error) {
		s, err := ops.AdvanceStep(env.Ctx, env.ops(), who, ch)
		return did(s), err
	})
}

// mark marks step st done, skipped or blocked (ch without its N); a
// successor (a name or email) is resolved in the same transaction.
func (c *checklist) mark(st model.OffboardingStep, ch ops.StepChange) tea.Cmd {
	advance := 0
	if ch.Action == ops.StepDone || ch.Action == ops.StepSkip {
		advance = st.N
	}
	ch.N = st.N
	return c.step(advance, ch, func(s model.OffboardingStep) string {
		did := fmt.Sprintf("step %d %s", s.N, s.State)
		if s.Effect != "" {
			did += ": " + s.Effect
		}
		return did
	})
}

func (c *checklist) complete(force bool, reason string) tea.Cmd {
	return c.write(0, func(env TabEnv, who ops.Leaver) (string, error) {
		o, err := ops.CompleteOffboarding(env.Ctx, env.ops(), who, force, reason)
		did := fmt.Sprintf("offboarding completed: %s is departed (last day %s); nothing was deleted", o.PersonName, o.LastDay)
		if o.Forced {
			did += "; forced: " + o.ForceReason
		}
		return did, err
	})
}

// onPromptKey edits the prompt; enter submits, esc cancels. An empty
// reason is refused here, before anything is written.
func (c *checklist) onPromptKey(k tea.KeyPressMsg) tea.Cmd {
	st, _ := c.current()
	switch k.String() {
	case "esc":
		c.prompt = promptNone
		c.setFlash("nothing changed", false)
		return nil
	case "enter":
		val := strings.TrimSpace(c.input.Value())
		p := c.prompt
		var need string
		switch p {
		case promptSkip, promptBlock, promptForce:
			need = "a reason is required"
		case promptNote:
			need = "type a note or a ticket link"
		}
		if need != "" && val == "" {
			c.setFlash(need+" (esc cancels)", true)
			return nil
		}
		c.prompt = promptNone
		switch p {
		case promptSkip:
			return c.mark(st, ops.StepChange{Action: ops.StepSkip, Reason: val})
		case promptBlock:
			return c.mark(st, ops.StepChange{Action: ops.StepBlock, Reason: val})
		case promptForce:
			return c.complete(true, val)
		case promptDevice:
			return c.mark(st, ops.StepChange{Action: ops.StepDone, DeviceStatus: model.RecoveredDeviceStatuses[c.choice]})
		case promptSuccessor:
			return c.mark(st, ops.StepChange{Action: ops.StepDone, Successor: val})
		case promptNote:
			return c.step(0, ops.StepChange{N: st.N, Action: ops.StepNote, Note: val}, func(s model.OffboardingStep) string {
				return fmt.Sprintf("note added to step %d", s.N)
			})
		}
		return nil
	}
	if c.prompt == promptDevice {
		n := len(model.RecoveredDeviceStatuses)
		switch k.String() {
		case "left", "h", "shift+tab":
			c.choice = (c.choice + n - 1) % n
		case "right", "l", "tab", "space":
			c.choice = (c.choice + 1) % n
		}
		return nil
	}
	var cmd tea.Cmd
	c.input, cmd = c.input.Update(k)
	c.flash = ""
	return cmd
}
