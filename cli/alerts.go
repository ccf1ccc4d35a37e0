package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		cmd := &cobra.Command{Use: "alerts", Short: "Triage alerts: list, show, acknowledge, snooze, resolve"}
		cmd.AddCommand(alertsList(env), alertsShow(env), alertAck(env), alertSnooze(env), alertResolve(env))
		return cmd
	})
}

func alertsList(env *Env) *cobra.Command {
	var state string
	var groups []store.AlertGroup
	cmd := lister[model.Alert]{short: "List alerts, firing first, grouped by root cause",
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.Alert, error) {
			if state == "open" {
				var err error
				groups, err = s.AlertGroups(c.Context(), env.now())
				var flat []model.Alert
				for _, g := range groups {
					flat = append(flat, g.Root)
					flat = append(flat, g.Caused...)
				}
				return flat, err
			}
			if state != "all" {
				if err := model.ValidateEnum("state", state, append([]string{"open", "all"}, model.AlertStates...)); err != nil {
					return nil, err
				}
			}
			q := store.AlertQuery{State: state}
			if state == "all" {
				q.State = ""
			}
			return s.ListAlerts(c.Context(), q)
		},
		print: func(_ *cobra.Command, _ *store.Store, as []model.Alert) error {
			now := env.now()
			var rows [][]string
			if state != "open" {
				for _, a := range as {
					rows = append(rows, alertRow(a, "", now))
				}
				return env.printTable(alertHeader(), rows)
			}
			if len(groups) == 0 {
				fmt.Fprintln(env.Stdout, "No open alerts.")
				return nil
			}
			for _, g := range groups {
				rows = append(rows, alertRow(g.Root, "", now))
				for _, a := range g.Caused {
					rows = append(rows, alertRow(a, "└ ", now))
				}
			}
			return env.printTable(alertHeader(), rows)
		}}.command(env)
	cmd.Flags().StringVar(&state, "state", "open", "open|firing|acknowledged|resolved|all")
	return cmd
}

func alertHeader() []string {
	return []string{"id", "state", "age", "check", "severity", "why quiet", "summary"}
}

func alertRow(a model.Alert, indent string, now time.Time) []string {
	end := now
	if a.ResolvedAt != nil {
		end = *a.ResolvedAt
	}
	state := a.State
	if a.Flapping {
		state += " (flapping)"
	}
	quiet := a.Suppressed(now)
	if a.State == "acknowledged" {
		quiet = "acked by " + a.AckedBy
	}
	age := model.Span(end.Sub(a.OpenedAt))
	if a.ResolvedAt != nil {
		age = "lasted " + age
	}
	return []string{fmt.Sprint(a.ID), state, age, indent + a.CheckName, a.Severity,
		orDash(quiet), model.Truncate(firstLine(a.Summary), 60)}
}

func alertID(v string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(v, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, model.Invalid("alert", v, "is not an alert id")
	}
	return id, nil
}

func alertsShow(env *Env) *cobra.Command {
	return showCommand(env, "show ID", "Show an alert: timeline, last results, uptime, owner, runbook",
		func(c *cobra.Command, s *store.Store, ref string) (view, error) {
			id, err := alertID(ref)
			if err != nil {
				return nil, err
			}
			d, err := s.GetAlertDetail(c.Context(), id, env.now())
			return alertView{d}, err
		})
}

// alertView is an alert with its timeline, results, owner and on-call.
type alertView struct{ store.AlertDetail }

func (v alertView) print(env *Env) error {
	d := v.AlertDetail
	a := d.Alert
	pairs := [][2]string{{"id", fmt.Sprint(a.ID)}, {"check", a.CheckName}, {"state", a.State}, {"severity", a.Severity}}
	if a.CausedBy != "" {
		pairs = append(pairs, [2]string{"caused by", fmt.Sprintf("%s (alert %d); not paging separately", a.CausedBy, derefID(a.CausedByAlertID))})
	}
	if len(d.Caused) > 0 {
		pairs = append(pairs, [2]string{"explains", fmt.Sprintf("%d other alert(s)", len(d.Caused))})
	}
	if d.Service != nil {
		pairs = append(pairs, [2]string{"service", d.Service.Name})
	}
	if d.Device != nil {
		pairs = append(pairs, [2]string{"device", d.Device.AssetTag + " (" + d.Device.Name + ")"})
	}
	pairs = append(pairs, ops.AlertFacts(d, env.now())...)
	env.printKV(pairs)
	fmt.Fprintf(env.Stdout, "\nTimeline:\n")
	rows := [][]string{}
	for _, e := range d.Events {
		c := ops.EventCells(e)
		c[3] = model.Truncate(c[3], 80)
		rows = append(rows, c)
	}
	env.printTable([]string{"at", "event", "by", "message"}, rows)
	fmt.Fprintf(env.Stdout, "\nLast results:\n")
	rows = [][]string{}
	for i, r := range d.Results {
		if i == 10 {
			break
		}
		c := ops.ResultCells(r)
		c[3] = orDash(model.Truncate(c[3], 70))
		rows = append(rows, c)
	}
	return env.printTable([]string{"at", "status", "latency", "message"}, rows)
}

func derefID(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// alertVerb builds ack/snooze/resolve: resolve the id, run the triage
// step (ops.ChangeAlert), print the alert's new state (or JSON).
func alertVerb(env *Env, use, short string, flags func(*cobra.Command), change func() ops.AlertChange) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := alertID(args[0])
			if err != nil {
				return err
			}
			e, err := env.ops()
			if err != nil {
				return err
			}
			a, err := ops.ChangeAlert(c.Context(), e, id, change())
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(a)
			}
			fmt.Fprintf(env.Stdout, "alert %d (%s): %s\n", a.ID, a.CheckName, a.State)
			return nil
		}}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the alert as JSON")
	flags(cmd)
	return cmd
}

func alertAck(env *Env) *cobra.Command {
	var reason string
	return alertVerb(env, "ack ID", "Acknowledge a firing alert (stops repeats; you own it)",
		func(c *cobra.Command) {
			c.Flags().StringVar(&reason, "reason", "", "what you are doing about it (required)")
		},
		func() ops.AlertChange { return ops.AlertChange{Verb: ops.Acknowledge, Text: reason} })
}

func alertSnooze(env *Env) *cobra.Command {
	var reason, until string
	return alertVerb(env, "snooze ID", "Mute an alert's notifications for a while",
		func(c *cobra.Command) {
			c.Flags().StringVar(&until, "for", "", "how long (e.g. 2h, 1d) or until when (YYYY-MM-DD HH:MM)")
			c.Flags().StringVar(&reason, "reason", "", "why (required)")
		},
		func() ops.AlertChange { return ops.AlertChange{Verb: ops.Snooze, Text: reason, For: until} })
}

func alertResolve(env *Env) *cobra.Command {
	var note string
	return alertVerb(env, "resolve ID", "Resolve an alert by hand with a note",
		func(c *cobra.Command) { c.Flags().StringVar(&note, "note", "", "how it was fixed (required)") },
		func() ops.AlertChange { return ops.AlertChange{Verb: ops.Resolve, Text: note} })
}
