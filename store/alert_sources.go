package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// BackupHealthOf is BackupHealth for one key ("self" or "job:NAME"); nil
// when the job does not exist or is not active, so there is nothing to
// alert on. It is what a backup check reads on each run.
func (s *Store) BackupHealthOf(ctx context.Context, p model.SelfBackupPolicy, key string, now time.Time) (*model.BackupHealth, error) {
	if key == "self" {
		h, err := s.selfHealth(ctx, p, now)
		return &h, err
	}
	name, ok := strings.CutPrefix(key, "job:")
	if !ok {
		return nil, fmt.Errorf("backup health: unknown key %q", key)
	}
	j, err := s.FindBackupJob(ctx, name)
	if errors.Is(err, model.ErrNotFound) || (err == nil && (j.Status != "active" || j.Name != name)) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	h, err := s.JobHealth(ctx, j, now)
	return &h, err
}

// FirstGoodBackup is when the backup with this key ("self" or "job:NAME")
// first succeeded, nil if never (or the job is unknown): how long "never
// restore-tested" has really been true (model.RestoreTestGrace).
func (s *Store) FirstGoodBackup(ctx context.Context, key string) (*time.Time, error) {
	q, args := `SELECT min(started_at) FROM backup_runs WHERE status = 'ok'`, []any{}
	if name, ok := strings.CutPrefix(key, "job:"); ok {
		q = `SELECT min(r.started_at) FROM backup_job_runs r JOIN backup_jobs j ON j.id = r.job_id
			WHERE j.name = ? AND r.kind = 'backup' AND r.status = 'ok'`
		args = append(args, name)
	} else if key != "self" {
		return nil, fmt.Errorf("first good backup: unknown key %q", key)
	}
	var at sql.NullString
	if err := s.r.QueryRowContext(ctx, q, args...).Scan(&at); err != nil {
		return nil, fmt.Errorf("first good backup of %s: %w", key, err)
	}
	return parseTimePtr(at), nil
}

// AccessStillPresentFor is AccessStillPresent for one person (by email)
// on one service: what an access check reads on each run.
func (s *Store) AccessStillPresentFor(ctx context.Context, email string, serviceID int64) ([]model.AccessFinding, error) {
	accts, err := collectRows(ctx, s.r, scanAccount, accountSelect+` WHERE a.status = 'active' AND p.status IN ('leaving','departed')
		AND p.email = ? COLLATE NOCASE AND a.service_id = ?`, email, serviceID)
	if err != nil {
		return nil, fmt.Errorf("access still present for %s: %w", email, err)
	}
	return model.AccessStillPresent(accts), nil
}

// SourceChecks lists the checks opsdeck manages (kinds backup and access).
func (s *Store) SourceChecks(ctx context.Context) ([]model.Check, error) {
	return collectRows(ctx, s.r, scanCheck, `SELECT `+checkCols+` FROM checks WHERE kind IN (`+sourceKindsSQL+`) ORDER BY id`)
}

// WantedSourceChecks reads the records source checks follow (backup lines,
// access still present) and returns the checks they call for.
func (s *Store) WantedSourceChecks(ctx context.Context, p model.SelfBackupPolicy, now time.Time) ([]model.Check, error) {
	health, err := s.BackupHealth(ctx, p, now)
	if err != nil {
		return nil, fmt.Errorf("sync source checks: %w", err)
	}
	firstOK := map[string]*time.Time{}
	for _, h := range health {
		if h.State == model.BackupNeverRestoreTested {
			if firstOK[h.Key], err = s.FirstGoodBackup(ctx, h.Key); err != nil {
				return nil, err
			}
		}
	}
	access, err := s.AccessStillPresent(ctx)
	if err != nil {
		return nil, fmt.Errorf("sync source checks: %w", err)
	}
	overdue, err := s.OverdueFindings(ctx, now)
	if err != nil {
		return nil, fmt.Errorf("sync source checks: %w", err)
	}
	usage, err := s.UsedAfterDeparture(ctx)
	if err != nil {
		return nil, fmt.Errorf("sync source checks: %w", err)
	}
	wanted := append(model.WantedSourceChecks(health, firstOK, access, now), model.WantedFindingChecks(overdue)...)
	return append(wanted, model.WantedUsageChecks(usage)...), nil
}

