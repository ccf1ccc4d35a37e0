package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// View draws the whole screen; it is the only View that returns tea.View.
func (a *app) View() tea.View {
	v := tea.NewView(a.render())
	v.AltScreen = true
	if !a.opts.NoMouse {
		v.MouseMode = tea.MouseModeCellMotion // wheel and clicks; shift+drag still selects text
	}
	v.WindowTitle = "opsdeck"
	return v
}

func (a *app) render() string {
	w, h := a.width, a.height
	if w <= 0 || h <= 0 {
		return ""
	}
	st := a.styles
	if w < minWidth || h < minHeight {
		msg := fmt.Sprintf("terminal too small: %d×%d, opsdeck needs at least %d×%d", w, h, minWidth, minHeight)
		lines := strings.Split(ansi.Wrap(msg, w, ""), "\n")
		if len(lines) > h {
			lines = lines[:h]
		}
		return st.Warn.Render(strings.Join(lines, "\n"))
	}
	bh := a.bodyHeight()
	var body string
	switch a.mode {
	case modeHelp:
		body = a.helpView()
	case modeForm:
		body = a.form.View()
	case modeConfirm:
		body = lipgloss.Place(w, bh, lipgloss.Center, lipgloss.Center, a.confirm.View())
	default:
		if p := a.top(); p != nil {
			switch {
			case p.screen != nil:
				body = p.screen.View()
			case p.err != nil:
				body = st.Error.Render("could not load: ") + st.Text.Render(p.err.Error())
			case !p.loaded:
				body = st.Muted.Render("loading…")
			default:
				body = p.view.View()
			}
		} else {
			body = a.tab().View()
			if a.wide() {
				body = a.withSide(body)
			}
		}
	}
	if pn := a.openPanel(); pn != nil && a.mode == modePanel {
		// The panel covers the bottom of the body.
		lines := strings.Split(fit(body, w, bh), "\n")
		body = strings.Join(append(lines[:max(bh-pn.PanelHeight(), 0)], pn.PanelView()), "\n")
	}
	return fit(strings.Join([]string{a.tabBar(), a.crumbs(), fit(body, w, bh), a.promptLine(), a.statusLine()}, "\n"), w, h)
}

// fit makes s exactly h lines of at most w cells, so the frame never
// scrolls or leaves stale lines behind.
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// tabLabel is tab i's label. When the full labels do not fit, inactive
// tabs shrink to their number one at a time, the farthest from the active
// tab first, so a narrow terminal keeps as many names as fit.
func (a *app) tabLabel(i int) string {
	k := tabDefs[i].key
	if k == "" { // no number key: the name's first letter stands for it
		if a.tabCompact()[i] {
			return fmt.Sprintf(" %s ", string([]rune(a.tabs[i].Name())[:1]))
		}
		return fmt.Sprintf(" %s ", a.tabs[i].Name())
	}
	if a.tabCompact()[i] {
		return fmt.Sprintf(" %s ", k)
	}
	return fmt.Sprintf(" %s %s ", k, a.tabs[i].Name())
}

// tabCompact says which tabs show only their number.
func (a *app) tabCompact() []bool {
	n := len(a.tabs)
	compact := make([]bool, n)
	width := n - 1 // the gaps
	for i := range a.tabs {
		width += ansi.StringWidth(a.tabs[i].Name()) + 4
	}
	order := make([]int, 0, n)
	for i := range a.tabs {
		if i != a.active {
			order = append(order, i)
		}
	}
	dist := func(i int) int { return max(i-a.active, a.active-i) }
	slices.SortStableFunc(order, func(x, y int) int {
		if d := dist(y) - dist(x); d != 0 {
			return d
		}
		return y - x
	})
	for _, i := range order {
		if width <= a.width {
			break
		}
		compact[i] = true
		width -= ansi.StringWidth(a.tabs[i].Name()) + 1
	}
	return compact
}

func (a *app) tabBar() string {
	st := a.styles
	var parts []string
	for i := range a.tabs {
		if i == a.active {
			parts = append(parts, st.TabActive.Render(a.tabLabel(i)))
		} else {
			parts = append(parts, st.Tab.Render(a.tabLabel(i)))
		}
	}
	bar := strings.Join(parts, " ")
	brand := st.Title.Render("opsdeck ")
	if gap := a.width - ansi.StringWidth(bar) - ansi.StringWidth(brand); gap > 0 {
		bar += strings.Repeat(" ", gap) + brand
	}
	return ansi.Truncate(bar, a.width, "")
}

