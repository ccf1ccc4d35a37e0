package model

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The page is built from what is public only: an alert's summary, check
// name and acknowledgement reason never reach it, its public note does;
// states and bars follow the checks and the rollups.
func TestBuildStatusPage(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	open := Alert{State: "acknowledged", CheckName: "app-web-internal", Summary: "GET http://10.0.0.5:8080/health: 502",
		AckReason: "dave is on it", AckedBy: "dave@example.com", OpenedAt: now.Add(-time.Hour), PublicNote: "Logins are slow; a fix is rolling out."}
	p := BuildStatusPage("Status", now, []StatusInput{
		{Name: "App", States: []string{"up", "down"}, Daily: map[string][2]int{"2026-12-06": {100, 90}, "2026-11-01": {100, 100}}, Alerts: []Alert{open}},
		{Name: "Docs", States: []string{"up"}},
		{Name: "New", States: []string{"pending"}},
	})
	if p.State != PublicOutage || p.Services[0].State != PublicOutage || p.Services[1].State != PublicOperational || p.Services[2].State != PublicUnknown {
		t.Fatalf("states: page %s, services %s %s %s", p.State, p.Services[0].State, p.Services[1].State, p.Services[2].State)
	}
	days := p.Services[0].Days
	if len(days) != StatusDays || days[StatusDays-1].Date != "2026-12-07" || days[StatusDays-2].Level != "major" || days[StatusDays-1].Level != "none" {
		t.Fatalf("bars: %d, last %+v, yesterday %+v", len(days), days[StatusDays-1], days[StatusDays-2])
	}
	if u := *p.Services[0].Uptime; u != 95 {
		t.Errorf("uptime %v, want 95", u)
	}
	if len(p.Incidents) != 1 || p.Incidents[0].State != "identified" || p.Incidents[0].Note != open.PublicNote {
		t.Fatalf("incidents %+v", p.Incidents)
	}
	b, _ := json.Marshal(p)
	for _, private := range []string{"app-web-internal", "10.0.0.5", "dave", "502"} {
		if strings.Contains(string(b), private) {
			t.Errorf("the page carries %q: %s", private, b)
		}
	}
}
