package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/opsdeck/opsdeck/internal/human"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		cmd := &cobra.Command{Use: "offboard", Short: "Walk a leaver out of every account, device, secret and service, with a record"}
		cmd.AddCommand(offboardStart(env), offboardSteps(env), offboardStep(env), offboardComplete(env),
			offboardReport(env), offboardList(env), offboardTemplates(env))
		return cmd
	})
}

func offboardStart(env *Env) *cobra.Command {
	var lastDay, successor string
	var asJSON bool
	c := &cobra.Command{
		Use:   "start EMAIL",
		Short: "Start offboarding: the person becomes leaving (their SSH keys stop working) and a checklist is generated from what they hold",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := env.ops()
			if err != nil {
				return err
			}
			off, err := ops.StartOffboarding(c.Context(), e, ops.LeaverRef(args[0]), lastDay, successor, false)
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(off)
			}
			fmt.Fprintf(env.Stdout, "offboarding %d started for %s <%s>: status %s, %d steps\n", off.ID, off.PersonName, off.PersonEmail, off.PersonStatus, len(off.Steps))
			return printSteps(env, off)
		},
	}
	c.Flags().StringVar(&lastDay, "last-day", "", "last working day (YYYY-MM-DD; default: the person's end_date)")
	c.Flags().StringVar(&successor, "successor", "", "who receives the services they own (email)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the offboarding as JSON")
	return c
}

// printSteps prints the checklist: a progress line and one row per step.
func printSteps(env *Env, off model.Offboarding) error {
	succ := off.SuccessorName
	if succ == "" {
		succ = "none"
	}
	fmt.Fprintf(env.Stdout, "%s <%s> — offboarding %d %s %s, successor %s, last day %s\n",
		off.PersonName, off.PersonEmail, off.ID, off.Status, off.Progress.Bar(20), succ, orDash(off.LastDay))
	rows := make([][]string, len(off.Steps))
	for i, st := range off.Steps {
		title := st.Title
		if st.BusFactorOne {
			title += " [BUS FACTOR 1]"
		}
		rows[i] = stepRow(st.N, st.State, st.Kind, title, st.Detail, st.Reason, st.Effect, st.By, st.At, st.Notes, 90)
	}
	return env.printTable(stepHeader, rows)
}

func stateMark(state string) string {
	switch state {
	case model.StateDone:
		return "[x] done"
	case model.StateSkipped:
		return "[-] skipped"
	case model.StateBlocked:
		return "[!] blocked"
	}
	return "[ ] open"
}

func offboardSteps(env *Env) *cobra.Command {
	var off model.Offboarding
	c := lister[model.OffboardingStep]{use: "steps EMAIL", args: cobra.ExactArgs(1),
		short: "Show the person's offboarding checklist (the open one, or else the latest)",
		query: func(c *cobra.Command, args []string, _ *store.Store) ([]model.OffboardingStep, error) {
			var err error
			off, err = offboardingOf(c.Context(), env, args[0])
			return off.Steps, err
		},
		print: func(*cobra.Command, *store.Store, []model.OffboardingStep) error { return printSteps(env, off) },
	}.command(env)
	c.Flags().Lookup("json").Usage = "print the steps as a JSON array"
	return c
}

func offboardingOf(ctx context.Context, env *Env, ref string) (model.Offboarding, error) {
	s, err := env.Open()
	if err != nil {
		return model.Offboarding{}, err
	}
	return ops.OffboardingOf(ctx, s, ref)
}

