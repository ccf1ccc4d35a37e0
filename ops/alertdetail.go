package ops

import (
	"fmt"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/internal/human"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// AlertFacts is an alert's detail as label/value pairs: the one list
// `opsdeck alerts show` prints and the console's alert page shows (each
// adds its own heading: the CLI the id, check, state and severity, the
// console a title line). The linked records (service, device, check,
// the alert that caused it and those it explains) are not facts: the
// console lists them as links to open, the CLI as lines of its own.
// d is what store.GetAlertDetail loaded.
func AlertFacts(d store.AlertDetail, now time.Time) [][2]string {
	a := d.Alert
	f := [][2]string{{"summary", orDash(FirstLine(a.Summary))},
		{"opened", a.OpenedAt.Local().Format("2006-01-02 15:04:05") + " (" + d.Age + ")"}}
	if a.AckedAt != nil {
		f = append(f, [2]string{"acknowledged", fmt.Sprintf("by %s %s: %s", a.AckedBy, model.Ago(a.AckedAt, now), a.AckReason)})
	}
	if a.SnoozedUntil != nil && now.Before(*a.SnoozedUntil) {
		f = append(f, [2]string{"snoozed until", a.SnoozedUntil.Local().Format("2006-01-02 15:04") + ": " + a.SnoozeReason})
	}
	if a.ResolvedAt != nil {
		f = append(f, [2]string{"resolved", fmt.Sprintf("by %s %s: %s", a.ResolvedBy, model.Ago(a.ResolvedAt, now), orDash(a.ResolveNote))})
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
	f = append(f, [2]string{"owner", owner}, [2]string{"on call", orDash(strings.Join(oc, ", "))},
		[2]string{"runbook", orDash(d.Runbook)},
		[2]string{"uptime", fmt.Sprintf("24h %s · 7d %s · 30d %s", human.Percent(d.Uptime.Day), human.Percent(d.Uptime.Week), human.Percent(d.Uptime.Month))},
		[2]string{"latency", Sparkline(d.Latency)})
	if d.State != nil {
		f = append(f, [2]string{"check now", CheckNow(*d.State, now)})
	}
	return f
}

// EventCells is one timeline event as both front ends list it: when,
// what, who, the message's first line.
func EventCells(e model.AlertEvent) []string {
	return []string{e.At.Local().Format("01-02 15:04:05"), e.Kind, e.Actor, FirstLine(e.Message)}
}

// ResultCells is one check result as both front ends list it.
func ResultCells(r model.CheckResult) []string {
	return []string{r.At.Local().Format("01-02 15:04:05"), r.Status, human.Latency(r.LatencyMs), FirstLine(r.Message)}
}

// CheckNow is a check's latest state in one line.
func CheckNow(st model.CheckState, now time.Time) string {
	if st.LastRunAt == nil {
		return "not run yet"
	}
	s := fmt.Sprintf("%s %s (%s)", st.Status, model.Ago(st.LastRunAt, now), human.Latency(st.LatencyMs))
	if st.Message != "" {
		s += ": " + FirstLine(st.Message)
	}
	return s
}

// Sparkline draws latencies with eight block heights, their range and
// the last one.
func Sparkline(v []float64) string {
	if len(v) == 0 {
		return "no results yet"
	}
	bars, lo, hi := model.Sparkline(v)
	return fmt.Sprintf("%s  %s–%s, last %s", bars, human.Latency(lo), human.Latency(hi), human.Latency(v[len(v)-1]))
}

// FirstLine is s up to its first line break, with " …" when more follows.
func FirstLine(s string) string {
	first, rest, _ := strings.Cut(s, "\n")
	if rest != "" {
		return first + " …"
	}
	return first
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
