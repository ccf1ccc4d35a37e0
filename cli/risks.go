package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		var asJSON bool
		var rule string
		c := readOnly(&cobra.Command{
			Use:   "risks",
			Short: "Bus factor and single points of failure: single admins, single hosts, people whose departure orphans services, secrets, leftover access",
			Args:  cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				s, err := env.Open()
				if err != nil {
					return err
				}
				rep, err := s.Risks(c.Context())
				if err != nil {
					return err
				}
				risks := []model.Risk{}
				for _, r := range rep.Risks {
					if rule == "" || r.Rule == rule {
						risks = append(risks, r)
					}
				}
				if asJSON {
					return env.printJSON(risks)
				}
				rows := make([][]string, len(risks))
				for i, r := range risks {
					rows[i] = []string{strings.ToUpper(r.Severity), r.Rule, r.Kind + " " + strconv.FormatInt(r.ID, 10), r.Name, r.Detail}
				}
				if err := env.printTable([]string{"severity", "rule", "record", "name", "detail"}, rows); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "\n%d risk(s).", len(risks))
				if len(rep.NotEvaluated) > 0 {
					fmt.Fprintf(env.Stdout, " Not evaluated: %s.", strings.Join(rep.NotEvaluated, "; "))
				}
				fmt.Fprintln(env.Stdout)
				return nil
			},
		})
		c.Flags().StringVar(&rule, "rule", "", "only this rule (e.g. single_admin, access_still_present)")
		c.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
		return c
	})
}
