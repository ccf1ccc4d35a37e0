package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/agnivade/levenshtein"
	"github.com/opsdeck/opsdeck/model"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// renamedFlags maps an old flag name, after normalizeFlag's kebab-casing,
// to its new name where a field table gives the flag another name than
// the field's: durations lost their unit suffix (interval_s is --interval).
var renamedFlags = func() map[string]string {
	m := map[string]string{}
	for _, specs := range [][]model.FieldSpec{model.CheckFields.Specs(), model.ChannelFields.Specs(), model.SharedSecretFields.Specs(),
		model.PersonFields.Specs(), model.DeviceFields.Specs(), model.ServiceFields.Specs(), model.AccountFields.Specs()} {
		for _, f := range specs {
			if old := strings.ReplaceAll(f.OldFlagName(), "_", "-"); old != f.FlagName() {
				m[old] = f.FlagName()
			}
		}
	}
	return m
}()

// normalizeFlag is the root's one global pflag normalisation: flags are
// kebab-case (--asset-tag, --fail-threshold), as in kubectl and gh, and
// the snake_case names scripts used before (--asset_tag, --interval_s)
// still parse as the new ones. pflag applies it when a flag is declared
// (so help shows only the new names) and when one is looked up or parsed.
func normalizeFlag(_ *pflag.FlagSet, name string) pflag.NormalizedName {
	name = strings.ReplaceAll(name, "_", "-")
	if to, ok := renamedFlags[name]; ok {
		name = to
	}
	return pflag.NormalizedName(name)
}

// flagHint names the flag that fixes a bad-value error, when cmd has one
// and the line does not say it already: a required value left out, or a
// record field named otherwise than its flag (interval_s → --interval).
func flagHint(cmd *cobra.Command, err error) string {
	fe, ok := model.AsFieldError(err)
	if cmd == nil || !ok || fe.Field == "" {
		return ""
	}
	f := cmd.Flags().Lookup(fe.Field)
	if f == nil || f.Hidden || strings.Contains(err.Error(), "--"+f.Name) {
		return ""
	}
	if strings.TrimSpace(fe.Value) != "" && f.Name == strings.ReplaceAll(fe.Field, "_", "-") {
		return ""
	}
	return " (use --" + f.Name + ")"
}

// unknownVerb makes a noun (a command with subcommands) refuse a verb it
// does not have, non-zero and with cobra's "did you mean", instead of
// printing its help and succeeding. Without a verb it prints the help
// (nouns that list are given "list" by defaultToList before this runs).
func unknownVerb(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return c.Help()
	}
	msg := "unknown command \"" + args[0] + "\" for \"" + c.CommandPath() + "\""
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2 // cobra's default, applied only on its own path
	}
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(quoteAll(s), " or ") + "?"
	}
	if !c.HasParent() {
		return errors.New(msg + " (see 'opsdeck --help')")
	}
	var verbs []string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			verbs = append(verbs, sub.Name())
		}
	}
	return errors.New(msg + " (verbs: " + strings.Join(verbs, ", ") + "; see '" + c.CommandPath() + " --help')")
}

// explainArgs makes every command that checks its arguments say, when
// they are wrong, what it takes: "accepts 1 arg(s), received 0 (usage:
// opsdeck secrets rotated NAME [flags])".
func explainArgs(c *cobra.Command) {
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return fmt.Errorf("%w (usage: %s)", err, cmd.UseLine())
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		explainArgs(sub)
	}
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = "\"" + v + "\""
	}
	return out
}

// refuseUnknownVerbs gives every noun below c the unknownVerb behaviour.
func refuseUnknownVerbs(c *cobra.Command) {
	for _, sub := range c.Commands() {
		if !sub.HasSubCommands() {
			continue
		}
		if sub.Run == nil && sub.RunE == nil {
			sub.RunE = unknownVerb
		}
		refuseUnknownVerbs(sub)
	}
}

// unknownFlag adds the nearest flag to pflag's "unknown flag: --intervl"
// ("; did you mean --interval?"), as cobra does for commands.
func unknownFlag(c *cobra.Command, err error) error {
	const prefix = "unknown flag: --"
	typed, ok := strings.CutPrefix(err.Error(), prefix)
	if !ok {
		return err
	}
	typed = string(normalizeFlag(nil, typed))
	best, bestDist := "", 3 // at most two edits away, as cobra's suggestions
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if d := levenshtein.ComputeDistance(typed, f.Name); !f.Hidden && d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	if best == "" {
		return err
	}
	return fmt.Errorf("%w; did you mean --%s?", err, best)
}
