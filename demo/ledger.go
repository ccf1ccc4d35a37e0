package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// Oscar's last twelve weeks in the ledger. The company is growing: each
// week brings a little more laptop support, access requests and production
// trouble, so the unplanned share climbs from about a quarter to about
// 70 %, crossing half around week seven, while the weeks get longer. Some
// planned work is visibly interrupted and resumed (entries with two
// segments). The history is relative to now, so the last twelve weeks are
// always populated; it is loaded once (a seed marker in meta).

func init() { Register("ledger", loadLedger) }

// OscarActor is whose time the demo ledger is: Oscar at his own terminal.
const OscarActor = "local:oscar"

var (
	projectNotes = []string{"Backup automation with restic", "Terraform for the staging account", "SSO rollout (Google Workspace SAML)",
		"Monitoring dashboards for the app", "Laptop provisioning script", "Patch baseline for servers"}
	incidentNotes = map[string][]string{
		"Production App":   {"502s after the morning deploy", "Memory leak, app-03 restarted", "TLS certificate expired on app.example.com", "Login page timeouts"},
		"Postgres Primary": {"Connection pool exhausted", "Disk at 90 % on db-01", "Slow queries after migration", "Replication lag to the replica"},
	}
	laptopNotes = []string{"Won't boot after update", "VPN client broken", "Battery swelling, swap arranged", "Forgot disk encryption password",
		"Docker eats the disk", "External monitor not detected", "Keyboard replacement", "Slow, reinstalled OS"}
	accessServices = []string{"GitHub", "AWS", "Jira", "Google Workspace", "Slack", "Confluence", "Jenkins CI"}
	otherNotes     = []string{"Office wifi drops in the meeting room", "Printer jam", "Vendor invoice question", "Phone setup for sales"}
)

type ledgerRefs struct {
	laptops  []string         // asset tags of active people's laptops (not Oscar's)
	holder   map[string]int64 // asset tag → holder id
	device   map[string]int64 // asset tag → device id
	people   []int64          // active people other than Oscar
	service  map[string]int64
	newStaff []int64 // people whose onboarding is planned work
}

func ledgerLinks(t *store.Tx) (ledgerRefs, error) {
	r := ledgerRefs{holder: map[string]int64{}, device: map[string]int64{}, service: map[string]int64{}}
	for i, p := range people {
		if p.status != "active" || p.email == "oscar@example.com" {
			continue
		}
		rec, err := t.FindPerson(p.email)
		if err != nil {
			return r, err
		}
		r.people = append(r.people, rec.ID)
		if p.email == "kristen@example.com" || p.email == "chen@example.com" || p.email == "tom@example.com" {
			r.newStaff = append(r.newStaff, rec.ID)
		}
		tag := fmt.Sprintf("LT-%03d", i+1)
		d, err := t.FindDevice(tag)
		if err != nil {
			return r, err
		}
		r.laptops = append(r.laptops, tag)
		r.holder[tag], r.device[tag] = rec.ID, d.ID
	}
	for _, name := range append([]string{"Production App", "Postgres Primary"}, accessServices...) {
		sv, err := t.FindService(name)
		if err != nil {
			return r, err
		}
		r.service[name] = sv.ID
	}
	return r, nil
}

func loadLedger(ctx context.Context, s *store.Store, now time.Time) error {
	return s.Write(ctx, Actor, func(t *store.Tx) error {
		first, err := t.ClaimLedgerSeed("demo")
		if err != nil || !first {
			return err
		}
		refs, err := ledgerLinks(t)
		if err != nil {
			return err
		}
		loc := time.Local
		thisWeek := model.WeekStart(now, loc)
		for w := 0; w < model.TrendWeeks; w++ {
			ws := time.Date(thisWeek.Year(), thisWeek.Month(), thisWeek.Day()-7*(model.TrendWeeks-1-w), 0, 0, 0, 0, loc)
			g := ledgerWeek{t: t, refs: refs, rng: rand.New(rand.NewPCG(2026, uint64(w))), now: now,
				// 28 % unplanned in the oldest week, about 70 % in the newest.
				share: 0.28 + 0.42*float64(w)/float64(model.TrendWeeks-1),
				hours: 46 + 1.3*float64(w)}
			for d := 0; d < 5; d++ {
				if err := g.day(time.Date(ws.Year(), ws.Month(), ws.Day()+d, 8, 0, 0, 0, loc)); err != nil {
					return fmt.Errorf("week %d day %d: %w", w, d, err)
				}
			}
		}
		return nil
	})
}

// ledgerWeek generates one week's entries, steering each block toward the
// week's target unplanned share.
type ledgerWeek struct {
	t                  *store.Tx
	refs               ledgerRefs
	rng                *rand.Rand
	now                time.Time
	share, hours       float64
	planned, unplanned time.Duration
}

func (g *ledgerWeek) minutes(lo, hi int) time.Duration {
	return time.Duration(lo+5*g.rng.IntN((hi-lo)/5+1)) * time.Minute
}

