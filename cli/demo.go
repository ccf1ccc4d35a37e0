package cli

import (
	"fmt"

	"github.com/opsdeck/opsdeck/demo"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		return &cobra.Command{
			Use:   "demo",
			Short: "Load the demo company (running it again changes nothing)",
			Args:  cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				env.create = true
				s, err := env.Open()
				if err != nil {
					return err
				}
				if err := demo.Load(c.Context(), s); err != nil {
					return err
				}
				n, _ := s.CountPeople(c.Context(), "")
				fmt.Fprintf(env.Stdout, "demo company loaded into %s (%d people)\n", s.Path(), n)
				return nil
			},
		}
	})
}
