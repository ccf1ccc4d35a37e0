package main

// End-to-end tests of `opsdeck ledger` through the built binary.

import (
	"strings"
	"testing"
)

type ledgerEntryJSON struct {
	ID           int64  `json:"id"`
	Kind         string `json:"kind"`
	Category     string `json:"category"`
	Status       string `json:"status"`
	Minutes      int64  `json:"minutes"`
	Device       string `json:"device"`
	Person       string `json:"person"`
	Service      string `json:"service"`
	InterruptsID *int64 `json:"interrupts_id"`
	Segments     []struct {
		Start string  `json:"start"`
		End   *string `json:"end"`
	} `json:"segments"`
}

type bucketJSON struct {
	Start     string  `json:"start"`
	Planned   float64 `json:"planned_hours"`
	Unplanned float64 `json:"unplanned_hours"`
	Share     float64 `json:"unplanned_share"`
}

type sourceJSON struct {
	Key   string  `json:"key"`
	Hours float64 `json:"hours"`
}

type reportJSON struct {
	Planned   float64      `json:"planned_hours"`
	Unplanned float64      `json:"unplanned_hours"`
	Share     float64      `json:"unplanned_share"`
	Entries   int          `json:"entries"`
	Days      []bucketJSON `json:"days"`
	Weeks     []bucketJSON `json:"weeks"`
	Top       struct {
		Categories []sourceJSON `json:"categories"`
		Devices    []sourceJSON `json:"devices"`
		Services   []sourceJSON `json:"services"`
		Requesters []sourceJSON `json:"requesters"`
	} `json:"top_sources"`
}

// yesterday is a day safely in the past on the binary's clock, as
// YYYY-MM-DD in UTC (these tests run the binary with TZ=UTC).
func yesterday() string { return binNow().UTC().AddDate(0, 0, -1).Format("2006-01-02") }

func TestLedgerInterruptAndResume(t *testing.T) {
	t.Setenv("TZ", "UTC")
	db := newDB(t)
	d := yesterday()
	mustRun(t, db, "ledger", "start", "--planned", "--category", "project", "--note", "backup automation", "--at", d+" 09:00")
	out := mustRun(t, db, "ledger", "interrupt", "--category", "laptop support", "--at", d+" 10:00")
	if !strings.Contains(out, "paused entry 1") {
		t.Fatalf("interrupt did not pause entry 1:\n%s", out)
	}
	// Planned work cannot start while the interruption runs.
	r := run(t, db, "ledger", "start", "--planned", "--at", d+" 10:10")
	if r.code == 0 || !strings.Contains(r.stderr, "is running: stop it first") {
		t.Fatalf("planned start while running: exit %d %q", r.code, r.stderr)
	}
	var open []ledgerEntryJSON
	runJSON(t, db, &open, "ledger", "status")
	if len(open) != 2 || open[0].Status != "running" || open[0].Category != "laptop support" ||
		open[1].Status != "paused" || open[0].InterruptsID == nil || *open[0].InterruptsID != open[1].ID {
		t.Fatalf("status %+v", open)
	}
	out = mustRun(t, db, "ledger", "stop", "--at", d+" 10:30")
	if !strings.Contains(out, "stopped entry 2") || !strings.Contains(out, "resumed entry 1") {
		t.Fatalf("stop:\n%s", out)
	}
	mustRun(t, db, "ledger", "stop", "--at", d+" 12:00")
	var es []ledgerEntryJSON
	runJSON(t, db, &es, "ledger", "list", "--from", d, "--to", d)
	if len(es) != 2 || es[0].Minutes != 150 || len(es[0].Segments) != 2 || es[1].Minutes != 30 {
		t.Fatalf("entries %+v", es)
	}
	var rep reportJSON
	runJSON(t, db, &rep, "ledger", "report", "--from", d, "--to", d)
	if rep.Planned != 2.5 || rep.Unplanned != 0.5 || rep.Share < 0.166 || rep.Share > 0.167 || rep.Entries != 2 {
		t.Fatalf("report %+v", rep)
	}
	// Every mutation is in the audit log.
	audit := mustRun(t, db, "audit", "list", "--entity", "work_entry")
	for _, action := range []string{"start", "pause", "stop", "resume"} {
		if !strings.Contains(audit, " "+action+" ") {
			t.Errorf("audit lacks %s:\n%s", action, audit)
		}
	}
	// Resolved work stays editable.
	mustRun(t, db, "ledger", "edit", "2", "--note", "VPN client", "--end", "10:40") // on the entry's day
	var e ledgerEntryJSON
	runJSON(t, db, &e, "ledger", "edit", "2", "--category", "access request")
	if e.Category != "access request" || e.Minutes != 40 {
		t.Fatalf("edited %+v", e)
	}
}

