package cli

import (
	"fmt"
	"strconv"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/statuspage"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		cmd := &cobra.Command{Use: "status-page", Short: "The public status page (served by opsdeck run --listen): what it shows, and incidents' public notes"}
		var asJSON bool
		show := readOnly(&cobra.Command{Use: "show", Short: "Print what the status page shows now", Args: cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				s, err := env.Open()
				if err != nil {
					return err
				}
				p, err := statuspage.Build(c.Context(), s, env.now())
				if err != nil {
					return err
				}
				if asJSON {
					return env.printJSON(p)
				}
				fmt.Fprintf(env.Stdout, "%s: %s\n", p.Title, p.State)
				rows := [][]string{}
				for _, sv := range p.Services {
					up := "no data"
					if sv.Uptime != nil {
						up = strconv.FormatFloat(*sv.Uptime, 'f', 2, 64) + "%"
					}
					rows = append(rows, []string{sv.Name, sv.State, up})
				}
				if err := env.printTable([]string{"service", "state", "uptime 90d"}, rows); err != nil {
					return err
				}
				for _, in := range p.Incidents {
					fmt.Fprintf(env.Stdout, "incident: %s %s since %s: %s\n", in.Service, in.State, in.Since.Format("2006-01-02 15:04"), orDash(in.Note))
				}
				return nil
			}})
		show.Flags().BoolVar(&asJSON, "json", false, "print the page's data (as /status.json)")
		note := &cobra.Command{Use: "note ALERT-ID TEXT", Short: "Set what the status page says about an open incident (\"\" clears it)", Args: cobra.ExactArgs(2),
			RunE: func(c *cobra.Command, args []string) error {
				id, err := strconv.ParseInt(args[0], 10, 64)
				if err != nil {
					return model.Invalid("alert", args[0], "is not an alert id")
				}
				var a model.Alert
				if _, err := env.write(c.Context(), func(t *store.Tx) error {
					a, err = t.SetAlertPublicNote(id, args[1])
					return err
				}); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "alert %d: public note set\n", a.ID)
				return nil
			}}
		cmd.AddCommand(show, note)
		return cmd
	})
}
