package ui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/ui/components/detail"
	"github.com/opsdeck/opsdeck/ui/components/textin"
)

// offboardKey starts (or opens) the offboarding of the person on screen.
var offboardKey = key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "offboard the person (or open it)"))

func init() {
	registerActions(action{key: offboardKey,
		on: func(c actx) bool { return c.hasSel && c.sel.Kind == "person" },
		run: func(a *app, c actx) tea.Cmd {
			a.setFlash("reading what they hold…", false)
			return a.offboard(c.sel.ID)
		}})
}

// screenErrMsg is a failure to open a screen, shown in the shell's flash line.
type screenErrMsg struct{ err error }

// offboard opens personID's open offboarding, or the form that starts one.
// Everything is read in the Cmd; the form's preview is the real start run in
// a transaction that is rolled back, so it shows exactly the checklist the
// store would generate (and refuses exactly what the store refuses).
func (a *app) offboard(personID int64) tea.Cmd {
	env := a.env
	return func() tea.Msg {
		o, err := env.Store.Offboarding(env.Ctx, personID)
		switch {
		case err == nil && o.Status == "open":
			c := newOffboardingScreen(env, personID)
			return pushScreenMsg{link: detail.Link{Kind: "offboarding", ID: personID}, screen: c}
		case err != nil && !errors.Is(err, model.ErrNotFound):
			return screenErrMsg{fmt.Errorf("read offboarding: %w", err)}
		}
		s, err := newStartScreen(env, personID, o)
		if err != nil {
			return screenErrMsg{fmt.Errorf("cannot offboard: %w", err)}
		}
		return pushScreenMsg{link: detail.Link{Kind: "offboarding", ID: personID}, screen: s}
	}
}

// startOffboarding starts (or with dry, previews) the offboarding for
// the form's values: ops.StartOffboarding, as `opsdeck offboard start`.
func startOffboarding(env TabEnv, personID int64, lastDay, successor string, dry bool) (model.Offboarding, error) {
	return ops.StartOffboarding(env.Ctx, env.ops(), ops.LeaverID(personID), lastDay, successor, dry)
}

// Start form fields.
const (
	fieldLastDay = iota
	fieldSuccessor
)

var startFieldKeys = []string{"last_day", "successor"}

type (
	startPreviewMsg struct {
		screen *startScreen
		steps  []model.OffboardingStep
		err    error
	}
	startedMsg struct {
		screen *startScreen
		err    error
	}
)

// startScreen is the small form that starts an offboarding: last day,
// successor (completed from active people), and a preview of the checklist;
// enter previews with the values, y starts.
type startScreen struct {
	env        TabEnv
	person     model.Person
	previous   string // "completed 2026-10-01" when offboarded before
	inputs     []textinput.Model
	focus      int
	people     []model.Person // active people other than the leaver
	steps      []model.OffboardingStep
	confirming bool
	busy       bool
	errField   string
	errMsg     string
	keys       startKeys
	w, h       int
}

type startKeys struct{ Next, Complete, Preview, Start, Cancel key.Binding }

func (k startKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Next, k.Complete, k.Preview, k.Start, k.Cancel}
}
func (k startKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

func newStartScreen(env TabEnv, personID int64, last model.Offboarding) (*startScreen, error) {
	p, err := env.Store.GetPerson(env.Ctx, personID)
	if err != nil {
		return nil, err
	}
	active, err := env.Store.ListPeople(env.Ctx, store.PeopleQuery{Status: "active"})
	if err != nil {
		return nil, err
	}
	preview, err := startOffboarding(env, personID, "", "", true)
	if err != nil {
		return nil, err
	}
	s := &startScreen{env: env, person: p, steps: preview.Steps, keys: startKeys{
		Next:     key.NewBinding(key.WithKeys("down", "up"), key.WithHelp("↑/↓", "field")),
		Complete: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete name")),
		Preview:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next / preview")),
		Start:    key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "start (after preview)")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}}
	if last.ID != 0 && last.CompletedAt != nil {
		s.previous = "completed " + last.CompletedAt.Local().Format(model.DateLayout) + " by " + last.CompletedBy
	}
	for _, q := range active {
		if q.ID != p.ID {
			s.people = append(s.people, q)
		}
	}
	day := p.EndDate
	if day == "" {
		day = env.now().Format(model.DateLayout)
	}
	for i, hint := range []string{"YYYY-MM-DD", "name or email (tab completes)"} {
		in := textin.New(env.Styles, "")
		in.Placeholder = hint
		in.CharLimit = 200
		if i == fieldLastDay {
			in.SetValue(day)
		}
		s.inputs = append(s.inputs, in)
	}
	s.inputs[fieldSuccessor].Focus()
	s.focus = fieldSuccessor
	return s, nil
}

