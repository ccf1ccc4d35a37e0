package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() { register(findingsCommand) }

// findingsCommand is the findings register: the generic resource verbs
// (list, show, add, edit) from model.FindingFields, plus the workflow
// verbs and notes. Findings are never deleted, so there is no deactivate.
func findingsCommand(env *Env) *cobra.Command {
	r := findingsResource(env)
	cmd := r.command(env)
	cmd.Short = "The findings register: what audits found, who fixes it by when"
	for _, c := range cmd.Commands() {
		if c.Name() == "deactivate" {
			cmd.RemoveCommand(c)
		}
	}
	return cmd
}

func findingsResource(env *Env) resource[model.Finding] {
	type F = model.Finding
	var q store.FindingQuery
	var owner string
	var overdue, all bool
	// --affects is read once per command; links resolve in the write.
	var links []model.FindingLink
	var linksGiven bool
	now := func() time.Time { return env.now().In(time.Local) }
	return resource[F]{
		noun: "findings", one: "finding",
		addHelp: `Record a finding. The due date defaults from the severity (critical 7 days,
high 30, medium 90, low and info 180). Example:
  opsdeck findings add --title "Shared AWS root credentials" --severity critical \
    --source "Acme Security audit 2027-03" --owner oscar@example.com \
    --affects service:AWS,person:bill@example.com`,
		table: model.FindingFields,
		fields: []field[F]{{name: "affects", usage: "records it affects, comma-separated KIND:REF (service:NAME, device:TAG, person:EMAIL, account:SERVICE:USERNAME); replaces the list on edit",
			apply: func(t *store.Tx, _ *F, v string) error {
				var err error
				links, err = ops.FindingLinksTx(t, "affects", v)
				linksGiven = true
				return err
			}}},
		listFlags: func(c *cobra.Command) {
			c.Flags().StringVar(&q.State, "state", "", "only this state ("+strings.Join(model.FindingStates, "|")+")")
			c.Flags().StringVar(&q.Severity, "severity", "", "only this severity ("+strings.Join(model.FindingSeverities, "|")+")")
			c.Flags().StringVar(&owner, "owner", "", "only findings this person owns")
			c.Flags().BoolVar(&overdue, "overdue", false, "only findings past their due date (or whose accepted risk expired)")
			c.Flags().BoolVar(&all, "all", false, "include closed and resolved findings")
		},
		list: func(ctx context.Context, s *store.Store) ([]F, error) {
			for _, f := range [][3]string{{"state", q.State}, {"severity", q.Severity}} {
				vals := model.FindingStates
				if f[0] == "severity" {
					vals = model.FindingSeverities
				}
				if f[1] != "" {
					if err := model.ValidateEnum(f[0], f[1], vals); err != nil {
						return nil, err
					}
				}
			}
			if owner != "" {
				p, err := ops.Person(ctx, s, "owner", owner)
				if err != nil {
					return nil, err
				}
				q.OwnerID = p.ID
			}
			fs, err := s.ListFindings(ctx, q)
			if err != nil {
				return nil, err
			}
			out := []F{}
			for _, f := range fs {
				switch {
				case overdue && !f.Overdue(now()):
				case !overdue && !all && q.State == "" && (f.State == model.FindingClosed || f.State == model.FindingResolved):
				default:
					out = append(out, f)
				}
			}
			model.SortFindings(out, now())
			return out, nil
		},
		find:   (*store.Store).FindFinding,
		findTx: (*store.Tx).FindFinding,
		id:     func(f F) int64 { return f.ID },
		add: func(t *store.Tx, f *F) error {
			return t.AddFinding(f, links)
		},
		update: func(t *store.Tx, id int64, fn func(*F) error) (F, F, error) {
			before, after, err := t.UpdateFinding(id, fn)
			if err == nil && linksGiven {
				after, err = t.SetFindingLinks(id, links)
			}
			return before, after, err
		},
		listMore: []column[F]{
			{header: "overdue", cell: func(f F) string {
				if f.Overdue(now()) {
					return strconv.Itoa(f.DaysOverdue(now())) + "d"
				}
				return "-"
			}},
			{header: "affects", cell: func(f F) string { return orDash(model.Truncate(model.LinksText(f.Links), 40)) }},
		},
		showMore: func(f F) [][2]string {
			return [][2]string{{"affects", orDash(model.LinksText(f.Links))}, {"overdue", strconv.FormatBool(f.Overdue(now()))}}
		},
		view: loadFinding,
		extra: []func(*Env) *cobra.Command{
			findingMove("start", "Mark a finding in progress", model.FindingInProgress),
			findingMove("resolve", "Mark a finding fixed, awaiting verification (then close it)", model.FindingResolved),
			findingMove("close", "Close a resolved finding once its fix is verified (--verified says how)", model.FindingClosed),
			findingMove("accept", "Accept a finding's risk for a while (--reason, --expires)", model.FindingAccepted),
			findingMove("reopen", "Open a finding again (a fix did not hold, an acceptance is withdrawn)", model.FindingOpen),
			findingNote("note", "Add a note to a finding"),
			findingNote("evidence", "Add an evidence link to a finding (a ticket, a report, a screenshot URL)"),
		},
	}
}

