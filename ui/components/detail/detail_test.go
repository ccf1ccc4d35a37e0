package detail

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/themes"
)

var down = tea.KeyPressMsg{Code: tea.KeyDown}

func TestLinksThenScrollPastThem(t *testing.T) {
	st := themes.NewStyles(themes.Mono())
	m := New(&st)
	m.SetSize(60, 8)
	var hist []Row
	for i := range 20 {
		hist = append(hist, Row{Text: fmt.Sprintf("change %d", i)})
	}
	m.SetData(Data{Title: "Kristen", Fields: [][2]string{{"email", "k@example.com"}}, Sections: []Section{
		{Title: "Devices", Rows: []Row{{Text: "LT-007", Link: &Link{"device", 7}}, {Text: "LT-008", Link: &Link{"device", 8}}}},
		{Title: "History", Rows: hist},
	}})
	if l := m.Selected(); l == nil || l.ID != 7 {
		t.Fatalf("first link: %v", l)
	}
	m, _ = m.Update(down)
	if l := m.Selected(); l == nil || l.ID != 8 {
		t.Fatalf("second link: %v", l)
	}
	for range 30 {
		m, _ = m.Update(down)
	}
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "change 19") {
		t.Fatalf("could not scroll to the end:\n%s", v)
	}
	if m.Selected() != nil {
		t.Fatal("enter would follow a link that is scrolled away")
	}
	if n := strings.Count(v, "\n") + 1; n > 8 {
		t.Fatalf("%d lines in 8", n)
	}
}
