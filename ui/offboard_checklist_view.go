package ui

// Drawing the checklist: a header with the progress bar, the steps, the
// selected step's detail and the question or last result.

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/model"
)

// listHeight is how many step lines fit: the header takes three lines, the
// selected step's details four (dropped on short terminals) and the prompt one.
func (c *checklist) listHeight() int { return max(c.h-4-c.detailHeight(), 1) }

func (c *checklist) detailHeight() int {
	if c.h < 14 {
		return 0
	}
	return 4
}

var stateMarks = map[string]string{
	model.StateOpen: "[ ] open", model.StateDone: "[x] done", model.StateSkipped: "[-] skipped", model.StateBlocked: "[!] blocked",
}

func (c *checklist) View() string {
	st := c.env.Styles
	switch {
	case c.err != nil:
		return st.Error.Render("could not load the offboarding: ") + st.Text.Render(c.err.Error())
	case !c.loaded:
		return st.Muted.Render("loading the checklist…")
	}
	o, w := c.data.off, c.w
	head := fmt.Sprintf("Offboarding %s <%s> · %s", o.PersonName, o.PersonEmail, o.PersonStatus)
	sub := fmt.Sprintf("last day %s · successor %s · started %s by %s", dash(o.LastDay), dash(o.SuccessorName),
		o.StartedAt.Local().Format("2006-01-02 15:04"), o.StartedBy)
	status := fmt.Sprintf("  done %d · skipped %d · blocked %d · open %d", o.Progress.Done, o.Progress.Skipped, o.Progress.Blocked, o.Progress.Open)
	statusStyle := st.Muted
	if o.Status != "open" && o.CompletedAt != nil {
		status = fmt.Sprintf("  completed %s by %s", o.CompletedAt.Local().Format("2006-01-02 15:04"), o.CompletedBy)
		if o.Forced {
			status += " (forced: " + o.ForceReason + ")"
		}
		statusStyle = st.OK
	}
	lines := []string{
		st.Title.Render(ansi.Truncate(head, w, "…")),
		st.Muted.Render(ansi.Truncate(sub, w, "…")),
		ansi.Truncate(st.Accent.Render(o.Progress.Bar(max(min(w/4, 30), 5)))+statusStyle.Render(status), w, "…"),
	}
	rows := c.listHeight()
	steps := c.steps()
	cols := c.columns()
	for i := c.offset; i < min(c.offset+rows, len(steps)); i++ {
		lines = append(lines, c.stepLine(steps[i], i == c.cursor, cols))
	}
	if len(steps) == 0 {
		lines = append(lines, st.Muted.Render("This person held nothing and there are no template steps: c completes."))
	}
	for len(lines) < 3+rows {
		lines = append(lines, "")
	}
	var bottom []string
	if c.detailHeight() > 0 {
		bottom = c.detailLines()
	}
	bottom = append(bottom, c.promptLine())
	c.placeFlash(bottom)
	return strings.Join(append(lines, bottom...), "\n")
}

// placeFlash writes the last result or error over the bottom lines: the
// prompt line when no question is open (wrapping into the notes line above
// when long), else the notes line, so a refusal is never cut off.
func (c *checklist) placeFlash(bottom []string) {
	if c.flash == "" {
		return
	}
	st := c.env.Styles
	style := st.OK
	if c.flashErr {
		style = st.Error
	}
	msg := strings.Split(ansi.Wrap(c.flash, max(c.w, 10), " "), "\n")
	n := len(bottom)
	switch {
	case n == 1 && c.prompt != promptNone: // no room: the question wins
	case n == 1:
		bottom[0] = style.Render(ansi.Truncate(c.flash, c.w, "…"))
	case c.prompt != promptNone:
		bottom[n-2] = style.Render(ansi.Truncate(c.flash, c.w, "…"))
	case len(msg) == 1:
		bottom[n-1] = style.Render(msg[0])
	default:
		bottom[n-2] = style.Render(msg[0])
		bottom[n-1] = style.Render(ansi.Truncate(strings.Join(msg[1:], " "), c.w, "…"))
	}
}

// stepCols are the widths of a row's title (with its flags) and who-when:
// titles get what they need (up to what is left), so on a wide terminal
// "who and when" sits next to the title instead of at the far edge.
type stepCols struct{ title, who int }

// rowPrefix is the width of "▸ 10 [!] blocked ".
const rowPrefix = 17

