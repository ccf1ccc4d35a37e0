package cli

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

// db copy moves a company between engines (a SQLite file and PostgreSQL,
// either way): every table, verified by row count and checksum per table.
func init() {
	register(func(env *Env) *cobra.Command {
		db := &cobra.Command{Use: "db", Short: "Move the database between SQLite and PostgreSQL"}
		var from, to string
		var force, asJSON bool
		cp := &cobra.Command{
			Use:   "copy --from DB --to DB",
			Short: "Copy every table from one database to another and verify each",
			Long: `Copy everything from --from to --to: a SQLite file (FILE.db) or a PostgreSQL
database (postgres://user@host/db), either way. Both are brought to this opsdeck's
schema first; the target is made if it is a file that does not exist (a
PostgreSQL database must exist, empty). The copy is one transaction on the
target, then each table's row count and checksum are read back from the target
and compared with the source's. A target that holds data (any audit row) is
refused unless --force, which replaces everything in it. Example:
  opsdeck db copy --from opsdeck.db --to postgres://opsdeck@db.internal/opsdeck`,
			Args: cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				if from == "" || to == "" {
					return errors.New("db copy: --from and --to are both required (a file or a postgres:// URL)")
				}
				if from == to {
					return fmt.Errorf("db copy: --from and --to are the same database (%s)", name(from))
				}
				lock, err := store.LockShared(from)
				if err != nil {
					return err
				}
				defer lock.Unlock()
				src, err := store.OpenWith(from, store.OpenOptions{Clock: env.clock()})
				if err != nil {
					return fmt.Errorf("db copy: --from: %w", err)
				}
				defer src.Close()
				if _, err := store.Check(to, store.OpenOptions{Create: true}); err != nil {
					return fmt.Errorf("db copy: --to: %w", err)
				}
				tlock, err := store.LockExclusive(to)
				if err != nil {
					return fmt.Errorf("db copy: --to: %w", err)
				}
				defer tlock.Unlock()
				dst, err := store.OpenWith(to, store.OpenOptions{Create: true, ClaimEmpty: true, Clock: env.clock()})
				if err != nil {
					return fmt.Errorf("db copy: --to: %w", err)
				}
				defer dst.Close()
				rep, err := src.CopyTo(c.Context(), dst, force)
				if err != nil {
					return fmt.Errorf("db copy %s → %s: %w", name(from), name(to), err)
				}
				if asJSON {
					return env.printJSON(rep)
				}
				tw := tabwriter.NewWriter(env.Stdout, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "TABLE\tROWS\tCHECKSUM")
				var rows int64
				for _, t := range rep.Tables {
					fmt.Fprintf(tw, "%s\t%d\t%s\n", t.Table, t.Rows, t.Sum)
					rows += t.Rows
				}
				tw.Flush()
				fmt.Fprintf(env.Stdout, "copied %d tables (%d rows) from %s to %s; every table's count and checksum verified on the target\n",
					len(rep.Tables), rows, name(from), name(to))
				return nil
			},
		}
		cp.Flags().StringVar(&from, "from", "", "source database (file or postgres:// URL)")
		cp.Flags().StringVar(&to, "to", "", "target database (file or postgres:// URL)")
		cp.Flags().BoolVar(&force, "force", false, "replace everything in a target that holds data")
		cp.Flags().BoolVar(&asJSON, "json", false, "print the per-table report as JSON")
		db.AddCommand(cp)
		return db
	})
}

// name is a database reference fit to print: a URL without its password.
func name(db string) string {
	if store.IsPostgres(db) {
		return store.RedactURL(db)
	}
	return db
}