func (s *startScreen) Title() string       { return "offboard " + s.person.Name }
func (s *startScreen) Load() tea.Cmd       { return nil }
func (s *startScreen) KeyMap() help.KeyMap { return s.keys }
func (s *startScreen) Capturing() bool     { return true }

func (s *startScreen) SetSize(w, h int) {
	s.w, s.h = w, h
	for i := range s.inputs {
		s.inputs[i].SetWidth(max(min(w-16, 40), 8))
	}
}

func (s *startScreen) setFocus(i int) {
	s.inputs[s.focus].Blur()
	s.focus = (i + len(s.inputs)) % len(s.inputs)
	s.inputs[s.focus].Focus()
}

// matches are the first limit (0: all) active people whose name or email
// contains the successor field's text; the frame asks for a few, so typing
// stays instant with 100,000 people.
func (s *startScreen) matches(limit int) []model.Person {
	q := strings.ToLower(strings.TrimSpace(s.inputs[fieldSuccessor].Value()))
	var out []model.Person
	for _, p := range s.people {
		if q == "" || strings.Contains(strings.ToLower(p.Name), q) || strings.Contains(strings.ToLower(p.Email), q) {
			if out = append(out, p); len(out) == limit {
				break
			}
		}
	}
	return out
}

// complete replaces the successor text with the first matching person's
// email (unambiguous), or the next match when it already holds one.
func (s *startScreen) complete() {
	ms := s.matches(0)
	if cur := s.inputs[fieldSuccessor].Value(); len(ms) == 1 && ms[0].Email == cur {
		ms = s.people
	}
	if len(ms) == 0 {
		return
	}
	next := ms[0]
	for i, p := range ms {
		if p.Email == s.inputs[fieldSuccessor].Value() {
			next = ms[(i+1)%len(ms)]
		}
	}
	s.inputs[fieldSuccessor].SetValue(next.Email)
	s.inputs[fieldSuccessor].CursorEnd()
}

func (s *startScreen) values() (string, string) {
	return strings.TrimSpace(s.inputs[fieldLastDay].Value()), strings.TrimSpace(s.inputs[fieldSuccessor].Value())
}

func (s *startScreen) run(dry bool) tea.Cmd {
	env, id := s.env, s.person.ID
	day, succ := s.values()
	s.busy = true
	return func() tea.Msg {
		o, err := startOffboarding(env, id, day, succ, dry)
		if dry {
			return startPreviewMsg{screen: s, steps: o.Steps, err: err}
		}
		return startedMsg{screen: s, err: err}
	}
}

func (s *startScreen) setErr(err error) {
	s.errField, s.errMsg = "", ""
	if err == nil {
		return
	}
	s.errMsg = err.Error()
	if fe, ok := model.AsFieldError(err); ok {
		for i, k := range startFieldKeys {
			if fe.Field == k {
				s.errField = k
				s.setFocus(i)
			}
		}
	}
}

func (s *startScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case startPreviewMsg:
		if msg.screen != s {
			return s, nil
		}
		s.busy = false
		s.setErr(msg.err)
		if msg.err == nil {
			s.steps, s.confirming = msg.steps, true
		}
		return s, nil
	case startedMsg:
		if msg.screen != s {
			return s, nil
		}
		s.busy = false
		if msg.err != nil {
			s.confirming = false
			s.setErr(msg.err)
			return s, nil
		}
		c := newOffboardingScreen(s.env, s.person.ID)
		flash := "offboarding started: " + s.person.Name + " is leaving and their SSH keys no longer work"
		if s.person.Status != "active" {
			flash = "offboarding started for " + s.person.Name + " (" + s.person.Status + "); their SSH keys no longer work"
		}
		c.list.Flash(flash, false)
		return s, func() tea.Msg {
			return pushScreenMsg{link: detail.Link{Kind: "offboarding", ID: s.person.ID}, screen: c, replace: true}
		}
	case tea.KeyPressMsg:
		if s.busy {
			return s, nil
		}
		if s.confirming {
			switch msg.String() {
			case "y", "Y":
				return s, s.run(false)
			case "n", "N", "esc":
				s.confirming = false
			}
			return s, nil
		}
		switch msg.String() {
		case "esc":
			return s, func() tea.Msg { return popScreenMsg{} }
		case "up", "shift+tab":
			s.setFocus(s.focus - 1)
			return s, nil
		case "down":
			s.setFocus(s.focus + 1)
			return s, nil
		case "tab":
			if s.focus == fieldSuccessor {
				s.complete()
			} else {
				s.setFocus(s.focus + 1)
			}
			return s, nil
		case "enter":
			if s.focus < len(s.inputs)-1 {
				s.setFocus(s.focus + 1)
				return s, nil
			}
			return s, s.run(true)
		}
		var cmd tea.Cmd
		s.inputs[s.focus], cmd = s.inputs[s.focus].Update(msg)
		s.errField, s.errMsg = "", ""
		return s, cmd
	}
	return s, nil
}

