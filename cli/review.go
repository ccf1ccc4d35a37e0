package cli

import (
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		cmd := &cobra.Command{Use: "review", Short: "The monthly security review: generate, decide each item, sign off (a frozen report vs last month)",
			Long: `The monthly security review is a checklist generated from the company's state:
open and overdue findings, failing laptops, risks, unreviewed access, backup jobs never
restore-tested, checks failing for a week. Each item is decided when marked done:
  fixed · accepted: REASON until YYYY-MM-DD · finding (opens a finding for it)
Completing it signs it off and freezes its report (Markdown and JSON), which compares
with last month's: new, fixed, still open. REF is the month (2026-12) or the id.
  opsdeck review start --month 2026-12
  opsdeck review step 2026-12 3 done --value "accepted: vendor fix due until 2027-01-31"
  opsdeck review complete 2026-12
  opsdeck review report 2026-12 --format json`}
		cmd.AddCommand(append([]*cobra.Command{reviewStart(env)}, checklistVerbs(env, model.ReviewKind, "review")...)...)
		return cmd
	})
}

func reviewStart(env *Env) *cobra.Command {
	var month string
	var dry, asJSON bool
	c := &cobra.Command{Use: "start", Short: "Generate this month's review (or --month's) from the state right now", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			m, err := model.ReviewMonth(month, env.now().In(time.Local))
			if err != nil {
				return err
			}
			e, err := env.ops()
			if err != nil {
				return err
			}
			cl, err := ops.StartChecklist(c.Context(), e, model.ReviewKind, ops.StartRequest{Subject: m}, dry)
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(cl)
			}
			if dry {
				env.Stdout.Write([]byte("dry run: nothing was written\n"))
			}
			return printChecklist(env, cl)
		}}
	c.Flags().StringVar(&month, "month", "", "the month reviewed, YYYY-MM (default: this month)")
	c.Flags().BoolVar(&dry, "dry-run", false, "show the checklist it would generate; write nothing")
	c.Flags().BoolVar(&asJSON, "json", false, "print the checklist as JSON")
	return c
}
