package ui

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui/components/checklist"
	"github.com/opsdeck/opsdeck/ui/components/detail"
	"github.com/opsdeck/opsdeck/ui/components/table"
)

// The accounts tab (#17, #22): every account with its holder, service,
// entitlement, status, two-step, last activity and verified age; m turns
// it into a person × service matrix. a adds, e edits, d revokes and S
// suspends, each with the preview the other edits have. :review opens the
// open access review (starting one when there is none) on the generic
// checklist screen.

func init() {
	registerTab(tabDef{name: "accounts", key: "8", aliases: []string{"acc"},
		help: "who holds which account: two-step, last activity, verified; m: person × service matrix",
		new:  func(env TabEnv) Tab { return newAccountsTab(env) }})
	editSpecs["account"] = accountEdit()
	editSpecs["sign-in"] = suspendAccount()
	registerActions(
		action{key: key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "matrix: people × services")), hint: true,
			on:  func(c actx) bool { return c.tab == "accounts" && c.page == nil },
			run: func(a *app, _ actx) tea.Cmd { return a.toggleAccountsMatrix() }},
		action{key: key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "suspend the account")), hint: true, write: true,
			on:  func(c actx) bool { return c.hasSel && c.sel.Kind == "account" },
			run: func(a *app, c actx) tea.Cmd { return a.preview(detail.Link{Kind: "sign-in", ID: c.sel.ID}) }},
	)
	registerDetail(detailDef{kind: "account", load: accountDetail})
	registerCommand(commandDef{name: "access-review", aliases: []string{"ar"},
		usage: ":access-review [SERVICE | owner EMAIL]  the open access review (of that scope; starts one)",
		run:   func(a *app, arg string) tea.Cmd { return openAccessReview(a.env, arg) }})
	registerChecklistUI(ops.AccessReview, checklistUI{
		Noun: "access review",
		AskDone: func(_ model.Checklist, _ any, s model.ChecklistStep) *checklist.Ask {
			if s.Kind != "review" {
				return nil
			}
			return &checklist.Ask{Label: "decision: reason › ", Default: "keep: ",
				Suggestions: []string{"keep: ", "revoke: ", "change member: ", "change admin: "},
				Required:    "say keep, revoke or change ENTITLEMENT, then : and why"}
		},
		Hint: func(s model.ChecklistStep) string {
			if s.Kind == "review" {
				return "space decides: keep | revoke | change ENTITLEMENT, then : reason"
			}
			return "space records the account revoked (remove it on the service first)"
		},
	})
}

// accountsSpec is the list mode.
func accountsSpec() listSpec {
	return listSpec{
		name: "accounts", kind: "account", fadeCol: 4, fadeVals: []string{"revoked"},
		cols: []table.Column{
			{Title: "holder", Min: 12, Max: 24},
			{Title: "service", Min: 8, Max: 18},
			{Title: "username", Min: 8, Max: 22, Drop: 3},
			{Title: "entitlement", Min: 6, Max: 11},
			{Title: "status", Min: 7, Max: 10},
			{Title: "two-step", Min: 8, Max: 10, Drop: 1, Domain: themes.DomainVerdict},
			{Title: "last activity", Min: 10, Max: 22, Drop: 2, Age: true},
			{Title: "verified", Min: 8, Max: 9, Drop: 4, Age: true},
		},
		load: func(env TabEnv) ([][]string, []int64, error) {
			accts, err := env.Store.AccountsWithAccess(env.Ctx, store.AccountQuery{})
			if err != nil {
				return nil, nil, err
			}
			now := env.now()
			return recordRows(accts, func(a *model.Account) int64 { return a.ID }, func(a *model.Account) []string {
				holder := a.PersonName
				if a.PersonStatus != "active" {
					holder += " (" + a.PersonStatus + ")"
				}
				return []string{holder, a.ServiceName, a.Username, a.Entitlement, a.Status, a.Access.TwoStep,
					a.Access.ActivityWords(now), model.Ago(a.LastVerifiedAt, now)}
			})
		},
		empty: []string{
			"No accounts yet.",
			"",
			"  a                                   add one here",
			"  opsdeck import accounts --service AWS credential-report.csv",
			"  opsdeck demo                        load a demo company",
		},
	}
}