func offboardStep(env *Env) *cobra.Command {
	var ch ops.StepChange
	var asJSON bool
	c := &cobra.Command{
		Use:   "step EMAIL N done|skip|block|undo|note",
		Short: "Mark checklist step N (skip and block need --reason; note needs --note)",
		Long: `Mark checklist step N of the person's open offboarding.

  done   acts on the inventory: an account is revoked, a device returns to
         --device-status (spare, repair or lost) with no holder, a service gets
         the successor as owner, a secret's rotation is recorded
` + stepVerbsHelp,
		Args: cobra.ExactArgs(3),
		RunE: func(c *cobra.Command, args []string) error {
			return markStep(env, args, ch, asJSON, func(e ops.Env, ch ops.StepChange) (stepReport, error) {
				st, err := ops.AdvanceStep(c.Context(), e, ops.LeaverRef(args[0]), ch)
				return stepReport{st, st.N, st.State, st.Title, st.Effect, st.Reason}, err
			})
		},
	}
	stepChangeFlags(c, &ch)
	c.Flags().StringVar(&ch.DeviceStatus, "device-status", "spare", "where a recovered device goes: spare, repair or lost")
	c.Flags().StringVar(&ch.Successor, "successor", "", "hand a service to this person instead of the offboarding's successor")
	c.Flags().BoolVar(&asJSON, "json", false, "print the step as JSON")
	return c
}

func offboardComplete(env *Env) *cobra.Command {
	return completeVerb(env, "complete EMAIL", "Complete the offboarding: the person becomes departed (refused while steps are open unless --force --reason)", "offboarding",
		func(c *cobra.Command, e ops.Env, ref string, force bool, reason string) (any, string, error) {
			off, err := ops.CompleteOffboarding(c.Context(), e, ops.LeaverRef(ref), force, reason)
			line := fmt.Sprintf("offboarding %d completed: %s departed, last day %s, %d/%d steps closed", off.ID, off.PersonName, off.LastDay, off.Progress.Closed(), off.Progress.Total)
			return off, forcedLine(line, off.Forced, off.ForceReason), err
		})
}

func offboardReport(env *Env) *cobra.Command {
	var format string
	c := readOnly(&cobra.Command{
		Use:   "report EMAIL",
		Short: "Audit report of the person's offboarding: who did what and when, with evidence",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if format != "md" && format != "json" {
				return model.Invalid("format", format, "is not one of md, json")
			}
			off, err := offboardingOf(c.Context(), env, args[0])
			if err != nil {
				return err
			}
			s, _ := env.Open()
			trail, err := s.OffboardingTrail(c.Context(), off.ID)
			if err != nil {
				return err
			}
			rep := model.BuildOffboardingReport(off, trail)
			if format == "json" {
				return env.printJSON(rep)
			}
			return writeReportMD(env.Stdout, rep)
		},
	})
	c.Flags().StringVar(&format, "format", "md", "md or json")
	return c
}

const reportTime = "2006-01-02 15:04:05 UTC"

