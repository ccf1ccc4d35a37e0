package cli

import (
	"fmt"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		cmd := &cobra.Command{Use: "procedures", Short: "How to give a user access to each service, and how to take it away (shown in on- and offboarding steps)"}
		cmd.AddCommand(proceduresList(env), proceduresSet(env))
		return cmd
	})
}

func proceduresList(env *Env) *cobra.Command {
	return lister[model.Procedure]{short: "List service procedures",
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.Procedure, error) {
			return s.Procedures(c.Context())
		},
		header: []string{"service", "direction", "text", "link", "command", "updated", "by"},
		empty:  "no procedures yet: opsdeck procedures set GitHub --direction deprovision --text 'Org settings → People → Remove'",
		row: func(p model.Procedure, nm *names) []string {
			return []string{p.ServiceName, p.Direction, orDash(model.Truncate(strings.Join(strings.Fields(p.Text), " "), 60)), orDash(p.Link),
				orDash(p.Command), nm.ago(&p.UpdatedAt), p.UpdatedBy}
		}}.command(env)
}

func proceduresSet(env *Env) *cobra.Command {
	var p model.Procedure
	c := &cobra.Command{
		Use:   "set SERVICE --direction provision|deprovision",
		Short: "Write how to provision or deprovision a user on a service (text, runbook link, command template)",
		Long: `Write how to provision or deprovision a user on a service. The command is a
template: {{.Username}}, {{.Email}}, {{.Name}} and {{.Entitlement}} are filled in
for the person in each on/offboarding step.

  opsdeck procedures set GitHub --direction deprovision --text "Org → People → Remove from organization" \
      --command "gh api -X DELETE orgs/example-co/members/{{.Username}}"`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			s, err := env.Open()
			if err != nil {
				return err
			}
			err = s.Write(c.Context(), env.Actor, func(t *store.Tx) error {
				svc, err := ops.ServiceTx(t, "service", args[0])
				if err != nil {
					return err
				}
				p.ServiceID = svc.ID
				return t.SetProcedure(&p)
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s procedure for %s saved\n", p.Direction, p.ServiceName)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&p.Direction, "direction", "", "provision or deprovision")
	f.StringVar(&p.Text, "text", "", "the steps, in words")
	f.StringVar(&p.Link, "link", "", "a runbook link")
	f.StringVar(&p.Command, "command", "", "a command template ({{.Username}}, {{.Email}}, {{.Name}}, {{.Entitlement}})")
	return c
}