func TestLedgerAddLinkedAndMarkdown(t *testing.T) {
	t.Setenv("TZ", "UTC")
	db := demoDB(t)
	var e ledgerEntryJSON
	runJSON(t, db, &e, "ledger", "add", "--unplanned", "--category", "laptop support", "--device", "lt-007",
		"--person", "tom@example.com", "--minutes", "45", "--note", "screen flicker")
	if e.Device != "LT-007" || e.Person != "Tom O'Brien" || e.Minutes != 45 || e.Status != "stopped" {
		t.Fatalf("added %+v", e)
	}
	md := mustRun(t, db, "ledger", "report", "--week", "--format", "md")
	for _, want := range []string{"# Operations time report", "**Unplanned work**", "## Weekly trend (12 weeks)",
		"### By device", "LT-007", "## How these numbers are made"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	var es []ledgerEntryJSON
	runJSON(t, db, &es, "ledger", "list", "--kind", "unplanned")
	found := false
	for _, x := range es {
		found = found || x.ID == e.ID
	}
	if !found {
		t.Errorf("this week's list lacks entry %d", e.ID)
	}
}

func TestLedgerBadInput(t *testing.T) {
	t.Setenv("TZ", "UTC")
	db := demoDB(t)
	d := yesterday()
	auditBefore := mustRun(t, db, "audit", "list", "--limit", "100000")
	cases := []struct {
		args []string
		want string // field and value as the one stderr line names them
	}{
		{[]string{"add", "--planned", "--unplanned", "--minutes", "5"}, `kind: "planned+unplanned"`},
		{[]string{"add", "--minutes", "5"}, `kind: "" is required`},
		{[]string{"start"}, `kind: "" is required`},
		{[]string{"add", "--unplanned", "--category", "coffee", "--minutes", "5"}, `category: "coffee" is not a ledger category`},
		{[]string{"add", "--unplanned", "--at", d + " 10:00", "--end", "09:00"}, `end: "09:00" is before the start`},
		{[]string{"add", "--unplanned", "--minutes", "-5"}, `minutes: "-5" must be a positive number`},
		{[]string{"add", "--unplanned", "--minutes", "5", "--end", d + " 09:00"}, `minutes: "5" cannot be combined with --end`},
		{[]string{"add", "--unplanned"}, `minutes: "" is required`},
		{[]string{"add", "--unplanned", "--device", "LT-999", "--minutes", "5"}, `device: "LT-999" is not a known device`},
		{[]string{"add", "--unplanned", "--service", "Mainframe", "--minutes", "5"}, `service: "Mainframe" is not a known service`},
		{[]string{"add", "--unplanned", "--person", "nobody@example.com", "--minutes", "5"}, `person: "nobody@example.com" is not a known person`},
		{[]string{"add", "--unplanned", "--alert", "abc", "--minutes", "5"}, `alert: "abc" is not an alert id`},
		{[]string{"add", "--unplanned", "--at", "tomorrowish", "--minutes", "5"}, `at: "tomorrowish" is not a time`},
		{[]string{"start", "--unplanned", "--at", binNow().UTC().AddDate(0, 0, 2).Format("2006-01-02") + " 09:00"}, `is in the future`},
		{[]string{"report", "--from", "2026-11-10", "--to", "2026-11-01"}, `to: "2026-11-01" is before --from`},
		{[]string{"report", "--format", "pdf"}, `format: "pdf" is not one of`},
		{[]string{"stop", "abc"}, `entry: "abc" is not an entry id`},
		{[]string{"stop"}, "nothing is running to stop"},
	}
	for _, c := range cases {
		r := run(t, db, append([]string{"ledger"}, c.args...)...)
		if r.code == 0 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("ledger %s: exit %d, stderr %q; want one line containing %q", strings.Join(c.args, " "), r.code, r.stderr, c.want)
		}
	}
	if after := mustRun(t, db, "audit", "list", "--limit", "100000"); after != auditBefore {
		t.Errorf("bad input changed the database")
	}
}

