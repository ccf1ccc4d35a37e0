package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		var rule string
		var notEvaluated []string
		c := lister[model.Risk]{use: "risks",
			short: "Bus factor and single points of failure: single admins, single hosts, people whose departure orphans services, secrets, leftover access",
			query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.Risk, error) {
				rep, err := s.Risks(c.Context())
				risks := []model.Risk{}
				for _, r := range rep.Risks {
					if rule == "" || r.Rule == rule {
						risks = append(risks, r)
					}
				}
				notEvaluated = rep.NotEvaluated
				return risks, err
			},
			print: func(_ *cobra.Command, _ *store.Store, risks []model.Risk) error {
				rows := make([][]string, len(risks))
				for i, r := range risks {
					rows[i] = []string{strings.ToUpper(r.Severity), r.Rule, r.Kind + " " + strconv.FormatInt(r.ID, 10), r.Name, r.Detail}
				}
				if err := env.printTable([]string{"severity", "rule", "record", "name", "detail"}, rows); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "\n%d risk(s).", len(risks))
				if len(notEvaluated) > 0 {
					fmt.Fprintf(env.Stdout, " Not evaluated: %s.", strings.Join(notEvaluated, "; "))
				}
				fmt.Fprintln(env.Stdout)
				return nil
			}}.command(env)
		c.Flags().StringVar(&rule, "rule", "", "only this rule (e.g. single_admin, access_still_present)")
		return c
	})
}
