package cli

import (
	"fmt"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

// access-review (#17): start a review of the active accounts, walk it with
// the generic checklist verbs (or decide, the same thing with the review's
// words), and read its report; policy sets the dormant and review-overdue
// thresholds.
func init() {
	register(func(env *Env) *cobra.Command {
		cmd := &cobra.Command{Use: "access-review", Short: "Review who holds which account: keep, revoke or change each, with a reason",
			Long: `An access review shows every active account (holder, service, entitlement, two-step,
last activity) to its service's owner, who keeps it, revokes it or changes its entitlement,
with a reason. A revocation becomes a step of its own with a due date; marking it done
records the account revoked. The finished review's report (Markdown or JSON) names who
decided what, when and why. REF is the review's id, "open" or "latest".

  opsdeck access-review start [--service S] [--owner EMAIL]
  opsdeck access-review decide open 3 revoke --reason "left the project"
  opsdeck access-review complete open
  opsdeck access-review report latest --format md`,
			Args: cobra.NoArgs, RunE: func(c *cobra.Command, _ []string) error { return c.Help() }}
		cmd.AddCommand(append([]*cobra.Command{accessReviewStart(env), accessReviewDecide(env), accessPolicy(env)},
			checklistVerbs(env, ops.AccessReview, "access review")...)...)
		return cmd
	})
}

func accessReviewStart(env *Env) *cobra.Command {
	var service, owner, within string
	var dry, asJSON bool
	c := &cobra.Command{Use: "start", Short: "Start an access review of the active accounts (all, one service, or one owner's services)",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			d, err := model.ParseDays("revoke-within", within)
			if err != nil {
				return err
			}
			e, err := env.ops()
			if err != nil {
				return err
			}
			cl, err := ops.StartAccessReview(c.Context(), e, service, owner, int(d.Hours()/24), dry)
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(cl)
			}
			if dry {
				fmt.Fprintln(env.Stdout, "dry run: nothing written")
			}
			if err := printChecklist(env, cl); err != nil {
				return err
			}
			if !dry {
				fmt.Fprintf(env.Stdout, "\nstarted access review %d: decide each step with\n  opsdeck access-review decide %d N keep|revoke|\"change ENTITLEMENT\" --reason WHY\n", cl.ID, cl.ID)
			}
			return nil
		}}
	c.Flags().StringVar(&service, "service", "", "review only this service's accounts")
	c.Flags().StringVar(&owner, "owner", "", "review only the accounts of services this person (email) owns")
	c.Flags().StringVar(&within, "revoke-within", "7d", "how long a revocation decided in the review may take (its step's due date)")
	c.Flags().BoolVar(&dry, "dry-run", false, "show the review without starting it")
	c.Flags().BoolVar(&asJSON, "json", false, "print the review as JSON")
	return c
}

func accessReviewDecide(env *Env) *cobra.Command {
	var reason string
	var asJSON bool
	c := &cobra.Command{Use: "decide REF N keep|revoke|change ENTITLEMENT", Short: "Decide about the account of step N: keep, revoke or change its entitlement (needs --reason)",
		Args: cobra.RangeArgs(3, 4),
		RunE: func(c *cobra.Command, args []string) error {
			var n int
			if _, err := fmt.Sscanf(args[1], "%d", &n); err != nil || n < 1 || fmt.Sprint(n) != args[1] {
				return model.Invalid("step", args[1], "is not a step number (1, 2, ...)")
			}
			e, err := env.ops()
			if err != nil {
				return err
			}
			st, err := ops.SetChecklistStep(c.Context(), e, ops.ChecklistRef{Kind: ops.AccessReview, Ref: args[0]},
				ops.StepChange{N: n, Action: ops.StepDone, Value: strings.Join(args[2:], " "), Reason: reason})
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(st)
			}
			fmt.Fprintf(env.Stdout, "step %d %s: %s — %s\n", st.N, st.State, st.Title, st.Effect)
			return nil
		}}
	c.Flags().StringVar(&reason, "reason", "", "why (required; recorded in the review's report)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the step as JSON")
	return c
}

func accessPolicy(env *Env) *cobra.Command {
	var dormant, review string
	var asJSON bool
	c := &cobra.Command{Use: "policy", Short: "Show or set when an account is dormant (no activity) and when its review is overdue",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			var want model.AccessPolicy
			var err error
			if dormant != "" {
				if want.DormantAfter, err = model.ParseDays("dormant-after", dormant); err != nil {
					return err
				}
			}
			if review != "" {
				if want.ReviewEvery, err = model.ParseDays("review-every", review); err != nil {
					return err
				}
			}
			s, err := env.Open()
			if err != nil {
				return err
			}
			if dormant != "" || review != "" {
				if _, err := env.write(c.Context(), func(t *store.Tx) error { _, err := t.SetAccessPolicy(want); return err }); err != nil {
					return err
				}
			}
			p, err := s.AccessPolicy(c.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(map[string]string{"dormant_after": model.DaysText(p.DormantAfter), "review_every": model.DaysText(p.ReviewEvery)})
			}
			return env.printKV([][2]string{{"dormant_after", model.DaysText(p.DormantAfter)}, {"review_every", model.DaysText(p.ReviewEvery)}})
		}}
	c.Flags().StringVar(&dormant, "dormant-after", "", "an active account with no activity for this long is a dormant_account risk (e.g. 90d)")
	c.Flags().StringVar(&review, "review-every", "", "an account not reviewed for this long is a review_overdue risk (e.g. 90d)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the policy as JSON")
	return c
}
