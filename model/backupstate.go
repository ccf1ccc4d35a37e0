package model

import (
	"fmt"
	"time"
)

// BackupState is what an operator (and the alert engine) needs to know
// about one backup: is it fine, or why not.
type BackupState string

// The states, from the alert engine's point of view: ok and running are
// healthy; the others each raise an alert.
const (
	BackupOK                 BackupState = "ok"
	BackupRunning            BackupState = "running"
	BackupLate               BackupState = "late"
	BackupFailed             BackupState = "failed"
	BackupNeverRestoreTested BackupState = "never-restore-tested"
	BackupRestoreTestStale   BackupState = "restore-test-stale"
)

// Healthy reports whether the state raises no alert.
func (s BackupState) Healthy() bool { return s == BackupOK || s == BackupRunning }

// Urgency orders states for a reader, most urgent first (lower is more
// urgent): a failed run before a late one before a restore test that is
// stale or was never done; healthy states last.
func (s BackupState) Urgency() int {
	switch s {
	case BackupFailed:
		return 0
	case BackupLate:
		return 1
	case BackupRestoreTestStale:
		return 2
	case BackupNeverRestoreTested:
		return 3
	case BackupRunning:
		return 4
	}
	return 5
}

// BackupFacts is everything DeriveBackupState looks at, gathered by the
// store: the job's expectation and its latest runs. opsdeck's own backups
// are described the same way (Kind "self", Period the backup interval).
type BackupFacts struct {
	Kind     string        // command | heartbeat | self
	Schedule string        // cron, for command jobs
	Period   time.Duration // heartbeat period, or the interval of opsdeck's own backups
	Timeout  time.Duration // how long a command run may take
	Grace    time.Duration // slack before a missing run is late; 0: DefaultGrace
	Since    time.Time     // when the job was created: the clock starts here

	Last *RunFacts // the latest backup run or report, nil if none

	RestoreTestedAt   *time.Time    // latest restore test, nil if none
	RestoreTestOK     bool          // whether that test passed
	RestoreTestError  string        // why it did not
	RestoreTestMaxAge time.Duration // 0: DefaultRestoreTestMaxAge
}

// RunFacts is one run as the state function sees it.
type RunFacts struct {
	StartedAt  time.Time
	FinishedAt *time.Time // nil while running
	OK         bool
	Error      string
}

// BackupStatus is a derived state with a one-line reason and, when known,
// when the next run is expected.
type BackupStatus struct {
	State   BackupState `json:"state"`
	Reason  string      `json:"reason"`
	NextDue *time.Time  `json:"next_due"`
}

// DefaultGrace is the slack given to a scheduled run or a heartbeat before
// it counts as late: a tenth of the period, between 5 minutes and 1 hour.
func DefaultGrace(period time.Duration) time.Duration {
	return min(max(period/10, 5*time.Minute), time.Hour)
}

// DeriveBackupState decides a backup's state at now. Order matters: a run
// stuck past its timeout is late; a failed last run stays failed until a
// run succeeds; then lateness; then the restore-test rules, because a
// backup that runs but was never restored is still only a hope.
func DeriveBackupState(f BackupFacts, now time.Time) BackupStatus {
	var st BackupStatus
	due, err := nextDue(f)
	if err != nil {
		return BackupStatus{State: BackupFailed, Reason: err.Error()}
	}
	st.NextDue = due
	grace := f.Grace
	if grace <= 0 {
		grace = DefaultGrace(f.Period)
	}
	if l := f.Last; l != nil && l.FinishedAt == nil {
		if f.Timeout > 0 && now.Sub(l.StartedAt) > f.Timeout+grace {
			st.State, st.Reason = BackupLate, fmt.Sprintf("running for %s, past its %s timeout", roundDur(now.Sub(l.StartedAt)), roundDur(f.Timeout))
			return st
		}
		st.State, st.Reason = BackupRunning, "running since "+l.StartedAt.UTC().Format("2006-01-02 15:04")+" UTC"
		return st
	}
	if l := f.Last; l != nil && !l.OK {
		st.State, st.Reason = BackupFailed, "last run "+Ago(&l.StartedAt, now)+" failed"
		if l.Error != "" {
			st.Reason += ": " + Truncate(l.Error, 120)
		}
		return st
	}
	if due != nil && now.After(due.Add(grace)) {
		st.State = BackupLate
		if f.Last == nil {
			st.Reason = fmt.Sprintf("never ran; expected by %s UTC", due.UTC().Format("2006-01-02 15:04"))
		} else {
			st.Reason = fmt.Sprintf("no run since %s; expected by %s UTC", Ago(&f.Last.StartedAt, now), due.UTC().Format("2006-01-02 15:04"))
		}
		return st
	}
	maxAge := f.RestoreTestMaxAge
	if maxAge <= 0 {
		maxAge = DefaultRestoreTestMaxAge
	}
	switch {
	case f.RestoreTestedAt == nil && f.Last == nil && due != nil:
		st.State, st.Reason = BackupNeverRestoreTested, fmt.Sprintf("no backup yet (first expected by %s UTC); never restore-tested", due.UTC().Format("2006-01-02 15:04"))
	case f.RestoreTestedAt == nil:
		st.State, st.Reason = BackupNeverRestoreTested, "never restore-tested"
	case !f.RestoreTestOK:
		st.State, st.Reason = BackupFailed, "restore test "+Ago(f.RestoreTestedAt, now)+" failed"
		if f.RestoreTestError != "" {
			st.Reason += ": " + Truncate(f.RestoreTestError, 120)
		}
	case now.Sub(*f.RestoreTestedAt) > maxAge:
		st.State, st.Reason = BackupRestoreTestStale, fmt.Sprintf("restore-tested %s (older than %s)", Ago(f.RestoreTestedAt, now), FormatPeriod(maxAge))
	default:
		st.State = BackupOK
		if f.Last != nil {
			st.Reason = "last run " + Ago(&f.Last.StartedAt, now) + ", restore-tested " + Ago(f.RestoreTestedAt, now)
		} else {
			st.Reason = "restore-tested " + Ago(f.RestoreTestedAt, now)
		}
	}
	return st
}

