package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

// checklistVerbs are the verbs every generic checklist kind shares, for a
// noun's command (`opsdeck onboard list|steps|step|complete|report`): REF
// is a checklist id or what the kind's Find resolves (an email, a month).
// The kind adds its own start verb. what names the walk in help and output
// ("onboarding").
func checklistVerbs(env *Env, kind, what string) []*cobra.Command {
	return []*cobra.Command{checklistList(env, kind, what), checklistSteps(env, kind, what), checklistStep(env, kind, what),
		checklistComplete(env, kind, what), checklistReport(env, kind, what)}
}

func checklistList(env *Env, kind, what string) *cobra.Command {
	var status string
	c := lister[model.Checklist]{short: "List " + what + " checklists, open ones first",
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.Checklist, error) {
			if status != "" {
				if err := model.ValidateEnum("status", status, []string{model.ChecklistOpen, model.ChecklistCompleted}); err != nil {
					return nil, err
				}
			}
			return s.ListChecklists(c.Context(), store.ChecklistQuery{Kind: kind, Status: status})
		},
		header: []string{"id", "title", "subject", "status", "progress", "blocked", "due", "started", "by"},
		empty:  "no " + what + " checklists yet",
		row: func(c model.Checklist, _ *names) []string {
			st := c.Status
			if c.Forced {
				st += " (forced)"
			}
			return []string{strconv.FormatInt(c.ID, 10), c.Title, orDash(c.SubjectName), st, c.Progress.Bar(10),
				strconv.Itoa(c.Progress.Blocked), orDash(c.Due), c.StartedAt.Local().Format("2006-01-02"), c.StartedBy}
		}}.command(env)
	c.Flags().StringVar(&status, "status", "", "only open or completed")
	return c
}

// printChecklist prints a checklist: a progress line and one row per step.
func printChecklist(env *Env, c model.Checklist) error {
	fmt.Fprintf(env.Stdout, "%s — %s %d %s %s\n", c.Title, c.Kind, c.ID, c.Status, c.Progress.Bar(20))
	rows := make([][]string, len(c.Steps))
	for i, st := range c.Steps {
		title := st.Title
		if st.Warn != "" {
			title += " [" + strings.ToUpper(st.Warn) + "]"
		}
		about := st.Detail
		if st.Procedure != "" {
			about = "how: " + strings.Join(strings.Fields(st.Procedure), " ")
		}
		rows[i] = stepRow(st.N, st.State, st.Kind, title, about, st.Reason, st.Effect, st.By, st.At, st.Notes, 110)
	}
	return env.printTable(stepHeader, rows)
}

// stepHeader heads a checklist's steps, the engine's or an offboarding's.
var stepHeader = []string{"#", "state", "kind", "step", "by", "at", "detail / outcome"}

// stepRow is one step as the steps verbs print it. Its last column says
// what the step is about (about) while it is open, then why it was
// skipped or blocked, or what marking it did, and its latest note, cut to
// width.
func stepRow(n int, state, kind, title, about, reason, effect, by string, at *time.Time, notes []model.StepNote, width int) []string {
	why := about
	if state != model.StateOpen {
		why = reason
	}
	if effect != "" {
		why = effect
	}
	if k := len(notes); k > 0 {
		why = strings.TrimSpace(why + " note: " + notes[k-1].Text)
	}
	when := "-"
	if at != nil {
		when = at.Local().Format("2006-01-02 15:04")
	}
	return []string{strconv.Itoa(n), stateMark(state), kind, title, orDash(by), when, orDash(model.Truncate(why, width))}
}

func checklistSteps(env *Env, kind, what string) *cobra.Command {
	var c model.Checklist
	cmd := lister[model.ChecklistStep]{use: "steps REF", args: cobra.ExactArgs(1),
		short: "Show the " + what + " checklist (REF: its id, or as `start` named it)",
		query: func(cmd *cobra.Command, args []string, s *store.Store) ([]model.ChecklistStep, error) {
			var err error
			c, err = ops.GetChecklist(cmd.Context(), s, ops.ChecklistRef{Kind: kind, Ref: args[0]})
			return c.Steps, err
		},
		print: func(*cobra.Command, *store.Store, []model.ChecklistStep) error { return printChecklist(env, c) },
	}.command(env)
	cmd.Flags().Lookup("json").Usage = "print the steps as a JSON array"
	return cmd
}

func checklistStep(env *Env, kind, what string) *cobra.Command {
	var ch ops.StepChange
	var asJSON bool
	c := &cobra.Command{
		Use:   "step REF N done|skip|block|undo|note",
		Short: "Mark step N of the " + what + " (skip and block need --reason; note needs --note)",
		Long: `Mark step N of the checklist REF (its id, or as 'start' named it).

  done   does what the step says in the inventory where the step knows how
         (--value answers what it asks for, e.g. a username; default: its
         suggested value), or refuses with the reason
` + stepVerbsHelp,
		Args: cobra.ExactArgs(3),
		RunE: func(c *cobra.Command, args []string) error {
			return markStep(env, args, ch, asJSON, func(e ops.Env, ch ops.StepChange) (stepReport, error) {
				st, err := ops.SetChecklistStep(c.Context(), e, ops.ChecklistRef{Kind: kind, Ref: args[0]}, ch)
				return stepReport{st, st.N, st.State, st.Title, st.Effect, st.Reason}, err
			})
		},
	}
	stepChangeFlags(c, &ch)
	c.Flags().StringVar(&ch.Value, "value", "", "what the step asks for when done (a username, an asset tag); default: its suggestion")
	c.Flags().BoolVar(&asJSON, "json", false, "print the step as JSON")
	return c
}

