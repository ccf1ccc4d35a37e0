package model

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the DST cases run on machines without a zoneinfo database
)

// at builds a time in loc from "2006-01-02 15:04".
func at(t *testing.T, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// ent is a compact entry spec for table tests: segments as "start-end"
// pairs of "YYYY-MM-DD HH:MM", end "" for a running segment.
type ent struct {
	id       int64
	actor    string
	kind     string
	category string
	segs     [][2]string
	device   string
	service  string
	person   string
}

func build(t *testing.T, loc *time.Location, specs []ent) []WorkEntry {
	t.Helper()
	out := make([]WorkEntry, len(specs))
	for i, s := range specs {
		e := WorkEntry{ID: s.id, Actor: s.actor, Kind: s.kind, Category: s.category, Status: "stopped",
			DeviceTag: s.device, ServiceName: s.service, PersonName: s.person}
		if e.Actor == "" {
			e.Actor = "local:oscar"
		}
		if e.ID == 0 {
			e.ID = int64(i + 1)
		}
		for _, sg := range s.segs {
			seg := Segment{Start: at(t, loc, sg[0])}
			if sg[1] != "" {
				end := at(t, loc, sg[1])
				seg.End = &end
			} else {
				e.Status = "running"
			}
			e.Segments = append(e.Segments, seg)
		}
		e.StartedAt = e.Segments[0].Start
		out[i] = e
	}
	return out
}

func hours(h Hours) float64 { return h.Float() }

func TestAttributeTotals(t *testing.T) {
	utc := time.UTC
	cases := []struct {
		name                string
		entries             []ent
		from, to, now       string
		planned, unplanned  float64
		wantPiecesForEntry1 float64
	}{
		{
			name:    "single entry",
			entries: []ent{{kind: "planned", segs: [][2]string{{"2026-11-02 09:00", "2026-11-02 11:00"}}}},
			from:    "2026-11-02 00:00", to: "2026-11-03 00:00", now: "2026-11-10 00:00",
			planned: 2, wantPiecesForEntry1: 2,
		},
		{
			name: "overlap same actor counted once, later start owns it",
			entries: []ent{
				{kind: "planned", segs: [][2]string{{"2026-11-02 09:00", "2026-11-02 12:00"}}},
				{kind: "unplanned", segs: [][2]string{{"2026-11-02 10:00", "2026-11-02 11:00"}}},
			},
			from: "2026-11-02 00:00", to: "2026-11-03 00:00", now: "2026-11-10 00:00",
			planned: 2, unplanned: 1, wantPiecesForEntry1: 2,
		},
		{
			name: "identical duplicates counted once",
			entries: []ent{
				{kind: "unplanned", segs: [][2]string{{"2026-11-02 09:00", "2026-11-02 10:00"}}},
				{kind: "unplanned", segs: [][2]string{{"2026-11-02 09:00", "2026-11-02 10:00"}}},
			},
			from: "2026-11-02 00:00", to: "2026-11-03 00:00", now: "2026-11-10 00:00",
			unplanned: 1, wantPiecesForEntry1: 0,
		},
		{
			name: "entry fully inside a later-started one: the later one wins its span",
			entries: []ent{
				{kind: "planned", segs: [][2]string{{"2026-11-02 10:00", "2026-11-02 11:00"}}},
				{kind: "unplanned", segs: [][2]string{{"2026-11-02 10:30", "2026-11-02 13:00"}}},
				{kind: "planned", segs: [][2]string{{"2026-11-02 08:00", "2026-11-02 14:00"}}},
			},
			from: "2026-11-02 00:00", to: "2026-11-03 00:00", now: "2026-11-10 00:00",
			// 08-10 e3, 10-10:30 e1, 10:30-13 e2, 13-14 e3
			planned: 3.5, unplanned: 2.5, wantPiecesForEntry1: 0.5,
		},
		{
			name: "different actors overlap: both counted",
			entries: []ent{
				{actor: "local:oscar", kind: "unplanned", segs: [][2]string{{"2026-11-02 09:00", "2026-11-02 10:00"}}},
				{actor: "ssh:chen@example.com", kind: "unplanned", segs: [][2]string{{"2026-11-02 09:00", "2026-11-02 10:00"}}},
			},
			from: "2026-11-02 00:00", to: "2026-11-03 00:00", now: "2026-11-10 00:00",
			unplanned: 2, wantPiecesForEntry1: 1,
		},
		{
			name: "clipped to the range on both ends",
			entries: []ent{
				{kind: "planned", segs: [][2]string{{"2026-11-01 22:00", "2026-11-02 02:00"}}},
				{kind: "unplanned", segs: [][2]string{{"2026-11-02 23:00", "2026-11-03 01:30"}}},
				{kind: "unplanned", segs: [][2]string{{"2026-11-03 01:00", "2026-11-03 02:00"}}},
			},
			from: "2026-11-02 00:00", to: "2026-11-03 00:00", now: "2026-11-10 00:00",
			planned: 2, unplanned: 1, wantPiecesForEntry1: 2,
		},
		{
			name:    "running entry counts up to now, not to the range end",
			entries: []ent{{kind: "unplanned", segs: [][2]string{{"2026-11-02 09:00", ""}}}},
			from:    "2026-11-02 00:00", to: "2026-11-03 00:00", now: "2026-11-02 10:30",
			unplanned: 1.5, wantPiecesForEntry1: 1.5,
		},
		{
			name:    "running entry clipped at the range end",
			entries: []ent{{kind: "unplanned", segs: [][2]string{{"2026-11-02 22:00", ""}}}},
			from:    "2026-11-02 00:00", to: "2026-11-03 00:00", now: "2026-11-03 05:00",
			unplanned: 2, wantPiecesForEntry1: 2,
		},
		{
			name: "paused gap is not counted (interrupt and resume)",
			entries: []ent{
				{kind: "planned", segs: [][2]string{{"2026-11-02 09:00", "2026-11-02 10:00"}, {"2026-11-02 10:45", "2026-11-02 12:00"}}},
				{kind: "unplanned", segs: [][2]string{{"2026-11-02 10:00", "2026-11-02 10:45"}}},
			},
			from: "2026-11-02 00:00", to: "2026-11-03 00:00", now: "2026-11-10 00:00",
			planned: 2.25, unplanned: 0.75, wantPiecesForEntry1: 2.25,
		},
		{
			name:    "entry entirely outside the range",
			entries: []ent{{kind: "planned", segs: [][2]string{{"2026-11-05 09:00", "2026-11-05 10:00"}}}},
			from:    "2026-11-02 00:00", to: "2026-11-03 00:00", now: "2026-11-10 00:00",
		},
		{
			name:    "zero-length entry adds nothing",
			entries: []ent{{kind: "planned", segs: [][2]string{{"2026-11-02 09:00", "2026-11-02 09:00"}}}},
			from:    "2026-11-02 00:00", to: "2026-11-03 00:00", now: "2026-11-10 00:00",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			es := build(t, utc, c.entries)
			pieces := Attribute(es, at(t, utc, c.from), at(t, utc, c.to), at(t, utc, c.now))
			tot := Summarize(es, pieces)
			if hours(tot.Planned) != c.planned || hours(tot.Unplanned) != c.unplanned {
				t.Errorf("planned %.2f unplanned %.2f, want %.2f / %.2f", hours(tot.Planned), hours(tot.Unplanned), c.planned, c.unplanned)
			}
			var e1 time.Duration
			for _, p := range pieces {
				if p.Entry == 0 {
					e1 += p.End.Sub(p.Start)
				}
			}
			if e1.Hours() != c.wantPiecesForEntry1 {
				t.Errorf("entry 1 owns %.2f h, want %.2f", e1.Hours(), c.wantPiecesForEntry1)
			}
			// Pieces of one actor never overlap.
			for i := 1; i < len(pieces); i++ {
				a, b := pieces[i-1], pieces[i]
				if es[a.Entry].Actor == es[b.Entry].Actor && b.Start.Before(a.End) {
					t.Errorf("pieces overlap: %+v %+v", a, b)
				}
			}
		})
	}
}

