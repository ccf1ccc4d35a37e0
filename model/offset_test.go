package model

import (
	"fmt"
	"hash/fnv"
	"testing"
	"time"
)

// TestOffsetKeepsPhases pins Offset's inline FNV-1a to the hash/fnv form it
// replaced: a changed phase would move every check's beat after an upgrade.
func TestOffsetKeepsPhases(t *testing.T) {
	old := func(id int64, iv time.Duration) time.Duration {
		ms := int64(iv / time.Millisecond)
		h := fnv.New64a()
		fmt.Fprintf(h, "checks-%d", id/OffsetBlock)
		phase := int64(h.Sum64()%uint64(ms)) + id%OffsetBlock*max(1, ms/4096)
		return time.Duration(phase%ms) * time.Millisecond
	}
	for _, iv := range []time.Duration{time.Second, 30 * time.Second, time.Hour} {
		for _, id := range []int64{0, 1, 7, 8, 9, 12345, 49999, 1 << 40} {
			if got, want := Offset(id, iv), old(id, iv); got != want {
				t.Errorf("Offset(%d, %s) = %s, want %s", id, iv, got, want)
			}
		}
	}
	if a := testing.AllocsPerRun(100, func() { Offset(12345, 30*time.Second) }); a != 0 {
		t.Errorf("Offset allocates %v times per call, want 0", a)
	}
}
