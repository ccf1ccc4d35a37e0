package ui

import (
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
	"github.com/opsdeck/opsdeck/ui/components/checklist"
	"github.com/opsdeck/opsdeck/ui/components/detail"
	"github.com/opsdeck/opsdeck/ui/components/textin"
)

var (
	onboardKey = key.NewBinding(key.WithKeys("O"), key.WithHelp("O", "onboard the person (or open it)"))
	newHireKey = key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "new hire: onboard from a role profile"))
)

func init() {
	registerActions(
		action{key: onboardKey, write: true,
			on:  func(c actx) bool { return c.hasSel && c.sel.Kind == "person" },
			run: func(a *app, c actx) tea.Cmd { return openOnboarding(a.env, c.sel.ID) }},
		action{key: newHireKey, write: true, hint: true,
			on:  func(c actx) bool { return c.tab == "people" && c.page == nil },
			run: func(a *app, c actx) tea.Cmd { return openOnboarding(a.env, 0) }},
	)
	registerChecklistUI(ops.OnboardingKind, checklistUI{
		Noun: "onboarding",
		Header: func(c model.Checklist, _ any) checklist.Header {
			return checklist.Header{Title: c.Title,
				Sub: fmt.Sprintf("%s · profile %s · starts %s · started %s by %s", c.Param("email"), c.Param(ops.ParamProfile), c.Param(ops.ParamStart),
					c.StartedAt.Local().Format("2006-01-02 15:04"), c.StartedBy)}
		},
		// Spare devices, for the assign step's suggestions.
		Extra: func(env TabEnv, c model.Checklist, _ any) (any, error) {
			if c.Status != model.ChecklistOpen {
				return nil, nil
			}
			ds, err := env.Store.SpareDevices(env.Ctx, "")
			tags := make([]string, len(ds))
			for i, d := range ds {
				tags[i] = d.AssetTag
			}
			return tags, err
		},
		AskDone: func(c model.Checklist, extra any, s model.ChecklistStep) *checklist.Ask {
			switch s.Kind {
			case model.OnbAccount:
				return &checklist.Ask{Label: fmt.Sprintf("step %d, username on %s: ", s.N, strings.TrimSuffix(strings.TrimPrefix(s.Title, "Create "), " account")),
					Default: s.Default, Required: "a username is required"}
			case model.OnbLaptop:
				tags, _ := extra.([]string)
				def := s.Default
				if def == "" && len(tags) > 0 {
					def = tags[0]
				}
				return &checklist.Ask{Label: fmt.Sprintf("step %d, asset tag: ", s.N), Default: def, Suggestions: tags, Required: "an asset tag is required"}
			}
			return nil
		},
		Hint: func(s model.ChecklistStep) string {
			switch s.Kind {
			case model.OnbAccount:
				return "space records the account (username prefilled, the profile's entitlement)"
			case model.OnbLaptop:
				return "space assigns the device to the hire (asset tag prefilled)"
			case model.OnbBuild:
				return "space passes only when the device shows no drift from the baseline and passes compliance"
			}
			return "space marks it done"
		},
	})
}

// openOnboarding opens the person's open onboarding, or the form that
// starts one (personID 0: a new hire).
func openOnboarding(env TabEnv, personID int64) tea.Cmd {
	return func() tea.Msg {
		f := &onboardForm{env: env}
		if personID != 0 {
			p, err := env.Store.GetPerson(env.Ctx, personID)
			if err != nil {
				return screenErrMsg{err}
			}
			open, err := env.Store.ListChecklists(env.Ctx, store.ChecklistQuery{Kind: ops.OnboardingKind, Status: model.ChecklistOpen, SubjectKind: "person", SubjectID: p.ID})
			if err != nil {
				return screenErrMsg{err}
			}
			if len(open) > 0 {
				return pushScreenMsg{link: detail.Link{Kind: "checklist", ID: open[0].ID}, screen: newChecklistScreen(env, open[0].ID)}
			}
			f.email, f.name = p.Email, p.Name
		}
		f.init()
		return pushScreenMsg{link: detail.Link{Kind: "person", ID: personID}, screen: f}
	}
}

// Onboarding form fields, in order.
var onboardFields = []string{"email", "name", "profile", "start", "laptop", "manager"}

// onboardForm starts an onboarding: the same inputs as `opsdeck onboard
// start`, with the profiles and spare devices as suggestions.
type onboardForm struct {
	env         TabEnv
	email, name string
	inputs      []textinput.Model
	focus       int
	err         string
	busy        bool
	w, h        int
}

type (
	onboardOptsMsg struct {
		form             *onboardForm
		profiles, spares []string
	}
	onboardStartedMsg struct {
		form   *onboardForm
		c      model.Checklist
		status string // the hire's status now (joining until the start date)
		err    error
	}
)

