package store

import (
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// Escalate takes the next step for every firing alert nobody acknowledged
// within its delay (per its service's criticality): the secondary on call,
// then the service owner, then everyone in the rotations. Each step is a
// page through the ordinary queue and an "escalated" entry on the alert's
// timeline; acknowledging stops it (only firing alerts escalate), and the
// repeats go on beside it. Returns the steps taken.
func (t *Tx) Escalate() (int, error) {
	conf, err := escalationDelays(t.ctx, t.tx)
	if err != nil {
		return 0, err
	}
	type cand struct {
		id   int64
		step int
		crit string
		last *time.Time
	}
	cs, err := collectRows(t.ctx, t.tx, func(sc scanner) (cand, error) {
		var c cand
		var last sql.NullString
		err := sc.Scan(&c.id, &c.step, &c.crit, &last)
		c.last = parseTimePtr(last)
		return c, err
	}, `SELECT a.id, a.escalation_step, coalesce(s.criticality, ''), a.escalated_at FROM alerts a LEFT JOIN services s ON s.id = a.service_id
		WHERE a.state = 'firing' AND a.escalation_step < ?`, model.EscalateEveryone)
	if err != nil {
		return 0, fmt.Errorf("escalate: %w", err)
	}
	if len(cs) == 0 {
		return 0, nil
	}
	plan, err := t.Plan()
	if err != nil {
		return 0, err
	}
	taken := 0
	for _, c := range cs {
		a, err := scanAlert(t.queryRow(`SELECT `+alertCols+alertFrom+`WHERE a.id = ?`, c.id))
		if err != nil {
			return taken, err
		}
		delay := model.EscalationDelay(c.crit, conf)
		step := model.NextEscalation(&a, c.step, delay, t.at, c.last)
		if step == 0 {
			continue
		}
		to, who, err := t.escalationTargets(plan, &a, step)
		if err != nil {
			return taken, err
		}
		crit := c.crit
		if crit == "" {
			crit = "no service, counted as high"
		}
		why := fmt.Sprintf("escalation step %d: not acknowledged within %s (%s); paging %s: %s",
			step, (delay * time.Duration(step)).String(), crit, model.EscalationSteps[step], orNobody(who))
		if err := t.pageTo(&a, "escalated", t.at, 0, to, why); err != nil {
			return taken, err
		}
		if _, err := t.exec(`UPDATE alerts SET escalation_step = ?, escalated_at = ? WHERE id = ?`, step, fmtTime(t.at), a.ID); err != nil {
			return taken, err
		}
		taken++
	}
	return taken, nil
}

// escalationTargets are the addresses (and names) a step pages.
func (t *Tx) escalationTargets(plan model.OnCallPlan, a *model.Alert, step int) (emails, names []string, err error) {
	switch step {
	case model.EscalateSecondary:
		for _, s := range plan.Now(t.at) {
			if s.Rank >= 2 && !s.Gap {
				emails, names = append(emails, s.Email), append(names, s.Person+" ("+s.Rotation+")")
				break
			}
		}
	case model.EscalateOwner:
		if a.ServiceID != nil {
			var email, name string
			err := t.queryRow(`SELECT p.email, p.name FROM services s JOIN people p ON p.id = s.owner_id AND p.status <> 'departed' WHERE s.id = ?`, *a.ServiceID).Scan(&email, &name)
			if err != nil && !isNoRows(err) {
				return nil, nil, err
			}
			if email != "" {
				emails, names = append(emails, email), append(names, name+" (owner)")
			}
		}
	case model.EscalateEveryone:
		seen := map[string]bool{}
		for _, r := range plan.Rotations {
			for _, m := range r.Members {
				if m.RemovedAt == nil && !m.JoinedAt.After(t.at) && !seen[m.Email] {
					seen[m.Email] = true
					emails, names = append(emails, m.Email), append(names, m.Name)
				}
			}
		}
		sort.Strings(names)
	}
	if len(emails) == 0 {
		emails = []string{} // not nil: a step with nobody to add pages nobody new
	}
	return emails, names, nil
}
