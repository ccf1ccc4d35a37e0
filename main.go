// Command opsdeck is the operations console for a small company. main only
// wires the parts together: the CLI (package cli) and the console (ui).
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/opsdeck/opsdeck/checks"
	"github.com/opsdeck/opsdeck/cli"
	"github.com/opsdeck/opsdeck/internal/clockenv"
	"github.com/opsdeck/opsdeck/sshd"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui"
)

func main() {
	// The one clock every part reads time through: real, or the test
	// hook's pinned instant (OPSDECK_NOW, see ARCHITECTURE.md).
	clock, err := clockenv.FromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "opsdeck: "+err.Error())
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &cli.Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Actor:  cli.LocalActor(),
		DBPath: cli.DefaultDBPath(),
		Clock:  clock,
	}
	cli.ConsoleFunc = console
	cli.ServeFunc = serve
	code := cli.Run(ctx, env, os.Args[1:])
	stop()
	os.Exit(code)
}

// console opens the interactive console on this terminal.
func console(ctx context.Context, env *cli.Env) error {
	th, err := themes.Load(env.Theme)
	if err != nil {
		return err
	}
	if env.StartTab != "" {
		if err := ui.CheckTab(env.StartTab); err != nil {
			return fmt.Errorf("--start-tab: %w", err)
		}
	}
	s, err := env.Open()
	if err != nil {
		return err
	}
	// The console runs the schedule itself unless `opsdeck run` or `serve`
	// already does (the scheduler waits for the lease, and takes over if
	// that process stops); quitting the console stops it cleanly.
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		checks.NewScheduler(s, cli.SchedulerConfig(s, nil)).Run(ctx)
	}()
	err = ui.Run(ctx, ui.Options{Store: s, Actor: env.Actor, Theme: th, Clock: env.Clock, StartTab: env.StartTab, NoMouse: env.NoMouse})
	cancel()
	<-done
	return err
}

// serve runs the SSH server until ctx ends (SIGINT/SIGTERM), then shuts
// down open sessions cleanly.
func serve(ctx context.Context, env *cli.Env, o cli.ServeOptions) error {
	s, err := env.Open()
	if err != nil {
		return err
	}
	if err := s.CheckKey(ctx); err != nil {
		return err
	}
	logger := log.New(env.Stderr, "opsdeck serve: ", log.LstdFlags)
	var srv *sshd.Server
	srv, err = sshd.New(sshd.Config{
		Listen: o.Listen, HostKeyPath: o.HostKeyPath, MaxSessions: o.MaxSessions,
		IdleTimeout: o.IdleTimeout, MaxSessionLength: o.MaxSessionLength, Store: s, Logf: logger.Printf, Clock: env.Clock,
		LoginTimeout: o.LoginTimeout, MaxPending: o.MaxPending,
		NewModel: func(sessCtx context.Context, ss *sshd.Session) tea.Model {
			return ui.New(ui.Options{Store: s, Actor: ss.Actor, Ctx: sessCtx, Clock: env.Clock, Others: func() []string { return srv.Others(ss) },
				Remote: true, ImportDir: o.ImportDir})
		},
		Exec: func(ctx context.Context, ss *sshd.Session, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
			return cli.RunRemote(ctx, s, ss.Actor, args, stdin, stdout, stderr)
		},
	})
	if err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		return err
	}
	logger.Printf("listening on %s (database %s)", srv.Addr(), s.Path())
	if o.ImportDir != "" {
		logger.Printf("remote consoles import from %s only", o.ImportDir)
	} else {
		logger.Printf("remote consoles import only what a session sends (import KIND -); --import-dir DIR allows files from DIR")
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve() }()
	// The same process runs the schedule (checks, alerts, notifications,
	// backups), or takes it over when another process holding it stops.
	schedCtx, stopSched := context.WithCancel(ctx)
	schedDone := make(chan struct{})
	go func() {
		defer close(schedDone)
		if err := checks.NewScheduler(s, cli.SchedulerConfig(s, logger.Printf)).Run(schedCtx); err != nil && schedCtx.Err() == nil {
			logger.Printf("scheduler: %v", err)
		}
	}()
	defer func() { stopSched(); <-schedDone }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
