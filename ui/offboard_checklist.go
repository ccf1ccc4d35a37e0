package ui

import (
	"fmt"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/ui/components/checklist"
	"github.com/opsdeck/opsdeck/ui/components/detail"
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

// offChecklist is the keyboard walk through one offboarding: the shared
// checklist component, with offboarding's questions (where a device goes,
// who takes a service over) and operations.
type offChecklist struct {
	env      TabEnv
	personID int64
	data     offData
	err      error
	list     checklist.Model
}

// An "offboarding" link opens the person's checklist (its ID is the
// person's).
func init() {
	registerDetail(detailDef{kind: "offboarding", screen: func(env TabEnv, id int64) Screen { return newChecklist(env, id) }})
}

func newChecklist(env TabEnv, personID int64) *offChecklist {
	c := &offChecklist{env: env, personID: personID, list: checklist.New(env.Styles, env.now)}
	c.list.Tag, c.list.Noun = personID, "offboarding"
	c.list.Empty = "This person held nothing and there are no template steps: c completes."
	c.list.Hint = func(s model.ChecklistStep) string { return openHint(s.Kind) }
	c.list.Links = func(s model.ChecklistStep) bool { _, ok := c.data.links[s.N]; return ok }
	c.list.AskDone = c.askDone
	return c
}

func (c *offChecklist) Title() string {
	if c.list.Loaded() {
		return "offboarding " + c.data.off.PersonName
	}
	return "offboarding"
}

func (c *offChecklist) SetSize(w, h int)    { c.list.SetSize(w, h) }
func (c *offChecklist) KeyMap() help.KeyMap { return c.list.Keys }
func (c *offChecklist) Capturing() bool     { return c.list.Capturing() }

func (c *offChecklist) Load() tea.Cmd {
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

// asChecklist shows offboarding steps in the shared component.
func asChecklist(steps []model.OffboardingStep) []model.ChecklistStep {
	out := make([]model.ChecklistStep, len(steps))
	for i, s := range steps {
		out[i] = model.ChecklistStep{ID: s.ID, ChecklistID: s.OffboardingID, N: s.N, Kind: s.Kind, RefKind: s.Kind, RefID: s.RefID,
			Title: s.Title, Detail: s.Detail, State: s.State, Reason: s.Reason, Effect: s.Effect, By: s.By, At: s.At, Notes: s.Notes}
		if s.BusFactorOne {
			out[i].Warn = "bus factor 1"
		}
	}
	return out
}

// askDone: a device step asks where the device goes, a service step who
// takes it over.
func (c *offChecklist) askDone(s model.ChecklistStep) *checklist.Ask {
	switch s.Kind {
	case model.StepDevice:
		return &checklist.Ask{Label: fmt.Sprintf("step %d: the device goes to ", s.N), Choices: model.RecoveredDeviceStatuses}
	case model.StepService:
		return &checklist.Ask{Label: fmt.Sprintf("hand step %d over to: ", s.N), Default: c.data.successor, Suggestions: c.data.people}
	}
	return nil
}

// write runs one operation (its own transaction) and re-reads the
// checklist.
func (c *offChecklist) write(advance int, fn func(env TabEnv, who ops.Leaver) (string, error)) tea.Cmd {
	env, id, people, off := c.env, c.personID, c.data.people == nil, c.data.off.ID
	return func() tea.Msg {
		did, err := fn(env, ops.OffboardingID(off))
		if err != nil {
			return offMsg{personID: id, writeErr: err}
		}
		d, err := loadOffData(env, id, people)
		return offMsg{personID: id, data: d, err: err, did: did, advance: advance}
	}
}

func (c *offChecklist) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case offMsg:
		if msg.personID != c.personID {
			return c, nil
		}
		c.onData(msg)
		return c, nil
	case checklist.ActionMsg:
		if msg.Tag != c.personID {
			return c, nil
		}
		return c, c.onAction(msg)
	case tea.KeyPressMsg:
		return c, c.list.Update(msg)
	}
	return c, nil
}

