package backups

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/opsdeck/opsdeck/internal/proc"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// outputTail is how much of a command's output a run keeps.
const outputTail = 4096

// killGrace is how long a timed-out command gets between SIGTERM and
// SIGKILL to clean up (remove a half-written dump, release locks).
var killGrace = 5 * time.Second

// CommandResult is how one command run ended.
type CommandResult struct {
	OK       bool
	ExitCode *int
	Output   string // the last 4 KiB of stdout and stderr, interleaved
	Err      string // why it failed, one line
	TimedOut bool
}

// RunCommand runs command with sh -c in its own process group, with the
// job's name in OPSDECK_BACKUP_JOB and its env lines (NAME=value, the
// credentials kept apart from the command) added to opsdeck's environment.
// Exit status 0 is success; anything else, a signal or the timeout is
// failure. At the timeout (or when ctx ends) the whole group (the shell and
// everything it started) gets SIGTERM, then SIGKILL after a grace period,
// so a hung pg_dump cannot outlive its run (see internal/proc).
func RunCommand(ctx context.Context, name, command, env string, timeout time.Duration) CommandResult {
	procEnv := append(os.Environ(), "OPSDECK_BACKUP_JOB="+name)
	if lines, err := model.ParseEnv("env", env); err == nil {
		procEnv = append(procEnv, lines...)
	}
	r := proc.Run(ctx, proc.Spec{
		Argv: []string{"/bin/sh", "-c", command}, Env: procEnv,
		Timeout: timeout, Grace: killGrace, MaxOutput: outputTail, KeepTail: true,
	})
	res := CommandResult{OK: r.Err == nil, Output: r.Output, TimedOut: r.TimedOut}
	switch {
	case r.TimedOut:
		res.Err = fmt.Sprintf("timed out after %s; killed", timeout)
	case r.Err != nil:
		res.Err = r.Err.Error()
	}
	if r.ExitCode >= 0 && !r.TimedOut && !r.Cancelled {
		code := r.ExitCode
		res.ExitCode = &code
	}
	return res
}

// RunJob runs a command job once and records it: a running run first (so
// the console and the state show it), then its outcome. source is
// scheduled or manual.
func RunJob(ctx context.Context, s *store.Store, actor model.Actor, job model.BackupJob, source string) (model.BackupJobRun, error) {
	if job.Kind != "command" {
		return model.BackupJobRun{}, model.Invalid("job", job.Name, "is a heartbeat job: it reports with 'opsdeck backups report', opsdeck does not run it")
	}
	// The command and its env are read here in clear, whatever view of the
	// store the caller listed the job through.
	job, err := s.WithCredentials().FindBackupJob(ctx, strconv.FormatInt(job.ID, 10))
	if err != nil {
		return model.BackupJobRun{}, err
	}
	var run model.BackupJobRun
	err = s.Write(ctx, actor, func(t *store.Tx) (err error) {
		run, err = t.StartJobRun(job.ID, source)
		return err
	})
	if err != nil {
		return run, err
	}
	res := RunCommand(ctx, job.Name, job.Command, job.Env, job.Timeout)
	err = s.Write(context.WithoutCancel(ctx), actor, func(t *store.Tx) (err error) {
		run, err = t.FinishJobRun(run.ID, store.JobOutcome{OK: res.OK, ExitCode: res.ExitCode, Output: res.Output, Error: res.Err})
		return err
	})
	return run, err
}
