package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
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
	// ImportDir is the one directory remote consoles may import from
	// (absolute); empty: remote import reads only what a session sends.
	ImportDir string
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
what they may change. Non-interactive use: ssh -p 2222 HOST alerts --json.

A remote session never reads a file on the server by name: it imports what it
sends (ssh -p 2222 HOST import people - < users.csv), or, with --import-dir, a
file the admin put in that one directory (the console's i).`,
			Args: cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				if ServeFunc == nil {
					return errors.New("this build cannot serve over SSH")
				}
				if o.HostKeyPath == "" {
					o.HostKeyPath = filepath.Join(filepath.Dir(env.DBPath), "ssh_host_ed25519")
				}
				if o.ImportDir != "" {
					dir, err := importDir(o.ImportDir, env.DBPath, o.HostKeyPath)
					if err != nil {
						return err
					}
					o.ImportDir = dir
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
		c.Flags().StringVar(&o.ImportDir, "import-dir", "", "the one directory remote consoles may import files from (default: none; remote users send files with 'import KIND -')")
		return c
	})
}

// importDir resolves the import directory to an absolute path without
// symlinks and checks that it is a directory that holds neither the
// database nor the host key (remote users read what is in it).
func importDir(dir string, private ...string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return "", model.Invalid("import-dir", dir, "cannot be resolved: "+err.Error())
	}
	fi, err := os.Stat(abs)
	if err != nil || !fi.IsDir() {
		return "", model.Invalid("import-dir", dir, "is not a directory")
	}
	for _, p := range private {
		pa, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		if d, err := filepath.EvalSymlinks(filepath.Dir(pa)); err == nil {
			pa = filepath.Join(d, filepath.Base(pa))
		}
		if rel, err := filepath.Rel(abs, pa); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return "", model.Invalid("import-dir", dir, "holds "+p+", which remote users must not read; use a directory of its own")
		}
	}
	return abs, nil
}
