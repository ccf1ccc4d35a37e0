package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/checks"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() { register(checksCommand) }

// checksCommand builds `opsdeck checks` from the shared resource (list,
// show, add, edit, deactivate = pause) plus the verbs only checks have.
func checksCommand(env *Env) *cobra.Command {
	cmd := checksResource().command(env)
	cmd.AddCommand(checkToggle(env, "pause", true), checkToggle(env, "resume", false), checkDelete(env), checkRun(env), checkPing(env))
	return cmd
}

func checksResource() resource[model.Check] {
	type C = model.Check
	var kind string
	return resource[C]{
		noun: "checks", one: "check",
		addHelp: `Add a check bound to a service (or, with only --device, a check that watches a device).
Conditions use one small language for every kind, e.g.
  status == 200 && latency < 300ms && body contains "ok"
  json.status == "ok"        cert_days > 14        exit_code == 0
Examples:
  opsdeck checks add --name web --kind http --service "Production App" --target http://127.0.0.1:8080/health \
      --condition 'status == 200 && latency < 300ms' --interval 30s
  opsdeck checks add --name app-01-up --kind tcp --device SRV-APP-01 --target 127.0.0.1:22
  opsdeck checks add --name nightly-backup --kind heartbeat --service "Postgres Primary" --interval 24h --grace 1h`,
		table: model.CheckFields,
		fields: []field[C]{
			{name: "env", usage: "exec: environment variables for the command, by NAME (comma-separated); values are taken from your environment, stored encrypted", apply: func(_ *store.Tx, c *C, v string) error {
				e, err := envInput([]string{v}, "")
				c.Env = e
				return err
			}},
			{name: "env-file", usage: "exec: environment for the command from a file of NAME=value lines (stored encrypted)", apply: func(_ *store.Tx, c *C, v string) error {
				e, err := envInput(nil, v)
				c.Env = e
				return err
			}},
		},
		listFlags: func(c *cobra.Command) {
			c.Flags().StringVar(&kind, "kind", "", "only this kind ("+strings.Join(model.CheckKinds, "|")+")")
		},
		list: func(ctx context.Context, s *store.Store) ([]C, error) {
			if kind != "" {
				if err := model.ValidateEnum("kind", kind, model.CheckKinds); err != nil {
					return nil, err
				}
			}
			return s.ListChecks(ctx, store.CheckQuery{Kind: kind})
		},
		find:   (*store.Store).FindCheck,
		findTx: (*store.Tx).FindCheck,
		id:     func(c C) int64 { return c.ID },
		add:    (*store.Tx).AddCheck,
		update: (*store.Tx).UpdateCheck,
		deactivate: func(t *store.Tx, id int64) (C, C, error) {
			before, err := t.GetCheck(id)
			if err != nil {
				return before, before, err
			}
			after, err := t.SetCheckPaused(id, true)
			return before, after, err
		},
		header: []string{"id", "name", "kind", "target", "every", "status", "last run", "latency", "message"},
		row: func(c C, nm *names) []string {
			st, _ := nm.s.CheckState(nm.ctx, c.ID)
			status := st.Status
			if c.Paused {
				status = "paused"
			}
			return []string{fmt.Sprint(c.ID), c.Name, c.Kind, orDash(model.Truncate(c.Target, 40)), (time.Duration(c.IntervalS) * time.Second).String(),
				status, nm.ago(st.LastRunAt), latency(st), orDash(model.Truncate(firstLine(st.Message), 50))}
		},
		show: showCheck,
	}
}

