package cli

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
)

// ServeOptions are the flags of `opsdeck serve`.
type ServeOptions struct {
	Listen           string
	HostKeyPath      string
	MaxSessions      int
	IdleTimeout      time.Duration
	MaxSessionLength time.Duration
	LoginTimeout     time.Duration
	MaxPending       int
}

// ServeFunc runs the SSH server and the scheduler; main wires it so that
// cli does not depend on the console or the SSH server.
var ServeFunc func(ctx context.Context, env *Env, o ServeOptions) error

func init() {
	register(func(env *Env) *cobra.Command {
		var o ServeOptions
		c := &cobra.Command{
			Use:   "serve",
			Short: "Serve the console over SSH to registered keys of active people, and run the scheduler",
			Long: `Serve the console over SSH. People enter with a public key registered to them
(opsdeck people add-key EMAIL FILE); their role (admin, operator, viewer) decides
what they may change. Non-interactive use: ssh -p 2222 HOST alerts --json.`,
			Args: cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				if ServeFunc == nil {
					return errors.New("this build cannot serve over SSH")
				}
				if o.HostKeyPath == "" {
					o.HostKeyPath = filepath.Join(filepath.Dir(env.DBPath), "ssh_host_ed25519")
				}
				return ServeFunc(c.Context(), env, o)
			},
		}
		c.Flags().StringVar(&o.Listen, "listen", "127.0.0.1:2222", "address to listen on")
		c.Flags().StringVar(&o.HostKeyPath, "host-key", "", "host key file, generated (mode 0600) if missing (default: next to the database)")
		c.Flags().IntVar(&o.MaxSessions, "max-sessions", 32, "most concurrent sessions; the next is told why and closed")
		c.Flags().DurationVar(&o.IdleTimeout, "idle-timeout", 30*time.Minute, "close an interactive session this long after its last keypress")
		c.Flags().DurationVar(&o.MaxSessionLength, "max-session", 12*time.Hour, "close any session after this long")
		c.Flags().DurationVar(&o.LoginTimeout, "login-timeout", 30*time.Second, "close a connection that has not logged in and opened a session within this long")
		c.Flags().IntVar(&o.MaxPending, "max-pending", 64, "most connections still logging in; the oldest is closed to admit the next")
		return c
	})
}