func (f *onboardForm) init() {
	f.inputs = make([]textinput.Model, len(onboardFields))
	for i, name := range onboardFields {
		f.inputs[i] = textin.New(f.env.Styles, fmt.Sprintf("%-9s ", name))
	}
	f.inputs[0].SetValue(f.email)
	f.inputs[1].SetValue(f.name)
	f.inputs[1].Placeholder = "from the email"
	f.inputs[3].SetValue(f.env.now().AddDate(0, 0, 7).Format(model.DateLayout))
	f.inputs[4].Placeholder = "asset tag (optional)"
	f.inputs[5].Placeholder = "email (optional)"
	if f.email != "" {
		f.focus = 2
	}
	f.inputs[f.focus].Focus()
}

func (f *onboardForm) Title() string { return "new hire" }
func (f *onboardForm) SetSize(w, h int) {
	f.w, f.h = w, h
	for i := range f.inputs {
		f.inputs[i].SetWidth(max(w-12, 20))
	}
}
func (f *onboardForm) KeyMap() help.KeyMap { return formKeys{} }
func (f *onboardForm) Capturing() bool     { return true }

// formKeys are the form's keys, for "?".
type formKeys struct{}

func (formKeys) ShortHelp() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab/↓", "next field")),
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start onboarding")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
}
func (k formKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

func (f *onboardForm) Load() tea.Cmd {
	env := f.env
	return func() tea.Msg {
		m := onboardOptsMsg{form: f}
		if ps, err := env.Store.ListProfiles(env.Ctx); err == nil {
			for _, p := range ps {
				m.profiles = append(m.profiles, p.Name)
			}
		}
		if ds, err := env.Store.SpareDevices(env.Ctx, ""); err == nil {
			for _, d := range ds {
				m.spares = append(m.spares, d.AssetTag)
			}
		}
		return m
	}
}

func (f *onboardForm) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case onboardOptsMsg:
		if msg.form == f {
			f.inputs[2].ShowSuggestions, f.inputs[4].ShowSuggestions = true, true
			f.inputs[2].SetSuggestions(msg.profiles)
			f.inputs[4].SetSuggestions(msg.spares)
			if f.inputs[2].Value() == "" && len(msg.profiles) > 0 {
				f.inputs[2].Placeholder = strings.Join(msg.profiles, ", ")
			}
		}
		return f, nil
	case onboardStartedMsg:
		if msg.form != f {
			return f, nil
		}
		f.busy = false
		if msg.err != nil {
			f.err = msg.err.Error()
			return f, nil
		}
		s := newChecklistScreen(f.env, msg.c.ID)
		s.list.Flash(fmt.Sprintf("onboarding started: %s is %s until %s; %d steps", msg.c.SubjectName, msg.status, msg.c.Param(ops.ParamStart), len(msg.c.Steps)), false)
		return f, func() tea.Msg {
			return pushScreenMsg{link: detail.Link{Kind: "checklist", ID: msg.c.ID}, screen: s, replace: true}
		}
	case tea.KeyPressMsg:
		if f.busy {
			return f, nil
		}
		switch msg.String() {
		case "esc":
			return f, func() tea.Msg { return popScreenMsg{} }
		case "tab", "down":
			f.move(1)
			return f, nil
		case "shift+tab", "up":
			f.move(-1)
			return f, nil
		case "enter":
			return f, f.submit()
		}
		var cmd tea.Cmd
		f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
		f.err = ""
		return f, cmd
	}
	return f, nil
}

func (f *onboardForm) move(d int) {
	f.inputs[f.focus].Blur()
	f.focus = (f.focus + d + len(f.inputs)) % len(f.inputs)
	f.inputs[f.focus].Focus()
}

// submit starts the onboarding (ops.Onboard, as `opsdeck onboard start`).
func (f *onboardForm) submit() tea.Cmd {
	v := func(i int) string { return strings.TrimSpace(f.inputs[i].Value()) }
	h := model.Hire{Email: v(0), Name: v(1), Profile: v(2), Start: v(3), Laptop: v(4), Manager: v(5)}
	env := f.env
	f.busy = true
	return func() tea.Msg {
		c, err := ops.Onboard(env.Ctx, env.ops(), h, false)
		m := onboardStartedMsg{form: f, c: c, err: err, status: "joining"}
		if err == nil && c.SubjectID != nil {
			if p, perr := env.Store.GetPerson(env.Ctx, *c.SubjectID); perr == nil {
				m.status = p.Status
			}
		}
		return m
	}
}

func (f *onboardForm) View() string {
	st := f.env.Styles
	lines := []string{st.Title.Render("Onboard a new hire from a role profile"),
		st.Muted.Render("They are joining until the start date (no SSH access), then active. tab moves, enter starts, esc cancels."), ""}
	for i := range f.inputs {
		lines = append(lines, ansi.Truncate(f.inputs[i].View(), max(f.w, 10), ""))
	}
	lines = append(lines, "")
	switch {
	case f.busy:
		lines = append(lines, st.Muted.Render("starting…"))
	case f.err != "":
		lines = append(lines, st.Error.Render(ansi.Truncate(f.err, max(f.w, 10), "…")))
	}
	return strings.Join(lines, "\n")
}
