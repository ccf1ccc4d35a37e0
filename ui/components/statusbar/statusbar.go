// Package statusbar is the bottom line: who and where on the left, counts
// and freshness on the right. Segments that do not fit are dropped from
// the left side first, so counts and freshness stay visible.
package statusbar

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/themes"
)

// Model is the status bar.
type Model struct {
	styles *themes.Styles
	width  int
	// Mode is a short badge (NORMAL, FILTER, ...); Left and Right segments.
	Mode        string
	Left, Right []string
}

// New makes a status bar.
func New(st *themes.Styles) Model { return Model{styles: st} }

// SetSize sets the width.
func (m *Model) SetSize(w int) { m.width = w }

// View renders one line exactly m.width wide.
func (m Model) View() string {
	if m.width <= 0 {
		return ""
	}
	st := m.styles
	mode := ""
	if m.Mode != "" {
		mode = " " + m.Mode + " "
	}
	right := " " + strings.Join(m.Right, " │ ") + " "
	left := append([]string(nil), m.Left...)
	room := m.width - ansi.StringWidth(mode) - ansi.StringWidth(right)
	l := " " + strings.Join(left, " │ ")
	for len(left) > 0 && ansi.StringWidth(l) > room {
		left = left[:len(left)-1]
		l = " " + strings.Join(left, " │ ")
	}
	if room < 0 {
		right = ansi.Truncate(right, max(m.width-ansi.StringWidth(mode), 0), "…")
		l = ""
	}
	gap := max(m.width-ansi.StringWidth(mode)-ansi.StringWidth(l)-ansi.StringWidth(right), 0)
	return ansi.Truncate(st.StatusKey.Render(mode)+st.Status.Render(l+strings.Repeat(" ", gap)+right), m.width, "")
}