// nextDue is when the next run should have started (command) or reported
// (heartbeat, self), counted from the latest run or from job creation.
func nextDue(f BackupFacts) (*time.Time, error) {
	from := f.Since
	if f.Last != nil {
		from = f.Last.StartedAt
		if f.Kind != "command" && f.Last.FinishedAt != nil {
			from = *f.Last.FinishedAt
		}
	}
	var t time.Time
	switch f.Kind {
	case "command":
		s, err := ParseSchedule(f.Schedule)
		if err != nil {
			return nil, err
		}
		t = s.Next(from)
	default:
		if f.Period <= 0 {
			return nil, nil
		}
		t = from.Add(f.Period)
	}
	return &t, nil
}

func roundDur(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return d.Round(time.Minute).String()
	default:
		return d.Round(time.Second).String()
	}
}

// BackupHealth is one line of the backups overview: a company job or
// opsdeck's own database ("opsdeck", kind self), its derived state and the
// facts an operator checks first. The alert engine turns every unhealthy
// line into an alert keyed by Key.
type BackupHealth struct {
	Key             string     `json:"key"` // "job:NAME" or "self"
	Name            string     `json:"name"`
	Kind            string     `json:"kind"`
	JobID           int64      `json:"job_id"`
	ServiceID       int64      `json:"service_id"`
	ServiceName     string     `json:"service_name"`
	LastRunAt       *time.Time `json:"last_run_at"`
	LastSizeBytes   *int64     `json:"last_size_bytes"`
	LastDurationMS  int64      `json:"last_duration_ms"`
	RestoreTestedAt *time.Time `json:"restore_tested_at"`
	BackupStatus
}

// SelfBackupPolicy is how opsdeck looks after its own database: a backup
// every Interval (default daily), a restore test of the newest backup
// every RestoreTestEvery (weekly), restore tests counted stale after
// RestoreTestMaxAge (30 days), and retention.
type SelfBackupPolicy struct {
	Interval          time.Duration
	RestoreTestEvery  time.Duration
	RestoreTestMaxAge time.Duration
	Retention         RetentionPolicy
}

// DefaultSelfBackupPolicy is daily backups, weekly restore tests, stale
// after 30 days, 7/4/12 retention.
var DefaultSelfBackupPolicy = SelfBackupPolicy{
	Interval: 24 * time.Hour, RestoreTestEvery: 7 * 24 * time.Hour,
	RestoreTestMaxAge: DefaultRestoreTestMaxAge, Retention: DefaultRetention,
}

// JobFacts builds the state function's input for a company job from its
// latest backup run and latest restore test.
func JobFacts(j BackupJob, last, restore *BackupJobRun) BackupFacts {
	f := BackupFacts{Kind: j.Kind, Schedule: j.Schedule, Period: j.HeartbeatPeriod, Timeout: j.Timeout,
		Since: j.CreatedAt, RestoreTestMaxAge: j.RestoreTestMaxAge}
	if j.Kind == "command" {
		f.Grace = DefaultGrace(0)
	}
	if last != nil {
		f.Last = &RunFacts{StartedAt: last.StartedAt, FinishedAt: last.FinishedAt, OK: last.Status == "ok", Error: last.Error}
		if last.Status == "running" {
			f.Last.FinishedAt = nil
		}
	}
	if restore != nil {
		f.RestoreTestedAt, f.RestoreTestOK, f.RestoreTestError = &restore.StartedAt, restore.Status == "ok", restore.Error
	}
	return f
}

// SelfFacts builds the state function's input for opsdeck's own backups
// from its runs (newest first) and the database's creation time.
func SelfFacts(p SelfBackupPolicy, runs []BackupRun, since time.Time) BackupFacts {
	f := BackupFacts{Kind: "self", Period: p.Interval, Since: since, RestoreTestMaxAge: p.RestoreTestMaxAge}
	if len(runs) > 0 {
		r := runs[0]
		fin := r.FinishedAt
		f.Last = &RunFacts{StartedAt: r.StartedAt, FinishedAt: &fin, OK: r.Status == "ok", Error: r.Error}
	}
	for _, r := range runs {
		if r.RestoreTestedAt != nil && (f.RestoreTestedAt == nil || r.RestoreTestedAt.After(*f.RestoreTestedAt)) {
			f.RestoreTestedAt, f.RestoreTestOK, f.RestoreTestError = r.RestoreTestedAt, r.RestoreTestOK != nil && *r.RestoreTestOK, r.RestoreTestError
		}
	}
	return f
}
