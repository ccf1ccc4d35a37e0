package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/transfer"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		var file string
		var dryRun, prune, asJSON bool
		cmd := &cobra.Command{
			Use:   "apply -f FILE",
			Short: "Make the checks, silences and channels match a checks file (checks as code)",
			Long: `Apply a checks file (what 'opsdeck export checks' writes) as a diff: checks it
names are created or changed to match it and marked managed (the file is their
source: an edit in the console or with 'checks edit' warns that the next apply
puts the file's values back); --dry-run prints what would be created, changed,
paused or removed and writes nothing. Applying the same file twice changes nothing.
Every change is audited, in one transaction: a bad file writes nothing.

Without --prune nothing is removed; with it, managed checks the file no longer
has are deleted, silences it does not list are ended, and channels it does not
name are deleted.

Secrets are never in the file: a secret field (a channel's url, an SMTP
password, a check's headers or body, a target with a password in it) is written
KEY_env: VARIABLE and read from that environment variable; a clear secret in
the file is refused.

Examples:
  opsdeck export checks --format yaml -o checks.yaml
  opsdeck apply -f checks.yaml --dry-run
  OPSDECK_OPS_SLACK_URL=https://hooks.slack.com/… opsdeck apply -f checks.yaml --prune`,
			Args: cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				if file == "" {
					return model.Invalid("file", "", "is required: apply -f checks.yaml")
				}
				e, err := env.ops()
				if err != nil {
					return err
				}
				src := ops.ImportSource{Name: file, Stdin: env.Stdin, Remote: env.ReadOnly}
				plan, err := ops.PlanApply(c.Context(), e, src, prune, os.LookupEnv)
				if err != nil {
					return err
				}
				if !dryRun {
					if err := ops.CommitApply(c.Context(), e, plan); err != nil {
						return err
					}
				}
				if asJSON {
					return env.printJSON(plan)
				}
				printApply(env, plan, dryRun)
				return nil
			},
		}
		f := cmd.Flags()
		f.StringVarP(&file, "file", "f", "", "the checks file (YAML); - reads standard input")
		f.BoolVar(&dryRun, "dry-run", false, "print what would change; write nothing")
		f.BoolVar(&prune, "prune", false, "also remove managed checks, silences and channels the file does not have")
		f.BoolVar(&asJSON, "json", false, "print the plan as JSON")
		return cmd
	})
}

// applySigns are the diff's margin marks, as kubectl diff and terraform
// plan use them.
var applySigns = map[string]string{
	transfer.ApplyCreate: "+", transfer.ApplyChange: "~", transfer.ApplyPause: "‖", transfer.ApplyResume: "▶",
	transfer.ApplyRemove: "-", transfer.ApplyOrphan: "?",
}

// printApply prints the diff: one line per record that changes, its field
// changes indented under it, then the counts.
func printApply(env *Env, p *transfer.ApplyPlan, dryRun bool) {
	w := env.Stdout
	for _, it := range p.Items {
		sign, ok := applySigns[it.Action]
		if !ok {
			continue
		}
		fmt.Fprintf(w, "%s %s %s: %s\n", sign, it.Kind, model.Sanitize(it.Name), it.Action)
		for _, ch := range it.Changes {
			fmt.Fprintf(w, "    %s\n", ch)
		}
	}
	var parts []string
	for _, a := range []string{transfer.ApplyCreate, transfer.ApplyChange, transfer.ApplyPause, transfer.ApplyResume, transfer.ApplyRemove, transfer.ApplyUnchanged, transfer.ApplyOrphan} {
		parts = append(parts, fmt.Sprintf("%d %s", p.Summary[a], a))
	}
	fmt.Fprintln(w, strings.Join(parts, ", "))
	switch {
	case !p.Changed():
		fmt.Fprintln(w, "nothing to change")
	case dryRun:
		fmt.Fprintln(w, "dry run: nothing written")
	default:
		fmt.Fprintln(w, "applied")
	}
}
