package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/backups"
	"github.com/opsdeck/opsdeck/internal/human"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

// backups: the company's backup jobs. (backup, singular, is opsdeck's own.)
func init() {
	register(func(env *Env) *cobra.Command {
		cmd := &cobra.Command{Use: "backups", Short: "The company's backup jobs: commands opsdeck runs, or jobs that report in"}
		cmd.AddCommand(backupsAddCmd(env), backupsListCmd(env), backupsShowCmd(env), backupsRunCmd(env), backupsReportCmd(env),
			backupsStatusCmd(env, "pause", "paused", "Pause a job: not run, no alerts"),
			backupsStatusCmd(env, "resume", "active", "Resume a paused job"),
			backupsStatusCmd(env, "retire", "retired", "Retire a job (its runs are kept)"))
		return cmd
	})
}

func backupsAddCmd(env *Env) *cobra.Command {
	var envFile string
	var envNames []string
	fields := tableFields(model.BackupJobFields)
	var asJSON bool
	c := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a backup job for a service",
		Long: `Add a backup job. Either opsdeck runs a command on a cron schedule (exit status 0 is
success; killed at --timeout):
  opsdeck backups add pg-nightly --service Postgres --command 'pg_dump -Fc app > /srv/b/app.dump' --schedule '30 2 * * *'
or an external job reports in at least every PERIOD:
  opsdeck backups add nas-sync --service NAS --heartbeat 26h
  (then, from the job: opsdeck backups report nas-sync --ok --size 123456)`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			j := model.BackupJob{Name: args[0]}
			var err error
			if j.Env, err = envInput(envNames, envFile); err != nil {
				return err
			}
			_, err = env.write(c.Context(), func(t *store.Tx) error {
				if err := applyFields(c, t, &j, fields); err != nil {
					return err
				}
				return t.AddBackupJob(&j)
			})
			if err != nil {
				return err
			}
			s, err := env.Open()
			if err != nil {
				return err
			}
			s.Redact(&j)
			if asJSON {
				return env.printJSON(j)
			}
			fmt.Fprintf(env.Stdout, "added backup job %d: %s for %s (%s)\n", j.ID, j.Name, j.ServiceName, expectation(j))
			return nil
		},
	}
	addFlags(c, fields) // from model.BackupJobFields
	f := c.Flags()
	f.StringArrayVar(&envNames, "env", nil, "environment variable for the command, by NAME (repeatable); the value is taken from your environment and stored encrypted")
	f.StringVar(&envFile, "env-file", "", "environment for the command from a file of NAME=value lines (stored encrypted)")
	f.BoolVar(&asJSON, "json", false, "print the job as JSON")
	return c
}

func expectation(j model.BackupJob) string {
	if j.Kind == "command" {
		return fmt.Sprintf("runs %q at %q, timeout %s", j.Command, j.Schedule, model.FormatPeriod(j.Timeout))
	}
	return "reports every " + model.FormatPeriod(j.HeartbeatPeriod)
}

func backupsListCmd(env *Env) *cobra.Command {
	return lister[model.BackupHealth]{
		short: "List backup jobs and opsdeck's own backups with their state (ok, running, late, failed, never-restore-tested, restore-test-stale)",
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.BackupHealth, error) {
			return s.BackupHealth(c.Context(), model.DefaultSelfBackupPolicy, env.now())
		},
		header: []string{"name", "kind", "service", "state", "last_run", "size", "duration", "restore_tested", "reason"},
		row: func(h model.BackupHealth, _ *names) []string {
			size := "-"
			if h.LastSizeBytes != nil {
				size = human.Bytes(*h.LastSizeBytes)
			}
			return []string{h.Name, h.Kind, orDash(h.ServiceName), string(h.State), env.ago(h.LastRunAt), size,
				human.Took(h.LastDurationMS), env.ago(h.RestoreTestedAt), h.Reason}
		}}.command(env)
}

func backupsShowCmd(env *Env) *cobra.Command {
	return showCommand(env, "show NAME", "Show a backup job, its state and its recent runs",
		func(c *cobra.Command, s *store.Store, ref string) (view, error) {
			j, err := s.FindBackupJob(c.Context(), ref)
			if err != nil {
				return nil, err
			}
			v := backupJobView{Job: j}
			if v.Health, err = s.JobHealth(c.Context(), j, env.now()); err != nil {
				return nil, err
			}
			runs, err := s.ListJobRuns(c.Context(), j.ID, 20)
			v.Runs = nonNil(runs)
			return v, err
		})
}

// backupJobView is a backup job with its health and recent runs.
type backupJobView struct {
	Job    model.BackupJob      `json:"job"`
	Health model.BackupHealth   `json:"health"`
	Runs   []model.BackupJobRun `json:"runs"`
}

