package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
)

// The security audit of the story: the third-party audit came back with
// findings, one of them (no two-step on GitHub admins, Dave's) already
// overdue, with the check that alerts its owner; last month's
// monthly review was signed off before the findings came in, so this
// month's review shows what changed. The file is named so that its step
// runs after checks (channels and on-call exist to page) and secrets.
func init() { Register("security audit", loadAudit) }

type demoFinding struct {
	title, severity, owner, state, notes string
	dueInDays                            int // dueInDays < 0: overdue
	affects                              string
	accept                               [2]string // reason
	acceptDays                           int       // the acceptance runs this many days
	evidence                             string
}

var auditFindings = []demoFinding{
	{title: "Shared AWS root credentials still known by a leaver", severity: "critical", owner: "oscar@example.com",
		notes:     "Bill Carter (departed) knows the AWS root credentials; rotate them and move to per-person IAM users with MFA.",
		dueInDays: 4, affects: "service:AWS,person:bill@example.com", evidence: "https://tickets.example.com/SEC-101"},
	{title: "No two-step verification enforced for GitHub admins", severity: "high", owner: "dave@example.com",
		notes:     "Organisation setting 'Require two-factor authentication' is off; two of the admin accounts have no second factor.",
		dueInDays: -3, affects: "service:GitHub,account:GitHub:davekim,account:GitHub:oscar-ops"},
	{title: "Unencrypted laptop (tom-laptop)", severity: "high", owner: "oscar@example.com", state: model.FindingInProgress,
		notes: "FileVault is off on LT-015; the patch level is three months old too.", dueInDays: 20, affects: "device:LT-015"},
	{title: "The integration server is a single point of failure", severity: "medium", owner: "oscar@example.com", state: model.FindingAccepted,
		notes: "Jenkins runs on ci-01 alone; a disk or board failure stops every release.", dueInDays: 80,
		affects: "service:Jenkins CI,device:SRV-CI-01", accept: [2]string{"a second CI runner is budgeted for next quarter"}, acceptDays: 60},
}

func loadAudit(ctx context.Context, s *store.Store, now time.Time) error {
	local := now.In(time.Local)
	e := ops.Env{Store: s, Actor: Actor}
	// Last month's review, signed off before the audit's findings came in.
	prev := local.AddDate(0, -1, 0).Format("2006-01")
	if _, err := s.ReviewByMonth(ctx, prev); err != nil {
		c, err := ops.StartChecklist(ctx, e, model.ReviewKind, ops.StartRequest{Subject: prev}, false)
		if err != nil {
			return fmt.Errorf("last month's review: %w", err)
		}
		ref := ops.ChecklistRef{ID: c.ID, Kind: model.ReviewKind}
		for _, st := range c.Steps {
			value := "accepted: carried into the security audit until " + local.AddDate(0, 0, 60).Format(time.DateOnly)
			if _, err := ops.SetChecklistStep(ctx, e, ref, ops.StepChange{N: st.N, Action: ops.StepDone, Value: value}); err != nil {
				return fmt.Errorf("last month's review step %d: %w", st.N, err)
			}
		}
		if _, err := ops.CompleteChecklist(ctx, e, ref, false, ""); err != nil {
			return fmt.Errorf("sign off last month's review: %w", err)
		}
	}
	existing, err := s.ListFindings(ctx, store.FindingQuery{})
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		return nil
	}
	source := "Acme Security audit " + local.AddDate(0, 0, -10).Format("2006-01")
	var overdue model.Finding
	err = s.Write(ctx, Actor, func(t *store.Tx) error {
		for _, d := range auditFindings {
			f := model.Finding{Title: d.title, Severity: d.severity, Source: source, Notes: d.notes,
				Due: local.AddDate(0, 0, d.dueInDays).Format(time.DateOnly)}
			p, err := t.FindPerson(d.owner)
			if err != nil {
				return fmt.Errorf("finding %s: %w", d.title, err)
			}
			f.OwnerID = &p.ID
			links, err := ops.FindingLinksTx(t, "affects", d.affects)
			if err != nil {
				return fmt.Errorf("finding %s: %w", d.title, err)
			}
			if err := t.AddFinding(&f, links); err != nil {
				return fmt.Errorf("finding %s: %w", d.title, err)
			}
			if d.state != "" {
				if _, _, err := t.UpdateFinding(f.ID, func(x *model.Finding) error {
					x.State = d.state
					if d.state == model.FindingAccepted {
						x.AcceptReason, x.AcceptExpires = d.accept[0], local.AddDate(0, 0, d.acceptDays).Format(time.DateOnly)
					}
					return nil
				}); err != nil {
					return fmt.Errorf("finding %s: %w", d.title, err)
				}
			}
			if d.evidence != "" {
				if _, err := t.AddFindingEntry(f.ID, "evidence", d.evidence); err != nil {
					return err
				}
			}
			if d.dueInDays < 0 {
				overdue = f
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return pageOverdue(ctx, s, overdue, now)
}

// pageOverdue adds the overdue finding's alert check as the scheduler's
// source sync would: its first run (the scheduler's, or `opsdeck checks
// run`) fires the alert, which pages the finding's owner. The demo does
// not fire it itself, so the alert counts of the demo stay what the other
// features' stories say.
func pageOverdue(ctx context.Context, s *store.Store, f model.Finding, now time.Time) error {
	return s.Write(ctx, Actor, func(t *store.Tx) error {
		c := model.WantedFindingChecks([]model.Finding{f})[0]
		if err := t.AddCheck(&c); err != nil {
			return fmt.Errorf("overdue finding check: %w", err)
		}
		return nil
	})
}
