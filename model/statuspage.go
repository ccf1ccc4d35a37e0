package model

import (
	"sort"
	"time"
)

// The public status page (opsdeck run --listen): what outsiders may know
// about the services marked public. Its types carry only what is public —
// a service's name, its state, its daily uptime and the public notes of
// its open incidents — so no owner, target, account, person or check can
// reach the page: there is no field to put one in.

// StatusDays is how many days of uptime the page shows.
const StatusDays = 90

// Public states, worst last.
const (
	PublicUnknown     = "unknown"
	PublicOperational = "operational"
	PublicDegraded    = "degraded"
	PublicOutage      = "outage"
)

// StatusPage is the whole page.
type StatusPage struct {
	Title     string           `json:"title"`
	State     string           `json:"state"` // the worst of the services'
	Generated time.Time        `json:"generated_at"`
	Services  []PublicService  `json:"services"`
	Incidents []PublicIncident `json:"incidents"`
}

// PublicService is one public service.
type PublicService struct {
	Name  string `json:"name"`
	State string `json:"state"`
	// Uptime is the share of good probe results over the days shown, in
	// percent; nil when there are none.
	Uptime *float64    `json:"uptime_percent"`
	Days   []UptimeDay `json:"days"`
}

// UptimeDay is one bar: a day's share of good results (nil: no data).
type UptimeDay struct {
	Date   string   `json:"date"`
	Uptime *float64 `json:"uptime_percent"`
	Level  string   `json:"level"` // none, ok, minor, major: the bar's colour
}

// PublicIncident is an open alert on a public service, as outsiders see it.
type PublicIncident struct {
	Service string    `json:"service"`
	State   string    `json:"state"` // investigating, identified
	Since   time.Time `json:"since"`
	Note    string    `json:"note"`
}

// StatusInput is what the page is built from, per public service: the
// states of its checks, its checks' daily results, its open alerts.
type StatusInput struct {
	Name   string
	States []string // the service's checks' current statuses (up, warn, down, error, pending)
	// Daily maps a UTC day (YYYY-MM-DD) to results: n in total, ok good.
	Daily  map[string][2]int
	Alerts []Alert
}

// BuildStatusPage builds the page at now from the public services' inputs.
func BuildStatusPage(title string, now time.Time, in []StatusInput) StatusPage {
	p := StatusPage{Title: title, State: PublicOperational, Generated: now.UTC(), Services: []PublicService{}, Incidents: []PublicIncident{}}
	if len(in) == 0 {
		p.State = PublicUnknown
	}
	rank := map[string]int{PublicUnknown: 0, PublicOperational: 1, PublicDegraded: 2, PublicOutage: 3}
	worst := 0
	for _, s := range in {
		ps := PublicService{Name: Sanitize(s.Name), State: serviceState(s), Days: make([]UptimeDay, 0, StatusDays)}
		n, ok := 0, 0
		for i := StatusDays - 1; i >= 0; i-- {
			day := now.UTC().AddDate(0, 0, -i).Format(DateLayout)
			d := UptimeDay{Date: day, Level: "none"}
			if r, has := s.Daily[day]; has && r[0] > 0 {
				u := float64(r[1]) * 100 / float64(r[0])
				d.Uptime = &u
				d.Level = uptimeLevel(u)
				n, ok = n+r[0], ok+r[1]
			}
			ps.Days = append(ps.Days, d)
		}
		if n > 0 {
			u := float64(ok) * 100 / float64(n)
			ps.Uptime = &u
		}
		if rank[ps.State] > worst {
			worst = rank[ps.State]
		}
		p.Services = append(p.Services, ps)
		for _, a := range s.Alerts {
			if !a.Open() {
				continue
			}
			inc := PublicIncident{Service: ps.Name, State: "investigating", Since: a.OpenedAt.UTC(), Note: SanitizeMultiline(a.PublicNote, 2000)}
			if a.State == "acknowledged" {
				inc.State = "identified"
			}
			p.Incidents = append(p.Incidents, inc)
		}
	}
	for st, r := range rank {
		if r == worst && len(in) > 0 {
			p.State = st
		}
	}
	sort.SliceStable(p.Incidents, func(i, j int) bool { return p.Incidents[i].Since.After(p.Incidents[j].Since) })
	return p
}

// serviceState is the worst of the service's checks, raised to degraded
// by an open alert.
func serviceState(s StatusInput) string {
	st := PublicUnknown
	for _, c := range s.States {
		switch c {
		case "down", "error":
			return PublicOutage
		case "warn":
			st = PublicDegraded
		case "up":
			if st == PublicUnknown {
				st = PublicOperational
			}
		}
	}
	for _, a := range s.Alerts {
		if a.Open() && st != PublicOutage {
			st = PublicDegraded
		}
	}
	return st
}

func uptimeLevel(u float64) string {
	switch {
	case u >= 99.5:
		return "ok"
	case u >= 95:
		return "minor"
	}
	return "major"
}