func (v backupJobView) print(env *Env) error {
	j, h, runs := v.Job, v.Health, v.Runs
	report := "opsdeck backups report " + j.Name + " --ok|--fail"
	// The token is a credential: the store's view shows it to admins only.
	if j.Kind == "heartbeat" && !strings.HasPrefix(j.PingToken, model.Masked) {
		report += "  or  curl -fsS http://HOST:PORT/backup/" + j.PingToken + "  (opsdeck run --listen HOST:PORT; /fail on failure)"
	}
	next := "-"
	if h.NextDue != nil {
		next = h.NextDue.Local().Format("2006-01-02 15:04")
	}
	env.printKV([][2]string{{"id", fmt.Sprint(j.ID)}, {"name", j.Name}, {"service", j.ServiceName}, {"kind", j.Kind},
		{"expects", expectation(j)}, {"restore_test_max_age", model.FormatPeriod(j.RestoreTestMaxAge)}, {"status", j.Status},
		{"state", string(h.State)}, {"reason", orDash(h.Reason)}, {"next_due", next}, {"report", report}, {"notes", orDash(j.Notes)}})
	fmt.Fprintf(env.Stdout, "\nRuns (%d, newest first):\n", len(runs))
	rows := [][]string{}
	for _, r := range runs {
		code, size := "-", "-"
		if r.ExitCode != nil {
			code = strconv.Itoa(*r.ExitCode)
		}
		if r.SizeBytes != nil {
			size = human.Bytes(*r.SizeBytes)
		}
		rows = append(rows, []string{r.StartedAt.Local().Format("2006-01-02 15:04"), r.Kind, r.Source, r.Status, code, size,
			human.Took(r.DurationMS), orDash(r.Error)})
	}
	return env.printTable([]string{"started", "kind", "source", "status", "exit", "size", "duration", "error"}, rows)
}

func backupsRunCmd(env *Env) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use: "run NAME", Short: "Run a command job now (waits for it; exit 1 if it fails)", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			s, err := env.Open()
			if err != nil {
				return err
			}
			j, err := s.FindBackupJob(c.Context(), args[0])
			if err != nil {
				return err
			}
			run, err := backups.RunJob(c.Context(), s, env.Actor, j, "manual")
			if err != nil {
				return err
			}
			if asJSON {
				if err := env.printJSON(run); err != nil {
					return err
				}
			} else if run.Status == "ok" {
				fmt.Fprintf(env.Stdout, "backup job %s: ok in %s\n", j.Name, time.Duration(run.DurationMS)*time.Millisecond)
			}
			if run.Status != "ok" {
				return fmt.Errorf("backup job %s failed: %s", j.Name, run.Error)
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the run as JSON")
	return c
}

func backupsReportCmd(env *Env) *cobra.Command {
	var ok, fail, restoreTest, asJSON bool
	var size int64 = -1
	var message string
	c := &cobra.Command{
		Use:   "report NAME --ok|--fail",
		Short: "Record that a job's backup (or, with --restore-test, its restore test) succeeded or failed",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if ok == fail {
				return model.Invalid("ok", strconv.FormatBool(ok), "give exactly one of --ok or --fail")
			}
			o := store.JobOutcome{OK: ok, Output: message}
			if !ok {
				o.Error = model.Sanitize(message)
				if o.Error == "" {
					o.Error = "reported failed"
				}
			}
			if c.Flags().Changed("size") {
				if size < 0 {
					return model.Invalid("size", strconv.FormatInt(size, 10), "must be 0 or more bytes")
				}
				o.SizeBytes = &size
			}
			var run model.BackupJobRun
			var j model.BackupJob
			var err error
			_, err = env.write(c.Context(), func(t *store.Tx) error {
				if j, err = t.FindBackupJob(args[0]); err != nil {
					return err
				}
				run, err = t.ReportJobRun(j.ID, restoreTest, o)
				return err
			})
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(run)
			}
			what := "backup"
			if restoreTest {
				what = "restore test"
			}
			fmt.Fprintf(env.Stdout, "recorded %s of %s: %s\n", what, j.Name, strings.ToUpper(run.Status))
			return nil
		},
	}
	f := c.Flags()
	f.BoolVar(&ok, "ok", false, "it succeeded")
	f.BoolVar(&fail, "fail", false, "it failed")
	f.Int64Var(&size, "size", -1, "size of the backup in bytes")
	f.BoolVar(&restoreTest, "restore-test", false, "this reports a restore test, not a backup")
	f.StringVar(&message, "message", "", "what happened (kept with the run)")
	f.BoolVar(&asJSON, "json", false, "print the run as JSON")
	return c
}

// backupsStatusCmd pauses, resumes or retires a job: a paused job is not
// run and raises no alert, a retired one disappears from lists (its runs
// stay).
func backupsStatusCmd(env *Env, verb, status, short string) *cobra.Command {
	return &cobra.Command{
		Use: verb + " NAME", Short: short, Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var j model.BackupJob
			_, err := env.write(c.Context(), func(t *store.Tx) error {
				cur, err := t.FindBackupJob(args[0])
				if err != nil {
					return err
				}
				j, err = t.SetBackupJobStatus(cur.ID, status)
				return err
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "backup job %s: %s\n", j.Name, j.Status)
			return nil
		},
	}
}