func TestUnplannedShare(t *testing.T) {
	cases := []struct {
		planned, unplanned time.Duration
		want               float64
	}{
		{0, 0, 0},
		{4 * time.Hour, 0, 0},
		{0, 3 * time.Hour, 1},
		{2 * time.Hour, 2 * time.Hour, 0.5},
		{time.Hour, 3 * time.Hour, 0.75},
	}
	for _, c := range cases {
		var tot Totals
		tot.add("planned", c.planned)
		tot.add("unplanned", c.unplanned)
		if tot.Share != c.want {
			t.Errorf("%v planned + %v unplanned: share %v, want %v", c.planned, c.unplanned, tot.Share, c.want)
		}
	}
}

func TestDailyAcrossMidnightAndDST(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		seg      [2]string
		from, to string
		want     map[string]float64 // day → unplanned hours
	}{
		{
			name: "timer left running over midnight splits into both days",
			seg:  [2]string{"2026-11-02 22:30", "2026-11-03 01:15"},
			from: "2026-11-02 00:00", to: "2026-11-04 00:00",
			want: map[string]float64{"2026-11-02": 1.5, "2026-11-03": 1.25},
		},
		{
			name: "spring forward: 22:00 to 04:00 local is 5 real hours",
			seg:  [2]string{"2026-03-28 22:00", "2026-03-29 04:00"},
			from: "2026-03-28 00:00", to: "2026-03-30 00:00",
			want: map[string]float64{"2026-03-28": 2, "2026-03-29": 3},
		},
		{
			name: "fall back: 22:00 to 04:00 local is 7 real hours",
			seg:  [2]string{"2026-10-24 22:00", "2026-10-25 04:00"},
			from: "2026-10-24 00:00", to: "2026-10-26 00:00",
			want: map[string]float64{"2026-10-24": 2, "2026-10-25": 5},
		},
		{
			name: "a whole DST day running has 23 hours",
			seg:  [2]string{"2026-03-29 00:00", "2026-03-30 00:00"},
			from: "2026-03-29 00:00", to: "2026-03-30 00:00",
			want: map[string]float64{"2026-03-29": 23},
		},
		{
			name: "a whole fall-back day has 25 hours",
			seg:  [2]string{"2026-10-25 00:00", "2026-10-26 00:00"},
			from: "2026-10-25 00:00", to: "2026-10-26 00:00",
			want: map[string]float64{"2026-10-25": 25},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			es := build(t, berlin, []ent{{kind: "unplanned", segs: [][2]string{c.seg}}})
			from, to := at(t, berlin, c.from), at(t, berlin, c.to)
			pieces := Attribute(es, from, to, to.Add(100*time.Hour))
			days := Daily(es, pieces, from, to, berlin)
			got := map[string]float64{}
			var sum float64
			for _, d := range days {
				if d.Unplanned > 0 {
					got[d.Start] = hours(d.Unplanned)
				}
				sum += hours(d.Unplanned)
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Errorf("day %s: %.2f h, want %.2f (all: %v)", k, got[k], v, got)
				}
			}
			if len(got) != len(c.want) {
				t.Errorf("days with time: %v, want %v", got, c.want)
			}
			if total := hours(Summarize(es, pieces).Unplanned); sum != total {
				t.Errorf("days add up to %.2f, total is %.2f", sum, total)
			}
		})
	}
}

