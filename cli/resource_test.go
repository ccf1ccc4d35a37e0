package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdeck/opsdeck/model"
)

// A kind's add and edit flags are its field table: one kebab-case flag per
// field, the table's usage, and the old snake_case spelling still parses.
func TestFlagsComeFromTheFieldTable(t *testing.T) {
	root := NewRoot(&Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, DBPath: filepath.Join(t.TempDir(), "x.db")})
	for noun, specs := range model.ImportSpecs {
		for _, verb := range []string{"add", "edit"} {
			cmd, _, err := root.Find([]string{noun, verb})
			if err != nil {
				t.Fatalf("%s %s: %v", noun, verb, err)
			}
			for _, f := range specs {
				fl := cmd.Flags().Lookup(f.FlagName())
				if fl == nil {
					t.Errorf("%s %s: no --%s", noun, verb, f.FlagName())
					continue
				}
				if fl.Name != f.FlagName() || strings.Contains(fl.Name, "_") || fl.Usage != f.Usage() {
					t.Errorf("%s %s --%s: name %q usage %q", noun, verb, f.FlagName(), fl.Name, fl.Usage)
				}
				if strings.Contains(f.Name, "_") {
					if err := cmd.Flags().Parse([]string{"--" + f.Name + "=x"}); err != nil || !cmd.Flags().Changed(f.FlagName()) {
						t.Errorf("%s %s: old spelling --%s not accepted: %v", noun, verb, f.Name, err)
					}
				}
			}
		}
	}
}
