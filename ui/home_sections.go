package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/themes"
)

// Home's first sections: firing alerts, late backups, open offboardings,
// overdue secrets and the week's unplanned share. Other features register
// theirs the same way from their own files (docs/dev/adding.md).

func init() {
	registerHomeSection(homeSection{order: 10, title: "Firing, not acknowledged", load: homeAlerts})
	registerHomeSection(homeSection{order: 20, title: "Backups late or failing", load: homeBackups})
	registerHomeSection(homeSection{order: 30, title: "Offboardings open", load: homeOffboardings})
	registerHomeSection(homeSection{order: 60, title: "Secrets overdue for rotation", load: homeSecrets})
	registerHomeSection(homeSection{order: 90, title: "This week", load: homeWeek})
}

// homeAlerts lists the firing alerts nobody acknowledged yet (roots: an
// alert caused by a down device is counted on its root's line), oldest
// first, with who is on call; the acknowledged ones are one line.
func homeAlerts(env TabEnv) (homeData, error) {
	now := env.now()
	groups, err := env.Store.AlertGroups(env.Ctx, now)
	if err != nil {
		return homeData{}, fmt.Errorf("alerts: %w", err)
	}
	svcs, err := env.Store.ListServices(env.Ctx, store.ServiceQuery{})
	if err != nil {
		return homeData{}, fmt.Errorf("services: %w", err)
	}
	svcName := map[int64]string{}
	for _, s := range svcs {
		svcName[s.ID] = s.Name
	}
	oc, err := env.Store.OnCallAt(env.Ctx, now)
	if err != nil {
		return homeData{}, fmt.Errorf("on call: %w", err)
	}
	d := homeData{Note: "on call: nobody", Empty: "none — every check is passing or acknowledged"}
	if len(oc) > 0 {
		names := make([]string, len(oc))
		for i, o := range oc {
			names[i] = o.PersonName
		}
		d.Note = "on call: " + strings.Join(names, ", ")
	}
	acked := 0
	for _, g := range groups {
		a := g.Root
		quiet := a.SilenceID != nil || (a.SnoozedUntil != nil && now.Before(*a.SnoozedUntil))
		if a.State != "firing" || quiet {
			if a.State == "acknowledged" {
				acked++
			}
			continue
		}
		where := "-"
		switch {
		case a.ServiceID != nil:
			where = svcName[*a.ServiceID]
		case a.DeviceID != nil: // a host check: name the device it watches
			if dv, err := env.Store.GetDevice(env.Ctx, *a.DeviceID); err == nil {
				where = "device " + dv.Name
			}
		}
		extra := firstLine(a.Summary)
		if n := len(g.Caused); n > 0 {
			extra = fmt.Sprintf("+%d caused · %s", n, extra)
		}
		d.Lines = append(d.Lines, homeLine{Domain: themes.DomainAlert, State: alertState(a, now),
			Text:  fmt.Sprintf("%-4s %s · %s", model.Span(now.Sub(a.OpenedAt)), a.CheckName, where),
			Extra: extra, Link: link("alert", a.ID), Go: "alerts"})
	}
	if acked > 0 {
		d.Note += fmt.Sprintf(" · %d acknowledged", acked)
	}
	return d, nil
}

// homeBackups lists backups that would alert: late, failed, never or not
// lately restore-tested. A company job opens its service; opsdeck's own
// backup opens the backups view.
func homeBackups(env TabEnv) (homeData, error) {
	hs, err := env.Store.BackupHealth(env.Ctx, model.DefaultSelfBackupPolicy, env.now())
	if err != nil {
		return homeData{}, fmt.Errorf("backups: %w", err)
	}
	// Worst first: the section shows a few lines, and a failed run matters
	// more than a restore test nobody has done yet.
	sort.SliceStable(hs, func(i, j int) bool { return hs[i].State.Urgency() < hs[j].State.Urgency() })
	var d homeData
	for _, h := range hs {
		if h.State.Healthy() {
			continue
		}
		l := homeLine{Domain: themes.DomainBackup, State: string(h.State), Text: h.Name, Extra: h.Reason, Go: "backups"}
		if h.ServiceName != "" {
			l.Text += " · " + h.ServiceName
		}
		if h.ServiceID != 0 {
			l.Link = link("service", h.ServiceID)
		}
		d.Lines = append(d.Lines, l)
	}
	return d, nil
}

// homeOffboardings lists the open offboarding checklists with their
// progress; a leaver whose last day has passed is overdue.
func homeOffboardings(env TabEnv) (homeData, error) {
	obs, err := env.Store.ListOffboardings(env.Ctx)
	if err != nil {
		return homeData{}, fmt.Errorf("offboardings: %w", err)
	}
	today := env.now().Local().Format(model.DateLayout)
	var d homeData
	for _, o := range obs {
		if o.Status != "open" {
			continue
		}
		state, when := dueState(o.LastDay, today, "last day", "no last day set")
		p := o.Progress
		text := fmt.Sprintf("%s · %d/%d steps %s", o.PersonName, p.Closed(), p.Total, progressBar(p.Closed(), p.Total, 10))
		extra := when
		if p.Blocked > 0 {
			extra += fmt.Sprintf(" · %d blocked", p.Blocked)
		}
		d.Lines = append(d.Lines, homeLine{Domain: themes.DomainDue, State: state, Text: text, Extra: extra, Link: link("offboarding", o.PersonID)})
	}
	return d, nil
}

// progressBar is n of total as marks: ▰▰▰▱▱.
func progressBar(n, total, width int) string {
	if total <= 0 {
		return ""
	}
	full := min(n*width/total, width)
	return strings.Repeat("▰", full) + strings.Repeat("▱", width-full)
}

// homeSecrets lists the shared secrets overdue for rotation.
func homeSecrets(env TabEnv) (homeData, error) {
	ss, err := env.Store.ListSecrets(env.Ctx)
	if err != nil {
		return homeData{}, fmt.Errorf("secrets: %w", err)
	}
	now := env.now()
	var d homeData
	for _, x := range ss {
		if !x.Overdue(now) {
			continue
		}
		d.Lines = append(d.Lines, homeLine{Domain: themes.DomainDue, State: "overdue", Text: x.Name + " · " + x.RotationStatus(now),
			Extra: "known by " + dash(x.HolderNames()), Link: link("secret", x.ID), Go: "secrets"})
	}
	return d, nil
}

// homeWeek is the week's planned and unplanned hours and the biggest
// source of unplanned time; it opens the ledger.
func homeWeek(env TabEnv) (homeData, error) {
	now := env.now()
	from := model.WeekStart(now, time.Local)
	rep, err := env.Store.LedgerReport(env.Ctx, from, from.AddDate(0, 0, 7), time.Local)
	if err != nil {
		return homeData{}, fmt.Errorf("ledger: %w", err)
	}
	if rep.Total() == 0 {
		return homeData{Lines: []homeLine{{Text: "nothing logged this week", Go: "ledger"}}}, nil
	}
	text := fmt.Sprintf("unplanned %.0f%% · %.1f of %.1f h logged", rep.Share*100, rep.Unplanned.Float(), rep.Total().Float())
	extra := fmt.Sprintf("%d entries", rep.Entries)
	if c := rep.Top.Categories; len(c) > 0 {
		extra = fmt.Sprintf("biggest source: %s (%.1f h) · %s", c[0].Key, c[0].Hours.Float(), extra)
	}
	return homeData{Lines: []homeLine{{Text: text, Extra: extra, Go: "ledger"}}}, nil
}
