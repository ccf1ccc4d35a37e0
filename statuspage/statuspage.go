// Package statuspage serves the public status page that `opsdeck run
// --listen` adds beside the heartbeat endpoint: an HTML page rendered on
// the server (no JavaScript) and the same data as /status.json. It shows
// only services marked public, through model.StatusPage, whose types have
// no field for anything private (owners, targets, accounts, people).
package statuspage

import (
	"context"
	_ "embed"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

//go:embed page.html.tmpl
var pageText string

var page = template.Must(template.New("status").Funcs(template.FuncMap{
	"pct": func(u *float64) string {
		if u == nil {
			return "no data"
		}
		return strings.TrimRight(strings.TrimRight(strconvFloat(*u), "0"), ".") + "%"
	},
	"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"label": func(s string) string {
		return map[string]string{model.PublicOperational: "Operational", model.PublicDegraded: "Degraded", model.PublicOutage: "Outage",
			model.PublicUnknown: "No data yet"}[s]
	},
	"headline": func(s string) string {
		return map[string]string{model.PublicOperational: "All systems operational", model.PublicDegraded: "Some systems degraded",
			model.PublicOutage: "Major outage", model.PublicUnknown: "Status not known yet"}[s]
	},
}).Parse(pageText))

func strconvFloat(f float64) string {
	b, _ := json.Marshal(float64(int(f*100)) / 100)
	s := string(b)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// Title is the page's heading.
const Title = "Service status"

// Build reads the public services' state, daily rollups and open alerts
// and builds the page at now.
func Build(ctx context.Context, s *store.Store, now time.Time) (model.StatusPage, error) {
	svcs, err := s.ListServices(ctx, store.ServiceQuery{Status: "active"})
	if err != nil {
		return model.StatusPage{}, err
	}
	states, err := s.CheckStates(ctx)
	if err != nil {
		return model.StatusPage{}, err
	}
	alerts, err := s.ListAlerts(ctx, store.AlertQuery{State: "open"})
	if err != nil {
		return model.StatusPage{}, err
	}
	from := now.UTC().AddDate(0, 0, -model.StatusDays).Truncate(24 * time.Hour)
	var in []model.StatusInput
	for _, sv := range svcs {
		if !sv.Public {
			continue
		}
		si := model.StatusInput{Name: sv.Name, Daily: map[string][2]int{}}
		checks, err := s.ListChecks(ctx, store.CheckQuery{ServiceID: sv.ID})
		if err != nil {
			return model.StatusPage{}, err
		}
		for _, c := range checks {
			if c.IsSource() {
				continue
			}
			if !c.Paused { // a paused check says nothing about now; its history still counts
				si.States = append(si.States, states[c.ID].Status)
			}
			days, err := s.Rollups(ctx, c.ID, true, from)
			if err != nil {
				return model.StatusPage{}, err
			}
			for _, d := range days {
				k := d.Bucket.UTC().Format(model.DateLayout)
				v := si.Daily[k]
				si.Daily[k] = [2]int{v[0] + d.N, v[1] + d.OK}
			}
		}
		for _, a := range alerts {
			if a.ServiceID != nil && *a.ServiceID == sv.ID {
				si.Alerts = append(si.Alerts, a)
			}
		}
		in = append(in, si)
	}
	return model.BuildStatusPage(Title, now, in), nil
}

// Handler serves GET / (the page) and GET /status.json; now is the
// process's clock.
func Handler(s *store.Store, now func() time.Time) http.Handler {
	mux := http.NewServeMux()
	serve := func(w http.ResponseWriter, r *http.Request, asJSON bool) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "use GET", http.StatusMethodNotAllowed)
			return
		}
		p, err := Build(r.Context(), s, now())
		if err != nil {
			http.Error(w, "the status is not available right now", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if asJSON {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(p)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		page.Execute(w, p)
	}
	mux.HandleFunc("/status.json", func(w http.ResponseWriter, r *http.Request) { serve(w, r, true) })
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) { serve(w, r, false) })
	return mux
}