func TestWeekly(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// Weeks of 2026-10-19 and 2026-10-26 (the DST change is Sunday 25 Oct).
	es := build(t, berlin, []ent{
		{kind: "planned", segs: [][2]string{{"2026-10-19 09:00", "2026-10-19 15:00"}}},
		{kind: "unplanned", segs: [][2]string{{"2026-10-20 09:00", "2026-10-20 11:00"}}},
		// Sunday night into Monday: 23:00 Sun → 01:00 Mon splits across weeks.
		{kind: "unplanned", segs: [][2]string{{"2026-10-25 23:00", "2026-10-26 01:00"}}},
		{kind: "planned", segs: [][2]string{{"2026-10-27 09:00", "2026-10-27 10:00"}}},
	})
	from, to := at(t, berlin, "2026-10-21 12:00"), at(t, berlin, "2026-10-28 00:00")
	wfrom := WeekStart(from, berlin)
	if wfrom.Format("2006-01-02 15:04 Mon") != "2026-10-19 00:00 Mon" {
		t.Fatalf("week start %v", wfrom)
	}
	weeks := Weekly(es, Attribute(es, wfrom, to, to), from, to, berlin)
	if len(weeks) != 2 {
		t.Fatalf("weeks: %+v", weeks)
	}
	want := []struct {
		start     string
		p, u, shr float64
	}{{"2026-10-19", 6, 3, 1.0 / 3}, {"2026-10-26", 1, 1, 0.5}}
	for i, w := range want {
		got := weeks[i]
		if got.Start != w.start || hours(got.Planned) != w.p || hours(got.Unplanned) != w.u || got.Share != w.shr {
			t.Errorf("week %d: %+v, want %+v", i, got, w)
		}
	}
}

