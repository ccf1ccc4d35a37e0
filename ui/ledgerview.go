package ui

import (
	"fmt"
	"math"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/themes"
)

// Drawing the ledger tab's sections: pure functions of the report and a
// size, so they are cheap in View and easy to test.

const chartAxis = 5 // "100%" and a space

// barWidth is the width of one week's bar for a screen w wide.
func barWidth(w int) int { return min(max((w-chartAxis)/model.TrendWeeks-1, 2), 5) }

// chartWidth is the width the 12-week chart takes on a screen w wide.
func chartWidth(w int) int { return chartAxis + model.TrendWeeks*(barWidth(w)+1) }

// ledgerSummary is this week's totals (line 1) and, with two lines, the
// top source of each kind over the trend (what to automate first).
func ledgerSummary(st *themes.Styles, r model.LedgerReport, w, lines int) string {
	var week model.Totals
	if len(r.Weeks) > 0 {
		week = r.Weeks[len(r.Weeks)-1].Totals
	}
	share := st.OK
	if week.Share >= 0.5 {
		share = st.Error
	}
	s := st.Title.Render("this week") + "  " +
		st.Muted.Render("planned ") + st.Text.Render(hoursLabel(week.Planned)) + st.Muted.Render(" · unplanned ") +
		st.Text.Render(hoursLabel(week.Unplanned)) + st.Muted.Render(" · ") + share.Render(fmt.Sprintf("%.0f %%", week.Share*100)) +
		" " + shareBar(st, week.Share, 10)
	// Optional segments, while they fit.
	for _, more := range []string{
		fmt.Sprintf(" · %d weeks: %.0f %% unplanned", len(r.Weeks), r.Share*100),
		fmt.Sprintf(" · %d open", r.Running),
	} {
		if strings.HasSuffix(more, " 0 open") || ansi.StringWidth(s+more) > w {
			continue
		}
		s += st.Muted.Render(more)
	}
	out := []string{ansi.Truncate(s, w, "…")}
	if lines > 1 {
		var top []string
		for _, src := range [][]model.Source{r.Top.Categories, r.Top.Devices, r.Top.Services, r.Top.Requesters} {
			if len(src) > 0 {
				top = append(top, st.Text.Render(src[0].Key)+" "+st.Muted.Render(shortHours(src[0].Hours)))
			}
		}
		line := st.Muted.Render("top toil, 12 wk: ") + strings.Join(top, st.Muted.Render(" · "))
		if len(top) == 0 {
			line = st.Muted.Render("no unplanned hours in 12 weeks")
		}
		out = append(out, ansi.Truncate(line+st.Muted.Render("  v: more"), w, "…"))
	}
	return strings.Join(out, "\n")
}

func hoursLabel(h model.Hours) string { return fmt.Sprintf("%.1f h", h.Float()) }

// shortHours is "4.5h" under ten hours, "148h" above.
func shortHours(h model.Hours) string {
	if h.Float() < 9.95 {
		return fmt.Sprintf("%.1fh", h.Float())
	}
	return fmt.Sprintf("%.0fh", h.Float())
}

// shareBar is a small horizontal bar: unplanned share in the warning
// colour, with a tick at 50 %.
func shareBar(st *themes.Styles, share float64, n int) string {
	u := int(math.Round(share * float64(n)))
	var b strings.Builder
	for i := range n {
		if i < u {
			b.WriteString(st.Error.Render("█"))
		} else {
			b.WriteString(st.Muted.Render("░"))
		}
	}
	return b.String()
}

// weekChart draws the weeks as bars of 100 %: unplanned from the bottom,
// planned above, a dashed line at 50 % (the toil line, broken where a
// week's unplanned share crosses it), then share, hours and week under
// each bar. h lines, w wide.
func weekChart(st *themes.Styles, weeks []model.Bucket, w, h int) string {
	bw := barWidth(w)
	title := st.Title.Render("last 12 weeks") + "  " + st.Error.Render("█") + st.Muted.Render(" unplanned  ") +
		st.OK.Render(plannedGlyph(st)) + st.Muted.Render(" planned  ") + st.Warn.Render("╌") + st.Muted.Render(" 50 % toil line")
	labels := 3
	bh := h - 1 - labels
	if bh < 3 {
		labels, bh = 1, h-2
	}
	if bh%2 == 0 {
		bh--
	}
	if bh < 1 {
		return ansi.Truncate(title, w, "…")
	}
	half := bh / 2
	lines := []string{ansi.Truncate(title, w, "…")}
	for r := range bh {
		line := r == half
		var b strings.Builder
		switch {
		case r == 0:
			b.WriteString(st.Muted.Render("100% "))
		case line:
			b.WriteString(st.Warn.Render(" 50%╌"))
		case r == bh-1:
			b.WriteString(st.Muted.Render("  0% "))
		default:
			b.WriteString("     ")
		}
		// The bottom half holds 0–50 %, the top half 50–100 %, in eighths
		// of a row; the line row only says whether 50 % was crossed.
		k := bh - r // row number from the bottom
		if r < half {
			k = bh - r - 1
		}
		for _, wk := range weeks {
			if line {
				b.WriteString(st.Warn.Render("╌"))
			} else {
				b.WriteString(" ")
			}
			var cell string
			switch {
			case wk.Total() == 0 && line:
				cell = st.Warn.Render(strings.Repeat("╌", bw))
			case wk.Total() == 0 && r == bh-1:
				cell = st.Muted.Render(strings.Repeat("▁", bw))
			case wk.Total() == 0:
				cell = strings.Repeat(" ", bw)
			case line && wk.Share >= 0.5:
				cell = st.Error.Render(strings.Repeat("█", bw))
			case line:
				cell = st.Warn.Render(strings.Repeat("╌", bw))
			default:
				eighths := int(math.Round(wk.Share*float64(2*half*8))) - 8*(k-1)
				cell = barCell(st, max(min(eighths, 8), 0), bw)
			}
			b.WriteString(cell)
		}
		lines = append(lines, b.String())
	}
	rows := []func(model.Bucket, bool) string{
		func(wk model.Bucket, _ bool) string {
			if wk.Total() == 0 {
				return st.Muted.Render(center("–", bw))
			}
			s := st.OK
			if wk.Share >= 0.5 {
				s = st.Error
			}
			return s.Render(center(fmt.Sprintf("%.0f", wk.Share*100)+unit("%", bw), bw))
		},
		func(wk model.Bucket, _ bool) string {
			return st.Text.Render(center(fmt.Sprintf("%.0f", wk.Total().Float())+unit("h", bw), bw))
		},
		func(wk model.Bucket, last bool) string {
			d := wk.Start
			if len(d) == 10 {
				d = d[5:] // MM-DD
			}
			if last {
				return st.Accent.Render(center(ansi.Truncate("this", bw, ""), bw))
			}
			return st.Muted.Render(center(ansi.Truncate(d, bw, ""), bw))
		},
	}
	names := []string{"share", "hours", "week"}
	if labels == 1 {
		rows, names = rows[:1], names[:1]
	}
	for i, f := range rows {
		var b strings.Builder
		b.WriteString(st.Muted.Render(fmt.Sprintf("%-5s", names[i])))
		for j, wk := range weeks {
			b.WriteString(" " + f(wk, j == len(weeks)-1))
		}
		lines = append(lines, b.String())
	}
	return strings.Join(lines, "\n")
}

