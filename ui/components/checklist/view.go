package checklist

// Drawing: a header with the progress bar, the steps, the selected step's
// detail (and procedure) and the question or last result.

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/model"
)

// listHeight is how many step lines fit: the header takes three lines, the
// selected step's details four or five (dropped on short terminals) and the
// prompt one.
func (m Model) listHeight() int { return max(m.h-4-m.detailHeight(), 1) }

func (m Model) detailHeight() int {
	switch {
	case m.h < 14:
		return 0
	case m.h >= 16 && m.hasProcedures():
		return 5
	}
	return 4
}

func (m Model) hasProcedures() bool {
	for _, s := range m.steps {
		if s.Procedure != "" || s.Link != "" {
			return true
		}
	}
	return false
}

// StateMarks are how a state reads in a row.
var StateMarks = map[string]string{
	model.StateOpen: "[ ] open", model.StateDone: "[x] done", model.StateSkipped: "[-] skipped", model.StateBlocked: "[!] blocked",
}

// View draws the checklist in its size.
func (m Model) View() string {
	st := m.styles
	if !m.loaded {
		return st.Muted.Render("loading the checklist…")
	}
	w := m.w
	p := model.CountChecklist(m.steps)
	statusStyle := st.Muted
	if m.header.Completed {
		statusStyle = st.OK
	}
	lines := []string{
		st.Title.Render(ansi.Truncate(m.header.Title, w, "…")),
		st.Muted.Render(ansi.Truncate(m.header.Sub, w, "…")),
		ansi.Truncate(st.Accent.Render(p.Bar(max(min(w/4, 30), 5)))+statusStyle.Render("  "+m.header.Status), w, "…"),
	}
	rows := m.listHeight()
	cols := m.columns()
	for i := m.offset; i < min(m.offset+rows, len(m.steps)); i++ {
		lines = append(lines, m.stepLine(m.steps[i], i == m.cursor, cols))
	}
	if len(m.steps) == 0 {
		lines = append(lines, st.Muted.Render(m.Empty))
	}
	for len(lines) < 3+rows {
		lines = append(lines, "")
	}
	var bottom []string
	if m.detailHeight() > 0 {
		bottom = m.detailLines()
	}
	bottom = append(bottom, m.promptLine())
	m.placeFlash(bottom)
	return strings.Join(append(lines, bottom...), "\n")
}

// StatusLine is the usual header status: the counts by state, or who
// completed it when (and why, if forced).
func StatusLine(p model.Progress, completedAt *time.Time, completedBy string, forced bool, reason string) string {
	if completedAt == nil {
		return fmt.Sprintf("done %d · skipped %d · blocked %d · open %d", p.Done, p.Skipped, p.Blocked, p.Open)
	}
	s := fmt.Sprintf("completed %s by %s", completedAt.Local().Format("2006-01-02 15:04"), completedBy)
	if forced {
		s += " (forced: " + reason + ")"
	}
	return s
}

// placeFlash writes the last result or error over the bottom lines: the
// prompt line when no question is open (wrapping into the notes line above
// when long), else the notes line, so a refusal is never cut off.
func (m Model) placeFlash(bottom []string) {
	if m.flash == "" {
		return
	}
	st := m.styles
	style := st.OK
	if m.flashErr {
		style = st.Error
	}
	msg := strings.Split(ansi.Wrap(m.flash, max(m.w, 10), " "), "\n")
	n := len(bottom)
	switch {
	case n == 1 && m.asking != "": // no room: the question wins
	case n == 1:
		bottom[0] = style.Render(ansi.Truncate(m.flash, m.w, "…"))
	case m.asking != "":
		bottom[n-2] = style.Render(ansi.Truncate(m.flash, m.w, "…"))
	case len(msg) == 1:
		bottom[n-1] = style.Render(msg[0])
	default:
		bottom[n-2] = style.Render(msg[0])
		bottom[n-1] = style.Render(ansi.Truncate(strings.Join(msg[1:], " "), m.w, "…"))
	}
}

// stepCols are the widths of a row's title (with its flags) and who-when:
// titles get what they need (up to what is left), so on a wide terminal
// "who and when" sits next to the title instead of at the far edge.
type stepCols struct{ title, who int }

// rowPrefix is the width of "▸ 10 [!] blocked ".
const rowPrefix = 17

func (m Model) columns() stepCols {
	var k stepCols
	need := 0
	for _, s := range m.steps {
		need = max(need, ansi.StringWidth(s.Title)+1+ansi.StringWidth(flags(s)))
		k.who = max(k.who, ansi.StringWidth(who(s, m.now())))
	}
	if m.w < 70 {
		k.who = 0
	}
	k.who = min(k.who, 30)
	k.title = max(min(need, m.w-rowPrefix-k.who-1), 8)
	return k
}

