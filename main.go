// Command opsdeck is the operations console for a small company. main only
// wires the parts together: the CLI (package cli) and the console (ui).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/opsdeck/opsdeck/cli"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &cli.Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Actor:  cli.LocalActor(),
		DBPath: cli.DefaultDBPath(),
	}
	cli.ConsoleFunc = console
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
	s, err := env.Open()
	if err != nil {
		return err
	}
	return ui.Run(ctx, ui.Options{Store: s, Actor: env.Actor, Theme: th})
}
