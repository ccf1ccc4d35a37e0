package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/internal/human"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() { register(checksCommand) }

// checksCommand builds `opsdeck checks` from the shared resource (list,
// show, add, edit, deactivate = pause) plus the verbs only checks have.
func checksCommand(env *Env) *cobra.Command {
	r := checksResource()
	r.update = func(t *store.Tx, id int64, fn func(*model.Check) error) (model.Check, model.Check, error) {
		before, after, err := t.UpdateCheck(id, fn)
		warnManaged(env, before, err)
		return before, after, err
	}
	cmd := r.command(env)
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
  opsdeck checks add --name nightly-backup --kind heartbeat --service "Postgres Primary" --interval 24h --grace 1h
Kinds:
` + model.CheckKindHelp(),
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
			return []string{fmt.Sprint(c.ID), c.Name, c.Kind, orDash(model.Truncate(c.Target, 40)), human.Interval(c.Interval()),
				status, nm.ago(st.LastRunAt), human.Latency(st.LatencyMs), orDash(model.Truncate(firstLine(st.Message), 50))}
		},
		view: loadCheck,
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// checkView is a check with its state, uptime and last results.
type checkView struct {
	model.Check
	Where   string              `json:"for"`
	State   model.CheckState    `json:"state"`
	Uptime  *store.Uptime       `json:"uptime"`
	Results []model.CheckResult `json:"last_results"` // newest first
	ago     func(*time.Time) string
}

func loadCheck(ctx context.Context, env *Env, s *store.Store, c model.Check, _ [][2]string) (view, error) {
	v := &checkView{Check: c, Where: "-", ago: env.ago}
	var err error
	if v.State, err = s.CheckState(ctx, c.ID); err != nil {
		return nil, err
	}
	if c.ServiceID != nil {
		if sv, err := s.GetService(ctx, *c.ServiceID); err == nil {
			v.Where = "service " + sv.Name
		}
	}
	if c.DeviceID != nil {
		if d, err := s.GetDevice(ctx, *c.DeviceID); err == nil {
			v.Where = strings.TrimPrefix(v.Where+", device "+d.AssetTag+" ("+d.Name+")", "-, ")
		}
	}
	if u, err := s.Uptime(ctx, c.ID, env.now()); err == nil {
		v.Uptime = &u
	}
	if v.Results, err = s.RecentResults(ctx, c.ID, 10); err != nil {
		return nil, err
	}
	v.Results = nonNil(v.Results)
	return v, nil
}

func (v *checkView) print(env *Env) error {
	c, st := v.Check, v.State
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
		{"id", fmt.Sprint(c.ID)}, {"name", c.Name}, {"kind", c.Kind}, {"for", v.Where}, {"target", orDash(c.Target)},
		{"condition", cond},
		{"every", fmt.Sprintf("%s (timeout %s)", c.Interval(), c.Timeout())},
		{"alerting", fmt.Sprintf("fire after %d failures, resolve after %d successes", c.FailThreshold, c.SuccessThreshold)},
		{"status", status}, {"last run", v.ago(st.LastRunAt)}, {"next run", st.NextRunAt.Local().Format("2006-01-02 15:04:05")},
		{"message", orDash(firstLine(st.Message))},
	}
	if c.Kind == "heartbeat" {
		pairs = append(pairs, [2]string{"grace", c.Grace().String()}, [2]string{"last ping", v.ago(st.LastPingAt)},
			[2]string{"ping", pingHint(c)})
	}
	if u := v.Uptime; u != nil {
		pairs = append(pairs, [2]string{"uptime", fmt.Sprintf("24h %s  7d %s  30d %s", human.Percent(u.Day), human.Percent(u.Week), human.Percent(u.Month))})
	}
	env.printKV(pairs)
	fmt.Fprintf(env.Stdout, "\nLast results (%d):\n", len(v.Results))
	rows := [][]string{}
	for _, r := range v.Results {
		rows = append(rows, []string{r.At.Local().Format("01-02 15:04:05"), r.Status, human.Latency(r.LatencyMs), orDash(model.Truncate(firstLine(r.Message), 70))})
	}
	return env.printTable([]string{"at", "status", "latency", "message"}, rows)
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
				warnManaged(env, cur, err)
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
			e, err := env.ops()
			if err != nil {
				return err
			}
			chk, err := e.Store.FindCheck(c.Context(), args[0])
			if err != nil {
				return err
			}
			run, err := ops.RunCheck(c.Context(), e, chk.ID)
			if err != nil {
				return err
			}
			res := run.Result
			if asJSON {
				return env.printJSON(res)
			}
			fmt.Fprintf(env.Stdout, "%s: %s in %s: %s\n", chk.Name, res.Status, human.Latency(res.LatencyMs), res.Message)
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

// warnManaged tells whoever edits a check a checks file manages that the
// next apply undoes the edit.
func warnManaged(env *Env, before model.Check, err error) {
	if w := before.ManagedWarning(); w != "" && err == nil {
		fmt.Fprintln(env.Stderr, "opsdeck: warning: "+w)
	}
}
