package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui/components/detail"
	"github.com/opsdeck/opsdeck/ui/components/form"
	"github.com/opsdeck/opsdeck/ui/components/table"
)

// The findings register in the console: a tab of the findings still to
// act on (overdue first), each finding's page with the records it affects
// as links, its notes, evidence and history, and the workflow keys that
// need no text (start, resolve). Closing and accepting ask for a note or
// a reason and expiry: `opsdeck findings close|accept`.

var findingKeys = struct{ Start, Resolve, Accept, Close key.Binding }{
	Start:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "start (in progress)")),
	Resolve: key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "mark resolved (fix to verify)")),
	Accept:  key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "accept the risk (reason, until)")),
	Close:   key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "close (how the fix was verified)")),
}

func init() {
	registerTab(tabDef{name: "findings", key: "9", aliases: []string{"fi"}, help: "what audits and reviews found: who fixes it by when, overdue first",
		new: func(env TabEnv) Tab { return newListTab(env, findingsSpec()) }})
	registerDetail(detailDef{kind: "finding", load: findingDetail})
	onFinding := func(c actx) bool { return c.hasSel && c.sel.Kind == "finding" }
	move := func(b key.Binding, state string) action {
		return action{key: b, hint: true, write: true, on: onFinding,
			run: func(a *app, c actx) tea.Cmd { return a.moveFinding(c.sel.ID, state) }}
	}
	form := func(b key.Binding, kind string) action {
		return action{key: b, hint: true, write: true, on: onFinding,
			run: func(a *app, c actx) tea.Cmd { return a.loadForm(kind, c.sel.ID) }}
	}
	registerActions(move(findingKeys.Start, model.FindingInProgress), move(findingKeys.Resolve, model.FindingResolved),
		form(findingKeys.Accept, "accept-finding"), form(findingKeys.Close, "close-finding"))
	editSpecs["accept-finding"] = findingMoveForm("accept-finding", "accepted", "Accept the risk of", func(v map[string]string) ops.FindingMove {
		return ops.FindingMove{State: model.FindingAccepted, Reason: v["reason"], Expires: v["until"]}
	}, text("reason", "reason", "", "why the risk is acceptable (required)"), text("until", "until", "", "YYYY-MM-DD, when to look again (required)"))
	editSpecs["close-finding"] = findingMoveForm("close-finding", "closed", "Close", func(v map[string]string) ops.FindingMove {
		return ops.FindingMove{State: model.FindingClosed, Note: v["verified"]}
	}, text("verified", "verified", "", "how the fix was verified: a test, a link (required)"))
}

// findingMoveForm is a form that moves a finding (ops.MoveFindingTx) with
// what the move needs typed in: every field is required, and the model's
// workflow rules (close only a resolved finding, an expiry in the future)
// answer in the form.
func findingMoveForm(kind, done, verb string, move func(map[string]string) ops.FindingMove, fields ...form.Field) editSpec {
	return editSpec{
		kind: kind, done: done,
		fields: func(env TabEnv, id int64) (string, []form.Field, error) {
			f, err := env.Store.FindFinding(env.Ctx, strconv.FormatInt(id, 10))
			if err != nil {
				return "", nil, err
			}
			return fmt.Sprintf("%s finding #%d · %s · %s", verb, f.ID, f.Severity, f.Title), fields, nil
		},
		check: func(v map[string]string) error {
			for _, f := range fields {
				if err := required(f.Key, v[f.Key]); err != nil {
					return err
				}
			}
			return nil
		},
		save: func(t *store.Tx, id int64, v map[string]string) (int64, string, error) {
			f, err := ops.MoveFindingTx(t, strconv.FormatInt(id, 10), move(v))
			return id, fmt.Sprintf("finding #%d (%s)", id, f.State), err
		},
	}
}

func findingsSpec() listSpec {
	return listSpec{
		name: "findings", kind: "finding",
		cols: []table.Column{
			{Title: "id", Min: 3, Max: 5, Numeric: true},
			{Title: "severity", Min: 8, Max: 10, Domain: themes.DomainSeverity},
			{Title: "title", Min: 16, Max: 60},
			{Title: "owner", Min: 8, Max: 20, Drop: 2},
			{Title: "due", Min: 10, Max: 10},
			{Title: "state", Min: 8, Max: 13, Drop: 3},
			{Title: "overdue", Min: 7, Max: 8},
			{Title: "affects", Min: 10, Max: 40, Drop: 1},
		},
		load: func(env TabEnv) ([][]string, []int64, error) {
			all, err := env.Store.ListFindings(env.Ctx, store.FindingQuery{})
			if err != nil {
				return nil, nil, err
			}
			now := env.now().In(time.Local)
			var fs []model.Finding
			for _, f := range all {
				if f.State != model.FindingClosed {
					fs = append(fs, f)
				}
			}
			model.SortFindings(fs, now)
			rows, ids := make([][]string, len(fs)), make([]int64, len(fs))
			for i, f := range fs {
				over := "-"
				if f.Overdue(now) {
					over = strconv.Itoa(f.DaysOverdue(now)) + "d"
				}
				rows[i] = []string{strconv.FormatInt(f.ID, 10), strings.ToUpper(f.Severity), f.Title, dash(f.OwnerName), f.Due, f.State, over, dash(model.LinksText(f.Links))}
				ids[i] = f.ID
			}
			return rows, ids, nil
		},
		empty: []string{
			"No findings: nothing an audit or a review found is waiting.",
			"",
			"  opsdeck findings add --title … --severity high --owner …   record one",
			"  opsdeck import findings report.csv                        an audit report's table (dry run first)",
		},
		fadeCol: 5, fadeVals: []string{model.FindingResolved, model.FindingAccepted},
	}
}

