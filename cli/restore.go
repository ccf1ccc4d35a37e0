package cli

import (
	"errors"
	"fmt"

	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		var asJSON bool
		c := &cobra.Command{
			Use:   "restore FILE",
			Short: "Replace the database (--db) with a verified backup, keeping a safety copy of the old one",
			Long: `Restore the database from a backup file. The backup is verified first (checksum,
integrity check, row counts against its manifest); the database being replaced is
kept as DB.before-restore-TIMESTAMP; the result is verified again. Refused while
any opsdeck console, run or serve uses the database.

On PostgreSQL (--db postgres://…) the backup is a pg_dump: pg_restore restores it into
a scratch database on the same server, whose row counts are checked against the
manifest and which opsdeck opens; then the database is renamed
NAME_before_restore_TIMESTAMP (the safety copy) and the scratch database takes its
name. Refused while any other session is connected to the database.`,
			Args: cobra.ExactArgs(1),
			RunE: func(c *cobra.Command, args []string) error {
				if env.Store != nil {
					return errors.New("restore runs only from a local shell, with the database closed")
				}
				if !env.Actor.IsAdmin() {
					return fmt.Errorf("%s may not restore the database (needs admin)", env.Actor)
				}
				res, err := store.Restore(c.Context(), args[0], env.DBPath, store.RestoreOptions{Clock: env.clock()})
				if err != nil {
					return err
				}
				// Opening migrates an older backup (backing it up first) and
				// records the restore in the restored database's audit log.
				s, err := env.Open()
				if err != nil {
					return fmt.Errorf("restored %s, but opening it failed: %w", env.DBPath, err)
				}
				if err := s.Write(c.Context(), env.Actor, func(t *store.Tx) error {
					return t.Audit("restore", "database", 0, nil, res)
				}); err != nil {
					return err
				}
				if asJSON {
					return env.printJSON(res)
				}
				fmt.Fprintf(env.Stdout, "restored %s into %s; verified: integrity %s, row counts of %d tables match\n",
					res.File, res.DB, res.Verify.Integrity, len(res.Verify.RowCounts))
				if res.SafetyCopy != "" {
					fmt.Fprintf(env.Stdout, "the replaced database is kept at %s\n", res.SafetyCopy)
				}
				return nil
			},
		}
		c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
		return c
	})
}