func writeReportMD(w io.Writer, r model.OffboardingReport) error {
	o := r.Offboarding
	cell := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ") }
	fmt.Fprintf(w, "# Offboarding report: %s <%s>\n\n", o.PersonName, o.PersonEmail)
	fmt.Fprintf(w, "- Offboarding: #%d, %s\n", o.ID, o.Status)
	fmt.Fprintf(w, "- Started: %s by %s (person was %s)\n", o.StartedAt.UTC().Format(reportTime), o.StartedBy, o.PriorStatus)
	fmt.Fprintf(w, "- Successor: %s\n", orDash(o.SuccessorName))
	fmt.Fprintf(w, "- Last day: %s\n", orDash(o.LastDay))
	if o.CompletedAt != nil {
		fmt.Fprintf(w, "- Completed: %s by %s\n", o.CompletedAt.UTC().Format(reportTime), o.CompletedBy)
	}
	if o.Forced {
		fmt.Fprintf(w, "- **Forced completion**, reason: %s\n", o.ForceReason)
	}
	p := o.Progress
	fmt.Fprintf(w, "- Progress: %s (%d done, %d skipped, %d blocked, %d open)\n\n", p.Bar(20), p.Done, p.Skipped, p.Blocked, p.Open)
	fmt.Fprintln(w, "## Checklist")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| # | Step | State | By | When (UTC) | Effect / reason | Evidence |")
	fmt.Fprintln(w, "|---|------|-------|----|------------|-----------------|----------|")
	for _, st := range o.Steps {
		when := "-"
		if st.At != nil {
			when = st.At.UTC().Format("2006-01-02 15:04")
		}
		title := st.Title
		if st.BusFactorOne {
			title += " (bus factor 1)"
		}
		why := st.Effect
		if st.Reason != "" {
			why = strings.TrimSpace(why + " reason: " + st.Reason)
		}
		var ev []string
		for _, n := range st.Notes {
			ev = append(ev, fmt.Sprintf("%s (%s, %s)", n.Text, n.Actor, n.At.UTC().Format("2006-01-02 15:04")))
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s |\n", st.N, cell(title), st.State, orDash(st.By), when, cell(orDash(why)), cell(orDash(strings.Join(ev, "; "))))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "## Audit trail")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| When (UTC) | Who | What |")
	fmt.Fprintln(w, "|------------|-----|------|")
	for _, e := range r.Trail {
		fmt.Fprintf(w, "| %s | %s | %s |\n", e.At.UTC().Format(reportTime), e.Actor, cell(e.Summary))
	}
	return nil
}

func offboardList(env *Env) *cobra.Command {
	return lister[model.Offboarding]{short: "List open and finished offboardings",
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.Offboarding, error) {
			return s.ListOffboardings(c.Context())
		},
		header: []string{"id", "person", "email", "status", "progress", "blocked", "successor", "last_day", "started"},
		row: func(o model.Offboarding, _ *names) []string {
			status := o.Status
			if o.Forced {
				status += " (forced)"
			}
			return []string{strconv.FormatInt(o.ID, 10), o.PersonName, o.PersonEmail, status, o.Progress.Bar(10),
				strconv.Itoa(o.Progress.Blocked), orDash(o.SuccessorName), orDash(o.LastDay), o.StartedAt.Local().Format("2006-01-02")}
		}}.command(env)
}

func offboardTemplates(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "templates", Short: "The company-wide steps added to every offboarding checklist"}
	list := lister[model.OffboardingTemplate]{short: "List template steps",
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.OffboardingTemplate, error) {
			return s.OffboardingTemplates(c.Context())
		},
		header: []string{"id", "position", "title", "detail", "active"},
		row: func(t model.OffboardingTemplate, _ *names) []string {
			return []string{strconv.FormatInt(t.ID, 10), strconv.Itoa(t.Position), t.Title, orDash(t.Detail), human.YesNo(t.Active)}
		}}.command(env)
	var tmpl model.OffboardingTemplate
	add := &cobra.Command{
		Use: "add", Short: "Add a template step to future checklists", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			s, err := env.Open()
			if err != nil {
				return err
			}
			if err := s.Write(c.Context(), env.Actor, func(t *store.Tx) error { return t.AddOffboardingTemplate(&tmpl) }); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "added template step %d: %s\n", tmpl.ID, tmpl.Title)
			return nil
		},
	}
	add.Flags().StringVar(&tmpl.Title, "title", "", "what to do, e.g. 'Collect badge'")
	add.Flags().StringVar(&tmpl.Detail, "detail", "", "how, or who to ask")
	toggle := func(use string, active bool) *cobra.Command {
		return &cobra.Command{
			Use: use + " ID", Short: strings.ToUpper(use[:1]) + use[1:] + " a template step for future checklists", Args: cobra.ExactArgs(1),
			RunE: func(c *cobra.Command, args []string) error {
				id, err := strconv.ParseInt(args[0], 10, 64)
				if err != nil {
					return model.Invalid("template", args[0], "is not a template step id")
				}
				s, err := env.Open()
				if err != nil {
					return err
				}
				if err := s.Write(c.Context(), env.Actor, func(t *store.Tx) error { return t.SetOffboardingTemplateActive(id, active) }); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "template step %d %sd\n", id, use)
				return nil
			},
		}
	}
	cmd.AddCommand(list, add, toggle("disable", false), toggle("enable", true))
	return cmd
}