func TestTopSources(t *testing.T) {
	utc := time.UTC
	es := build(t, utc, []ent{
		{kind: "unplanned", category: "laptop support", device: "LT-007", person: "Tom", segs: [][2]string{{"2026-11-02 09:00", "2026-11-02 11:00"}}},
		{kind: "unplanned", category: "laptop support", device: "LT-003", person: "Bob", segs: [][2]string{{"2026-11-03 09:00", "2026-11-03 09:30"}}},
		{kind: "unplanned", category: "laptop support", device: "LT-007", person: "Tom", segs: [][2]string{{"2026-11-04 09:00", "2026-11-04 10:00"}}},
		{kind: "unplanned", category: "production incident", service: "Production App", segs: [][2]string{{"2026-11-04 13:00", "2026-11-04 15:00"}}},
		// Overlaps the incident by an hour: the incident keeps only 1 h.
		{kind: "unplanned", category: "access request", service: "GitHub", person: "Bob", segs: [][2]string{{"2026-11-04 14:00", "2026-11-04 15:00"}}},
		// Planned work is not a source of toil.
		{kind: "planned", category: "project", device: "LT-007", segs: [][2]string{{"2026-11-05 09:00", "2026-11-05 17:00"}}},
	})
	from, to := at(t, utc, "2026-11-02 00:00"), at(t, utc, "2026-11-09 00:00")
	src := TopSources(es, Attribute(es, from, to, to), 0)
	type row struct {
		key     string
		h       float64
		entries int
	}
	check := func(dim string, got []Source, want []row) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %+v, want %+v", dim, got, want)
		}
		for i, w := range want {
			if got[i].Key != w.key || hours(got[i].Hours) != w.h || got[i].Entries != w.entries {
				t.Errorf("%s[%d] = %s %.2f h %d entries, want %+v", dim, i, got[i].Key, hours(got[i].Hours), got[i].Entries, w)
			}
		}
	}
	check("categories", src.Categories, []row{{"laptop support", 3.5, 3}, {"access request", 1, 1}, {"production incident", 1, 1}})
	check("devices", src.Devices, []row{{"LT-007", 3, 2}, {"LT-003", 0.5, 1}})
	check("services", src.Services, []row{{"GitHub", 1, 1}, {"Production App", 1, 1}})
	check("requesters", src.Requesters, []row{{"Tom", 3, 2}, {"Bob", 1.5, 2}})
	if s := src.Categories[0].Share; s != 3.5/5.5 {
		t.Errorf("laptop support share %v, want %v", s, 3.5/5.5)
	}
	if lim := TopSources(es, Attribute(es, from, to, to), 1); len(lim.Categories) != 1 {
		t.Errorf("limit 1: %+v", lim.Categories)
	}
}

func TestWorkEntryValidate(t *testing.T) {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	before := start.Add(-time.Hour)
	neg := int64(-3)
	cases := []struct {
		name  string
		e     WorkEntry
		field string
	}{
		{"neither planned nor unplanned", WorkEntry{StartedAt: start}, "kind"},
		{"unknown kind", WorkEntry{Kind: "both", StartedAt: start}, "kind"},
		{"end before start", WorkEntry{Kind: "planned", StartedAt: start, EndedAt: &before}, "end"},
		{"bad alert id", WorkEntry{Kind: "unplanned", StartedAt: start, AlertID: &neg}, "alert"},
		{"no start", WorkEntry{Kind: "planned"}, "at"},
		{"ok", WorkEntry{Kind: "planned", StartedAt: start}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.e.Normalize()
			err := c.e.Validate()
			fe, _ := AsFieldError(err)
			switch {
			case c.field == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.field != "" && (fe == nil || fe.Field != c.field):
				t.Fatalf("error %v, want field %s", err, c.field)
			}
		})
	}
	e := WorkEntry{Kind: " Unplanned ", Category: "  Laptop   SUPPORT "}
	e.Normalize()
	if e.Kind != "unplanned" || e.Category != "laptop support" {
		t.Errorf("normalize: %q %q", e.Kind, e.Category)
	}
	for kind, cat := range map[string]string{"planned": "project", "unplanned": "other"} {
		e := WorkEntry{Kind: kind}
		e.Normalize()
		if e.Category != cat {
			t.Errorf("default category for %s: %q, want %q", kind, e.Category, cat)
		}
	}
}

