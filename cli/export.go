package cli

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/transfer"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		var format, out string
		cmd := readOnly(&cobra.Command{
			Use:   "export people|devices|services|accounts|audit|checks",
			Short: "Export records as CSV, JSON or YAML (what import reads back unchanged)",
			Long: `Export in opsdeck's own columns; references are natural keys (a manager's email,
a service's name), so the file imports into this or another database, and importing
it back changes nothing. Examples:
  opsdeck export people --format csv -o people.csv
  opsdeck export audit --format json > audit.json
  opsdeck export checks --format yaml -o checks.yaml   (a checks file for 'opsdeck apply')`,
			Args: cobra.ExactArgs(1),
			RunE: func(c *cobra.Command, args []string) error {
				kind := args[0]
				if kind == "checks" {
					return exportChecks(c, env, format, out)
				}
				if !slices.Contains(transfer.ExportKinds, kind) {
					return model.Invalid("kind", kind, "is not one of "+strings.Join(transfer.ExportKinds, ", ")+", checks")
				}
				if !slices.Contains(model.Formats, format) {
					return model.Invalid("format", format, "is not one of "+strings.Join(model.Formats, ", "))
				}
				if out != "" && env.ReadOnly {
					return errors.New("-o is not available here; export to stdout")
				}
				s, err := env.Open()
				if err != nil {
					return err
				}
				t, err := transfer.Export(c.Context(), s, kind)
				if err != nil {
					return err
				}
				b, err := model.EncodeTable(t, format)
				if err != nil {
					return fmt.Errorf("export %s: %w", kind, err)
				}
				if out == "" {
					_, err = env.Stdout.Write(b)
					return err
				}
				if err := os.WriteFile(out, b, 0o600); err != nil {
					return fmt.Errorf("export %s: %w", kind, err)
				}
				fmt.Fprintf(env.Stderr, "exported %d %s to %s\n", len(t.Rows), kind, out)
				return nil
			},
		})
		cmd.Flags().StringVar(&format, "format", model.FormatCSV, "csv|json|yaml")
		cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of stdout")
		return cmd
	})
}

// exportChecks writes the checks file apply reads: YAML only (it is
// meant for a repository), secrets as KEY_env references whose variables
// are listed on stderr.
func exportChecks(c *cobra.Command, env *Env, format, out string) error {
	if c.Flags().Changed("format") && format != model.FormatYAML {
		return model.Invalid("format", format, "is not yaml (a checks file is YAML)")
	}
	if out != "" && env.ReadOnly {
		return errors.New("-o is not available here; export to stdout")
	}
	s, err := env.Open()
	if err != nil {
		return err
	}
	b, vars, err := transfer.ExportChecks(c.Context(), s)
	if err != nil {
		return fmt.Errorf("export checks: %w", err)
	}
	if len(vars) > 0 {
		fmt.Fprintf(env.Stderr, "secrets are not in the file; apply reads them from: %s\n", strings.Join(vars, ", "))
	}
	if out == "" {
		_, err = env.Stdout.Write(b)
		return err
	}
	if err := os.WriteFile(out, b, 0o600); err != nil {
		return fmt.Errorf("export checks: %w", err)
	}
	fmt.Fprintf(env.Stderr, "exported checks to %s\n", out)
	return nil
}
