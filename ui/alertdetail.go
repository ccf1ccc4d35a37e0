package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/internal/human"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/ui/components/detail"
)

// Detail pages of alerts and checks, and the checks section of a service.
// Like the inventory pages they run inside a Cmd (loadDetail).

func init() {
	registerDetail(detailDef{kind: "alert", load: alertDetail, results: true})
	registerDetail(detailDef{kind: "check", load: checkDetail, results: true})
}

func alertDetail(env TabEnv, id int64) (detail.Data, error) {
	now := env.now()
	d, err := env.Store.GetAlertDetail(env.Ctx, id, now)
	if err != nil {
		return detail.Data{}, err
	}
	a := d.Alert
	out := detail.Data{Title: a.CheckName + " · " + strings.ToUpper(alertState(a, now)),
		Subtitle: fmt.Sprintf("alert %d · %s · open %s", a.ID, a.Severity, d.Age)}
	if a.ResolvedAt != nil {
		out.Subtitle = fmt.Sprintf("alert %d · %s · lasted %s", a.ID, a.Severity, d.Age)
	}
	f := [][2]string{{"summary", dash(firstLine(a.Summary))}, {"opened", a.OpenedAt.Local().Format("2006-01-02 15:04:05")}}
	if a.AckedAt != nil {
		f = append(f, [2]string{"acknowledged", fmt.Sprintf("by %s %s: %s", a.AckedBy, model.Ago(a.AckedAt, now), a.AckReason)})
	}
	if a.SnoozedUntil != nil && now.Before(*a.SnoozedUntil) {
		f = append(f, [2]string{"snoozed", fmt.Sprintf("until %s: %s", atClock(*a.SnoozedUntil, now), a.SnoozeReason)})
	}
	if a.ResolvedAt != nil {
		f = append(f, [2]string{"resolved", fmt.Sprintf("by %s %s: %s", a.ResolvedBy, model.Ago(a.ResolvedAt, now), dash(a.ResolveNote))})
	}
	if why := a.Suppressed(now); why != "" {
		f = append(f, [2]string{"not paging", why})
	}
	owner := "nobody owns this service"
	if d.Service == nil {
		owner = "- (a device check: no service)"
	}
	if d.Owner != nil {
		owner = d.Owner.Name + " <" + d.Owner.Email + ">"
	}
	var oc []string
	for _, o := range d.OnCall {
		oc = append(oc, o.PersonName)
	}
	f = append(f, [2]string{"owner", owner}, [2]string{"on call", dash(strings.Join(oc, ", "))},
		[2]string{"runbook", dash(d.Runbook)},
		[2]string{"uptime", fmt.Sprintf("24h %s · 7d %s · 30d %s", human.Percent(d.Uptime.Day), human.Percent(d.Uptime.Week), human.Percent(d.Uptime.Month))},
		[2]string{"latency", sparkline(d.Latency)})
	if d.State != nil {
		f = append(f, [2]string{"check now", checkNow(*d.State, now)})
	}
	out.Fields = f

	jump := detail.Section{Title: "Go to", Empty: "the check was deleted"}
	if d.Service != nil {
		jump.Rows = append(jump.Rows, detail.Row{Text: "service  " + d.Service.Name + " · " + d.Service.Criticality, Link: link("service", d.Service.ID)})
	}
	if d.Device != nil {
		jump.Rows = append(jump.Rows, detail.Row{Text: "device   " + d.Device.AssetTag + " " + d.Device.Name, Link: link("device", d.Device.ID)})
	}
	if d.Check != nil {
		jump.Rows = append(jump.Rows, detail.Row{Text: "check    " + d.Check.Name + " · " + d.Check.Kind + " " + d.Check.Target, Link: link("check", d.Check.ID)})
	}
	if d.Owner != nil {
		jump.Rows = append(jump.Rows, detail.Row{Text: "owner    " + d.Owner.Name, Link: link("person", d.Owner.ID)})
	}
	secs := []detail.Section{jump}
	if d.CausedBy != nil {
		secs = append(secs, detail.Section{Title: "Caused by", Rows: []detail.Row{alertRow(*d.CausedBy, now)}})
	}
	if len(d.Caused) > 0 {
		ex := detail.Section{Title: fmt.Sprintf("Explains (%d, not paging separately)", len(d.Caused))}
		for _, c := range d.Caused {
			ex.Rows = append(ex.Rows, alertRow(c, now))
		}
		secs = append(secs, ex)
	}
	tl := detail.Section{Title: "Timeline", Empty: "no events"}
	for i := len(d.Events) - 1; i >= 0; i-- { // newest first: what happened last matters most
		e := d.Events[i]
		tl.Rows = append(tl.Rows, detail.Row{Text: fmt.Sprintf("%s  %-12s %-16s %s", e.At.Local().Format("01-02 15:04:05"), e.Kind, e.Actor, firstLine(e.Message))})
	}
	secs = append(secs, tl, resultsSection(d.Results, 10))
	out.Sections = secs
	return out, nil
}

func alertRow(a model.Alert, now time.Time) detail.Row {
	end := now
	if a.ResolvedAt != nil {
		end = *a.ResolvedAt
	}
	return detail.Row{Text: fmt.Sprintf("%-8s %-20s %-6s %s", alertState(a, now), a.CheckName, model.Span(end.Sub(a.OpenedAt)), firstLine(a.Summary)),
		Link: link("alert", a.ID), Warn: a.State == "firing" && a.CausedByDeviceID == nil}
}