func TestParseMinutesAndClock(t *testing.T) {
	for _, c := range []struct {
		n  int
		ok bool
	}{{-5, false}, {0, false}, {1, true}, {90, true}, {7*24*60 + 1, false}} {
		_, err := ParseMinutes("minutes", c.n)
		if (err == nil) != c.ok {
			t.Errorf("ParseMinutes(%d): %v", c.n, err)
		}
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC) // 09:00 in Berlin
	got, err := ParseClock("at", "07:30", now, berlin)
	if err != nil || !got.Equal(time.Date(2026, 11, 2, 6, 30, 0, 0, time.UTC)) {
		t.Errorf("ParseClock 07:30 = %v, %v", got, err)
	}
	if _, err := ParseClock("at", "yesterday-ish", now, berlin); err == nil || !strings.HasPrefix(err.Error(), `at: "yesterday-ish"`) {
		t.Errorf("bad clock: %v", err)
	}
}

func TestReportRangeAndMarkdown(t *testing.T) {
	utc := time.UTC
	from, to := at(t, utc, "2026-11-02 00:00"), at(t, utc, "2026-11-09 00:00")
	rs := ReportRange(from, to, at(t, utc, "2026-11-03 10:00"), utc)
	if got := rs.TrendFrom.Format(DateLayout); got != "2026-08-17" {
		t.Errorf("trend from %s, want 12 weeks ending with the week of 2026-11-02", got)
	}
	es := build(t, utc, []ent{
		{kind: "planned", segs: [][2]string{{"2026-08-18 09:00", "2026-08-18 17:00"}}},
		{kind: "unplanned", category: "laptop support", device: "LT-007", segs: [][2]string{{"2026-11-02 09:00", "2026-11-02 12:00"}}},
		{kind: "planned", category: "project", segs: [][2]string{{"2026-11-02 11:00", "2026-11-02 13:00"}}},
		{kind: "unplanned", category: "production incident", service: "Production App", segs: [][2]string{{"2026-11-03 09:00", ""}}},
	})
	es[3].Status = "running"
	r := BuildReport(es, rs, at(t, utc, "2026-11-03 10:00"), utc)
	if hours(r.Planned) != 2 || hours(r.Unplanned) != 3 || r.Entries != 3 || r.Running != 1 || hours(r.Overlap) != 1 {
		t.Fatalf("report totals %+v", r)
	}
	if len(r.Weeks) != TrendWeeks || hours(r.Weeks[0].Planned) != 8 || len(r.Days) != 7 {
		t.Fatalf("weeks %d (first %+v), days %d", len(r.Weeks), r.Weeks[0], len(r.Days))
	}
	md := r.Markdown()
	for _, want := range []string{
		"# Operations time report: Mon 2 Nov 2026 to Sun 8 Nov 2026",
		"| **Unplanned work** | **3.0** | **60 %** |",
		"| laptop support | 2.0 | 1 | 67 % |",
		"| LT-007 | 2.0 | 1 | 67 % |",
		"1 timer(s) still running",
		"counted once",
		"## Weekly trend (12 weeks)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestReportRangeTrendEnds(t *testing.T) {
	utc := time.UTC
	cases := []struct {
		name, from, to, now string
		trendFrom, trendTo  string
		loadFrom, loadTo    string
	}{
		{"past week: 12 weeks ending with it", "2026-11-02 00:00", "2026-11-09 00:00", "2026-11-27 12:00",
			"2026-08-17", "2026-11-09", "2026-08-17", "2026-11-09"},
		{"month reaching past now: trend ends with now's week", "2026-11-01 00:00", "2026-12-01 00:00", "2026-11-18 12:00",
			"2026-08-31", "2026-11-23", "2026-08-31", "2026-12-01"},
		{"range longer than 12 weeks: every week of it", "2026-01-05 00:00", "2026-07-06 00:00", "2026-11-27 12:00",
			"2026-01-05", "2026-07-06", "2026-01-05", "2026-07-06"},
	}
	for _, c := range cases {
		rs := ReportRange(at(t, utc, c.from), at(t, utc, c.to), at(t, utc, c.now), utc)
		got := []string{rs.TrendFrom.Format(DateLayout), rs.TrendTo.Format(DateLayout), rs.LoadFrom.Format(DateLayout), rs.LoadTo.Format(DateLayout)}
		want := []string{c.trendFrom, c.trendTo, c.loadFrom, c.loadTo}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: trend/load %v, want %v", c.name, got, want)
		}
	}
	if b := bar(Totals{Planned: Hours(time.Hour), Unplanned: Hours(3 * time.Hour), Share: 0.75}); b != "`##########|#####.....`" {
		t.Errorf("bar %s", b)
	}
}
