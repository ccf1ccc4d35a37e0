package checks

import (
	"context"
	"fmt"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// Sources answers the check kinds that follow opsdeck's own records
// (model.SourceKinds) instead of probing a target. *store.Store is one;
// the interface keeps the Runner usable without a database for the
// probe kinds.
type Sources interface {
	BackupHealthOf(ctx context.Context, p model.SelfBackupPolicy, key string, now time.Time) (*model.BackupHealth, error)
	FirstGoodBackup(ctx context.Context, key string) (*time.Time, error)
	AccessStillPresentFor(ctx context.Context, email string, serviceID int64) ([]model.AccessFinding, error)
	UsedAfterDepartureFor(ctx context.Context, email string, serviceID int64) ([]model.UsageFinding, error)
	GetService(ctx context.Context, id int64) (model.Service, error)
	OverdueFinding(ctx context.Context, id int64, now time.Time) (*model.Finding, error)
}

// source runs a backup or access check: a few reads of the database,
// judged by model.BackupResult / model.AccessResult.
func (r *Runner) source(ctx context.Context, c *model.Check) probe {
	switch c.Kind {
	case model.SourceBackup:
		now := r.Clock.Now()
		h, err := r.Sources.BackupHealthOf(ctx, r.SelfBackupPolicy, c.Target, now)
		if err != nil {
			return probe{err: err}
		}
		var firstOK *time.Time
		if h != nil && h.State == model.BackupNeverRestoreTested {
			if firstOK, err = r.Sources.FirstGoodBackup(ctx, c.Target); err != nil {
				return probe{err: err}
			}
		}
		p := probe{details: map[string]any{"key": c.Target, "state": "gone"}}
		if h != nil {
			p.details = map[string]any{"key": h.Key, "state": h.State, "reason": h.Reason, "last_run_at": h.LastRunAt,
				"restore_tested_at": h.RestoreTestedAt, "next_due": h.NextDue}
		}
		p.status, p.summary = model.BackupResult(c.Target, h, firstOK, now)
		p.noVerdict = p.status == ""
		return p
	case model.SourceAccess:
		if c.ServiceID != nil {
			svc, err := r.Sources.GetService(ctx, *c.ServiceID)
			if err != nil {
				return probe{err: err}
			}
			found, err := r.Sources.AccessStillPresentFor(ctx, c.Target, *c.ServiceID)
			if err != nil {
				return probe{err: err}
			}
			accounts := make([]map[string]any, 0, len(found))
			for _, f := range found {
				accounts = append(accounts, map[string]any{"account_id": f.AccountID, "username": f.Username, "entitlement": f.Entitlement,
					"person_status": f.PersonStatus})
			}
			p := probe{details: map[string]any{"person": c.Target, "service": svc.Name, "accounts": accounts}}
			p.status, p.summary = model.AccessResult(c.Target, svc.Name, found)
			return p
		}
		return probe{err: fmt.Errorf("access check %s has no service", c.Name)}
	case model.SourceFinding:
		id, ok := model.FindingOfTarget(c.Target)
		if !ok {
			return probe{err: fmt.Errorf("finding check %s has no finding", c.Name)}
		}
		now := r.Clock.Now()
		f, err := r.Sources.OverdueFinding(ctx, id, now)
		if err != nil {
			return probe{err: err}
		}
		p := probe{details: map[string]any{"finding": id, "overdue": f != nil}}
		summary := ""
		if f != nil {
			summary = f.Summary(now.In(time.Local))
			p.details["owner"], p.details["due"], p.details["state"] = f.OwnerName, f.Due, f.State
		}
		p.status, p.summary = model.FindingResult(c.Target, f, summary)
		return p
	}
	return probe{err: fmt.Errorf("unknown source kind %q", c.Kind)}
}

// SyncSources creates and retires the source checks so they match the
// records (store.SyncSourceChecks), as the system actor "sources". The
// scheduler runs it every minute; the demo runs it once.
func SyncSources(ctx context.Context, s *store.Store, p model.SelfBackupPolicy, now time.Time) (model.SourceSync, error) {
	wanted, err := s.WantedSourceChecks(ctx, p, now)
	if err != nil {
		return model.SourceSync{}, err
	}
	// Laptop compliance verdicts are recorded on the same beat, so each
	// device page can say since when a rule fails.
	verdicts, err := s.Compliance(ctx, now)
	if err != nil {
		return model.SourceSync{}, err
	}
	var plan model.SourceSync
	err = s.Write(ctx, model.SystemActor("sources"), func(t *store.Tx) error {
		if plan, err = t.SyncSourceChecks(wanted); err != nil {
			return err
		}
		_, err = t.RecordCompliance(verdicts)
		return err
	})
	return plan, err
}
