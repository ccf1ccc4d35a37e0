package checks

import (
	"testing"

	"github.com/opsdeck/opsdeck/model"
)

// TestEveryKindHasOneProber ties the two halves of a check kind: each kind
// in model's table is probed here or judged (heartbeat), and nothing is
// probed that model does not know.
func TestEveryKindHasOneProber(t *testing.T) {
	known := map[string]bool{}
	for _, k := range model.AllCheckKinds() {
		known[k.Name] = true
		_, probed := probers[k.Name]
		if probed == k.Judged {
			t.Errorf("kind %s: probed %v, judged %v — exactly one must hold", k.Name, probed, k.Judged)
		}
	}
	for name := range probers {
		if !known[name] {
			t.Errorf("prober %q has no kind in model's table", name)
		}
	}
}
