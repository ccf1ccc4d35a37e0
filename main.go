// Command opsdeck is the operations console for a small company. main only
// wires the parts together: the CLI (package cli) and the console (ui).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/opsdeck/opsdeck/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &cli.Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Actor:  cli.LocalActor(),
		DBPath: cli.DefaultDBPath(),
	}
	code := cli.Run(ctx, env, os.Args[1:])
	stop()
	os.Exit(code)
}