// matrixSpec is the person × service mode: a row per person holding any
// account, a column per service; a cell is the entitlement of an active
// account (marked * when two-step is off), else its status.
func matrixSpec(services []string) listSpec {
	cols := []table.Column{{Title: "person", Min: 12, Max: 24}}
	for i, s := range services {
		cols = append(cols, table.Column{Title: s, Min: 7, Max: 16, Drop: i + 1}) // read left to right; → scrolls
	}
	return listSpec{
		name: "accounts-matrix", kind: "person",
		cols: cols,
		load: func(env TabEnv) ([][]string, []int64, error) {
			accts, err := env.Store.AccountsWithAccess(env.Ctx, store.AccountQuery{})
			if err != nil {
				return nil, nil, err
			}
			col := map[string]int{}
			for i, s := range services {
				col[s] = i + 1
			}
			byPerson := map[int64][]string{}
			var order []int64
			for _, a := range accts {
				r, ok := byPerson[a.PersonID]
				if !ok {
					r = make([]string, len(services)+1)
					r[0] = a.PersonName
					if a.PersonStatus != "active" {
						r[0] += " (" + a.PersonStatus + ")"
					}
					order = append(order, a.PersonID)
				}
				if c, ok := col[a.ServiceName]; ok {
					cell := a.Entitlement
					if a.Status != "active" {
						cell = a.Status
					} else if a.Access.TwoStep == model.TwoStepOff {
						cell += "*"
					}
					if r[c] != "" {
						cell = r[c] + "," + cell
					}
					r[c] = cell
				}
				byPerson[a.PersonID] = r
			}
			sort.SliceStable(order, func(i, j int) bool {
				return strings.ToLower(byPerson[order[i]][0]) < strings.ToLower(byPerson[order[j]][0])
			})
			rows, ids := make([][]string, len(order)), order
			for i, id := range order {
				r := byPerson[id]
				for c := range r {
					if r[c] == "" {
						r[c] = "·"
					}
				}
				rows[i] = r
			}
			return rows, ids, nil
		},
		empty: []string{"No accounts yet."},
	}
}

// accountsTab is the list, or the matrix when toggled (m).
type accountsTab struct {
	env      TabEnv
	list     *listTab
	matrix   *listTab // nil until first shown
	matrixOn bool
	w, h     int
}

func newAccountsTab(env TabEnv) *accountsTab {
	return &accountsTab{env: env, list: newListTab(env, accountsSpec())}
}

func (t *accountsTab) cur() *listTab {
	if t.matrixOn && t.matrix != nil {
		return t.matrix
	}
	return t.list
}

func (t *accountsTab) Name() string { return "accounts" }

func (t *accountsTab) SetSize(w, h int) {
	t.w, t.h = w, h
	t.list.SetSize(w, h)
	if t.matrix != nil {
		t.matrix.SetSize(w, h)
	}
}

func (t *accountsTab) Load() tea.Cmd {
	if t.matrix != nil {
		return tea.Batch(t.list.Load(), t.matrix.Load())
	}
	return t.list.Load()
}

// matrixMsg carries the services the matrix's columns are.
type matrixMsg struct {
	services []string
	err      error
}

