package transfer

import (
	"context"
	"fmt"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// planPeerChecks plans `opsdeck import checks FILE` for a Gatus config or
// an Uptime Kuma backup (model.ParsePeer translates them). Each endpoint
// or monitor is a row: a new check, one that exists (unchanged, or
// skipped unless --update-existing), or bad (its interval, target or
// service does not hold). What cannot be translated — a condition, a
// monitor type, alerts, a push token — is a warning on its row; a
// monitor with nothing importable is a skip with its reason. Nothing is
// dropped without a line saying so.
//
// A check needs a service: the peer's group when a service has that
// name, else a service named like the endpoint, else --service.
func planPeerChecks(ctx context.Context, s *store.Store, r *Report, text string, opts Options) error {
	dialect := model.DetectPeer(text)
	if dialect == "" {
		r.HeaderProblems = append(r.HeaderProblems, model.ImportProblem{Column: "format", Value: r.File,
			Reason: "is not a Gatus config (YAML with endpoints:) or an Uptime Kuma backup (JSON with monitorList); for opsdeck's own checks file use opsdeck apply -f"})
		r.finish()
		return nil
	}
	r.Dialect = dialect
	pcs, err := model.ParsePeer(dialect, text)
	if err != nil {
		return fmt.Errorf("import %s: %w", model.Sanitize(r.File), err)
	}
	r.header = []string{"source", "name"}
	names, err := loadNames(ctx, s)
	if err != nil {
		return err
	}
	var fallback *int64
	if opts.Service != "" {
		id, ok := names.id("service", opts.Service)
		if !ok {
			r.HeaderProblems = append(r.HeaderProblems, model.ImportProblem{Column: "--service", Value: opts.Service, Reason: "is not a known service"})
			r.finish()
			return nil
		}
		fallback = &id
	}
	existing, err := s.WithCredentials().ListChecks(ctx, store.CheckQuery{})
	if err != nil {
		return err
	}
	checks := byName(existing, func(c model.Check) string { return c.Name })
	now := s.Now()
	for _, pc := range pcs {
		it := Item{Row: pc.Row, Key: pc.Name, cells: []string{pc.Source, pc.Name}, dep: -1}
		for _, u := range pc.Untranslated {
			r.Warnings = append(r.Warnings, model.ImportProblem{Row: pc.Row, Column: pc.Source, Reason: "not translated: " + u})
		}
		if pc.Skip != "" {
			r.Warnings = append(r.Warnings, model.ImportProblem{Row: pc.Row, Column: pc.Source, Reason: "not imported: " + pc.Skip})
			it.Action = ActionSkip // its reason is the warning above
			r.Items = append(r.Items, it)
			continue
		}
		var c model.Check
		var probs []model.ImportProblem
		for _, f := range model.CheckFields {
			v, ok := pc.Vals[f.Name]
			if !ok || f.Type == model.TypeRef {
				continue
			}
			if err := f.Set(&c, v, now); err != nil {
				fe, _ := model.AsFieldError(err)
				probs = append(probs, model.ImportProblem{Row: pc.Row, Column: f.Name, Value: v, Reason: reasonOf(fe, err)})
			}
		}
		c.Name, c.Paused, c.Managed = pc.Name, pc.Paused, false
		svc, how := peerService(names, pc, fallback)
		c.ServiceID = svc
		if svc == nil {
			probs = append(probs, model.ImportProblem{Row: pc.Row, Column: "service", Value: how,
				Reason: "is not a known service; name one for these checks with --service NAME (or add the service first)"})
		}
		c.Normalize()
		if len(probs) == 0 {
			if err := c.Validate(); err != nil {
				fe, _ := model.AsFieldError(err)
				col, val := "", ""
				if fe != nil {
					col, val = fe.Field, fe.Value
				}
				probs = append(probs, model.ImportProblem{Row: pc.Row, Column: col, Value: val, Reason: reasonOf(fe, err)})
			}
		}
		it.Problems = probs
		cur, exists := checks[strings.ToLower(c.Name)]
		if len(probs) == 0 {
			if exists {
				after := cur
				copyFields(model.CheckFields, &after, &c)
				after.Paused = c.Paused
				after.Normalize()
				it.Changes = diffFields(model.CheckFields, &cur, &after, names)
				switch {
				case len(it.Changes) == 0 && cur.Paused == after.Paused:
					it.Action = ActionUnchanged
				case opts.UpdateExisting:
					it.Action = ActionUpdate
				default:
					it.Action = ActionSkip
				}
			} else {
				it.Action = ActionNew
			}
		}
		want, id := c, cur.ID
		it.run = func(t *store.Tx, _ *commitState) error {
			if exists {
				_, _, err := t.UpdateCheck(id, func(c *model.Check) error {
					copyFields(model.CheckFields, c, &want)
					c.Paused = want.Paused
					return nil
				})
				return err
			}
			c := want
			return t.AddCheck(&c)
		}
		r.Items = append(r.Items, it)
	}
	r.finish()
	return nil
}

// peerService is the service a peer's check belongs to: its group's, a
// service named like it, or the fallback. how is what was looked for.
func peerService(names *nameIndex, pc model.PeerCheck, fallback *int64) (*int64, string) {
	for _, n := range []string{pc.Group, pc.Source, pc.Name} {
		if n == "" {
			continue
		}
		if id, ok := names.id("service", n); ok {
			return &id, n
		}
	}
	if fallback != nil {
		return fallback, ""
	}
	if pc.Group != "" {
		return nil, pc.Group
	}
	return nil, pc.Source
}

func reasonOf(fe *model.FieldError, err error) string {
	if fe != nil {
		return fe.Reason
	}
	return err.Error()
}
