package main

// Empty, zero, out-of-range and future values through the built binary
// (issue 16): each is refused with one line naming the field, and nothing
// changes; none is silently replaced by a default.

import (
	"strings"
	"testing"
)

func TestEmptyZeroAndFutureValuesRefused(t *testing.T) {
	db := demoDB(t)
	before := snapshotJSON(t, db)
	checksBefore := mustRun(t, db, "checks", "list", "--json")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"people", "edit", "oscar@example.com", "--role", ""}, `role: "" cannot be empty`},
		{[]string{"people", "edit", "oscar@example.com", "--status", " "}, `status: "" cannot be empty`},
		{[]string{"people", "edit", "oscar@example.com", "--name", ""}, `name: "" is required`},
		{[]string{"people", "edit", "oscar@example.com", "--start_date", "9999-12-31"}, `start_date: "9999-12-31" is outside the years 1970–2100`},
		{[]string{"devices", "edit", "LT-004", "--kind", ""}, `kind: "" cannot be empty`},
		{[]string{"devices", "edit", "LT-004", "--last_seen_at", "2035-01-01T00:00:00Z"}, `last_seen_at: "2035-01-01T00:00:00Z" is in the future`},
		{[]string{"services", "edit", "GitHub", "--criticality", ""}, `criticality: "" cannot be empty`},
		{[]string{"services", "edit", "GitHub", "--url", "not a url"}, `url: "not a url" is not a URL`},
		{[]string{"services", "edit", "GitHub", "--runbook_url", "ftp://wiki/x"}, `runbook_url: "ftp://wiki/x" is not an http:// or https:// URL`},
		{[]string{"checks", "edit", "app-api", "--interval_s", "0"}, `interval: "0" must be at least 1s`},
		{[]string{"checks", "edit", "app-api", "--interval_s", "0", "--fail_threshold", "0"}, `interval: "0" must be at least 1s`},
		{[]string{"checks", "edit", "app-api", "--fail_threshold", "0"}, `fail_threshold: "0" must be at least 1`},
		{[]string{"checks", "edit", "app-api", "--timeout_s", ""}, `timeout: "" is not a duration`},
		{[]string{"checks", "edit", "app-api", "--tls_skip_verify", ""}, `tls_skip_verify: "" is not yes or no`},
		{[]string{"checks", "edit", "app-api", "--record_type", "MX"}, `record_type: "MX" applies only to dns checks`},
		{[]string{"checks", "edit", "app-api", "--resolver", strings.Repeat("x", 300)}, `resolver: "xxxx`},
		{[]string{"oncall", "set", "oscar@example.com", "--from", "9999-12-31T00:00:00Z", "--until", "1h"}, `from: "9999-12-31T00:00:00Z" is outside the years 1970–2100`},
		{[]string{"ledger", "add", "--unplanned", "--category", "laptop support", "--minutes", "5", "--alert", "999999"}, `alert: "999999" is not a known alert`},
		{[]string{"secrets", "rotated", "AWS root credentials", "--at", "2035-01-01"}, `last_rotated_at: "2035-01-01T00:00:00`},
		{[]string{"secrets", "add", "--name", "Future", "--last_rotated_at", "2035-01-01"}, `is in the future`},
		{[]string{"accounts", "edit", "1", "--last_verified_at", "2035-01-01"}, `last_verified_at: "2035-01-01T00:00:00`},
	}
	for _, c := range cases {
		r := run(t, db, c.args...)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("opsdeck %s: exit %d, stderr %q; want one line containing %q", strings.Join(c.args, " "), r.code, r.stderr, c.want)
		}
	}
	if snapshotJSON(t, db) != before || mustRun(t, db, "checks", "list", "--json") != checksBefore {
		t.Error("a refused command changed data")
	}
	// Empty clears where the usage says so.
	mustRun(t, db, "people", "edit", "oscar@example.com", "--title", "")
	if out := mustRun(t, db, "people", "show", "oscar@example.com", "--json"); !strings.Contains(out, `"title": ""`) && !strings.Contains(out, `"title":""`) {
		t.Errorf("--title \"\" did not clear: %s", out)
	}
	if out := mustRun(t, db, "people", "edit", "--help"); !strings.Contains(out, "empty refused") || !strings.Contains(out, "empty clears") {
		t.Errorf("flags do not say what empty means:\n%s", out)
	}
}
