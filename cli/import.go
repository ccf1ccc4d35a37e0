package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/transfer"
	"github.com/spf13/cobra"
)

// maxListed caps the per-row change lines a human report prints; problems
// are always listed in full (that is what a dry run is for).
const maxListed = 40

func init() {
	register(func(env *Env) *cobra.Command {
		var opts transfer.Options
		var dryRun, asJSON bool
		var maxSize string
		cmd := &cobra.Command{
			Use:   "import people|devices|services|accounts|software|checks FILE|-",
			Short: "Import a CSV, JSON or YAML file (dry run first; all or nothing by default)",
			Long: `Import records from a file: opsdeck's own export, a Google Workspace users CSV,
a Snipe-IT asset export, an account list (GitHub org members, AWS IAM users; use
--service when the file has no service column), or a software report
(scripts/collect-toolchain.sh output, or osquery JSON with --device), or the
checks of another monitor: a Gatus config.yaml or an Uptime Kuma backup JSON
(import checks; conditions are translated, and whatever cannot be is listed
per endpoint as a warning; the checks go to the service named by the
endpoint's group, or by --service).

Headers are matched ignoring case, spacing and [Required] markers; columns opsdeck
has no field for are listed, never silently dropped. --dry-run lists every problem
(row, column, value, reason) and what would change, and writes nothing. Without it
the import is one transaction: with any bad row nothing is written, unless
--mode skip-bad, which imports the good rows and writes the others, with their
reasons, to FILE.rejects.csv.

FILE is a regular file of at most --max-size (256MiB); - reads standard input,
which is how to import over SSH (the server reads no file named remotely):
  ssh -p 2222 HOST import people - < users.csv

Examples:
  opsdeck import people users.csv --dry-run
  opsdeck import devices snipeit-assets.csv --update-existing
  opsdeck import accounts github-members.csv --service GitHub
  opsdeck import software toolchain.json
  opsdeck import checks gatus.yaml --service Website --dry-run
  opsdeck import checks uptime-kuma-backup.json --service Website`,
			Args: cobra.ExactArgs(2),
			RunE: func(c *cobra.Command, args []string) error {
				kind, file := args[0], args[1]
				if err := ops.CheckImport(kind, opts); err != nil {
					return err
				}
				if err := remoteImportAllowed(env, file, c.Flags().Changed("max-size")); err != nil {
					return err
				}
				limit, err := humanize.ParseBytes(maxSize)
				if err != nil || limit == 0 || limit > 1<<40 {
					return model.Invalid("max-size", maxSize, "is not a size such as 256MiB or 1GiB")
				}
				opts.MaxSize = int64(limit)
				if env.ReadOnly {
					opts.MaxSize = transfer.RemoteMaxSize
				}
				e, err := env.ops()
				if err != nil {
					return err
				}
				src := ops.ImportSource{Name: file, Stdin: env.Stdin, Remote: env.ReadOnly}
				rep, err := ops.PlanImport(c.Context(), e, kind, src, opts)
				if err != nil {
					return err
				}
				for _, l := range rep.Leavers {
					fmt.Fprintln(env.Stderr, "opsdeck: WARNING: "+l)
				}
				var commitErr error
				if !dryRun && ops.CanCommit(rep) {
					commitErr = ops.CommitImport(c.Context(), e, rep, nil)
				}
				if asJSON {
					if err := env.printJSON(rep); err != nil {
						return err
					}
				} else {
					printImport(env, rep, dryRun)
				}
				switch {
				case commitErr != nil:
					return commitErr
				case len(rep.HeaderProblems) > 0:
					return fmt.Errorf("import %s: %v; nothing imported", file, rep.HeaderProblems[0])
				case rep.RunID != 0 || rep.OK():
					return nil
				case dryRun:
					return fmt.Errorf("dry run: %d of %d rows have problems", rep.Summary.Bad, rep.Summary.Total)
				}
				return fmt.Errorf("import %s: %d of %d rows have problems; nothing imported (fix them, or use --mode skip-bad)", file, rep.Summary.Bad, rep.Summary.Total)
			},
		}
		f := cmd.Flags()
		f.BoolVar(&dryRun, "dry-run", false, "list every problem and what would change; write nothing")
		f.StringVar(&opts.Format, "format", "auto", "file format: auto|csv|json|yaml")
		f.StringVar(&opts.Mode, "mode", transfer.ModeAtomic, "atomic (all or nothing) or skip-bad (import good rows, reject the rest to FILE.rejects.csv)")
		f.BoolVar(&opts.UpdateExisting, "update-existing", false, "change records that already exist and differ (default: leave them)")
		f.StringVar(&opts.Encoding, "encoding", "utf-8", "text encoding: utf-8|latin1")
		f.StringVar(&opts.Service, "service", "", "accounts: the service every row belongs to (for a member list without a service column); checks: the service of checks whose group names none")
		f.StringVar(&opts.Device, "device", "", "software: the device (serial, asset tag or name) an osquery file describes")
		f.BoolVar(&opts.StrictRefs, "strict-refs", false, "reject a row whose manager, holder, owner or account holder is not known (default: import it with the link empty and warn)")
		f.BoolVar(&asJSON, "json", false, "print the report as JSON")
		f.StringVar(&maxSize, "max-size", "256MiB", "refuse a file larger than this (a local import may raise it)")
		cmd.Annotations = map[string]string{remoteStdinAnnotation: "true"}
		return cmd
	})
}

