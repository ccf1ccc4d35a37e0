package cli

import (
	"fmt"

	"github.com/opsdeck/opsdeck/gen"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		var z gen.Sizes
		var quiet bool
		c := &cobra.Command{
			Use:   "gen",
			Short: "Fill the database with a generated company at scale (reproducible with --seed)",
			Long: `Generate people, services, devices, accounts, checks and their results
history for benchmarks and soak tests.
Each batch is one transaction; "committed KIND N" is printed only after it commits.`,
			Args: cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				env.create = true
				s, err := env.Open()
				if err != nil {
					return err
				}
				return gen.Run(c.Context(), s, z, func(kind string, n int) {
					if !quiet {
						fmt.Fprintf(env.Stdout, "committed %s %d\n", kind, n)
					}
				})
			},
		}
		c.Flags().IntVar(&z.People, "people", 1000, "people to generate")
		c.Flags().IntVar(&z.Devices, "devices", 2000, "devices to generate (every tenth a server)")
		c.Flags().IntVar(&z.Services, "services", 100, "services to generate")
		c.Flags().IntVar(&z.AccountsPerPerson, "accounts-per-person", 3, "accounts per person")
		c.Flags().IntVar(&z.Checks, "checks", 0, "checks bound to generated services (90% paused, the rest local-only)")
		c.Flags().IntVar(&z.HistoryDays, "history-days", 0, "days of check results history (raw for the retention window, rollups before)")
		c.Flags().Uint64Var(&z.Seed, "seed", 1, "random seed")
		c.Flags().IntVar(&z.Batch, "batch", 1000, "records per transaction")
		c.Flags().BoolVar(&quiet, "quiet", false, "do not print progress")
		return c
	})
}