func (s *startScreen) View() string {
	st := s.env.Styles
	w := s.w
	lines := []string{
		st.Title.Render(ansi.Truncate(fmt.Sprintf("Start offboarding %s <%s>", s.person.Name, s.person.Email), w, "…")),
		st.Muted.Render(ansi.Truncate(startEffect(s.person), w, "…")),
	}
	if s.previous != "" {
		lines = append(lines, st.Muted.Render("offboarded before: "+s.previous))
	}
	lines = append(lines, "")
	for i, label := range []string{"last day ", "successor"} {
		marker, ls := "  ", st.Muted
		if i == s.focus && !s.confirming {
			marker, ls = "▸ ", st.Accent
		}
		lines = append(lines, ansi.Truncate(marker+ls.Render(label)+"  "+s.inputs[i].View(), w, "…"))
		if s.errField == startFieldKeys[i] {
			lines = append(lines, st.Error.Render(ansi.Truncate("             ✗ "+s.errMsg, w, "…")))
		}
		if i == fieldSuccessor && s.focus == fieldSuccessor && !s.confirming {
			ms := s.matches(5)
			var names []string
			for _, p := range ms[:min(len(ms), 4)] {
				names = append(names, p.Name+" <"+p.Email+">")
			}
			if len(ms) > 4 {
				names = append(names, "more…")
			}
			if len(names) == 0 {
				names = []string{"no active person matches"}
			}
			lines = append(lines, st.Muted.Render(ansi.Truncate("             "+strings.Join(names, " · "), w, "…")))
		}
	}
	if s.errMsg != "" && s.errField == "" {
		lines = append(lines, st.Error.Render(ansi.Truncate("✗ "+s.errMsg, w, "…")))
	}
	lines = append(lines, "")
	head := "The checklist will have " + plural(len(s.steps), "step") + ":"
	if s.confirming {
		head = "Start it? " + plural(len(s.steps), "step") + ", exactly these:"
	}
	lines = append(lines, st.Title.Render(head))
	room := max(s.h-len(lines)-2, 1)
	for i, step := range s.steps {
		if i == room-1 && len(s.steps) > room {
			lines = append(lines, st.Muted.Render(fmt.Sprintf("   … and %d more", len(s.steps)-i)))
			break
		}
		l := fmt.Sprintf("%3d  %-8s %s", step.N, step.Kind, step.Title)
		if step.BusFactorOne {
			lines = append(lines, st.Warn.Render(ansi.Truncate(l+"  ⚠ bus factor 1", w, "…")))
			continue
		}
		lines = append(lines, st.Text.Render(ansi.Truncate(l, w, "…")))
	}
	lines = append(lines, "")
	switch {
	case s.busy:
		lines = append(lines, st.Muted.Render("working…"))
	case s.confirming:
		lines = append(lines, st.Accent.Render("y")+st.Muted.Render(" start the offboarding   ")+st.Accent.Render("n/esc")+st.Muted.Render(" change the values"))
	default:
		lines = append(lines, st.Muted.Render("enter on successor previews with these values; then y starts"))
	}
	return strings.Join(lines, "\n")
}

// startEffect says what starting does to the person's status and access.
func startEffect(p model.Person) string {
	if p.Status == "active" {
		return "active now; starting makes them leaving and refuses their SSH keys at once"
	}
	return p.Status + " already (stays " + p.Status + "); their SSH keys are refused"
}
