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
		var dryRun, prune, strictRefs, asJSON bool
		cmd := &cobra.Command{
			Use:   "apply -f FILE | apply FILE|-",
			Short: "Make the checks, silences, channels and on-call rotations match a checks file (checks as code)",
			Long: `Apply a checks file (what 'opsdeck export checks' writes) as a diff: checks it
names are created or changed to match it and marked managed (the file is their
source: an edit in the console or with 'checks edit' warns that the next apply
puts the file's values back); --dry-run prints what would be created, changed,
paused or removed and writes nothing. Applying the same file twice changes nothing.
Every change is audited, in one transaction: a bad file writes nothing.

Without --prune nothing is removed; with it, managed checks the file no longer
has are deleted, silences it does not list are ended, channels it does not
name are deleted, and managed rotations it no longer has are retired (they page
nobody from then on; their history stays).

Rotations name their members by email (or an unambiguous name): a member
opsdeck does not know, or who may not be on call, is left out with a warning;
--strict-refs refuses the file instead. Overrides are not in the file; apply
leaves them alone.

Secrets are never in the file: a secret field (a channel's url, an SMTP
password, a check's headers or body, a target with a password in it) is written
KEY_env: VARIABLE and read from that environment variable; a clear secret in
the file is refused.

Examples:
  opsdeck export checks --format yaml -o checks.yaml
  opsdeck apply -f checks.yaml --dry-run
  OPSDECK_OPS_SLACK_URL=https://hooks.slack.com/… opsdeck apply -f checks.yaml --prune

Over SSH (admins only), apply reads the file you send on standard input, never a
file on the server, and no environment: a file with KEY_env secrets is applied
locally.
  ssh -p 2222 HOST apply - --dry-run < checks.yaml`,
			Args: cobra.MaximumNArgs(1),
			RunE: func(c *cobra.Command, args []string) error {
				if len(args) == 1 {
					if file != "" && file != args[0] {
						return model.Invalid("file", args[0], "is a second file; give one, as -f FILE or FILE")
					}
					file = args[0]
				}
				if file == "" {
					return model.Invalid("file", "", "is required: apply -f checks.yaml (- reads standard input)")
				}
				e, err := env.ops()
				if err != nil {
					return err
				}
				src := ops.ImportSource{Name: file, Stdin: env.Stdin, Remote: env.ReadOnly}
				plan, err := ops.PlanApply(c.Context(), e, src, transfer.ApplyOptions{Prune: prune, StrictRefs: strictRefs, Getenv: os.LookupEnv})
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
		f.BoolVar(&prune, "prune", false, "also remove managed checks, silences and channels the file does not have, and retire its managed rotations")
		f.BoolVar(&strictRefs, "strict-refs", false, "refuse the file when a rotation names a person opsdeck does not know (default: leave them out and warn)")
		f.BoolVar(&asJSON, "json", false, "print the plan as JSON")
		cmd.Annotations = map[string]string{remoteStdinAnnotation: "true"}
		return cmd
	})
}

// applySigns are the diff's margin marks, as kubectl diff and terraform
// plan use them.
var applySigns = map[string]string{
	transfer.ApplyCreate: "+", transfer.ApplyChange: "~", transfer.ApplyPause: "‖", transfer.ApplyResume: "▶",
	transfer.ApplyRemove: "-", transfer.ApplyRetire: "-", transfer.ApplyOrphan: "?",
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
	for _, wn := range p.Warnings {
		fmt.Fprintln(w, "WARNING: "+wn)
	}
	var parts []string
	for _, a := range []string{transfer.ApplyCreate, transfer.ApplyChange, transfer.ApplyPause, transfer.ApplyResume, transfer.ApplyRemove, transfer.ApplyUnchanged, transfer.ApplyOrphan} {
		parts = append(parts, fmt.Sprintf("%d %s", p.Summary[a], a))
	}
	if n := p.Summary[transfer.ApplyRetire]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", n, transfer.ApplyRetire))
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