func resultsSection(rs []model.CheckResult, n int) detail.Section {
	sec := detail.Section{Title: "Last results", Empty: "no results yet"}
	for i, r := range rs {
		if i == n {
			break
		}
		sec.Rows = append(sec.Rows, detail.Row{Text: fmt.Sprintf("%s  %-5s %8s  %s", r.At.Local().Format("01-02 15:04:05"), r.Status, human.Latency(r.LatencyMs), firstLine(r.Message)),
			Warn: !r.OK()})
	}
	return sec
}

// checkNow is a check's latest state in one line.
func checkNow(st model.CheckState, now time.Time) string {
	if st.LastRunAt == nil {
		return "not run yet"
	}
	s := fmt.Sprintf("%s %s (%s)", st.Status, model.Ago(st.LastRunAt, now), human.Latency(st.LatencyMs))
	if st.Message != "" {
		s += ": " + firstLine(st.Message)
	}
	return s
}

func checkDetail(env TabEnv, id int64) (detail.Data, error) {
	ctx, s := env.Ctx, env.Store
	c, err := s.GetCheck(ctx, id)
	if err != nil {
		return detail.Data{}, err
	}
	now := env.now()
	st, err := s.CheckState(ctx, id)
	if err != nil {
		return detail.Data{}, err
	}
	rs, err := s.RecentResults(ctx, id, 30)
	if err != nil {
		return detail.Data{}, err
	}
	up, err := s.Uptime(ctx, id, now)
	if err != nil {
		return detail.Data{}, err
	}
	state := dash(st.Status)
	if c.Paused {
		state = "paused"
	}
	d := detail.Data{Title: c.Name, Subtitle: "check · " + c.Kind + " · " + state}
	lat := make([]float64, 0, len(rs))
	for i := len(rs) - 1; i >= 0; i-- {
		lat = append(lat, rs[i].LatencyMs)
	}
	d.Fields = [][2]string{
		{"target", dash(c.Target)}, {"condition", c.EffectiveCondition()},
		{"every", human.Interval(c.Interval()) + fmt.Sprintf(" · timeout %ds · fires after %d failures, resolves after %d", c.TimeoutS, c.FailThreshold, c.SuccessThreshold)},
		{"last run", checkNow(st, now)},
		{"uptime", fmt.Sprintf("24h %s · 7d %s · 30d %s", human.Percent(up.Day), human.Percent(up.Week), human.Percent(up.Month))},
		{"latency", sparkline(lat)},
	}
	rel := detail.Section{Title: "Watches", Empty: "nothing (service and device were removed)"}
	if c.ServiceID != nil {
		if v, err := s.GetService(ctx, *c.ServiceID); err == nil {
			rel.Rows = append(rel.Rows, detail.Row{Text: "service  " + v.Name, Link: link("service", v.ID)})
		}
	}
	if c.DeviceID != nil {
		if v, err := s.GetDevice(ctx, *c.DeviceID); err == nil {
			rel.Rows = append(rel.Rows, detail.Row{Text: "device   " + v.AssetTag + " " + v.Name, Link: link("device", v.ID)})
		}
	}
	as, err := s.ListAlerts(ctx, store.AlertQuery{CheckID: id, Limit: 10})
	if err != nil {
		return d, err
	}
	al := detail.Section{Title: "Alerts", Empty: "never alerted"}
	for _, a := range as {
		al.Rows = append(al.Rows, alertRow(a, now))
	}
	d.Sections = []detail.Section{rel, al, resultsSection(rs, 10)}
	return d, nil
}

// checksSection lists the checks of a service (c adds one there) or of a
// device (its host checks and the checks that run on it).
func checksSection(env TabEnv, q store.CheckQuery) (detail.Section, error) {
	ctx, s := env.Ctx, env.Store
	cs, err := s.ListChecks(ctx, q)
	keys, empty := "x run now · p pause/resume · enter edit/delete", "no checks (add one from a service's page)"
	if q.ServiceID != 0 {
		keys, empty = "c add · "+keys, "no checks — press c to add one"
	}
	sec := detail.Section{Title: "Checks", Empty: empty}
	if err != nil {
		return sec, err
	}
	sec.Title = fmt.Sprintf("Checks (%d) · %s", len(cs), keys)
	now := env.now()
	for _, c := range cs {
		st, err := s.CheckState(ctx, c.ID)
		if err != nil {
			return sec, err
		}
		up, err := s.Uptime(ctx, c.ID, now)
		if err != nil {
			return sec, err
		}
		state, last := dash(st.Status), "never run"
		if c.Paused {
			state = "paused"
		}
		if st.LastRunAt != nil {
			last = model.Ago(st.LastRunAt, now)
		}
		sec.Rows = append(sec.Rows, detail.Row{
			Text: fmt.Sprintf("%-20s %-9s %-7s %8s  24h %-7s %-9s %s", c.Name, c.Kind, state, human.Latency(st.LatencyMs), human.Percent(up.Day), last, c.Target),
			Link: link("check", c.ID), Warn: !c.Paused && st.Status != "up" && st.Status != "pending" && st.Status != ""})
	}
	return sec, nil
}

// sparkline draws latencies oldest first with eight block heights.
func sparkline(v []float64) string {
	if len(v) == 0 {
		return "no results yet"
	}
	bars, lo, hi := model.Sparkline(v)
	return fmt.Sprintf("%s  %s–%s, last %s", bars, human.Latency(lo), human.Latency(hi), human.Latency(v[len(v)-1]))
}
