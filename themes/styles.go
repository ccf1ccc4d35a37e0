package themes

import "charm.land/lipgloss/v2"

// Styles are the Lip Gloss styles every console component draws with.
type Styles struct {
	Theme     Theme
	Text      lipgloss.Style
	Muted     lipgloss.Style
	Accent    lipgloss.Style
	Title     lipgloss.Style
	Tab       lipgloss.Style
	TabActive lipgloss.Style
	Header    lipgloss.Style
	Selected  lipgloss.Style
	OK        lipgloss.Style
	Warn      lipgloss.Style
	Error     lipgloss.Style
	Status    lipgloss.Style
	StatusKey lipgloss.Style
	Match     lipgloss.Style
	Dialog    lipgloss.Style
	// roles are the state roles' styles (state.go).
	roles map[string]lipgloss.Style
}

// NewStyles derives the console's styles from t.
func NewStyles(t Theme) Styles {
	s := lipgloss.NewStyle
	if t.Mono {
		return Styles{roles: roleStyles(t),
			Theme: t, Text: s(), Muted: s().Faint(true), Accent: s().Bold(true), Title: s().Bold(true),
			Tab: s(), TabActive: s().Reverse(true).Bold(true), Header: s().Bold(true).Underline(true),
			Selected: s().Reverse(true), OK: s(), Warn: s().Bold(true), Error: s().Bold(true),
			Status: s().Reverse(true), StatusKey: s().Reverse(true).Bold(true), Match: s().Underline(true),
			Dialog: s().Border(lipgloss.NormalBorder()).Padding(0, 1),
		}
	}
	c := lipgloss.Color
	return Styles{
		roles:     roleStyles(t),
		Theme:     t,
		Text:      s().Foreground(c(t.Text)),
		Muted:     s().Foreground(c(t.Muted)),
		Accent:    s().Foreground(c(t.Accent)).Bold(true),
		Title:     s().Foreground(c(t.Title)).Bold(true),
		Tab:       s().Foreground(c(t.Muted)),
		TabActive: s().Foreground(c(t.TabActiveFg)).Background(c(t.TabActiveBg)).Bold(true),
		Header:    s().Foreground(c(t.Header)).Bold(true),
		Selected:  s().Foreground(c(t.SelectedFg)).Background(c(t.SelectedBg)).Bold(true),
		OK:        s().Foreground(c(t.OK)),
		Warn:      s().Foreground(c(t.Warn)),
		Error:     s().Foreground(c(t.Error)).Bold(true),
		Status:    s().Foreground(c(t.StatusFg)).Background(c(t.StatusBg)),
		StatusKey: s().Foreground(c(t.TabActiveFg)).Background(c(t.TabActiveBg)).Bold(true),
		Match:     s().Foreground(c(t.Match)).Bold(true),
		Dialog:    s().Border(lipgloss.RoundedBorder()).BorderForeground(c(t.Accent)).Padding(0, 1),
	}
}
