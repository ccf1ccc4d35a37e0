package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/internal/human"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/themes"
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
		States:   []detail.State{{Domain: themes.DomainSeverity, Value: a.Severity}},
		Subtitle: fmt.Sprintf("alert %d · open %s", a.ID, d.Age)}
	if a.ResolvedAt != nil {
		out.Subtitle = fmt.Sprintf("alert %d · lasted %s", a.ID, d.Age)
	}
	f := ops.AlertFacts(d, now)
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
		c := ops.EventCells(d.Events[i])
		tl.Rows = append(tl.Rows, detail.Row{Text: fmt.Sprintf("%s  %-12s %-16s %s", c[0], c[1], c[2], c[3])})
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
		c := ops.ResultCells(r)
		sec.Rows = append(sec.Rows, detail.Row{Text: fmt.Sprintf("%s  %-5s %8s  %s", c[0], c[1], c[2], c[3]), Warn: !r.OK()})
	}
	return sec
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
	d := detail.Data{Title: c.Name, States: []detail.State{{Domain: themes.DomainCheck, Value: state}}, Subtitle: "check · " + c.Kind}
	lat := make([]float64, 0, len(rs))
	for i := len(rs) - 1; i >= 0; i-- {
		lat = append(lat, rs[i].LatencyMs)
	}
	d.Fields = [][2]string{
		{"target", dash(c.Target)}, {"condition", c.EffectiveCondition()},
		{"every", human.Interval(c.Interval()) + fmt.Sprintf(" · timeout %ds · fires after %d failures, resolves after %d", c.TimeoutS, c.FailThreshold, c.SuccessThreshold)},
		{"last run", ops.CheckNow(st, now)},
		{"uptime", fmt.Sprintf("24h %s · 7d %s · 30d %s", human.Percent(up.Day), human.Percent(up.Week), human.Percent(up.Month))},
		{"latency", ops.Sparkline(lat)},
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
	d.Sections = append(managedSection(c.Managed), rel, al, resultsSection(rs, 10))
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
