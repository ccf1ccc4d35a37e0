package checks

import (
	"context"

	"github.com/opsdeck/opsdeck/model"
)

// prober is the probe half of a check kind; model.CheckKind is the pure
// half (target validation, default condition, condition variables). The
// Runner looks a check's kind up here, so a new kind is its entry in
// model's kind table, its entry here, and their tests (docs/dev/adding.md).
// Judged kinds (heartbeat) have no prober: the Runner judges their pings.
type prober struct {
	probe func(r *Runner, ctx context.Context, c *model.Check) probe
	// ownError: a probe that could not run is the check's own error (a
	// command that does not start, a failed database read), not the
	// target being down.
	ownError bool
	// finish adjusts the judged result (ok: the condition held).
	finish func(c *model.Check, p probe, ok bool, res *model.CheckResult)
}

var probers = map[string]prober{
	"http":              {probe: (*Runner).http},
	"tcp":               {probe: (*Runner).tcp},
	"tls":               {probe: (*Runner).tls},
	"dns":               {probe: (*Runner).dns, finish: dnsExpect},
	"exec":              {probe: (*Runner).exec, ownError: true, finish: execStatus},
	model.SourceBackup:  {probe: (*Runner).source, ownError: true},
	model.SourceAccess:  {probe: (*Runner).source, ownError: true},
	model.SourceFinding: {probe: (*Runner).source, ownError: true},
	model.SourceUsage:   {probe: (*Runner).usage, ownError: true},
	model.SourceScheduler: {probe: func(r *Runner, _ context.Context, c *model.Check) probe {
		if r.Pool == nil {
			return probe{noVerdict: true, summary: "judged by the running scheduler, from its worker pool"}
		}
		l := r.Pool()
		p := probe{details: map[string]any{"workers": l.Workers, "busy": l.Busy, "waited": l.Waited}}
		p.status, p.summary = model.SchedulerResult(l, r.Clock.Now().Add(-c.RunEvery()))
		return p
	}, ownError: true},
}

// dnsExpect: every answer the check expects must be present.
func dnsExpect(c *model.Check, p probe, ok bool, res *model.CheckResult) {
	if !ok {
		return
	}
	if missing := missingAnswers(c.Expect, p.env.Answers); missing != "" {
		res.Status, res.Message = "down", model.Sanitize(p.summary+": expected answer missing: "+missing)
	}
}

// execStatus applies Nagios plugin semantics to a failed command (1
// warning, 2 critical, 3 or other unknown) and keeps its output.
func execStatus(_ *model.Check, p probe, ok bool, res *model.CheckResult) {
	if !ok {
		switch p.env.ExitCode {
		case 1:
			res.Status = "warn"
		case 2:
			res.Status = "down"
		default:
			res.Status = "error"
		}
	}
	if p.env.Output != "" {
		res.Message = model.SanitizeMultiline(res.Message+"\n"+p.env.Output, 4096)
	}
}