func findingDetail(env TabEnv, id int64) (detail.Data, error) {
	f, err := env.Store.FindFinding(env.Ctx, strconv.FormatInt(id, 10))
	if err != nil {
		return detail.Data{}, err
	}
	now := env.now().In(time.Local)
	states := []detail.State{{Domain: themes.DomainSeverity, Value: f.Severity}}
	if f.Overdue(now) {
		states = append(states, detail.State{Domain: themes.DomainDue, Value: fmt.Sprintf("overdue %dd", f.DaysOverdue(now))})
	}
	d := detail.Data{Title: "#" + strconv.FormatInt(f.ID, 10) + "  " + f.Title, States: states, Subtitle: "finding · " + f.State, Fields: [][2]string{
		{"source", dash(f.Source)}, {"owner", dash(f.OwnerName)}, {"due", f.Due}, {"notes", dash(firstLine(f.Notes))},
	}}
	if f.State == model.FindingAccepted {
		d.Fields = append(d.Fields, [2]string{"accepted", f.AcceptReason + " (until " + f.AcceptExpires + ")"})
	}
	af := detail.Section{Title: fmt.Sprintf("Affects (%d)", len(f.Links)), Empty: "no records linked"}
	for _, l := range f.Links {
		af.Rows = append(af.Rows, detail.Row{Text: l.Kind + "  " + l.Name, Link: findingLinkTarget(env, l)})
	}
	lg := detail.Section{Title: fmt.Sprintf("Notes and evidence (%d)", len(f.Log)), Empty: "none yet"}
	for _, e := range f.Log {
		lg.Rows = append(lg.Rows, detail.Row{Text: fmt.Sprintf("%s  %-16s %-8s %s", e.At.Local().Format("2006-01-02 15:04"), e.Actor, e.Kind, e.Text)})
	}
	au, err := auditSection(env, "finding", id)
	d.Sections = []detail.Section{af, lg, au}
	return d, err
}

// findingLinkTarget is the page a linked record opens: an account opens
// its service's page (accounts have none of their own).
func findingLinkTarget(env TabEnv, l model.FindingLink) *detail.Link {
	if l.Kind != "account" {
		return link(l.Kind, l.ID)
	}
	a, err := env.Store.GetAccount(env.Ctx, l.ID)
	if err != nil {
		return nil
	}
	return link("service", a.ServiceID)
}

func (a *app) moveFinding(id int64, state string) tea.Cmd {
	if !a.canWrite() {
		return nil
	}
	env := a.env
	return func() tea.Msg {
		f, err := ops.MoveFinding(env.Ctx, env.ops(), strconv.FormatInt(id, 10), ops.FindingMove{State: state})
		if err != nil {
			return opsMsg{text: "finding: " + err.Error(), isErr: true}
		}
		return opsMsg{text: fmt.Sprintf("finding #%d is %s", f.ID, f.State)}
	}
}

// complianceSection is a device's compliance verdicts, each with since
// when it holds (the device page).
func complianceSection(env TabEnv, id int64) (detail.Section, error) {
	sec := detail.Section{Title: "Compliance", Empty: "the compliance policy does not cover this device"}
	list, err := env.Store.Compliance(env.Ctx, env.now())
	if err != nil {
		return sec, err
	}
	for _, d := range list {
		if d.DeviceID != id {
			continue
		}
		res := "passes"
		if d.Failing {
			res = "FAILS"
		} else if !d.Passes {
			res = "incomplete"
		}
		sec.Title = "Compliance: " + res
		for _, v := range d.Verdicts {
			since := "since now"
			if v.Since != nil {
				since = "since " + v.Since.Local().Format("2006-01-02 15:04")
			}
			sec.Rows = append(sec.Rows, detail.Row{Text: fmt.Sprintf("%-8s %-20s %s (%s)", strings.ToUpper(v.Status), v.Rule, v.Detail, since),
				Warn: v.Status == model.VerdictFail})
		}
	}
	return sec, nil
}

// findingsSection lists the findings that affect a record (its page).
func findingsSection(env TabEnv, kind string, id int64) (detail.Section, error) {
	fs, err := env.Store.FindingsAffecting(env.Ctx, kind, id)
	sec := detail.Section{Title: fmt.Sprintf("Findings (%d)", len(fs)), Empty: "no audit finding names it"}
	now := env.now().In(time.Local)
	for _, f := range fs {
		sec.Rows = append(sec.Rows, detail.Row{Text: fmt.Sprintf("#%d %-8s %-13s %s", f.ID, f.Severity, f.State, f.Title),
			Link: link("finding", f.ID), Warn: f.Overdue(now)})
	}
	return sec, err
}
