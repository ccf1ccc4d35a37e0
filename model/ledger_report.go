package model

import (
	"fmt"
	"strings"
	"time"
)

// TrendWeeks is how many weeks a report's trend shows (and the ledger
// tab's bar chart): about a quarter.
const TrendWeeks = 12

// LedgerReport is what `ledger report` prints and the CEO reads: hours
// planned and unplanned in a range, the weekly trend, and where the
// unplanned hours went.
type LedgerReport struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	TimeZone string    `json:"time_zone"`
	Now      time.Time `json:"generated_at"`
	Totals
	// Entries is how many entries have time in the range; Running how many
	// of them are still open (counted up to now).
	Entries int `json:"entries"`
	Running int `json:"running"`
	// Overlap is time logged on more than one entry at once by the same
	// person, counted once (see Attribute).
	Overlap Hours `json:"overlap_hours"`
	// Days lists each day of ranges up to 31 days; empty otherwise.
	Days []Bucket `json:"days"`
	// Weeks is the trend: the TrendWeeks weeks ending with the range's last
	// week, or every week of a longer range.
	Weeks []Bucket `json:"weeks"`
	Top   Sources  `json:"top_sources"`
	Notes []string `json:"notes"`
}

// RangeSpec is a report range and the span whose entries it needs (the
// trend reaches back before From).
type RangeSpec struct {
	From, To           time.Time
	LoadFrom, LoadTo   time.Time
	TrendFrom, TrendTo time.Time
}

// ReportRange works out which entries a report over [from, to) needs. The
// trend ends with the week of to, or of now if the range reaches past it
// (an empty future week says nothing).
func ReportRange(from, to, now time.Time, loc *time.Location) RangeSpec {
	end := to
	if now.After(from) && now.Before(to) {
		end = now
	}
	last := WeekStart(end.Add(-time.Nanosecond), loc)
	trend := time.Date(last.Year(), last.Month(), last.Day()-7*(TrendWeeks-1), 0, 0, 0, 0, loc)
	if w := WeekStart(from, loc); w.Before(trend) {
		trend = w
	}
	trendTo := nextWeek(last)
	load, loadTo := from, to
	if trend.Before(load) {
		load = trend
	}
	if trendTo.After(loadTo) {
		loadTo = trendTo
	}
	return RangeSpec{From: from, To: to, LoadFrom: load, LoadTo: loadTo, TrendFrom: trend, TrendTo: trendTo}
}

// BuildReport summarizes entries (which must include every entry with time
// in rs.LoadFrom..rs.LoadTo) over the range, in loc, as of now.
func BuildReport(entries []WorkEntry, rs RangeSpec, now time.Time, loc *time.Location) LedgerReport {
	r := LedgerReport{From: rs.From, To: rs.To, TimeZone: zoneName(loc, now), Now: now}
	pieces := Attribute(entries, rs.From, rs.To, now)
	r.Totals = Summarize(entries, pieces)
	var raw time.Duration
	counted := map[int]bool{}
	for _, p := range pieces {
		counted[p.Entry] = true
	}
	for i := range entries {
		e := &entries[i]
		raw += clippedDuration(e, rs.From, rs.To, now)
		if counted[i] {
			r.Entries++
			if e.Status != "stopped" {
				r.Running++
			}
		}
	}
	r.Overlap = Hours(raw) - r.Total()
	if rs.To.Sub(rs.From) <= 31*24*time.Hour+time.Hour {
		r.Days = Daily(entries, pieces, rs.From, rs.To, loc)
	}
	r.Weeks = Weekly(entries, Attribute(entries, rs.TrendFrom, rs.TrendTo, now), rs.TrendFrom, rs.TrendTo, loc)
	r.Top = TopSources(entries, pieces, 10)
	if r.Running > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d timer(s) still running are counted up to %s.", r.Running, now.In(loc).Format("2006-01-02 15:04")))
	}
	if r.Overlap > Hours(time.Minute) {
		r.Notes = append(r.Notes, fmt.Sprintf("%.1f h were logged on overlapping entries and counted once (the later-started entry owns the overlap).", r.Overlap.Float()))
	}
	if rs.To.After(now) {
		r.Notes = append(r.Notes, "The range ends after now: nothing is logged yet for the time still to come.")
	}
	return r
}