func (t *accountsTab) Update(msg tea.Msg) (Tab, tea.Cmd) {
	switch m := msg.(type) {
	case tea.KeyPressMsg:
		_, cmd := t.cur().Update(msg)
		return t, cmd
	case matrixMsg:
		if m.err != nil {
			t.list.err = m.err
			return t, nil
		}
		t.matrix = newListTab(t.env, matrixSpec(m.services))
		t.matrix.SetSize(t.w, t.h)
		t.matrixOn = true
		return t, t.matrix.Load()
	}
	_, c1 := t.list.Update(msg)
	var c2 tea.Cmd
	if t.matrix != nil {
		_, c2 = t.matrix.Update(msg)
	}
	return t, tea.Batch(c1, c2)
}

func (t *accountsTab) View() string {
	if t.matrixOn {
		return t.cur().View() + "\n" + t.env.Styles.Muted.Render("person × service: entitlement of an active account (* two-step off), else its status · m: list")
	}
	return t.list.View()
}

func (t *accountsTab) Counts() (int, int)              { return t.cur().Counts() }
func (t *accountsTab) KeyMap() help.KeyMap             { return t.cur().KeyMap() }
func (t *accountsTab) SetFilter(q string, fuzzy bool)  { t.cur().SetFilter(q, fuzzy) }
func (t *accountsTab) Filter() (string, bool)          { return t.cur().Filter() }
func (t *accountsTab) Selected() (detail.Link, bool)   { return t.cur().Selected() }
func (t *accountsTab) RecordKind() string              { return t.cur().RecordKind() }
func (t *accountsTab) SelectLink(l detail.Link) bool   { return t.cur().SelectLink(l) }
func (t *accountsTab) Click(y int) (detail.Link, bool) { return t.cur().Click(y) }
func (t *accountsTab) Position() (int, int)            { return t.cur().Position() }

// toggleAccountsMatrix switches the accounts tab between list and matrix;
// the first switch reads the services (the matrix's columns) in a Cmd.
func (a *app) toggleAccountsMatrix() tea.Cmd {
	t, ok := a.tab().(*accountsTab)
	if !ok {
		return nil
	}
	if t.matrixOn || t.matrix != nil {
		t.matrixOn = !t.matrixOn
		return nil
	}
	env := a.env
	return func() tea.Msg {
		svcs, err := env.Store.ListServices(env.Ctx, store.ServiceQuery{})
		if err != nil {
			return matrixMsg{err: err}
		}
		var names []string
		for _, s := range svcs {
			if s.Status == "active" {
				names = append(names, s.Name)
			}
		}
		sort.Slice(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) })
		return matrixMsg{services: names}
	}
}

// accountEdit adds, edits and revokes accounts (d: revoke, with preview).
func accountEdit() editSpec {
	return recordForm[model.Account]{
		kind: "account", verb: "revoke", fields: model.AccountFields,
		blank:      model.Account{Entitlement: "member", Status: "active"},
		get:        func(env TabEnv, id int64) (model.Account, error) { return env.Store.GetAccount(env.Ctx, id) },
		name:       func(a model.Account) string { return accountName(a) },
		key:        func(a model.Account) string { return a.ServiceName + ":" + a.Username },
		id:         func(a model.Account) int64 { return a.ID },
		add:        (*store.Tx).AddAccount,
		update:     (*store.Tx).UpdateAccount,
		deactivate: (*store.Tx).DeactivateAccount,
	}.spec()
}

func accountName(a model.Account) string {
	return fmt.Sprintf("%s:%s (%s)", a.ServiceName, a.Username, a.PersonName)
}

// suspendAccount is S: the account is kept but its sign-in blocked; the
// confirmation reads "Suspend sign-in of AWS:bill (Bill Carter)?" with the
// change it makes.
func suspendAccount() editSpec {
	return editSpec{kind: "sign-in", verb: "Suspend", gone: "suspended",
		deactivate: func(t *store.Tx, id int64) (any, any, string, error) {
			b, a, err := t.UpdateAccount(id, func(a *model.Account) error {
				if a.Status == "revoked" {
					return model.Invalid("status", a.Status, "is revoked; a revoked account cannot be suspended")
				}
				a.Status = "suspended"
				return nil
			})
			return b, a, "of " + accountName(b), err
		}}
}