func (c *checklist) columns() stepCols {
	var k stepCols
	need := 0
	for _, s := range c.steps() {
		need = max(need, ansi.StringWidth(s.Title)+1+ansi.StringWidth(stepFlags(s)))
		k.who = max(k.who, ansi.StringWidth(stepWho(s, c.env.now())))
	}
	if c.w < 70 {
		k.who = 0
	}
	k.who = min(k.who, 30)
	k.title = max(min(need, c.w-rowPrefix-k.who-1), 8)
	return k
}

// stepWho is who closed a step and when, short: "tester 14:05" today,
// "tester 11-02" before (the detail line below has the full actor and time).
func stepWho(s model.OffboardingStep, now time.Time) string {
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

func stepFlags(s model.OffboardingStep) string {
	var f []string
	if s.BusFactorOne {
		f = append(f, "⚠ bus factor 1")
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

// stepLine is one checklist row: number, state, title, flags and who
// closed it when.
func (c *checklist) stepLine(s model.OffboardingStep, selected bool, k stepCols) string {
	st := c.env.Styles
	marker := "  "
	if selected {
		marker = "▸ "
	}
	who := ""
	if k.who > 0 {
		who = ansi.Truncate(stepWho(s, c.env.now()), k.who, "…")
	}
	title := s.Title
	if f := stepFlags(s); f != "" {
		title = ansi.Truncate(title, max(k.title-ansi.StringWidth(f)-1, 4), "…") + " " + f
	}
	line := fmt.Sprintf("%s%2d %-11s ", marker, s.N, stateMarks[s.State]) + pad(title, k.title)
	if who != "" {
		line += " " + who
	}
	line = pad(line, c.w)
	switch {
	case selected:
		return st.Selected.Render(line)
	case s.BusFactorOne && !s.Closed():
		return st.Warn.Render(line)
	case s.Closed():
		return st.Muted.Render(line)
	}
	return st.Text.Render(line)
}

// detailLines describe the selected step: what it is about, its reason or
// effect, and its latest notes.
func (c *checklist) detailLines() []string {
	st := c.env.Styles
	w := c.w
	out := []string{st.Muted.Render(strings.Repeat("─", max(w, 1)))}
	s, ok := c.current()
	if !ok {
		return append(out, "", "", "")
	}
	out = append(out, st.Text.Render(ansi.Truncate(fmt.Sprintf("%d %s · %s", s.N, s.Kind, s.Detail), w, "…")))
	var what string
	switch {
	case s.Reason != "":
		what = s.State + ": " + s.Reason
	case s.Effect != "":
		what = "effect: " + s.Effect
	case c.data.off.Status != "open":
		what = "left " + s.State + " when the offboarding was completed; the checklist is frozen"
	case s.State == model.StateOpen:
		what = openHint(s.Kind)
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

func openHint(kind string) string {
	switch kind {
	case model.StepAccount:
		return "space revokes the account in the inventory"
	case model.StepDevice:
		return "space returns the device (spare, repair or lost) and clears its holder"
	case model.StepSecret:
		return "space records the rotation and removes the leaver from its holders"
	case model.StepService:
		return "space hands the service over to the successor"
	}
	return "space marks it done"
}

// promptLine is the open question, else the last result or error.
func (c *checklist) promptLine() string {
	st := c.env.Styles
	s, _ := c.current()
	var q string
	switch c.prompt {
	case promptSkip:
		q = fmt.Sprintf("skip step %d, reason: ", s.N)
	case promptBlock:
		q = fmt.Sprintf("step %d is blocked by: ", s.N)
	case promptNote:
		q = fmt.Sprintf("note for step %d: ", s.N)
	case promptForce:
		q = "force completion, reason: "
	case promptSuccessor:
		q = fmt.Sprintf("hand step %d over to: ", s.N)
	case promptDevice:
		var opts []string
		for i, o := range model.RecoveredDeviceStatuses {
			if i == c.choice {
				opts = append(opts, st.Selected.Render(" "+o+" "))
			} else {
				opts = append(opts, st.Muted.Render(" "+o+" "))
			}
		}
		line := st.Accent.Render(fmt.Sprintf("step %d: the device goes to ", s.N)) + strings.Join(opts, " ") + st.Muted.Render("  ←/→ choose · enter confirms · esc cancels")
		return ansi.Truncate(line, c.w, "…")
	}
	if q == "" {
		return ""
	}
	return ansi.Truncate(st.Accent.Render(q)+c.input.View(), c.w, "") // cuts only the input's padding
}
