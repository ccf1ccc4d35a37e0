package backups

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

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
// credentials kept apart from the command) added to opsdeck's environment. Exit status 0 is success; anything
// else, a signal or the timeout is failure. At the timeout the whole group
// (the shell and everything it started) gets SIGTERM, then SIGKILL after a
// grace period, so a hung pg_dump cannot outlive its run.
func RunCommand(ctx context.Context, name, command, env string, timeout time.Duration) CommandResult {
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.Env = append(os.Environ(), "OPSDECK_BACKUP_JOB="+name)
	if lines, err := model.ParseEnv("env", env); err == nil {
		cmd.Env = append(cmd.Env, lines...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A background child that keeps the output pipe open must not hang Wait.
	cmd.WaitDelay = killGrace
	var out tailBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return CommandResult{Err: "start: " + err.Error()}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var res CommandResult
	var err error
	select {
	case err = <-done:
	case <-timer.C:
		res.TimedOut = true
		err = stopGroup(cmd, done)
	case <-ctx.Done():
		err = stopGroup(cmd, done)
		res.Err = "cancelled: " + ctx.Err().Error()
	}
	res.Output = out.String()
	var ee *exec.ExitError
	switch {
	case res.TimedOut:
		res.Err = fmt.Sprintf("timed out after %s; killed", timeout)
	case res.Err != "":
	case err == nil:
		res.OK = true
		code := 0
		res.ExitCode = &code
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			res.Err = "killed by signal " + ws.Signal().String()
		} else {
			code := ee.ExitCode()
			res.ExitCode = &code
			res.Err = fmt.Sprintf("exit status %d", code)
		}
	default:
		res.Err = err.Error()
	}
	return res
}

// stopGroup terminates the command's process group and waits for it.
func stopGroup(cmd *exec.Cmd, done chan error) error {
	pgid := cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case err := <-done:
		return err
	case <-time.After(killGrace):
		syscall.Kill(-pgid, syscall.SIGKILL)
		return <-done
	}
}

// tailBuffer keeps the last outputTail bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if over := t.buf.Len() - outputTail; over > 0 {
		t.buf.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
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
