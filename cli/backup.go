package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/opsdeck/opsdeck/internal/human"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

// backup: opsdeck's own database. (backups, plural, is the company's jobs.)
func init() {
	register(func(env *Env) *cobra.Command {
		cmd := &cobra.Command{Use: "backup", Short: "Back up opsdeck's own database, verify, prune and restore-test backups"}
		cmd.AddCommand(backupNowCmd(env), backupListCmd(env), backupVerifyCmd(env), backupPruneCmd(env), backupRestoreTestCmd(env))
		return cmd
	})
}

func backupNowCmd(env *Env) *cobra.Command {
	var dir string
	var asJSON bool
	c := &cobra.Command{
		Use:   "now",
		Short: "Back up the database now (online: writers carry on) and verify the copy",
		Long: `Back up the database with SQLite's online backup API into --dir (default: a backups
directory beside the database). The copy is written under a temporary name, fsynced,
verified (integrity check, row counts of every table against the same snapshot) and only
then renamed to opsdeck-TIMESTAMP.db, with a manifest FILE.json beside it. A manual
backup does not prune; the scheduled daily backup applies retention, and so does
'opsdeck backup prune'.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			s, err := env.Open()
			if err != nil {
				return err
			}
			run, err := s.Backup(c.Context(), env.Actor, store.BackupOptions{Dir: dir, Reason: "manual"})
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(run)
			}
			size := human.Bytes(run.SizeBytes)
			if run.Pages > 0 { // a SQLite copy; a pg_dump has no pages
				size += fmt.Sprintf(", %d pages", run.Pages)
			}
			fmt.Fprintf(env.Stdout, "backed up to %s (%s) in %s; verified: integrity %s, row counts of %d tables match\n",
				run.File, size, human.Took(run.DurationMS), run.Integrity, len(run.RowCounts))
			return nil
		},
	}
	c.Flags().StringVar(&dir, "dir", "", "destination directory (default: backups/ beside the database)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the run as JSON")
	return c
}

func backupListCmd(env *Env) *cobra.Command {
	var files bool
	var dir string
	c := lister[model.BackupRun]{short: "List opsdeck's own backups, newest first",
		long: `List the backups recorded in the database, newest first. With --files, list the
complete backups (file + manifest) found on disk instead, without opening the
database: after the database is lost or restored, that is what there is.`,
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.BackupRun, error) {
			return s.ListBackupRuns(c.Context(), store.BackupRunQuery{})
		},
		header: []string{"id", "started", "reason", "status", "size", "duration", "verified", "restore_test", "file"},
		row: func(r model.BackupRun, _ *names) []string {
			file := r.File
			switch {
			case r.Status != "ok":
				file = r.Error
			case r.PrunedAt != nil:
				file += " (pruned)"
			}
			return []string{fmt.Sprint(r.ID), r.StartedAt.Local().Format("2006-01-02 15:04"), r.Reason, r.Status,
				human.Bytes(r.SizeBytes), human.Took(r.DurationMS), human.YesNo(r.Verified), restoreTestStr(env, r), file}
		}}.command(env)
	// --files reads the directory, not the database.
	recorded := c.RunE
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if files {
			asJSON, _ := cmd.Flags().GetBool("json")
			return listBackupFiles(env, dir, asJSON)
		}
		return recorded(cmd, args)
	}
	c.Flags().BoolVar(&files, "files", false, "list backup files on disk (with manifests) instead of recorded runs")
	c.Flags().StringVar(&dir, "dir", "", "with --files: the directory (default: backups/ beside the database)")
	return c
}

func listBackupFiles(env *Env, dir string, asJSON bool) error {
	if env.ReadOnly {
		return errors.New("--files is not available here")
	}
	if dir == "" {
		dir = store.DefaultBackupDir(env.DBPath)
	}
	fs, err := store.ListBackupFiles(dir)
	if err != nil {
		return err
	}
	if asJSON {
		return env.printJSON(nonNil(fs))
	}
	rows := [][]string{}
	for _, f := range fs {
		m := f.Manifest
		rows = append(rows, []string{m.CreatedAt.Local().Format("2006-01-02 15:04:05"), m.Reason, human.Bytes(m.SizeBytes),
			fmt.Sprint(m.SchemaVersion), fmt.Sprint(m.RowCounts["audit_log"]), f.File})
	}
	return env.printTable([]string{"taken", "reason", "size", "schema", "audit_rows", "file"}, rows)
}

func backupVerifyCmd(env *Env) *cobra.Command {
	var asJSON bool
	// Not read-only: it opens any path on this machine, so it is not
	// offered to SSH sessions.
	c := &cobra.Command{
		Use:   "verify FILE",
		Short: "Verify a backup file: checksum, integrity check, row counts against its manifest",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			v := store.VerifyBackup(c.Context(), args[0])
			if asJSON {
				if err := env.printJSON(v); err != nil {
					return err
				}
			} else if v.OK && v.RowCounts == nil && v.Expected != nil {
				// A pg_dump: counting its rows needs a server ('backup restore-test').
				fmt.Fprintf(env.Stdout, "%s: ok (archive readable, checksum matches, all %d tables of the manifest in it, schema %d; 'opsdeck backup restore-test' restores it and compares row counts)\n", v.File, len(v.Expected), v.SchemaVersion)
			} else if v.OK {
				fmt.Fprintf(env.Stdout, "%s: ok (integrity ok, checksum matches, row counts of %d tables match, schema %d)\n", v.File, len(v.RowCounts), v.SchemaVersion)
			}
			if !v.OK {
				return fmt.Errorf("%s does not verify: %s", v.File, strings.Join(v.Problems, "; "))
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return c
}

func backupPruneCmd(env *Env) *cobra.Command {
	var dir string
	var dryRun, asJSON bool
	p := model.DefaultRetention
	c := &cobra.Command{
		Use:   "prune",
		Short: "Delete backups the retention policy does not keep (newest of each of N days, weeks, months)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			s, err := env.Open()
			if err != nil {
				return err
			}
			ds, err := s.PruneBackups(c.Context(), env.Actor, dir, p, dryRun)
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(nonNil(ds))
			}
			rows := [][]string{}
			for _, d := range ds {
				action := "delete"
				if d.Keep {
					action = "keep"
				} else if dryRun {
					action = "would delete"
				}
				rows = append(rows, []string{action, d.At.Local().Format("2006-01-02 15:04"), strings.Join(d.Reasons, ", "), d.Key})
			}
			return env.printTable([]string{"action", "taken", "kept_as", "file"}, rows)
		},
	}
	c.Flags().StringVar(&dir, "dir", "", "backup directory (default: backups/ beside the database)")
	c.Flags().BoolVar(&dryRun, "dry-run", false, "only show what would be deleted")
	c.Flags().IntVar(&p.Daily, "daily", p.Daily, "days to keep")
	c.Flags().IntVar(&p.Weekly, "weekly", p.Weekly, "weeks to keep")
	c.Flags().IntVar(&p.Monthly, "monthly", p.Monthly, "months to keep")
	c.Flags().BoolVar(&asJSON, "json", false, "print the decisions as JSON")
	return c
}

func backupRestoreTestCmd(env *Env) *cobra.Command {
	var asJSON bool
	var file string
	c := &cobra.Command{
		Use:   "restore-test",
		Short: "Restore the newest backup into a temporary place, verify and open it, record the result",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			e, err := env.ops()
			if err != nil {
				return err
			}
			run, v, err := ops.RestoreTest(c.Context(), e, file, nil)
			if err != nil {
				return err
			}
			if asJSON {
				if err := env.printJSON(v); err != nil {
					return err
				}
			} else if v.OK {
				where := "a temporary directory"
				if s := e.Store; s.Postgres() {
					where = "a scratch database, then dropped"
				}
				fmt.Fprintf(env.Stdout, "restore test of %s: ok (restored into %s, verified and opened)\n", run.File, where)
			}
			if !v.OK {
				return fmt.Errorf("restore test of %s failed: %s", run.File, strings.Join(v.Problems, "; "))
			}
			return nil
		},
	}
	c.Flags().StringVar(&file, "file", "", "test this recorded backup instead of the newest")
	c.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return c
}

func restoreTestStr(env *Env, r model.BackupRun) string {
	switch {
	case r.RestoreTestedAt == nil:
		return "never"
	case r.RestoreTestOK != nil && *r.RestoreTestOK:
		return "ok " + env.ago(r.RestoreTestedAt)
	default:
		return "FAILED " + env.ago(r.RestoreTestedAt)
	}
}