// accountDetail is an account's page: its fields, two-step and last
// activity with where each was learned, and the evidence.
func accountDetail(env TabEnv, id int64) (detail.Data, error) {
	a, err := env.Store.AccountWithAccess(env.Ctx, id)
	if err != nil {
		return detail.Data{}, err
	}
	ev, err := env.Store.AccountSignals(env.Ctx, id)
	if err != nil {
		return detail.Data{}, err
	}
	now := env.now()
	x := a.Access
	two := x.TwoStep
	if f := x.TwoStepFrom; f != nil {
		two += " · from " + f.Evidence() + ", learned " + model.Ago(&f.LearnedAt, now)
	}
	act := x.ActivityWords(now)
	if f := x.LastActivityFrom; f != nil {
		act = x.LastActivity.UTC().Format("2006-01-02 15:04 UTC") + " · " + act + " · from " + f.Evidence()
	}
	reviewed := "never"
	if x.LastReviewedAt != nil {
		reviewed = model.Ago(x.LastReviewedAt, now)
	}
	d := detail.Data{Title: accountName(a), Subtitle: "account · " + a.Entitlement + " · " + a.Status, Fields: [][2]string{
		{"holder", a.PersonName + " <" + a.PersonEmail + "> · " + a.PersonStatus}, {"service", a.ServiceName},
		{"username", a.Username}, {"entitlement", a.Entitlement}, {"status", a.Status}, {"two-step", two},
		{"last activity", act}, {"verified", model.Ago(a.LastVerifiedAt, now)}, {"reviewed", reviewed},
	}}
	sec := detail.Section{Title: fmt.Sprintf("Evidence (%d)", len(ev)), Empty: "no export has said anything about this account yet"}
	for _, s := range ev {
		what := s.Value
		if s.At != nil {
			what = s.At.UTC().Format("2006-01-02 15:04 UTC")
		}
		sec.Rows = append(sec.Rows, detail.Row{Text: fmt.Sprintf("%-13s %-21s %s · learned %s by %s", s.Kind, what, s.Evidence(),
			model.Ago(&s.LearnedAt, now), s.LearnedBy)})
	}
	links := detail.Section{Title: "Links", Rows: []detail.Row{
		{Text: "holder: " + a.PersonName, Link: link("person", a.PersonID)},
		{Text: "service: " + a.ServiceName, Link: link("service", a.ServiceID)},
	}}
	d.Sections = []detail.Section{sec, links}
	return d, nil
}

// openAccessReview opens the open access review, starting one over every
// active account when there is none.
func openAccessReview(env TabEnv, arg string) tea.Cmd {
	// The scope: every account, one service's ("AWS"), or the accounts on
	// the services one person owns ("owner oscar@example.com").
	service, owner := strings.TrimSpace(arg), ""
	if o, ok := strings.CutPrefix(service, "owner "); ok {
		service, owner = "", strings.TrimSpace(o)
	}
	return func() tea.Msg {
		cs, err := env.Store.ListChecklists(env.Ctx, store.ChecklistQuery{Kind: ops.AccessReview, Status: model.ChecklistOpen})
		if err != nil {
			return opsMsg{text: "access review: " + err.Error(), isErr: true}
		}
		var id int64
		for _, c := range cs { // no scope given: the open review, whatever its scope
			if arg == "" || strings.EqualFold(c.Params["service"], service) && strings.EqualFold(c.Params["owner"], owner) {
				id = c.ID
				break
			}
		}
		if id == 0 {
			c, err := ops.StartAccessReview(env.Ctx, env.ops(), service, owner, ops.DefaultRevokeDays, false)
			if err != nil {
				return opsMsg{text: "cannot start an access review: " + err.Error(), isErr: true}
			}
			id = c.ID
		}
		return openLinkMsg{link: detail.Link{Kind: "checklist", ID: id}}
	}
}