// who is who closed a step and when, short: "tester 14:05" today,
// "tester 11-02" before (the detail line below has the full actor and time).
func who(s model.ChecklistStep, now time.Time) string {
	if s.By == "" || s.At == nil || s.State == model.StateOpen {
		return ""
	}
	_, name, ok := strings.Cut(s.By, ":")
	if !ok {
		name = s.By
	}
	at, now := s.At.Local(), now.Local()
	when := at.Format("01-02")
	if at.YearDay() == now.YearDay() && at.Year() == now.Year() {
		when = at.Format("15:04")
	}
	return name + " " + when
}

func flags(s model.ChecklistStep) string {
	var f []string
	if s.Warn != "" {
		f = append(f, "⚠ "+s.Warn)
	}
	if s.Due != "" && !s.Closed() {
		f = append(f, "due "+s.Due)
	}
	if len(s.Notes) > 0 {
		f = append(f, fmt.Sprintf("✎%d", len(s.Notes)))
	}
	return strings.Join(f, " ")
}

func pad(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	return s + strings.Repeat(" ", max(w-ansi.StringWidth(s), 0))
}

// stepLine is one row: number, state, title, flags and who closed it when.
func (m Model) stepLine(s model.ChecklistStep, selected bool, k stepCols) string {
	st := m.styles
	marker := "  "
	if selected {
		marker = "▸ "
	}
	by := ""
	if k.who > 0 {
		by = ansi.Truncate(who(s, m.now()), k.who, "…")
	}
	title := s.Title
	if f := flags(s); f != "" {
		title = ansi.Truncate(title, max(k.title-ansi.StringWidth(f)-1, 4), "…") + " " + f
	}
	line := fmt.Sprintf("%s%2d %-11s ", marker, s.N, StateMarks[s.State]) + pad(title, k.title)
	if by != "" {
		line += " " + by
	}
	line = pad(line, m.w)
	switch {
	case selected:
		return st.Selected.Render(line)
	case s.Warn != "" && !s.Closed():
		return st.Warn.Render(line)
	case s.Closed():
		return st.Muted.Render(line)
	}
	return st.Text.Render(line)
}

// detailLines describe the selected step: what it is about, how to do it,
// its reason or effect, and its latest note.
func (m Model) detailLines() []string {
	st := m.styles
	w := m.w
	out := []string{st.Muted.Render(strings.Repeat("─", max(w, 1)))}
	s, ok := m.Current()
	if !ok {
		for len(out) < m.detailHeight() {
			out = append(out, "")
		}
		return out
	}
	out = append(out, st.Text.Render(ansi.Truncate(fmt.Sprintf("%d %s · %s", s.N, s.Kind, s.Detail), w, "…")))
	if m.detailHeight() == 5 {
		how := strings.Join(strings.Fields(s.Procedure), " ")
		if s.Link != "" {
			how = strings.TrimSpace(how + " · " + s.Link)
		}
		if how == "" {
			how = "no procedure written for this step"
		}
		out = append(out, st.Accent.Render(ansi.Truncate("how: "+how, w, "…")))
	}
	var what string
	switch {
	case s.Reason != "":
		what = s.State + ": " + s.Reason
	case s.Effect != "":
		what = "effect: " + s.Effect
	case m.frozen:
		what = "left " + s.State + " when the " + m.Noun + " was completed; the checklist is frozen"
	case s.State == model.StateOpen && m.Hint != nil:
		what = m.Hint(s)
	case s.State == model.StateOpen:
		what = "space marks it done"
	}
	if s.By != "" && s.At != nil {
		verb := s.State
		if s.State == model.StateOpen {
			verb = "reopened"
		}
		what = strings.TrimSpace(what + fmt.Sprintf("  (%s by %s, %s)", verb, s.By, s.At.Local().Format("2006-01-02 15:04")))
	}
	out = append(out, st.Muted.Render(ansi.Truncate(what, w, "…")))
	note := "no notes · n adds one (or a ticket link)"
	if k := len(s.Notes); k > 0 {
		last := s.Notes[k-1]
		note = fmt.Sprintf("note %d/%d %s %s: %s", k, k, last.At.Local().Format("01-02 15:04"), last.Actor, last.Text)
	}
	return append(out, st.Muted.Render(ansi.Truncate(note, w, "…")))
}

// promptLine is the open question, else empty (the flash may take it).
func (m Model) promptLine() string {
	st := m.styles
	if m.asking == "" {
		return ""
	}
	if len(m.ask.Choices) > 0 {
		var opts []string
		for i, o := range m.ask.Choices {
			if i == m.choice {
				opts = append(opts, st.Selected.Render(" "+o+" "))
			} else {
				opts = append(opts, st.Muted.Render(" "+o+" "))
			}
		}
		line := st.Accent.Render(m.ask.Label) + strings.Join(opts, " ") + st.Muted.Render("  ←/→ choose · enter confirms · esc cancels")
		return ansi.Truncate(line, m.w, "…")
	}
	return ansi.Truncate(st.Accent.Render(m.ask.Label)+m.input.View(), m.w, "") // cuts only the input's padding
}
