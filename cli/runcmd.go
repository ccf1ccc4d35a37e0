package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/opsdeck/opsdeck/backups"
	"github.com/opsdeck/opsdeck/checks"
	"github.com/opsdeck/opsdeck/statuspage"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		cfg := SchedulerConfig(nil, nil)
		var listen string
		cmd := &cobra.Command{Use: "run", Short: "Run the scheduler headless until interrupted (checks, alerts, notifications)", Args: cobra.NoArgs,
			Long: `Runs every check on its schedule, turns results into alerts, and delivers notifications,
until SIGINT or SIGTERM. Only one process schedules a database at a time: a second 'opsdeck run'
waits and takes over when the first stops. With --listen it also serves the heartbeat endpoint
(GET/POST /ping/TOKEN and /ping/TOKEN/fail for heartbeat checks, /backup/TOKEN[/fail][?size=BYTES]
for heartbeat backup jobs; 'opsdeck backups show NAME' prints a job's URL).`,
			RunE: func(c *cobra.Command, _ []string) error {
				s, err := env.Open()
				if err != nil {
					return err
				}
				if err := s.CheckKey(c.Context()); err != nil {
					return err
				}
				logf := func(format string, args ...any) {
					fmt.Fprintf(env.Stderr, "%s %s\n", env.now().Format("15:04:05"), fmt.Sprintf(format, args...))
				}
				flags := cfg
				cfg = SchedulerConfig(s, logf)
				cfg.Workers, cfg.Notify, cfg.Retention = flags.Workers, flags.Notify, flags.Retention
				ctx := c.Context()
				if listen != "" {
					ln, err := net.Listen("tcp", listen)
					if err != nil {
						return fmt.Errorf("listen %s: %w", listen, err)
					}
					mux := http.NewServeMux()
					mux.Handle("/ping/", checks.PingHandler(s, cfg.Notify))
					mux.Handle("/backup/", backups.PingHandler(s))
					mux.Handle("/", statuspage.Handler(s, env.now)) // the public status page and /status.json
					srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
					go srv.Serve(ln)
					defer srv.Shutdown(context.Background())
					cfg.Logf("heartbeat endpoints on http://%s/ping/TOKEN (checks) and /backup/TOKEN (backup jobs); status page on http://%[1]s/ and /status.json", ln.Addr())
				}
				cfg.Logf("memory soft limit %d MiB (GOMEMLIMIT overrides)", checks.SetMemoryLimit()>>20)
				err = checks.NewScheduler(s, cfg).Run(ctx)
				if err != nil && !errors.Is(err, context.Canceled) {
					return err
				}
				cfg.Logf("stopped cleanly")
				return nil
			}}
		f := cmd.Flags()
		f.StringVar(&listen, "listen", "", "serve the heartbeat ping endpoint and the public status page (services marked public) on HOST:PORT (e.g. 127.0.0.1:8089)")
		f.IntVar(&cfg.Workers, "workers", checks.DefaultWorkers, "checks running at once at most (the pool grows with demand up to this)")
		f.DurationVar(&cfg.Notify.GroupWait, "group_wait", cfg.Notify.GroupWait, "delay before a first page, so a device alert can claim its services' alerts")
		f.DurationVar(&cfg.Notify.Repeat, "repeat", cfg.Notify.Repeat, "re-send firing unacknowledged alerts this often")
		f.IntVar(&cfg.Retention.RawKeep, "raw-keep", cfg.Retention.RawKeep, "raw results to keep per check, plus its state changes (rollups keep the rest)")
		f.IntVar(&cfg.Retention.HourlyDays, "hourly_days", cfg.Retention.HourlyDays, "days of hourly rollups to keep")
		return cmd
	})
}
