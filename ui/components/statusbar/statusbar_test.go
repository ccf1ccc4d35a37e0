package statusbar

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/themes"
)

func TestNarrowBarKeepsCountsAndFreshness(t *testing.T) {
	st := themes.NewStyles(themes.Mono())
	m := New(&st)
	m.Mode, m.Left, m.Right = "NORMAL", []string{"local:oscar", "/very/long/path/to/the/opsdeck.db"}, []string{"people 20", "live"}
	for _, w := range []int{120, 60, 40, 10} {
		m.SetSize(w)
		v := ansi.Strip(m.View())
		if ansi.StringWidth(v) != w {
			t.Fatalf("width %d: %d cells %q", w, ansi.StringWidth(v), v)
		}
		if w >= 40 && !strings.Contains(v, "people 20 │ live") {
			t.Fatalf("width %d lost the counts: %q", w, v)
		}
	}
}