// SyncSourceChecks makes the source checks match wanted (see
// model.PlanSourceSync): it adds the missing ones, due at once so a new
// problem alerts on the next dispatch, and deletes those no longer wanted
// that have no open alert. Each change is audited under the transaction's
// actor. Running it twice changes nothing the second time; the unique
// index checks_source guarantees one check per source even if two
// processes raced.
//
// The scheduler check (model.SourceScheduler) is not among them: only the
// scheduler knows its pool, so it keeps its own (SyncSchedulerCheck).
func (t *Tx) SyncSourceChecks(wanted []model.Check) (model.SourceSync, error) {
	return t.syncSources(`kind IN (`+sourceKindsSQL+`) AND kind <> '`+model.SourceScheduler+`'`, wanted)
}

// SyncSchedulerCheck adds the scheduler check (model.SchedulerCheck) when
// the scheduler found its pool saturated (want) and retires it once it is
// not wanted and its alert has resolved, like the other source checks.
func (t *Tx) SyncSchedulerCheck(want bool) (model.SourceSync, error) {
	var wanted []model.Check
	if want {
		wanted = append(wanted, model.SchedulerCheck())
	}
	return t.syncSources(`kind = '`+model.SourceScheduler+`'`, wanted)
}

// syncSources makes the source checks matching where (an SQL condition on
// checks) match wanted.
func (t *Tx) syncSources(where string, wanted []model.Check) (model.SourceSync, error) {
	existing, err := collectRows(t.ctx, t.tx, scanCheck, `SELECT `+checkCols+` FROM checks WHERE `+where+` ORDER BY id`)
	if err != nil {
		return model.SourceSync{}, fmt.Errorf("sync source checks: %w", err)
	}
	open := map[int64]bool{}
	for _, c := range existing {
		a, err := t.openAlert(c.ID)
		if err != nil {
			return model.SourceSync{}, err
		}
		open[c.ID] = a != nil
	}
	plan := model.PlanSourceSync(existing, wanted, open)
	for i := range plan.Retire {
		if _, err := t.DeleteCheck(plan.Retire[i].ID); err != nil {
			return plan, fmt.Errorf("retire check %s: %w", plan.Retire[i].Name, err)
		}
	}
	for i := range plan.Add {
		c := &plan.Add[i]
		if c.Name, err = t.freeCheckName(c.Name); err != nil {
			return plan, err
		}
		if err := t.AddCheck(c); err != nil {
			return plan, fmt.Errorf("add check %s: %w", c.Name, err)
		}
		if _, err := t.exec(`UPDATE check_state SET next_run_at = ? WHERE check_id = ?`, fmtTime(t.at), c.ID); err != nil {
			return plan, fmt.Errorf("schedule check %s: %w", c.Name, err)
		}
	}
	return plan, nil
}

// freeCheckName returns name, or name-2, name-3... when a check (perhaps a
// person's own) already has it.
func (t *Tx) freeCheckName(name string) (string, error) {
	for n := 1; ; n++ {
		try := name
		if n > 1 {
			try = name + "-" + strconv.Itoa(n)
		}
		var id int64
		err := t.queryRow(`SELECT id FROM checks WHERE name = ? COLLATE NOCASE`, try).Scan(&id)
		if isNoRows(err) {
			return try, nil
		}
		if err != nil {
			return "", fmt.Errorf("check name %s: %w", try, err)
		}
	}
}

// checkSource keeps source checks opsdeck's (model.CheckSourceChange).
func (t *Tx) checkSource(before, c *model.Check) error {
	return model.CheckSourceChange(before, c, t.actor.Kind == "system")
}