// crumbs is the breadcrumb: tab › record › record, and the active filter.
func (a *app) crumbs() string {
	st := a.styles
	parts := []string{st.Accent.Render(a.tab().Name())}
	for _, p := range a.stack {
		name := p.view.Data().Title
		if p.screen != nil {
			name = p.screen.Title()
		}
		if name == "" {
			name = fmt.Sprintf("%s %d", p.link.Kind, p.link.ID)
		}
		parts = append(parts, st.Text.Render(ansi.Truncate(name, 30, "…")))
	}
	line := strings.Join(parts, st.Muted.Render(" › "))
	if f, ok := a.tab().(Filterable); ok && len(a.stack) == 0 {
		if q, fz := f.Filter(); q != "" && a.mode != modeFilter {
			line += st.Muted.Render("  filter ") + st.Match.Render("/"+q) + st.Muted.Render(" ("+modeName(fz)+", esc clears)")
		}
	}
	// Where the cursor is, k9s-style, at the right end of the line.
	if pt, ok := a.tab().(positioner); ok && len(a.stack) == 0 && a.mode != modeForm {
		if cur, n := pt.Position(); n > 0 {
			pos := st.Muted.Render(fmt.Sprintf("%s of %s", thousands(cur), thousands(n)))
			if gap := a.width - ansi.StringWidth(line) - ansi.StringWidth(pos); gap >= 2 {
				line += strings.Repeat(" ", gap) + pos
			}
		}
	}
	return ansi.Truncate(line, a.width, "…")
}

func modeName(fuzzy bool) string {
	if fuzzy {
		return "fuzzy"
	}
	return "substring"
}

// promptLine is the filter or command input while typing, else a message
// or the short help.
func (a *app) promptLine() string {
	st := a.styles
	switch a.mode {
	case modeCommand:
		return a.cmdline.View()
	case modeFilter:
		f, _ := a.tab().(Filterable)
		_, fz := f.Filter()
		return ansi.Truncate(a.filter.View()+st.Muted.Render("  "+modeName(fz)+" · ctrl+t toggles · enter keeps · esc clears"), a.width, "…")
	}
	if a.flash != "" {
		s := st.OK
		if a.flashErr {
			s = st.Error
		}
		return s.Render(ansi.Truncate(a.flash, a.width, "…"))
	}
	switch a.mode {
	case modeForm:
		return a.help.ShortHelpView(a.form.Keys.ShortHelp())
	case modeConfirm:
		return a.help.ShortHelpView(a.confirm.Keys.ShortHelp())
	case modeHelp:
		return st.Muted.Render("any key closes the help")
	case modePanel:
		if pn := a.openPanel(); pn != nil {
			return a.help.ShortHelpView(pn.PanelKeys().ShortHelp())
		}
	}
	keys := a.hintKeys()
	if a.top() != nil {
		keys = append([]key.Binding{a.keys.Back}, keys...)
	}
	if s := a.screenOnTop(); s != nil {
		keys = append(s.KeyMap().ShortHelp(), a.keys.Back, a.keys.Help, a.keys.Quit)
	}
	return a.help.ShortHelpView(keys)
}

func (a *app) statusLine() string {
	modeBadge := map[mode]string{modeNormal: "NORMAL", modeFilter: "FILTER", modeCommand: "COMMAND", modeForm: "EDIT", modeConfirm: "CONFIRM", modeHelp: "HELP"}
	a.status.Mode = modeBadge[a.mode]
	if pn := a.openPanel(); pn != nil && a.mode == modePanel {
		a.status.Mode = pn.Badge()
	}
	if s := a.screenOnTop(); s != nil && s.Capturing() && a.mode == modeNormal {
		a.status.Mode = "EDIT"
	}
	who := a.env.Actor.String()
	if a.env.Actor.Kind != "local" {
		who += " (" + a.env.Actor.Role + ")"
	}
	a.status.Left = []string{who}
	if a.opts.Others != nil {
		if others := a.opts.Others(); len(others) > 0 {
			a.status.Left = append(a.status.Left, "also here: "+strings.Join(others, ", "))
		}
	}
	if !a.env.Remote { // a remote session must not learn the server's paths
		a.status.Left = append(a.status.Left, a.env.Store.Path())
	}
	shown, total := a.tab().Counts()
	count := a.tab().Name() + " " + thousands(total)
	if shown != total {
		count = a.tab().Name() + " " + thousands(shown) + "/" + thousands(total)
	}
	a.status.Right = nil
	for _, p := range a.parts {
		a.status.Right = append(a.status.Right, p.Status()...)
	}
	a.status.Right = append(a.status.Right, count, a.freshness())
	if s := a.alertStatus(); s != "" {
		a.status.Right = append([]string{s}, a.status.Right...)
	}
	return a.status.View()
}

