package cli

import (
	"fmt"
	"os"

	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		return &cobra.Command{
			Use:   "init",
			Short: "Create an empty opsdeck database at --db (or make an empty file one)",
			Long: `Create a new, empty opsdeck database (and its directory) at --db, or at
$OPSDECK_DB or the XDG data directory. No other command creates a database:
they refuse a missing path, so a mistyped --db never starts a new, empty one.
init also makes an existing empty file (0 bytes, or a SQLite file with no
tables) an opsdeck database; another application's SQLite file is refused.
On an existing opsdeck database it changes nothing (beyond bringing an older
schema up to date, as any command does).`,
			Args: cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				real, err := store.RealPath(env.DBPath)
				if err != nil {
					return err
				}
				fi, statErr := os.Stat(real)
				env.create, env.claimEmpty = true, true
				s, err := env.Open()
				if err != nil {
					return err
				}
				v, err := s.SchemaVersion(c.Context())
				if err != nil {
					return err
				}
				if statErr == nil && fi.Size() == 0 {
					fmt.Fprintf(env.Stdout, "made the empty file %s an opsdeck database (schema %d)\n", env.DBPath, v)
					return nil
				}
				if statErr == nil || s.Existed() {
					fmt.Fprintf(env.Stdout, "%s is an opsdeck database (schema %d)\n", name(env.DBPath), v)
					return nil
				}
				fmt.Fprintf(env.Stdout, "created an empty opsdeck database at %s (schema %d); add people with 'opsdeck people add', import with 'opsdeck import', or open the console with 'opsdeck'\n", name(env.DBPath), v)
				return nil
			},
		}
	})
}