// barCell is one row of a bar filled e eighths from the bottom with
// unplanned, the rest planned.
func barCell(st *themes.Styles, e, bw int) string {
	if st.Theme.Mono { // no colours to split a cell: round to the nearer
		e = map[bool]int{true: 8, false: 0}[e >= 4]
	}
	switch {
	case e >= 8:
		return st.Error.Render(strings.Repeat("█", bw))
	case e <= 0:
		return st.OK.Render(strings.Repeat(plannedGlyph(st), bw))
	}
	g := string([]rune(" ▁▂▃▄▅▆▇")[e])
	return st.Error.Background(st.OK.GetForeground()).Render(strings.Repeat(g, bw))
}

// plannedGlyph is the planned part of a bar: its own colour, or a lighter
// block without colour.
func plannedGlyph(st *themes.Styles) string {
	if st.Theme.Mono {
		return "░"
	}
	return "█"
}

// unit is u when bars are wide enough to carry it after two digits.
func unit(u string, bw int) string {
	if bw < 3 {
		return ""
	}
	return u
}

func center(s string, w int) string {
	pad := w - ansi.StringWidth(s)
	if pad <= 0 {
		return s
	}
	return strings.Repeat(" ", pad/2) + s + strings.Repeat(" ", pad-pad/2)
}

// sourcesView ranks unplanned hours by category, device, service and
// requester: four lists side by side when wide, else two by two.
func sourcesView(st *themes.Styles, top model.Sources, w, h int) string {
	title := st.Title.Render("biggest sources of unplanned hours") + st.Muted.Render(" · last 12 weeks · what to automate first")
	lists := []struct {
		name string
		src  []model.Source
	}{{"category", top.Categories}, {"device", top.Devices}, {"service", top.Services}, {"requester", top.Requesters}}
	across := 4
	if w < 4*24 {
		across = 2
	}
	gridRows := len(lists) / across
	cw := min((w-(across-1))/across, 36) // numbers stay near their names
	per := max((h-1)/gridRows-1, 1)      // items per list
	block := func(i int) []string {
		l := lists[i]
		out := []string{st.Header.Render(padRight(strings.ToUpper(l.name), cw))}
		if len(l.src) == 0 {
			return append(out, st.Muted.Render("–"))
		}
		for _, s := range l.src[:min(per, len(l.src))] {
			num := fmt.Sprintf(" %4s %3.0f%%", shortHours(s.Hours), s.Share*100)
			name := ansi.Truncate(s.Key, max(cw-ansi.StringWidth(num), 4), "…")
			out = append(out, st.Text.Render(padRight(name, cw-ansi.StringWidth(num)))+st.Muted.Render(num))
		}
		return out
	}
	lines := []string{ansi.Truncate(title, w, "…")}
	for r := range gridRows {
		var cols []string
		for c := range across {
			cols = append(cols, strings.Join(block(r*across+c), "\n"))
		}
		row := cols[0]
		for i, c := range cols[1:] {
			row = joinColumns(row, c, (i+1)*(cw+1))
		}
		lines = append(lines, row)
	}
	return strings.Join(lines, "\n")
}

func padRight(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return ansi.Truncate(s, w, "")
}

// joinColumns puts right beside left, whose lines are padded to leftW.
func joinColumns(left, right string, leftW int) string {
	l, r := strings.Split(left, "\n"), strings.Split(right, "\n")
	n := max(len(l), len(r))
	out := make([]string, n)
	for i := range n {
		var a, b string
		if i < len(l) {
			a = l[i]
		}
		if i < len(r) {
			b = r[i]
		}
		out[i] = padRight(a, leftW) + b
	}
	return strings.Join(out, "\n")
}
