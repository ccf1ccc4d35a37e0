package cli

import (
	"fmt"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		cmd := &cobra.Command{Use: "oncall", Short: "Who gets paged besides the service owner"}
		var from, until string
		var asJSON bool
		set := &cobra.Command{Use: "set PERSON", Short: "Put someone on call (replacing whoever is on call from then)", Args: cobra.ExactArgs(1),
			Example: `  opsdeck oncall set oscar@example.com --until "2026-12-04 09:00"
  opsdeck oncall set chen@example.com --from "2026-12-04 09:00" --until 7d`,
			RunE: func(c *cobra.Command, args []string) error {
				var o model.OnCall
				var err error
				_, err = env.write(c.Context(), func(t *store.Tx) error {
					start := t.At()
					if from != "" {
						if start, err = model.ParseTime("from", from, time.Local); err != nil {
							return err
						}
					}
					end, err := ops.Until("until", until, start)
					if err != nil {
						return err
					}
					o, err = t.SetOnCall(args[0], start, end)
					return err
				})
				if err != nil {
					return err
				}
				if asJSON {
					return env.printJSON(o)
				}
				fmt.Fprintf(env.Stdout, "%s is on call from %s until %s\n", o.PersonName, o.StartsAt.Local().Format("2006-01-02 15:04"), o.EndsAt.Local().Format("2006-01-02 15:04"))
				return nil
			}}
		set.Flags().StringVar(&from, "from", "", "start (default now)")
		set.Flags().StringVar(&until, "until", "", "end: a duration from the start (12h, 7d) or a time (required)")
		set.Flags().BoolVar(&asJSON, "json", false, "print the shift as JSON")

		show := lister[model.OnCall]{use: "list", short: "List who is on call now and the shifts ahead",
			query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.OnCall, error) {
				return s.UpcomingOnCall(c.Context(), env.now())
			},
			print: func(_ *cobra.Command, _ *store.Store, shifts []model.OnCall) error {
				if len(shifts) == 0 {
					fmt.Fprintln(env.Stdout, "Nobody is on call; alerts go to service owners only. Set someone: opsdeck oncall set PERSON --until 7d")
					return nil
				}
				now := env.now()
				rows := [][]string{}
				for _, o := range shifts {
					when := "later"
					if !now.Before(o.StartsAt) {
						when = "now"
					}
					rows = append(rows, []string{when, o.PersonName, o.Email, o.StartsAt.Local().Format("2006-01-02 15:04"), o.EndsAt.Local().Format("2006-01-02 15:04"), o.SetBy})
				}
				return env.printTable([]string{"", "person", "email", "from", "until", "set by"}, rows)
			}}.command(env)
		show.Aliases = []string{"show"}
		cmd.AddCommand(set, show)
		return cmd
	})
}
