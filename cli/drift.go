package cli

import (
	"fmt"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

// deviceExtras are the toolchain-drift subcommands of `opsdeck devices`
// (devices.go hooks them in with resource.extra). A package-level value,
// not an init-time append, because devices.go's init may run first.
var deviceExtras = []func(*Env) *cobra.Command{baselineCommand, driftCommand, complianceCommand}

func baselineCommand(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "baseline", Short: "The team's expected tool versions (toolchain drift)"}
	set := &cobra.Command{
		Use:   "set TOOL CONSTRAINT",
		Short: "Expect TOOL's version in CONSTRAINT (semver range)",
		Long: `Set the expected version range of a tool. Ranges use semver syntax:
  opsdeck devices baseline set go ">=1.25 <1.27"
  opsdeck devices baseline set gcc "12.*"
  opsdeck devices baseline set node "~22"`,
		Args: cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			s, err := env.Open()
			if err != nil {
				return err
			}
			b := model.Baseline{Name: args[0], Constraint: args[1]}
			if err := s.Write(c.Context(), env.Actor, func(t *store.Tx) error { return t.SetBaseline(&b) }); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "baseline: %s %s\n", b.Name, b.Constraint)
			return nil
		},
	}
	unset := &cobra.Command{
		Use: "unset TOOL", Short: "Stop checking TOOL", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			s, err := env.Open()
			if err != nil {
				return err
			}
			if err := s.Write(c.Context(), env.Actor, func(t *store.Tx) error { return t.UnsetBaseline(args[0]) }); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "baseline: %s removed\n", model.CanonicalTool(args[0]))
			return nil
		},
	}
	list := lister[model.Baseline]{short: "List the baseline",
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.Baseline, error) {
			return s.ListBaseline(c.Context())
		},
		header: []string{"tool", "constraint", "updated"},
		row: func(b model.Baseline, _ *names) []string {
			at := b.UpdatedAt
			return []string{b.Name, b.Constraint, "set " + env.ago(&at)}
		}}.command(env)
	cmd.AddCommand(set, unset, list)
	return cmd
}

func driftCommand(env *Env) *cobra.Command {
	var base []model.Baseline
	var devs []model.DeviceSoftware
	return lister[model.DriftRow]{use: "drift",
		short: "Compare each device's reported tools with the baseline",
		long: `Per device and baseline tool: ok, outdated (below the range), ahead (above it),
missing (the device reported, but not this tool) or unknown (a version opsdeck cannot
read), with how long ago it was reported. Devices report with
scripts/collect-toolchain.sh and 'opsdeck import software FILE'.`,
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.DriftRow, error) {
			var err error
			if base, err = s.ListBaseline(c.Context()); err != nil {
				return nil, err
			}
			if devs, err = s.AllSoftware(c.Context()); err != nil {
				return nil, err
			}
			return model.Drift(base, devs, env.now()), nil
		},
		print: func(_ *cobra.Command, _ *store.Store, rows []model.DriftRow) error {
			if len(base) == 0 {
				fmt.Fprintln(env.Stdout, `no baseline yet: opsdeck devices baseline set go ">=1.25 <1.27"`)
				return nil
			}
			out := make([][]string, len(rows))
			for i, r := range rows {
				out[i] = []string{r.AssetTag, r.Device, orDash(r.Holder), r.Tool, orDash(r.Version), r.Constraint, strings.ToUpper(r.Status), r.Reported}
			}
			if err := env.printTable([]string{"asset_tag", "device", "holder", "tool", "version", "baseline", "status", "reported"}, out); err != nil {
				return err
			}
			var never []string
			for _, d := range devs {
				if len(d.Tools) == 0 {
					never = append(never, d.AssetTag)
				}
			}
			fmt.Fprintf(env.Stdout, "\n%d of %d reporting devices drift from the baseline\n", driftingDevices(rows), len(devs)-len(never))
			if len(never) > 0 {
				fmt.Fprintf(env.Stdout, "%d devices never reported software: %s\n", len(never), model.Truncate(strings.Join(never, ", "), 200))
			}
			return nil
		}}.command(env)
}

func driftingDevices(rows []model.DriftRow) int {
	seen := map[int64]bool{}
	for _, r := range rows {
		if r.Status != model.DriftOK {
			seen[r.DeviceID] = true
		}
	}
	return len(seen)
}