// findingView is a finding with its notes, evidence and history.
type findingView struct {
	model.Finding
	Overdue bool               `json:"overdue"`
	History []model.AuditEntry `json:"history"`
	fields  [][2]string
	ago     func(*time.Time) string
}

func loadFinding(ctx context.Context, env *Env, s *store.Store, f model.Finding, fields [][2]string) (view, error) {
	h, err := s.ListAudit(ctx, store.AuditQuery{Entity: "finding", EntityID: f.ID})
	if err != nil {
		return nil, err
	}
	return &findingView{Finding: f, Overdue: f.Overdue(env.now().In(time.Local)), History: nonNil(h), fields: fields, ago: env.ago}, nil
}

func (v *findingView) print(env *Env) error {
	env.printKV(v.fields)
	section(env, "Notes and evidence", []string{"when", "who", "kind", "text"}, v.Log, func(e model.FindingEntry) []string {
		at := e.At
		return []string{v.ago(&at), e.Actor, e.Kind, e.Text}
	})
	return section(env, "History", []string{"when", "who", "what"}, v.History, func(e model.AuditEntry) []string {
		at := e.At
		return []string{v.ago(&at), e.Actor, e.Action}
	})
}

// findingMove builds a workflow verb that moves a finding to state.
func findingMove(use, short, state string) func(*Env) *cobra.Command {
	return func(env *Env) *cobra.Command {
		var m ops.FindingMove
		var asJSON bool
		c := &cobra.Command{Use: use + " ID", Short: short, Args: cobra.ExactArgs(1),
			RunE: func(c *cobra.Command, args []string) error {
				m.State = state
				e, err := env.ops()
				if err != nil {
					return err
				}
				f, err := ops.MoveFinding(c.Context(), e, args[0], m)
				if err != nil {
					return err
				}
				if asJSON {
					return env.printJSON(f)
				}
				fmt.Fprintf(env.Stdout, "finding %d: %s (%s)\n", f.ID, f.State, f.Title)
				return nil
			}}
		switch state {
		case model.FindingAccepted:
			c.Flags().StringVar(&m.Reason, "reason", "", "why the risk is carried (required)")
			c.Flags().StringVar(&m.Expires, "expires", "", "until when, YYYY-MM-DD (required; then it is due again)")
			c.Flags().StringVar(&m.Note, "note", "", "a note for the log")
		case model.FindingClosed:
			c.Flags().StringVar(&m.Note, "verified", "", "how the fix was verified (required; kept as evidence)")
		default:
			c.Flags().StringVar(&m.Note, "note", "", "a note for the log")
		}
		c.Flags().BoolVar(&asJSON, "json", false, "print the finding as JSON")
		return c
	}
}

// findingNote builds the note and evidence verbs.
func findingNote(kind, short string) func(*Env) *cobra.Command {
	return func(env *Env) *cobra.Command {
		return &cobra.Command{Use: kind + " ID TEXT", Short: short, Args: cobra.ExactArgs(2),
			RunE: func(c *cobra.Command, args []string) error {
				e, err := env.ops()
				if err != nil {
					return err
				}
				f, err := ops.AddFindingEntry(c.Context(), e, args[0], kind, args[1])
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "finding %d: %s added (%d in the log)\n", f.ID, kind, len(f.Log))
				return nil
			}}
	}
}