// remoteImportAllowed: over SSH, import reads only what the session sends
// (FILE is -), never a file on the server, and only for roles that may
// change something (the store then checks the role against the kind).
func remoteImportAllowed(env *Env, file string, raisedLimit bool) error {
	if !env.ReadOnly {
		return nil
	}
	if !env.Actor.CanWrite() {
		return fmt.Errorf("your role (%s) cannot import: %w", env.Actor.Role, model.ErrForbidden)
	}
	if file != transfer.StdinName {
		return fmt.Errorf("over SSH, import reads the file you send, not a file on the server: ssh HOST import KIND - < FILE: %w", model.ErrForbidden)
	}
	if raisedLimit {
		return fmt.Errorf("--max-size is for local imports; over SSH the limit is %s: %w", humanize.IBytes(uint64(transfer.RemoteMaxSize)), model.ErrForbidden)
	}
	return nil
}

// printImport writes the human report: problems first (all of them), then
// what changes, then one summary line.
func printImport(env *Env, r *transfer.Report, dryRun bool) {
	w := env.Stdout
	format := r.Format
	if r.Dialect != "" && r.Dialect != "opsdeck" {
		format += ", " + r.Dialect
	}
	verb := "import"
	if dryRun {
		verb = "dry run: import"
	}
	from := r.File
	if from == transfer.StdinName {
		from = "standard input"
	}
	fmt.Fprintf(w, "%s %s from %s (%s)\n", verb, r.Kind, from, format)
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note: "+n)
	}
	if len(r.Problems) > 0 {
		in := ""
		if r.Summary.Bad > 0 {
			in = fmt.Sprintf(", in %d rows", r.Summary.Bad)
		}
		fmt.Fprintf(w, "\nPROBLEMS (%d%s):\n", len(r.Problems), in)
		rows := make([][]string, len(r.Problems))
		for i, p := range r.Problems {
			row, value := "header", "-"
			if p.Row > 0 || p.Value != "" {
				value = fmt.Sprintf("%q", model.Excerpt(p.Value))
			}
			if p.Row > 0 {
				row = fmt.Sprint(p.Row)
			}
			rows[i] = []string{row, orDash(model.Excerpt(p.Column)), value, p.Reason}
		}
		env.printTable([]string{"row", "column", "value", "reason"}, rows)
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(w, "\nWARNINGS (%d): imported without what is named, or not imported:\n", len(r.Warnings))
		rows := make([][]string, len(r.Warnings))
		for i, p := range r.Warnings {
			value := "-"
			if p.Value != "" {
				value = fmt.Sprintf("%q", model.Excerpt(p.Value))
			}
			rows[i] = []string{fmt.Sprint(p.Row), orDash(model.Excerpt(p.Column)), value, p.Reason}
		}
		env.printTable([]string{"row", "column", "value", "reason"}, rows)
	}
	var changed [][]string
	for _, it := range r.Items {
		if (it.Action == transfer.ActionUpdate || it.Action == transfer.ActionSkip || it.Action == transfer.ActionVerify) && len(it.Changes) > 0 {
			changed = append(changed, []string{fmt.Sprint(it.Row), it.Action, model.Sanitize(it.Key), model.Truncate(strings.Join(it.Changes, "; "), 120)})
		}
	}
	if len(changed) > 0 {
		fmt.Fprintf(w, "\nCHANGES TO EXISTING RECORDS (%d):\n", len(changed))
		more := len(changed) - maxListed
		if more > 0 {
			changed = changed[:maxListed]
		}
		env.printTable([]string{"row", "action", "record", "changes"}, changed)
		if more > 0 {
			fmt.Fprintf(w, "... and %d more (--json lists every row)\n", more)
		}
		if r.Summary.Skipped > 0 {
			fmt.Fprintln(w, "skip: not written (a record that exists and differs changes only with --update-existing)")
		}
	}
	printSection(w, "\nNOT IN THE FILE, MARKED UNVERIFIED (%d):\n", "  ", r.Unverify)
	printSection(w, "\n!! LEAVERS STILL HOLDING ACCOUNTS (%d) — revoke these:\n", "!! ", r.Leavers)
	printSection(w, "\nTWO-STEP AND LAST ACTIVITY (%d accounts):\n", "  ", r.Evidence)
	printSection(w, "\nUNMATCHED ROWS (%d) — evidence for no known account:\n", "  ", r.Unmatched)
	s := r.Summary
	warned := ""
	if s.Warnings > 0 {
		warned = fmt.Sprintf(", %d warnings", s.Warnings)
	}
	fmt.Fprintf(w, "\n%d rows: %d new, %d updated, %d verified, %d unchanged, %d skipped, %d bad%s; %d accounts to mark unverified\n",
		s.Total, s.New, s.Updated, s.Verified, s.Unchanged, s.Skipped, s.Bad, warned, s.Unverified)
	switch {
	case r.RunID != 0:
		fmt.Fprintf(w, "imported (run %d)\n", r.RunID)
		if r.RejectFile != "" {
			fmt.Fprintf(w, "%d rejected rows, with reasons, written to %s\n", s.Bad, r.RejectFile)
		}
	case dryRun:
		fmt.Fprintln(w, "dry run: nothing written")
	default:
		fmt.Fprintln(w, "nothing written")
	}
}

// printSection prints a titled list of a plan's findings (title holds %d
// for their count), each line after prefix; nothing when there are none.
func printSection(w io.Writer, title, prefix string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, title, len(lines))
	for _, l := range lines {
		fmt.Fprintln(w, prefix+l)
	}
}
