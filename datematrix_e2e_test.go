package main

// The demo company through the binary at every instant of the date matrix
// (internal/instants): the process runs in the instant's zone with its
// clock pinned there (OPSDECK_NOW), and the stories the demo tells read
// the same on any day: Bill left four weeks ago, the ledger's past weeks
// are complete, the same backups are late, failed or stale, the same
// secrets are overdue and the analytics heartbeat is late.

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/instants"
	"github.com/opsdeck/opsdeck/model"
)

func TestDemoAtEveryInstant(t *testing.T) {
	for _, in := range instants.All {
		t.Run(in.Name, func(t *testing.T) {
			env := in.Env(time.Now())
			loc, err := time.LoadLocation(in.Zone)
			if err != nil {
				t.Fatal(err)
			}
			now := in.Time()
			// demo makes the database itself, at the instant: its schema
			// (and the self backup's first due date) is dated there too.
			db := filepath.Join(t.TempDir(), "opsdeck.db")
			do := func(v any, args ...string) {
				t.Helper()
				r := runEnv(t, env, db, append(args, "--json")...)
				if r.code != 0 {
					t.Fatalf("opsdeck %s: exit %d: %s", strings.Join(args, " "), r.code, r.stderr)
				}
				decode(t, r.stdout, v)
			}
			if r := runEnv(t, env, db, "demo"); r.code != 0 {
				t.Fatalf("demo: %s", r.stderr)
			}

			var bill model.Person
			do(&bill, "people", "show", "bill@example.com")
			if want := now.AddDate(0, 0, -28).Format(model.DateLayout); bill.EndDate != want {
				t.Errorf("Bill's last day %s, want %s (four weeks ago)", bill.EndDate, want)
			}

			var week reportJSON
			do(&week, "ledger", "report", "--week")
			ws := model.WeekStart(now, loc)
			if len(week.Weeks) != model.TrendWeeks || week.Weeks[len(week.Weeks)-1].Start != ws.Format(model.DateLayout) {
				t.Fatalf("the trend does not end this week (%s): %+v", ws.Format(model.DateLayout), week.Weeks)
			}
			for _, w := range week.Weeks[:len(week.Weeks)-1] {
				if h := w.Planned + w.Unplanned; h < 45 || h > 65 {
					t.Errorf("week of %s holds %.1f h, want a full demo week", w.Start, h)
				}
			}
			var month reportJSON
			do(&month, "ledger", "report", "--month")
			first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
			if days := first.AddDate(0, 1, -1).Day(); len(month.Days) != days || month.Days[0].Start != first.Format(model.DateLayout) {
				t.Errorf("--month has %d days from %v, want %d from %s", len(month.Days), month.Days[:1], days, first.Format(model.DateLayout))
			}

			var hs []health
			do(&hs, "backups", "list")
			states, reasons := map[string]string{}, map[string]string{}
			for _, h := range hs {
				states[h.Key], reasons[h.Key] = h.State, h.Reason
			}
			// Ages count calendar days, across DST switches too.
			for key, want := range map[string]string{"job:postgres-nightly": "last run 9h ago, restore-tested 12d ago",
				"job:replica-snapshot": "restore-tested 45d ago (older than 30d)"} {
				if reasons[key] != want {
					t.Errorf("%s: %q, want %q", key, reasons[key], want)
				}
			}
			for key, want := range map[string]string{"self": "never-restore-tested", "job:postgres-nightly": "ok", "job:analytics-dump": "late",
				"job:jenkins-config": "failed", "job:aws-s3-sync": "never-restore-tested", "job:replica-snapshot": "restore-test-stale"} {
				if states[key] != want {
					t.Errorf("%s is %s, want %s", key, states[key], want)
				}
			}

			var secrets []struct {
				Name   string `json:"name"`
				Status string `json:"rotation_status"`
			}
			do(&secrets, "secrets", "list")
			var overdue []string
			for _, x := range secrets {
				if strings.HasPrefix(x.Status, "overdue") {
					overdue = append(overdue, x.Name+" "+x.Status)
				}
			}
			if got := strings.Join(overdue, ", "); got != "AWS root credentials overdue 110d, GitHub deploy key (production) overdue 45d" {
				t.Errorf("overdue secrets: %s", got)
			}

			var alerts []alertJSON
			do(&alerts, "alerts", "list")
			firing := map[string]string{}
			for _, a := range alerts {
				firing[a.Check] = a.State + " " + a.CausedBy
			}
			if firing["analytics-db-backup"] != "firing " || firing["db-01-up"] != "firing " || firing["postgres-primary"] != "firing db-01" {
				t.Errorf("open alerts: %v", firing)
			}
		})
	}
}

func decode(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
}
