package cli

import (
	"fmt"
	"strconv"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		cmd := &cobra.Command{Use: "silences", Short: "Mute alerts of a check, service or device for a window"}
		cmd.AddCommand(silencesAdd(env), silencesList(env), silencesExpire(env))
		return cmd
	})
}

func silencesAdd(env *Env) *cobra.Command {
	var from, until string
	var asJSON bool
	fields := tableFields(model.SilenceFields)
	cmd := &cobra.Command{Use: "add", Short: "Add a silence (you are its author)", Args: cobra.NoArgs,
		Example: `  opsdeck silences add --service "Production App" --for 2h --reason "deploying 4.2"
  opsdeck silences add --device SRV-DB-02 --from "2026-12-01 22:00" --until "2026-12-02 02:00" --reason "RDS maintenance"`,
		RunE: func(c *cobra.Command, _ []string) error {
			var sl model.Silence
			var err error
			_, err = env.write(c.Context(), func(t *store.Tx) error {
				sl.StartsAt = t.At()
				if from != "" {
					if sl.StartsAt, err = model.ParseTime("from", from, time.Local); err != nil {
						return err
					}
				}
				if sl.EndsAt, err = ops.Until("until", until, sl.StartsAt); err != nil {
					return err
				}
				if err := applyFields(c, t, &sl, fields); err != nil {
					return err
				}
				return t.AddSilence(&sl)
			})
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(sl)
			}
			fmt.Fprintf(env.Stdout, "added silence %d: %s until %s (%s)\n", sl.ID, sl.Target, sl.EndsAt.Local().Format("2006-01-02 15:04"), sl.Reason)
			return nil
		}}
	addFlags(cmd, fields) // from model.SilenceFields
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "start (default now)")
	f.StringVar(&until, "until", "", "end: a duration from the start (2h, 3d) or a time")
	f.StringVar(&until, "for", "", "same as --until")
	f.BoolVar(&asJSON, "json", false, "print the silence as JSON")
	return cmd
}

func silencesList(env *Env) *cobra.Command {
	var all bool
	cmd := lister[model.Silence]{short: "List current and future silences",
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.Silence, error) {
			return s.ListSilences(c.Context(), all)
		},
		header: []string{"id", "state", "target", "from", "until", "author", "reason"},
		row: func(sl model.Silence, _ *names) []string {
			now := env.now()
			state := "scheduled"
			switch {
			case sl.ExpiredAt != nil:
				state = "expired"
			case sl.Active(now):
				state = "active"
			case !now.Before(sl.EndsAt):
				state = "ended"
			}
			return []string{fmt.Sprint(sl.ID), state, sl.Target, sl.StartsAt.Local().Format("2006-01-02 15:04"),
				sl.EndsAt.Local().Format("2006-01-02 15:04"), sl.Author, sl.Reason}
		}}.command(env)
	cmd.Flags().BoolVar(&all, "all", false, "include ended and expired silences")
	return cmd
}

func silencesExpire(env *Env) *cobra.Command {
	return &cobra.Command{Use: "expire ID", Short: "End a silence now", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return model.Invalid("silence", args[0], "is not a silence id")
			}
			s, err := env.Open()
			if err != nil {
				return err
			}
			var sl model.Silence
			if err := s.Write(c.Context(), env.Actor, func(t *store.Tx) error { sl, err = t.ExpireSilence(id); return err }); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "expired silence %d (%s)\n", sl.ID, sl.Target)
			return nil
		}}
}