// zoneName names loc for readers: its IANA name, or for the process's
// "Local" zone the abbreviation in force now (e.g. CET).
func zoneName(loc *time.Location, now time.Time) string {
	if loc.String() != "Local" {
		return loc.String()
	}
	abbr, _ := now.In(loc).Zone()
	return abbr
}

// clippedDuration is an entry's logged time inside [from, to), before
// overlaps with other entries are resolved.
func clippedDuration(e *WorkEntry, from, to, now time.Time) time.Duration {
	var d time.Duration
	for _, s := range e.Segments {
		start, end := s.Start, now
		if s.End != nil {
			end = *s.End
		}
		if start.Before(from) {
			start = from
		}
		if end.After(to) {
			end = to
		}
		if end.After(start) {
			d += end.Sub(start)
		}
	}
	return d
}

// Markdown renders the report for a reader who was not there: what the
// numbers are, where the unplanned time went, how the trend looks, and
// what the numbers do and do not include.
func (r LedgerReport) Markdown() string {
	var b strings.Builder
	loc := r.From.Location()
	last := r.To.Add(-time.Nanosecond).In(loc)
	fmt.Fprintf(&b, "# Operations time report: %s to %s\n\n", r.From.In(loc).Format("Mon 2 Jan 2006"), last.Format("Mon 2 Jan 2006"))
	fmt.Fprintf(&b, "Generated %s (%s). Hours come from the opsdeck work ledger.\n\n", r.Now.In(loc).Format("2006-01-02 15:04"), r.TimeZone)
	b.WriteString("## Summary\n\n")
	if r.Total() == 0 {
		b.WriteString("No work was logged in this range.\n\n")
	} else {
		fmt.Fprintf(&b, "| | Hours | Share |\n|---|---:|---:|\n")
		fmt.Fprintf(&b, "| Planned work | %.1f | %s |\n", r.Planned.Float(), pct(1-r.Share))
		fmt.Fprintf(&b, "| **Unplanned work** | **%.1f** | **%s** |\n", r.Unplanned.Float(), pct(r.Share))
		fmt.Fprintf(&b, "| Total | %.1f | 100 %% |\n\n", r.Total().Float())
		fmt.Fprintf(&b, "%s of the logged time (%.1f of %.1f hours, %d entries) went to unplanned work: interruptions, support requests and incidents that displaced planned work.",
			pct(r.Share), r.Unplanned.Float(), r.Total().Float(), r.Entries)
		if weeks := r.elapsedWeeks(); weeks >= 1 {
			fmt.Fprintf(&b, " That is %.1f hours a week, %.1f of them unplanned.", r.Total().Float()/weeks, r.Unplanned.Float()/weeks)
		}
		if c := r.Top.Categories; len(c) > 0 {
			fmt.Fprintf(&b, " The biggest source was %q (%s of unplanned time)", c[0].Key, pct(c[0].Share))
			if len(c) > 1 {
				fmt.Fprintf(&b, ", then %q (%s)", c[1].Key, pct(c[1].Share))
			}
			b.WriteString(".")
		}
		b.WriteString("\n\n")
	}
	if len(r.Days) > 0 && len(r.Days) <= 8 {
		b.WriteString("## Days\n\n| Day | Planned h | Unplanned h | Unplanned share |\n|---|---:|---:|---:|\n")
		for _, d := range r.Days {
			t, _ := time.ParseInLocation(DateLayout, d.Start, loc)
			fmt.Fprintf(&b, "| %s | %.1f | %.1f | %s |\n", t.Format("Mon 2 Jan"), d.Planned.Float(), d.Unplanned.Float(), sharePct(d.Totals))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "## Weekly trend (%d weeks)\n\n", len(r.Weeks))
	b.WriteString("| Week of | Planned h | Unplanned h | Unplanned share | |\n|---|---:|---:|---:|---|\n")
	above := 0
	for _, w := range r.Weeks {
		if w.Total() > 0 && w.Share > 0.5 {
			above++
		}
		fmt.Fprintf(&b, "| %s | %.1f | %.1f | %s | %s |\n", w.Start, w.Planned.Float(), w.Unplanned.Float(), sharePct(w.Totals), bar(w.Totals))
	}
	fmt.Fprintf(&b, "\nBar: the week's logged hours as 20 marks, `#` unplanned and `.` planned; `|` is the 50 %% line. Unplanned work was more than half of the week in %d of %d weeks.", above, len(r.Weeks))
	if first, lastW, ok := trendEnds(r.Weeks); ok {
		fmt.Fprintf(&b, " The unplanned share went from %s (week of %s) to %s (week of %s).", pct(first.Share), first.Start, pct(lastW.Share), lastW.Start)
	}
	b.WriteString("\n\n## Biggest sources of unplanned time\n\nWhat to automate, delegate or fix first. Hours are unplanned hours in the range.\n\n")
	sourceTable(&b, "By category", r.Top.Categories)
	sourceTable(&b, "By device", r.Top.Devices)
	sourceTable(&b, "By service", r.Top.Services)
	sourceTable(&b, "By requester", r.Top.Requesters)
	b.WriteString("## How these numbers are made\n\n")
	b.WriteString("- Every entry is either planned or unplanned, never both. Entries are clipped to the range.\n")
	b.WriteString("- Time one person logged on overlapping entries is counted once; paused time is not counted.\n")
	b.WriteString("- Sources rank attributed unplanned hours; entries without a device, service or requester link appear only under their category.\n")
	b.WriteString("- Days and weeks are calendar days in " + r.TimeZone + " (weeks start on Monday); daylight-saving days have 23 or 25 hours.\n")
	for _, n := range r.Notes {
		b.WriteString("- " + n + "\n")
	}
	return b.String()
}

// elapsedWeeks is how many weeks of the range have passed by r.Now.
func (r LedgerReport) elapsedWeeks() float64 {
	end := r.To
	if r.Now.Before(end) {
		end = r.Now
	}
	return end.Sub(r.From).Hours() / (7 * 24)
}

func trendEnds(ws []Bucket) (first, last Bucket, ok bool) {
	var logged []Bucket
	for _, w := range ws {
		if w.Total() > 0 {
			logged = append(logged, w)
		}
	}
	if len(logged) < 2 {
		return first, last, false
	}
	return logged[0], logged[len(logged)-1], true
}

func sourceTable(b *strings.Builder, title string, src []Source) {
	fmt.Fprintf(b, "### %s\n\n", title)
	if len(src) == 0 {
		b.WriteString("Nothing linked.\n\n")
		return
	}
	b.WriteString("| | Hours | Entries | Share of unplanned |\n|---|---:|---:|---:|\n")
	for i, s := range src {
		if i == 5 {
			break
		}
		fmt.Fprintf(b, "| %s | %.1f | %d | %s |\n", mdEscape(s.Key), s.Hours.Float(), s.Entries, pct(s.Share))
	}
	b.WriteString("\n")
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func pct(f float64) string { return fmt.Sprintf("%.0f %%", f*100) }

func sharePct(t Totals) string {
	if t.Total() == 0 {
		return "–"
	}
	return pct(t.Share)
}

// bar draws a week's split as 20 marks, # unplanned and . planned, with |
// at the middle: the 50 % line reads straight down the table.
func bar(t Totals) string {
	if t.Total() == 0 {
		return ""
	}
	u := int(t.Share*20 + 0.5)
	s := strings.Repeat("#", u) + strings.Repeat(".", 20-u)
	return "`" + s[:10] + "|" + s[10:] + "`"
}
