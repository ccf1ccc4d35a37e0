package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		return readOnly(&cobra.Command{
			Use:   "whoami",
			Short: "Print who opsdeck thinks you are, and your role",
			Args:  cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				role := env.Actor.Role
				if env.Actor.Kind == "local" {
					role += " (local)"
				}
				fmt.Fprintf(env.Stdout, "%s %s\n", env.Actor, role)
				return nil
			},
		})
	})
}