// freshness says how current the screen is: "live" while polls succeed.
func (a *app) freshness() string {
	switch {
	case a.syncErr != nil:
		return "db error: " + ansi.Truncate(a.syncErr.Error(), 30, "…")
	case a.syncedAt.IsZero():
		return "connecting…"
	}
	age := a.env.Clock.Since(a.syncedAt)
	if age < 3*pollEvery {
		return "live"
	}
	return fmt.Sprintf("stale %ds", int(age.Seconds()))
}

// helpView lists every binding of the shell, the active tab (or detail
// page) and its components, packed into as many columns as fit.
func (a *app) helpView() string {
	st := a.styles
	groups := a.shellHelp()
	var tabKeys help.KeyMap = a.tab().KeyMap()
	if p := a.top(); p != nil {
		tabKeys = p.view.Keys
		if p.screen != nil {
			tabKeys = p.screen.KeyMap()
		}
	}
	groups = append(groups, tabKeys.FullHelp()...)
	if acts := a.activeActions(false); len(acts) > 0 { // what the features bind here
		groups = append(groups, acts)
	}
	var cols [][]string
	for _, g := range groups {
		kw := 0
		for _, b := range g {
			if b.Enabled() {
				kw = max(kw, ansi.StringWidth(b.Help().Key))
			}
		}
		var col []string
		for _, b := range g {
			if !b.Enabled() || b.Help().Key == "" {
				continue
			}
			k := b.Help().Key
			col = append(col, st.Accent.Render(k+strings.Repeat(" ", kw-ansi.StringWidth(k)))+"  "+st.Text.Render(b.Help().Desc))
		}
		if len(col) > 0 {
			cols = append(cols, col)
		}
	}
	var b strings.Builder
	b.WriteString(st.Title.Render("Keys"))
	if d := tabDefs[a.active]; d.help != "" {
		b.WriteString(st.Muted.Render("  " + d.name + ": " + d.help))
	}
	b.WriteString("\n\n")
	for len(cols) > 0 { // pack columns left to right, wrapping to new rows
		row, used := [][]string{}, 0
		for len(cols) > 0 {
			w := 0
			for _, l := range cols[0] {
				w = max(w, ansi.StringWidth(l))
			}
			if len(row) > 0 && used+w+4 > a.width {
				break
			}
			padded := make([]string, len(cols[0]))
			for i, l := range cols[0] {
				padded[i] = l + strings.Repeat(" ", w-ansi.StringWidth(l)+4)
			}
			row, used, cols = append(row, padded), used+w+4, cols[1:]
		}
		strs := make([]string, len(row))
		for i, c := range row {
			strs[i] = strings.Join(c, "\n")
		}
		b.WriteString(lipgloss.JoinHorizontal(lipgloss.Top, strs...) + "\n\n")
	}
	b.WriteString(st.Title.Render("Commands") + "\n")
	b.WriteString(st.Text.Render(strings.Join(a.commandHelp(), "\n")))
	return b.String()
}

// commandHelp is the "?" commands section, from the registries: the tabs'
// words, then each command's usage, packed two to a line.
func (a *app) commandHelp() []string {
	var tabs []string
	for _, d := range tabDefs {
		tabs = append(tabs, ":"+d.name)
	}
	lines := []string{strings.Join(tabs, " ") + "  jump (any unique prefix)"}
	usages := []string{":dev kristen   jump and filter"}
	for _, d := range commandDefs {
		if d.usage != "" {
			usages = append(usages, d.usage)
		}
	}
	for i := 0; i < len(usages); i += 2 {
		line := usages[i]
		if i+1 < len(usages) {
			line += "    " + usages[i+1]
		}
		lines = append(lines, line)
	}
	return append(lines, "mouse: wheel scrolls, click selects, click again opens, click a tab to switch")
}

// thousands formats n as 100,020.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
