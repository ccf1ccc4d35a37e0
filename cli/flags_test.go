package cli

import (
	"testing"

	"github.com/opsdeck/opsdeck/model"
)

// A field whose table renames its flag (interval_s is --interval) keeps
// its old spelling through the one normalizer, in snake and kebab case.
func TestRenamedFlagsComeFromTheTables(t *testing.T) {
	renamed := 0
	for _, f := range model.CheckFields.Specs() {
		if f.Flag == "" {
			continue
		}
		renamed++
		for _, old := range []string{f.Name, f.FlagName() + "-s"} {
			if got := string(normalizeFlag(nil, old)); got != f.FlagName() {
				t.Errorf("normalizeFlag(%q) = %q, want %q", old, got, f.FlagName())
			}
		}
	}
	if renamed < 3 {
		t.Errorf("%d renamed check flags, want interval, timeout and grace at least", renamed)
	}
	if got := string(normalizeFlag(nil, "asset_tag")); got != "asset-tag" {
		t.Errorf("normalizeFlag(asset_tag) = %q", got)
	}
}