func checklistComplete(env *Env, kind, what string) *cobra.Command {
	return completeVerb(env, "complete REF", "Complete the "+what+" (refused while steps are open unless --force --reason)", "checklist",
		func(c *cobra.Command, e ops.Env, ref string, force bool, reason string) (any, string, error) {
			cl, err := ops.CompleteChecklist(c.Context(), e, ops.ChecklistRef{Kind: kind, Ref: ref}, force, reason)
			line := fmt.Sprintf("%s completed: %d/%d steps closed", cl.Title, cl.Progress.Closed(), cl.Progress.Total)
			if cl.Summary != "" {
				line += "; " + cl.Summary
			}
			return cl, forcedLine(line, cl.Forced, cl.ForceReason), err
		})
}

// completeVerb is a complete verb (use names its argument): complete
// closes the checklist its argument names and returns the record --json
// prints (what names it in the flag's help) and the line printed instead.
func completeVerb(env *Env, use, short, what string,
	complete func(c *cobra.Command, e ops.Env, ref string, force bool, reason string) (any, string, error)) *cobra.Command {
	var force, asJSON bool
	var reason string
	c := &cobra.Command{
		Use: use, Short: short, Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := env.ops()
			if err != nil {
				return err
			}
			rec, line, err := complete(c, e, args[0], force, reason)
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(rec)
			}
			_, err = fmt.Fprintln(env.Stdout, line)
			return err
		},
	}
	forceFlags(c, &force, &reason)
	c.Flags().BoolVar(&asJSON, "json", false, "print the "+what+" as JSON")
	return c
}

// forcedLine adds a forced completion's reason to line.
func forcedLine(line string, forced bool, reason string) string {
	if forced {
		line += fmt.Sprintf(" (forced: %s)", reason)
	}
	return line
}

// The step and complete verbs of every checklist, the engine's and
// offboarding's, read their arguments and report alike.

// stepReport is a marked step as the step verb prints it: rec for --json.
type stepReport struct {
	rec                          any
	n                            int
	state, title, effect, reason string
}

// markStep runs a step verb (REF N ACTION): ch gets the step number and
// action from args, mark applies it, and the step is printed: as JSON, or
// as its number, state and title with what marking it did or why.
func markStep(env *Env, args []string, ch ops.StepChange, asJSON bool, mark func(e ops.Env, ch ops.StepChange) (stepReport, error)) error {
	n, err := strconv.Atoi(args[1])
	if err != nil || n < 1 {
		return model.Invalid("step", args[1], "is not a step number (1, 2, ...)")
	}
	ch.N, ch.Action = n, strings.ToLower(args[2])
	e, err := env.ops()
	if err != nil {
		return err
	}
	st, err := mark(e, ch)
	if err != nil {
		return err
	}
	if asJSON {
		return env.printJSON(st.rec)
	}
	line := fmt.Sprintf("step %d %s: %s", st.n, st.state, st.title)
	if st.effect != "" {
		line += " — " + st.effect
	} else if st.reason != "" {
		line += " — reason: " + st.reason
	}
	fmt.Fprintln(env.Stdout, line)
	return nil
}

// stepVerbsHelp is the help every step verb shares after its own "done".
const stepVerbsHelp = `  skip   not needed (needs --reason)
  block  cannot be done yet (needs --reason)
  undo   back to open, putting the inventory back as it was
  note   add a note or evidence, e.g. a ticket link (needs --note)`

// stepChangeFlags are the flags every step verb takes.
func stepChangeFlags(c *cobra.Command, ch *ops.StepChange) {
	c.Flags().StringVar(&ch.Reason, "reason", "", "why it is skipped or blocked")
	c.Flags().StringVar(&ch.Note, "note", "", "a note or evidence (ticket link) to attach")
}

// forceFlags are the complete verb's way past unfinished steps.
func forceFlags(c *cobra.Command, force *bool, reason *string) {
	c.Flags().BoolVar(force, "force", false, "complete although steps are open or blocked (needs --reason)")
	c.Flags().StringVar(reason, "reason", "", "why completion is forced (recorded)")
}

func checklistReport(env *Env, kind, what string) *cobra.Command {
	var format string
	var asJSON bool
	c := readOnly(&cobra.Command{
		Use:   "report REF",
		Short: "The record of the " + what + ": every step, who did what and when (Markdown, or --json)",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if asJSON {
				format = "json"
			}
			if format != "md" && format != "json" {
				return model.Invalid("format", format, "is not one of md, json")
			}
			s, err := env.Open()
			if err != nil {
				return err
			}
			rep, err := ops.ChecklistReport(c.Context(), s, ops.ChecklistRef{Kind: kind, Ref: args[0]})
			if err != nil {
				return err
			}
			if format == "json" {
				return env.printJSON(rep)
			}
			_, err = fmt.Fprint(env.Stdout, rep.Markdown())
			return err
		},
	})
	c.Flags().StringVar(&format, "format", "md", "md or json")
	c.Flags().BoolVar(&asJSON, "json", false, "same as --format json")
	return c
}
