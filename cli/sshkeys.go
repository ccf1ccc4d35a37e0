package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

// readKeyArg reads a public key from a file path, or stdin for "-".
func (e *Env) readKeyArg(arg string) (model.SSHKey, error) {
	var b []byte
	var err error
	if arg == "-" {
		b, err = io.ReadAll(io.LimitReader(e.Stdin, 64<<10))
	} else {
		b, err = os.ReadFile(arg)
	}
	if err != nil {
		return model.SSHKey{}, model.Invalid("file", arg, "cannot be read: "+strings.TrimPrefix(err.Error(), "open "+arg+": "))
	}
	return model.ParseSSHKey(string(b))
}

func addKeyCommand(env *Env) *cobra.Command {
	c := &cobra.Command{
		Use: "add-key PERSON FILE", Short: "Register an SSH public key (a .pub file, or - for stdin) so the person can use 'opsdeck serve'",
		Args: cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			k, err := env.readKeyArg(args[1])
			if err != nil {
				return err
			}
			var p model.Person
			_, err = env.write(c.Context(), func(t *store.Tx) error {
				if p, err = ops.PersonTx(t, "person", args[0]); err != nil {
					return err
				}
				return t.AddSSHKey(p.ID, &k)
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "added %s key %s for %s\n", k.Type, k.Fingerprint, p.Email)
			return nil
		},
	}
	return c
}

func removeKeyCommand(env *Env) *cobra.Command {
	return &cobra.Command{
		Use: "remove-key PERSON FINGERPRINT|FILE", Short: "Unregister one of a person's SSH keys", Args: cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			fp := args[1]
			if !strings.HasPrefix(fp, "SHA256:") {
				k, err := env.readKeyArg(fp)
				if err != nil {
					return err
				}
				fp = k.Fingerprint
			}
			var p model.Person
			var err error
			_, err = env.write(c.Context(), func(t *store.Tx) error {
				if p, err = ops.PersonTx(t, "person", args[0]); err != nil {
					return err
				}
				_, err := t.RemoveSSHKey(p.ID, fp)
				return err
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "removed key %s of %s\n", fp, p.Email)
			return nil
		},
	}
}

func keysCommand(env *Env) *cobra.Command {
	return lister[model.SSHKey]{use: "keys PERSON", short: "List a person's registered SSH keys", args: cobra.ExactArgs(1),
		query: func(c *cobra.Command, args []string, s *store.Store) ([]model.SSHKey, error) {
			p, err := ops.Person(c.Context(), s, "person", args[0])
			if err != nil {
				return nil, err
			}
			return s.SSHKeys(c.Context(), p.ID)
		},
		header: []string{"fingerprint", "type", "comment", "added_at"},
		row: func(k model.SSHKey, _ *names) []string {
			return []string{k.Fingerprint, k.Type, orDash(k.Comment), k.AddedAt}
		}}.command(env)
}