func (g *ledgerWeek) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

func (g *ledgerWeek) wantUnplanned() bool {
	total := g.planned + g.unplanned
	if total == 0 {
		return g.rng.Float64() < g.share
	}
	return float64(g.unplanned)/float64(total) < g.share+0.06*(g.rng.Float64()-0.5)
}

// day fills one working day from start with blocks of work.
func (g *ledgerWeek) day(start time.Time) error {
	at := start.Add(g.minutes(0, 30))
	end := at.Add(time.Duration(g.hours/5*60+float64(g.rng.IntN(61)-30)) * time.Minute)
	for at.Before(end) {
		var d time.Duration
		var err error
		if g.wantUnplanned() {
			e := g.unplannedWork()
			d = g.unplannedLength(e.Category)
			err = g.add(e, at, d)
		} else {
			d, err = g.plannedBlock(at)
		}
		if err != nil {
			return err
		}
		at = at.Add(d + g.minutes(0, 15))
	}
	return nil
}

func (g *ledgerWeek) unplannedLength(cat string) time.Duration {
	switch cat {
	case model.IncidentCategory:
		return g.minutes(45, 180)
	case "laptop support":
		return g.minutes(20, 90)
	case "access request":
		return g.minutes(10, 40)
	}
	return g.minutes(15, 45)
}

func (g *ledgerWeek) unplannedWork() model.WorkEntry {
	e := model.WorkEntry{Kind: "unplanned", Actor: OscarActor}
	switch r := g.rng.Float64(); {
	case r < 0.40:
		tag := g.pick(g.refs.laptops)
		dev, holder := g.refs.device[tag], g.refs.holder[tag]
		e.Category, e.DeviceID, e.PersonID, e.Note = "laptop support", &dev, &holder, g.pick(laptopNotes)
	case r < 0.65:
		svc := g.pick(accessServices)
		sid, pid := g.refs.service[svc], g.refs.people[g.rng.IntN(len(g.refs.people))]
		e.Category, e.ServiceID, e.PersonID, e.Note = "access request", &sid, &pid, svc+" access"
	case r < 0.90:
		svc := "Production App"
		if g.rng.IntN(5) < 2 {
			svc = "Postgres Primary"
		}
		sid := g.refs.service[svc]
		e.Category, e.ServiceID, e.Note = model.IncidentCategory, &sid, g.pick(incidentNotes[svc])
	default:
		e.Category, e.Note = "other", g.pick(otherNotes)
	}
	return e
}

// plannedBlock logs planned work at at; a third of project blocks are
// interrupted by unplanned work and resumed afterwards, through the same
// timer calls the CLI uses.
func (g *ledgerWeek) plannedBlock(at time.Time) (time.Duration, error) {
	e := model.WorkEntry{Kind: "planned", Actor: OscarActor}
	var d time.Duration
	switch r := g.rng.Float64(); {
	case r < 0.55:
		e.Category, e.Note, d = "project", g.pick(projectNotes), g.minutes(60, 180)
	case r < 0.70:
		sid := g.refs.service["Production App"]
		e.Category, e.ServiceID, e.Note, d = "deployment", &sid, "Release to production", g.minutes(30, 90)
	case r < 0.88:
		e.Category, e.Note, d = "meeting", g.pick([]string{"Weekly ops sync", "1:1 with Tammy", "Security review"}), g.minutes(30, 60)
	default:
		pid := g.refs.newStaff[g.rng.IntN(len(g.refs.newStaff))]
		e.Category, e.PersonID, e.Note, d = "onboarding", &pid, "Accounts and laptop for a new starter", g.minutes(45, 120)
	}
	if e.Category != "project" || g.rng.IntN(3) != 0 {
		return d, g.add(e, at, d)
	}
	// Interrupted: work a while, handle the interruption, come back.
	first := g.minutes(20, 60)
	u := g.unplannedWork()
	ud := g.unplannedLength(u.Category)
	if at.Add(d + ud).After(g.now) {
		return d, nil
	}
	e.StartedAt = at
	if _, err := g.t.StartEntry(&e); err != nil {
		return 0, err
	}
	u.StartedAt = at.Add(first)
	if _, err := g.t.StartEntry(&u); err != nil {
		return 0, err
	}
	if _, _, err := g.t.StopEntry(u.ID, u.StartedAt.Add(ud)); err != nil {
		return 0, err
	}
	if _, _, err := g.t.StopEntry(e.ID, at.Add(d+ud)); err != nil {
		return 0, err
	}
	g.planned += d
	g.unplanned += ud
	return d + ud, nil
}

// add logs a finished block, unless it would end after now.
func (g *ledgerWeek) add(e model.WorkEntry, at time.Time, d time.Duration) error {
	end := at.Add(d)
	if end.After(g.now) {
		return nil
	}
	e.StartedAt, e.EndedAt = at, &end
	if e.Kind == "unplanned" {
		g.unplanned += d
	} else {
		g.planned += d
	}
	return g.t.AddEntry(&e)
}
