package cli

import (
	"fmt"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

// complianceCommand is `opsdeck devices compliance`: every workstation
// judged against the policy (model.Compliance). It exits 1 when any device
// fails, so a script can gate on it.
func complianceCommand(env *Env) *cobra.Command {
	var failing, asJSON bool
	c := &cobra.Command{Use: "compliance", Short: "Judge every laptop and desktop against the compliance policy (exits 1 when any fails)",
		Long: `Judge each device the policy covers: disk encrypted, endpoint protection present, OS
patch level recent enough, seen recently, toolchain without drift, not held by someone
leaving or gone. Inputs come from the device's fields and from osquery results through
'opsdeck import software' (disk_encryption, os_version, programs/deb_packages/homebrew_packages).
Exits 1 when any device fails a rule. Edit the rules with 'opsdeck devices compliance policy set'.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			s, err := env.Open()
			if err != nil {
				return err
			}
			list, err := ops.Compliance(c.Context(), s)
			if err != nil {
				return err
			}
			nFail := 0
			shown := []model.DeviceCompliance{}
			for _, d := range list {
				if d.Failing {
					nFail++
				}
				if !failing || d.Failing {
					shown = append(shown, d)
				}
			}
			if asJSON {
				err = env.printJSON(shown)
			} else {
				err = printCompliance(env, shown)
			}
			if err != nil {
				return err
			}
			if nFail > 0 {
				return fmt.Errorf("%d of %d devices fail compliance", nFail, len(list))
			}
			return nil
		}}
	c.Flags().BoolVar(&failing, "failing", false, "only devices that fail a rule")
	c.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	c.AddCommand(policyCommand(env))
	return c
}

func printCompliance(env *Env, list []model.DeviceCompliance) error {
	if len(list) == 0 {
		fmt.Fprintln(env.Stderr, "no device to show (the policy covers: "+model.DefaultCompliancePolicy.Kinds+" unless edited)")
	}
	rows := make([][]string, 0, len(list))
	for _, d := range list {
		result, why, since := "PASS", []string{}, "-"
		for _, v := range d.Verdicts {
			switch {
			case v.Status == model.VerdictFail:
				result = "FAIL"
				why = append(why, v.Rule+": "+v.Detail)
				if v.Since != nil {
					since = env.ago(v.Since)
				}
			case v.Status == model.VerdictUnknown && result == "PASS":
				result = "UNKNOWN"
			}
		}
		if result == "UNKNOWN" {
			for _, v := range d.Verdicts {
				if v.Status == model.VerdictUnknown {
					why = append(why, v.Rule+": "+v.Detail)
				}
			}
		}
		rows = append(rows, []string{d.AssetTag, d.Name, orDash(d.Holder), result, orDash(strings.Join(why, "; ")), since})
	}
	return env.printTable([]string{"asset_tag", "name", "holder", "result", "rules", "failing_since"}, rows)
}

// policyCommand shows and edits the compliance policy; its flags come
// from model.CompliancePolicyFields.
func policyCommand(env *Env) *cobra.Command {
	show := readOnly(&cobra.Command{Use: "policy", Short: "Show the compliance policy", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			s, err := env.Open()
			if err != nil {
				return err
			}
			p, err := s.CompliancePolicy(c.Context())
			if err != nil {
				return err
			}
			if j, _ := c.Flags().GetBool("json"); j {
				return env.printJSON(p)
			}
			return env.printKV(policyKV(p))
		}})
	show.Flags().Bool("json", false, "print a JSON object")
	fields := tableFields(model.CompliancePolicyFields)
	set := &cobra.Command{Use: "set", Short: "Change rules of the compliance policy (only the flags given)", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			var after model.CompliancePolicy
			_, err := env.write(c.Context(), func(t *store.Tx) error {
				var err error
				_, after, err = t.SetCompliancePolicy(func(p *model.CompliancePolicy) error { return applyFields(c, t, p, fields) })
				return err
			})
			if err != nil {
				return err
			}
			return env.printKV(policyKV(after))
		}}
	addFlags(set, fields)
	show.AddCommand(set)
	return show
}

func policyKV(p model.CompliancePolicy) [][2]string {
	var kv [][2]string
	for _, f := range model.CompliancePolicyFields {
		kv = append(kv, [2]string{f.Name, f.Get(&p)})
	}
	return kv
}
