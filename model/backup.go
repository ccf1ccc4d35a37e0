package model

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// BackupRun is one backup of opsdeck's own database: the file, how long it
// took, how it was verified and when it was last proven to restore.
type BackupRun struct {
	ID               int64            `json:"id"`
	File             string           `json:"file"`
	Reason           string           `json:"reason"`
	Status           string           `json:"status"`
	StartedAt        time.Time        `json:"started_at"`
	FinishedAt       time.Time        `json:"finished_at"`
	SizeBytes        int64            `json:"size_bytes"`
	DurationMS       int64            `json:"duration_ms"`
	Pages            int64            `json:"pages"`
	Verified         bool             `json:"verified"`
	Integrity        string           `json:"integrity"`
	RowCounts        map[string]int64 `json:"row_counts"`
	SHA256           string           `json:"sha256"`
	RestoreTestedAt  *time.Time       `json:"restore_tested_at"`
	RestoreTestOK    *bool            `json:"restore_test_ok"`
	RestoreTestError string           `json:"restore_test_error"`
	PrunedAt         *time.Time       `json:"pruned_at"`
	Error            string           `json:"error"`
}

// BackupReasons says why a backup of opsdeck's database was taken.
var BackupReasons = []string{"manual", "scheduled", "pre-migration", "pre-restore"}

// BackupJob is one of the company's backups: a command opsdeck runs on a
// cron schedule, or an external job that reports in like a heartbeat.
type BackupJob struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ServiceID   int64  `json:"service_id"`
	ServiceName string `json:"service_name"`
	Kind        string `json:"kind"`
	Command     string `json:"command"`
	// Env is NAME=value lines for the command's process (PGPASSWORD=…):
	// credentials live here, apart from the command.
	Env               string        `json:"env"`
	Schedule          string        `json:"schedule"`
	HeartbeatPeriod   time.Duration `json:"heartbeat_period_s"`
	Timeout           time.Duration `json:"timeout_s"`
	RestoreTestMaxAge time.Duration `json:"restore_test_max_age_s"`
	Status            string        `json:"status"`
	Notes             string        `json:"notes"`
	// PingToken is the secret path part of the job's HTTP report URL.
	PingToken string    `json:"ping_token"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Backup job enumerations.
var (
	BackupJobKinds    = []string{"command", "heartbeat"}
	BackupJobStatuses = []string{"active", "paused", "retired"}
)

// Defaults for new backup jobs.
const (
	DefaultJobTimeout        = time.Hour
	DefaultRestoreTestMaxAge = 30 * 24 * time.Hour
)

// Normalize sanitizes text and fills defaults.
func (j *BackupJob) Normalize() {
	j.Name = Sanitize(j.Name)
	j.Command = SanitizeN(j.Command, 4096)
	j.Env = SanitizeMultiline(j.Env, 8192)
	normalizeEnv(&j.Command, &j.Env)
	j.Schedule = strings.Join(strings.Fields(j.Schedule), " ")
	j.Notes = SanitizeMultiline(j.Notes, 4096)
	j.Status = keyword(j.Status, "active")
	if j.Kind == "" {
		j.Kind = "command"
		if j.HeartbeatPeriod != 0 || (j.Command == "" && j.Schedule == "") {
			j.Kind = "heartbeat"
		}
	}
	if j.Timeout == 0 {
		j.Timeout = DefaultJobTimeout
	}
	if j.RestoreTestMaxAge == 0 {
		j.RestoreTestMaxAge = DefaultRestoreTestMaxAge
	}
}

// Validate checks the job; a command job needs a command and a cron
// schedule, a heartbeat job a period and neither of those.
func (j *BackupJob) Validate() error {
	if err := firstErr(
		required("name", j.Name),
		oneOf("kind", j.Kind, BackupJobKinds...),
		oneOf("status", j.Status, BackupJobStatuses...),
	); err != nil {
		return err
	}
	if j.ServiceID == 0 {
		return Invalid("service", "", "is required")
	}
	if j.Timeout < time.Second {
		return Invalid("timeout", j.Timeout.String(), "must be at least 1s")
	}
	if j.RestoreTestMaxAge < time.Hour {
		return Invalid("restore_test_max_age", j.RestoreTestMaxAge.String(), "must be at least 1h")
	}
	if _, err := ParseEnv("env", j.Env); err != nil {
		return err
	}
	switch j.Kind {
	case "command":
		if j.Command == "" {
			return Invalid("command", "", "is required for a command job (or give --heartbeat)")
		}
		if _, err := ParseSchedule(j.Schedule); err != nil {
			return err
		}
		if j.HeartbeatPeriod != 0 {
			return Invalid("heartbeat", j.HeartbeatPeriod.String(), "cannot be combined with --command")
		}
	case "heartbeat":
		if j.HeartbeatPeriod < time.Minute {
			return Invalid("heartbeat", j.HeartbeatPeriod.String(), "must be at least 1m")
		}
		if j.Command != "" || j.Schedule != "" {
			return Invalid("command", j.Command, "cannot be combined with --heartbeat")
		}
	}
	return nil
}

// BackupJobRun is one run of a backup job, an external report, or a
// recorded restore test.
type BackupJobRun struct {
	ID         int64      `json:"id"`
	JobID      int64      `json:"job_id"`
	Kind       string     `json:"kind"`   // backup | restore_test
	Source     string     `json:"source"` // scheduled | manual | report
	Status     string     `json:"status"` // running | ok | failed
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	ExitCode   *int       `json:"exit_code"`
	SizeBytes  *int64     `json:"size_bytes"`
	DurationMS int64      `json:"duration_ms"`
	Output     string     `json:"output"`
	Error      string     `json:"error"`
}

// ParseSchedule parses a standard 5-field cron expression (or a descriptor
// such as @daily), naming the field on error.
func ParseSchedule(expr string) (cron.Schedule, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, Invalid("schedule", expr, "is required (cron, e.g. \"30 2 * * *\")")
	}
	s, err := cron.ParseStandard(expr)
	if err != nil {
		return nil, Invalid("schedule", expr, "is not a cron schedule ("+err.Error()+")")
	}
	return s, nil
}

// ParsePeriod parses a duration for the named field: Go syntax ("90m",
// "36h") or whole days ("7d").
func ParsePeriod(field, v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if d, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(d)
		if err == nil && n > 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, Invalid(field, v, "is not a positive duration (e.g. 30m, 26h, 7d)")
	}
	return d, nil
}

// FormatPeriod prints a duration the way ParsePeriod reads it back.
func FormatPeriod(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// MarshalJSON writes the durations as whole seconds, as the column names say.
func (j BackupJob) MarshalJSON() ([]byte, error) {
	type plain BackupJob
	return json.Marshal(struct {
		plain
		HeartbeatPeriod   int64 `json:"heartbeat_period_s"`
		Timeout           int64 `json:"timeout_s"`
		RestoreTestMaxAge int64 `json:"restore_test_max_age_s"`
	}{plain(j), int64(j.HeartbeatPeriod / time.Second), int64(j.Timeout / time.Second), int64(j.RestoreTestMaxAge / time.Second)})
}
