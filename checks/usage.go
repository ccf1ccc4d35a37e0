package checks

import (
	"context"
	"fmt"

	"github.com/opsdeck/opsdeck/model"
)

// usage runs a used_after_departure check: the uses of a leaver's accounts
// on one service after their last day, judged by model.UsageResult.
func (r *Runner) usage(ctx context.Context, c *model.Check) probe {
	if c.ServiceID == nil {
		return probe{err: fmt.Errorf("usage check %s has no service", c.Name)}
	}
	svc, err := r.Sources.GetService(ctx, *c.ServiceID)
	if err != nil {
		return probe{err: err}
	}
	found, err := r.Sources.UsedAfterDepartureFor(ctx, c.Target, *c.ServiceID)
	if err != nil {
		return probe{err: err}
	}
	uses := make([]map[string]any, 0, len(found))
	for _, f := range found {
		uses = append(uses, map[string]any{"account_id": f.AccountID, "username": f.Username, "kind": f.Signal.Kind,
			"used_at": f.UsedAt, "evidence": f.Signal.Evidence(), "cutoff": f.CutoffWhy})
	}
	p := probe{details: map[string]any{"person": c.Target, "service": svc.Name, "uses": uses}}
	p.status, p.summary = model.UsageResult(c.Target, svc.Name, found)
	return p
}
