package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// backupJobsTable is the backup_jobs table, read and written from
// model.BackupJobFields (credentials sealed on the way in); a read joins
// the service's name. The ping token's hash is written on insert.
var backupJobsTable = newTable("backup_jobs", "backup_job", model.BackupJobFields, func(j *model.BackupJob) (*int64, *time.Time, *time.Time) {
	return &j.ID, &j.CreatedAt, &j.UpdatedAt
})

var backupJobCols = backupJobsTable.cols("j.") + ", s.name"

const backupJobFrom = ` FROM backup_jobs j JOIN services s ON s.id = j.service_id `

func scanBackupJob(sc scanner) (model.BackupJob, error) {
	return backupJobsTable.scan(sc, func(j *model.BackupJob) []any { return []any{&j.ServiceName} })
}

// BackupJobQuery narrows ListBackupJobs.
type BackupJobQuery struct {
	ServiceID int64
	Status    string // "" means all but retired
}

// ListBackupJobs returns the company's backup jobs by name.
func (s *Store) ListBackupJobs(ctx context.Context, q BackupJobQuery) ([]model.BackupJob, error) {
	where, args := []string{"j.status <> 'retired'"}, []any{}
	if q.Status != "" {
		where, args = []string{"j.status = ?"}, []any{q.Status}
	}
	if q.ServiceID != 0 {
		where, args = append(where, "j.service_id = ?"), append(args, q.ServiceID)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+backupJobCols+backupJobFrom+`WHERE `+strings.Join(where, " AND ")+` ORDER BY j.name COLLATE NOCASE`, args...)
	if err != nil {
		return nil, fmt.Errorf("list backup jobs: %w", err)
	}
	defer rows.Close()
	var out []model.BackupJob
	for rows.Next() {
		j, err := scanBackupJob(rows)
		if err != nil {
			return nil, fmt.Errorf("list backup jobs: %w", err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, presentAll(ctx, s, out)
}

func findBackupJob(ctx context.Context, db querier, ref string) (model.BackupJob, error) {
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		if j, err := scanBackupJob(db.QueryRowContext(ctx, `SELECT `+backupJobCols+backupJobFrom+`WHERE j.id = ?`, id)); err == nil {
			return j, nil
		}
	}
	j, err := scanBackupJob(db.QueryRowContext(ctx, `SELECT `+backupJobCols+backupJobFrom+`WHERE j.name = ? COLLATE NOCASE`, ref))
	if isNoRows(err) {
		return j, notFound("backup job", ref)
	}
	return j, err
}

// FindBackupJob resolves a job by id or name.
func (s *Store) FindBackupJob(ctx context.Context, ref string) (model.BackupJob, error) {
	j, err := findBackupJob(ctx, s.r, ref)
	if err != nil {
		return j, err
	}
	return j, present(ctx, s, &j)
}

// FindBackupJob resolves a job inside the transaction.
func (t *Tx) FindBackupJob(ref string) (model.BackupJob, error) {
	j, err := findBackupJob(t.ctx, t.tx, ref)
	if err != nil {
		return j, err
	}
	return j, t.open(&j)
}

// FindBackupJobByToken resolves a heartbeat job's HTTP ping token
// (matched on its hash: the token is stored encrypted).
func (s *Store) FindBackupJobByToken(ctx context.Context, token string) (model.BackupJob, error) {
	j, err := scanBackupJob(s.r.QueryRowContext(ctx, `SELECT `+backupJobCols+backupJobFrom+`WHERE j.ping_token_hash = ? AND j.ping_token_hash <> ''`, tokenHash(token)))
	if isNoRows(err) {
		return j, notFound("backup job token", "…")
	}
	if err != nil {
		return j, err
	}
	return j, present(ctx, s, &j)
}

// AddBackupJob inserts a job (admin only: a command job runs a shell
// command on this machine) and audits it.
func (t *Tx) AddBackupJob(j *model.BackupJob) error {
	if err := t.requireAdmin("add backup jobs"); err != nil {
		return err
	}
	id, err := addRecord(t, "backup_job", j, func(j *model.BackupJob) (int64, error) {
		var other int64
		if err := t.queryRow(`SELECT id FROM backup_jobs WHERE name = ? COLLATE NOCASE`, j.Name).Scan(&other); err == nil {
			return 0, model.Invalid("name", j.Name, fmt.Sprintf("already names backup job %d", other))
		}
		j.PingToken = newToken()
		hash := tokenHash(j.PingToken)
		return backupJobsTable.insert(t, j, set{"ping_token_hash", hash})
	})
	if err != nil {
		return err
	}
	saved, err := t.FindBackupJob(strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	*j = saved
	return t.Audit("create", "backup_job", id, nil, saved)
}

// SetBackupJobStatus pauses, resumes (active) or retires a job.
func (t *Tx) SetBackupJobStatus(id int64, status string) (model.BackupJob, error) {
	if err := t.requireAdmin("change backup jobs"); err != nil {
		return model.BackupJob{}, err
	}
	if err := model.ValidateEnum("status", status, model.BackupJobStatuses); err != nil {
		return model.BackupJob{}, err
	}
	before, err := t.FindBackupJob(strconv.FormatInt(id, 10))
	if err != nil {
		return before, err
	}
	if _, err := t.exec(`UPDATE backup_jobs SET status = ?, updated_at = ? WHERE id = ?`, status, fmtTime(t.at), id); err != nil {
		return before, err
	}
	after, err := t.FindBackupJob(strconv.FormatInt(id, 10))
	if err != nil {
		return after, err
	}
	return after, t.Audit("update", "backup_job", id, before, after)
}

const jobRunCols = `id, job_id, kind, source, status, started_at, finished_at, exit_code, size_bytes, duration_ms, output, error`

func scanJobRun(sc scanner) (model.BackupJobRun, error) {
	var r model.BackupJobRun
	var started string
	var finished sql.NullString
	var exit, size sql.NullInt64
	err := sc.Scan(&r.ID, &r.JobID, &r.Kind, &r.Source, &r.Status, &started, &finished, &exit, &size, &r.DurationMS, &r.Output, &r.Error)
	r.StartedAt, r.FinishedAt = parseTime(started), parseTimePtr(finished)
	if exit.Valid {
		c := int(exit.Int64)
		r.ExitCode = &c
	}
	r.SizeBytes = idPtr(size)
	return r, err
}

func (t *Tx) getJobRun(id int64) (model.BackupJobRun, error) {
	return scanJobRun(t.queryRow(`SELECT `+jobRunCols+` FROM backup_job_runs WHERE id = ?`, id))
}

// StartJobRun records that a command job started (state running) and
// returns the run to finish later. A run left running by a process that
// died turns late once it passes its timeout.
func (t *Tx) StartJobRun(jobID int64, source string) (model.BackupJobRun, error) {
	res, err := t.exec(`INSERT INTO backup_job_runs(job_id, kind, source, status, started_at) VALUES (?, 'backup', ?, 'running', ?)`,
		jobID, source, fmtTime(t.at))
	if err != nil {
		return model.BackupJobRun{}, constraintError("start backup job run", err)
	}
	id, _ := res.LastInsertId()
	run, err := t.getJobRun(id)
	if err != nil {
		return run, err
	}
	return run, t.Audit("start", "backup_job_run", id, nil, run)
}

// JobOutcome is how a run or report ended.
type JobOutcome struct {
	OK        bool
	ExitCode  *int
	SizeBytes *int64
	Output    string // a tail of the command's output (sanitized here)
	Error     string
}

// FinishJobRun closes a started run with its outcome.
func (t *Tx) FinishJobRun(runID int64, o JobOutcome) (model.BackupJobRun, error) {
	before, err := t.getJobRun(runID)
	if err != nil {
		return before, err
	}
	status := "failed"
	if o.OK {
		status = "ok"
	}
	_, err = t.exec(`UPDATE backup_job_runs SET status = ?, finished_at = ?, exit_code = ?, size_bytes = ?, duration_ms = ?, output = ?, error = ? WHERE id = ?`,
		status, fmtTime(t.at), intPtr(o.ExitCode), nullID(o.SizeBytes), t.at.Sub(before.StartedAt).Milliseconds(),
		model.SanitizeMultiline(o.Output, 4096), model.Sanitize(o.Error), runID)
	if err != nil {
		return before, fmt.Errorf("finish backup job run: %w", err)
	}
	after, err := t.getJobRun(runID)
	if err != nil {
		return after, err
	}
	return after, t.Audit("finish", "backup_job_run", runID, before, after)
}

// ReportJobRun records an external report: a backup that ran elsewhere
// (heartbeat) or a restore test done by hand or by a script.
func (t *Tx) ReportJobRun(jobID int64, restoreTest bool, o JobOutcome) (model.BackupJobRun, error) {
	r := model.BackupJobRun{JobID: jobID, Kind: "backup", Source: "report", Status: "failed", StartedAt: t.at,
		FinishedAt: &t.at, SizeBytes: o.SizeBytes, Output: o.Output, Error: o.Error}
	if restoreTest {
		r.Kind = "restore_test"
	}
	if o.OK {
		r.Status = "ok"
	}
	err := t.AddJobRun(&r)
	return r, err
}

// AddJobRun records a finished run as given, times included: reports,
// and history brought in by the demo or an importer.
func (t *Tx) AddJobRun(r *model.BackupJobRun) error {
	if r.SizeBytes != nil && *r.SizeBytes < 0 {
		return model.Invalid("size", strconv.FormatInt(*r.SizeBytes, 10), "must be 0 or more")
	}
	if r.FinishedAt == nil {
		return model.Invalid("finished_at", "", "is required for a recorded run")
	}
	res, err := t.exec(`INSERT INTO backup_job_runs(job_id, kind, source, status, started_at, finished_at, exit_code, size_bytes, duration_ms, output, error)
		VALUES (?,?,?,?,?,?,?,?,?,?,?)`, r.JobID, r.Kind, r.Source, r.Status, fmtTime(r.StartedAt), fmtTime(*r.FinishedAt), intPtr(r.ExitCode),
		nullID(r.SizeBytes), r.FinishedAt.Sub(r.StartedAt).Milliseconds(), model.SanitizeMultiline(r.Output, 4096), model.Sanitize(r.Error))
	if err != nil {
		return constraintError("record backup job run", err)
	}
	id, _ := res.LastInsertId()
	if *r, err = t.getJobRun(id); err != nil {
		return err
	}
	return t.Audit("report", "backup_job_run", id, nil, *r)
}

func intPtr(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// ListJobRuns returns a job's runs, reports and restore tests, newest first.
func (s *Store) ListJobRuns(ctx context.Context, jobID int64, limit int) ([]model.BackupJobRun, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+jobRunCols+` FROM backup_job_runs WHERE job_id = ? ORDER BY started_at DESC, id DESC LIMIT ?`, jobID, limit)
	if err != nil {
		return nil, fmt.Errorf("list backup job runs: %w", err)
	}
	defer rows.Close()
	var out []model.BackupJobRun
	for rows.Next() {
		r, err := scanJobRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// latestJobRun is the newest run of a kind, or nil.
// Runs dated in the future of now (a wrong clock wrote them) are skipped.
func (s *Store) latestJobRun(ctx context.Context, jobID int64, kind string, now time.Time) (*model.BackupJobRun, error) {
	r, err := scanJobRun(s.r.QueryRowContext(ctx, `SELECT `+jobRunCols+` FROM backup_job_runs WHERE job_id = ? AND kind = ? AND started_at <= ?
		ORDER BY started_at DESC, id DESC LIMIT 1`, jobID, kind, fmtTime(now.Add(model.FutureTolerance))))
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// ServicesWithoutBackupJob lists active services that no active or paused
// backup job covers: the risks report names them.
func (s *Store) ServicesWithoutBackupJob(ctx context.Context) ([]model.Service, error) {
	return s.servicesWhere(ctx, `status = 'active' AND id NOT IN (SELECT service_id FROM backup_jobs WHERE status <> 'retired')`, 0)
}