func TestLedgerDemoHistory(t *testing.T) {
	db := demoDB(t)
	auditBefore := mustRun(t, db, "audit", "list", "--limit", "100000")
	mustRun(t, db, "demo")
	if after := mustRun(t, db, "audit", "list", "--limit", "100000"); after != auditBefore {
		t.Fatalf("running demo twice changed the database")
	}
	var rep reportJSON
	runJSON(t, db, &rep, "ledger", "report", "--week")
	if len(rep.Weeks) != 12 {
		t.Fatalf("trend has %d weeks", len(rep.Weeks))
	}
	logged, maxShare := 0, 0.0
	for _, w := range rep.Weeks[:11] { // the current week may not have started yet
		if w.Planned+w.Unplanned > 30 {
			logged++
		}
		maxShare = max(maxShare, w.Share)
	}
	if logged != 11 || rep.Weeks[0].Share > 0.4 || maxShare < 0.55 {
		t.Fatalf("weeks do not tell the story (logged %d, first share %.2f, max %.2f): %+v", logged, rep.Weeks[0].Share, maxShare, rep.Weeks)
	}
	from := rep.Weeks[0].Start
	runJSON(t, db, &rep, "ledger", "report", "--from", from)
	keys := func(ss []sourceJSON) string {
		var k []string
		for _, s := range ss {
			k = append(k, s.Key)
		}
		return strings.Join(k, ",")
	}
	if c := keys(rep.Top.Categories); !strings.HasPrefix(c, "production incident,laptop support") && !strings.HasPrefix(c, "laptop support,production incident") {
		t.Errorf("top categories %s", c)
	}
	if s := keys(rep.Top.Services); !strings.Contains(s, "Production App") || !strings.Contains(s, "Postgres Primary") {
		t.Errorf("top services %s", s)
	}
	if d := keys(rep.Top.Devices); !strings.HasPrefix(d, "LT-") {
		t.Errorf("top devices %s", d)
	}
	if len(rep.Top.Requesters) == 0 {
		t.Errorf("no requesters")
	}
}

func TestLedgerTimeZoneAndCategories(t *testing.T) {
	t.Setenv("TZ", "UTC")
	db := newDB(t)
	// 22:00 to 04:00 Berlin time across the spring-forward night: 5 real hours.
	mustRun(t, db, "ledger", "add", "--unplanned", "--category", "production incident",
		"--at", "2026-03-28T22:00:00+01:00", "--end", "2026-03-29T04:00:00+02:00")
	var rep reportJSON
	runJSON(t, db, &rep, "ledger", "report", "--from", "2026-03-28", "--to", "2026-03-29", "--tz", "Europe/Berlin")
	if len(rep.Days) != 2 || rep.Days[0].Unplanned != 2 || rep.Days[1].Unplanned != 3 || rep.Unplanned != 5 {
		t.Fatalf("Berlin days %+v, total %.2f", rep.Days, rep.Unplanned)
	}
	runJSON(t, db, &rep, "ledger", "report", "--from", "2026-03-28", "--to", "2026-03-29")
	if len(rep.Days) != 2 || rep.Days[0].Unplanned != 3 || rep.Days[1].Unplanned != 2 {
		t.Fatalf("UTC days %+v", rep.Days)
	}

	mustRun(t, db, "ledger", "categories", "add", "Vendor calls")
	d := yesterday()
	mustRun(t, db, "ledger", "add", "--unplanned", "--category", "vendor calls", "--at", d+" 09:00", "--minutes", "30")
	mustRun(t, db, "ledger", "categories", "deactivate", "vendor calls")
	r := run(t, db, "ledger", "add", "--unplanned", "--category", "vendor calls", "--at", d+" 10:00", "--minutes", "30")
	if r.code == 0 || !strings.Contains(r.stderr, `category: "vendor calls" is not a ledger category`) {
		t.Fatalf("deactivated category accepted: %d %q", r.code, r.stderr)
	}
	var cats []struct {
		Name   string `json:"name"`
		Active bool   `json:"active"`
	}
	runJSON(t, db, &cats, "ledger", "categories", "list")
	if len(cats) != 10 || cats[9].Name != "vendor calls" || cats[9].Active {
		t.Fatalf("categories %+v", cats)
	}
}