func (c *offChecklist) onData(m offMsg) {
	switch {
	case m.writeErr != nil:
		c.list.SetBusy(false)
		c.list.Flash(m.writeErr.Error(), true)
		return
	case m.err != nil:
		c.err = m.err
		return
	case m.data == nil:
		return
	}
	if m.data.people == nil {
		m.data.people = c.data.people
	}
	c.data, c.err = *m.data, nil
	o := c.data.off
	h := checklist.Header{
		Title: fmt.Sprintf("Offboarding %s <%s> · %s", o.PersonName, o.PersonEmail, o.PersonStatus),
		Sub: fmt.Sprintf("last day %s · successor %s · started %s by %s", dash(o.LastDay), dash(o.SuccessorName),
			o.StartedAt.Local().Format("2006-01-02 15:04"), o.StartedBy),
		Status:    checklist.StatusLine(o.Progress, o.CompletedAt, o.CompletedBy, o.Forced, o.ForceReason),
		Completed: o.Status != "open",
	}
	c.list.SetData(h, asChecklist(o.Steps), o.Status != "open", m.advance)
	if m.did != "" {
		c.list.Flash(m.did, false)
	}
}

// onAction runs what the component asked for: ops.AdvanceStep (as
// `opsdeck offboard step`) or ops.CompleteOffboarding.
func (c *offChecklist) onAction(a checklist.ActionMsg) tea.Cmd {
	switch a.Action {
	case checklist.ActFollow:
		if l, ok := c.data.links[a.N]; ok {
			return func() tea.Msg { return openLinkMsg{link: l} }
		}
		return nil
	case checklist.ActComplete, checklist.ActForce:
		force, reason := a.Action == checklist.ActForce, a.Value
		return c.write(0, func(env TabEnv, who ops.Leaver) (string, error) {
			o, err := ops.CompleteOffboarding(env.Ctx, env.ops(), who, force, reason)
			did := fmt.Sprintf("offboarding completed: %s is departed (last day %s); nothing was deleted", o.PersonName, o.LastDay)
			if o.Forced {
				did += "; forced: " + o.ForceReason
			}
			return did, err
		})
	case checklist.ActUndo:
		return c.step(0, ops.StepChange{N: a.N, Action: ops.StepUndo}, func(s model.OffboardingStep) string {
			return fmt.Sprintf("step %d undone: back to open, the inventory is restored", s.N)
		})
	case checklist.ActNote:
		return c.step(0, ops.StepChange{N: a.N, Action: ops.StepNote, Note: a.Value}, func(s model.OffboardingStep) string {
			return fmt.Sprintf("note added to step %d", s.N)
		})
	}
	ch := ops.StepChange{N: a.N, Action: map[string]string{checklist.ActDone: ops.StepDone, checklist.ActSkip: ops.StepSkip, checklist.ActBlock: ops.StepBlock}[a.Action]}
	switch {
	case a.Action != checklist.ActDone:
		ch.Reason = a.Value
	case c.stepKind(a.N) == model.StepDevice:
		ch.DeviceStatus = a.Value
	case c.stepKind(a.N) == model.StepService:
		ch.Successor = a.Value
	}
	advance := 0
	if ch.Action == ops.StepDone || ch.Action == ops.StepSkip {
		advance = a.N
	}
	return c.step(advance, ch, func(s model.OffboardingStep) string {
		did := fmt.Sprintf("step %d %s", s.N, s.State)
		if s.Effect != "" {
			did += ": " + s.Effect
		}
		return did
	})
}

func (c *offChecklist) stepKind(n int) string {
	for _, s := range c.data.off.Steps {
		if s.N == n {
			return s.Kind
		}
	}
	return ""
}

// step runs one step change and words what it did.
func (c *offChecklist) step(advance int, ch ops.StepChange, did func(model.OffboardingStep) string) tea.Cmd {
	return c.write(advance, func(env TabEnv, who ops.Leaver) (string, error) {
		s, err := ops.AdvanceStep(env.Ctx, env.ops(), who, ch)
		return did(s), err
	})
}

func (c *offChecklist) View() string {
	if c.err != nil {
		st := c.env.Styles
		return st.Error.Render("could not load the offboarding: ") + st.Text.Render(c.err.Error())
	}
	return c.list.View()
}

func openHint(kind string) string {
	switch kind {
	case model.StepAccount:
		return "space revokes the account in the inventory"
	case model.StepDevice:
		return "space returns the device (spare, repair or lost) and clears its holder"
	case model.StepSecret:
		return "space records the rotation and removes the leaver from its holders"
	case model.StepService:
		return "space hands the service over to the successor"
	}
	return "space marks it done"
}