func latency(st model.CheckState) string {
	if st.LastRunAt == nil {
		return "-"
	}
	return fmt.Sprintf("%.0fms", st.LatencyMs)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func showCheck(ctx context.Context, env *Env, s *store.Store, c model.Check) error {
	st, err := s.CheckState(ctx, c.ID)
	if err != nil {
		return err
	}
	where := "-"
	if c.ServiceID != nil {
		if sv, err := s.GetService(ctx, *c.ServiceID); err == nil {
			where = "service " + sv.Name
		}
	}
	if c.DeviceID != nil {
		if d, err := s.GetDevice(ctx, *c.DeviceID); err == nil {
			where = strings.TrimPrefix(where+", device "+d.AssetTag+" ("+d.Name+")", "-, ")
		}
	}
	status := st.Status
	if c.Paused {
		status = "paused (was " + st.Status + ")"
	}
	if st.Flapping {
		status += ", flapping"
	}
	cond := c.EffectiveCondition()
	if c.IsSource() {
		cond = model.SourceRule(c.Kind)
	}
	pairs := [][2]string{
		{"id", fmt.Sprint(c.ID)}, {"name", c.Name}, {"kind", c.Kind}, {"for", where}, {"target", orDash(c.Target)},
		{"condition", cond},
		{"every", fmt.Sprintf("%s (timeout %s)", c.Interval(), c.Timeout())},
		{"alerting", fmt.Sprintf("fire after %d failures, resolve after %d successes", c.FailThreshold, c.SuccessThreshold)},
		{"status", status}, {"last run", env.ago(st.LastRunAt)}, {"next run", st.NextRunAt.Local().Format("2006-01-02 15:04:05")},
		{"message", orDash(firstLine(st.Message))},
	}
	if c.Kind == "heartbeat" {
		pairs = append(pairs, [2]string{"grace", c.Grace().String()}, [2]string{"last ping", env.ago(st.LastPingAt)},
			[2]string{"ping", pingHint(c)})
	}
	if u, err := s.Uptime(ctx, c.ID, env.now()); err == nil {
		pairs = append(pairs, [2]string{"uptime", fmt.Sprintf("24h %s  7d %s  30d %s", pct(u.Day), pct(u.Week), pct(u.Month))})
	}
	env.printKV(pairs)
	res, err := s.RecentResults(ctx, c.ID, 10)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\nLast results (%d):\n", len(res))
	rows := [][]string{}
	for _, r := range res {
		rows = append(rows, []string{r.At.Local().Format("01-02 15:04:05"), r.Status, fmt.Sprintf("%.1fms", r.LatencyMs), orDash(model.Truncate(firstLine(r.Message), 70))})
	}
	return env.printTable([]string{"at", "status", "latency", "message"}, rows)
}

func pct(v float64) string {
	if v < 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f%%", v)
}

func checkToggle(env *Env, verb string, paused bool) *cobra.Command {
	return &cobra.Command{Use: verb + " NAME", Short: strings.ToUpper(verb[:1]) + verb[1:] + " a check", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var after model.Check
			_, err := env.write(c.Context(), func(t *store.Tx) error {
				cur, err := t.FindCheck(args[0])
				if err != nil {
					return err
				}
				after, err = t.SetCheckPaused(cur.ID, paused)
				return err
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%sd check %s\n", verb, after.Name)
			return nil
		}}
}

func checkDelete(env *Env) *cobra.Command {
	return &cobra.Command{Use: "delete NAME", Short: "Delete a check with its results (its alerts stay, for the record)", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var gone model.Check
			_, err := env.write(c.Context(), func(t *store.Tx) error {
				cur, err := t.FindCheck(args[0])
				if err != nil {
					return err
				}
				gone, err = t.DeleteCheck(cur.ID)
				return err
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "deleted check %s\n", gone.Name)
			return nil
		}}
}

func checkRun(env *Env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{Use: "run NAME", Short: "Run a check once now, record and print the result", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			s, err := env.Open()
			if err != nil {
				return err
			}
			// Running the probe uses its credentials (headers, env).
			chk, err := s.WithCredentials().FindCheck(c.Context(), args[0])
			if err != nil {
				return err
			}
			st, err := s.CheckState(c.Context(), chk.ID)
			if err != nil {
				return err
			}
			r := checks.NewRunner()
			r.Sources, r.Clock = s, env.clock()
			defer r.Close()
			res := r.Run(c.Context(), &chk, &st)
			if res.Status == "" {
				res.Status, res.Message = "up", "heartbeat on time (last ping "+env.ago(st.LastPingAt)+")"
			} else if err := s.Write(c.Context(), env.Actor, func(t *store.Tx) error { return t.RecordManualRun(res, store.DefaultNotifyPolicy) }); err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(res)
			}
			fmt.Fprintf(env.Stdout, "%s: %s in %.1fms: %s\n", chk.Name, res.Status, res.LatencyMs, res.Message)
			return nil
		}}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

func checkPing(env *Env) *cobra.Command {
	var failed bool
	var msg string
	cmd := &cobra.Command{Use: "ping NAME", Short: "Report a heartbeat from a job (--fail when the job failed)", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var res model.CheckResult
			_, err := env.write(c.Context(), func(t *store.Tx) error {
				chk, err := t.FindCheck(args[0])
				if err != nil {
					return err
				}
				res, err = t.RecordPing(chk.ID, failed, msg, store.DefaultNotifyPolicy)
				return err
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s: %s\n", res.CheckName, res.Message)
			return nil
		}}
	cmd.Flags().BoolVar(&failed, "fail", false, "the job failed")
	cmd.Flags().StringVar(&msg, "message", "", "what the job has to say")
	return cmd
}

// pingHint says how an external job reports; the URL only when the token
// was not redacted for this actor.
func pingHint(c model.Check) string {
	h := "opsdeck checks ping " + c.Name + " [--fail]"
	if c.PingToken != "" && !strings.HasPrefix(c.PingToken, model.Masked) {
		h += ", or GET/POST /ping/" + c.PingToken + "[/fail] on `opsdeck run --listen`"
	}
	return h
}
