// Package proc is the one way opsdeck runs an outside program (an exec
// check's plugin, a backup job's command): in its own process group, with
// a timeout, keeping a bounded part of its output, and taking everything
// it started down with it. Killing only the direct child would leave a
// shell's background jobs (a hung pg_dump, a plugin's helper) running
// after the run was recorded as over, still holding the output pipe.
package proc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Spec is one run.
type Spec struct {
	Argv []string // program and arguments; no shell unless Argv names one
	Env  []string // the whole environment; nil means this process's
	// Timeout ends the run (0: only ctx ends it).
	Timeout time.Duration
	// Grace is how long the group has between SIGTERM and SIGKILL to
	// clean up (remove a half-written dump); 0 sends SIGKILL at once.
	Grace time.Duration
	// MaxOutput bounds the stdout+stderr kept (interleaved); KeepTail
	// keeps the last MaxOutput bytes instead of the first.
	MaxOutput int
	KeepTail  bool
}

// Result is how a run ended.
type Result struct {
	// Err is nil when the program exited 0. Otherwise it says why, in one
	// line: "exit status 3", "killed by signal killed", "timed out after
	// 1s", "cancelled: context canceled", "start: ...".
	Err       error
	ExitCode  int  // the exit status; -1 when the program did not exit by itself
	Started   bool // false when it could not be started
	TimedOut  bool
	Cancelled bool // ctx ended the run
	Output    string
	Duration  time.Duration
}

// ErrTimedOut and ErrCancelled are wrapped by Result.Err when the run was
// ended from outside.
var (
	ErrTimedOut  = errors.New("timed out")
	ErrCancelled = errors.New("cancelled")
)

// outputDrain is how long the output pipe may stay open after the group
// was killed: only a process that left the group (setsid) can hold it.
const outputDrain = time.Second

// Run runs spec to its end. When the program exits, when Timeout passes
// or when ctx is done, its whole process group is ended (SIGTERM, then
// SIGKILL after Grace), so nothing it started outlives the run.
func Run(ctx context.Context, spec Spec) Result {
	res := Result{ExitCode: -1}
	if len(spec.Argv) == 0 {
		res.Err = errors.New("start: no command")
		return res
	}
	cmd := exec.Command(spec.Argv[0], spec.Argv[1:]...)
	cmd.Env = spec.Env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Our own pipe, not exec's: Wait then returns when the program exits,
	// not when the last process holding its output does.
	pr, pw, err := os.Pipe()
	if err != nil {
		res.Err = fmt.Errorf("start: %w", err)
		return res
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	out := &Buffer{Max: spec.MaxOutput, Tail: spec.KeepTail}
	start := time.Now()
	err = cmd.Start()
	pw.Close() // the program holds its own copies now
	if err != nil {
		pr.Close()
		res.Err = fmt.Errorf("start: %w", err)
		return res
	}
	res.Started = true
	copied := make(chan struct{})
	go func() { io.Copy(out, pr); close(copied) }()
	pgid := cmd.Process.Pid

	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	var timeout <-chan time.Time
	if spec.Timeout > 0 {
		t := time.NewTimer(spec.Timeout)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case err = <-waited:
	case <-timeout:
		res.TimedOut = true
		err = stop(pgid, spec.Grace, waited)
	case <-ctx.Done():
		res.Cancelled = true
		err = stop(pgid, spec.Grace, waited)
	}
	// Whatever the program left behind in its group goes with it.
	syscall.Kill(-pgid, syscall.SIGKILL)
	select {
	case <-copied:
	case <-time.After(outputDrain):
	}
	pr.Close()
	<-copied
	res.Duration = time.Since(start)
	res.Output = out.String()

	var ee *exec.ExitError
	switch {
	case res.TimedOut:
		res.Err = fmt.Errorf("%w after %s", ErrTimedOut, spec.Timeout)
	case res.Cancelled:
		res.Err = fmt.Errorf("%w: %v", ErrCancelled, context.Cause(ctx))
	case err == nil:
		res.ExitCode = 0
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			res.Err = fmt.Errorf("killed by signal %s", ws.Signal())
		} else {
			res.ExitCode = ee.ExitCode()
			res.Err = fmt.Errorf("exit status %d", res.ExitCode)
		}
	default:
		res.Err = err
	}
	return res
}

// stop ends the group: SIGTERM and up to grace for the program to exit,
// then SIGKILL. It returns the program's wait error.
func stop(pgid int, grace time.Duration, waited <-chan error) error {
	if grace > 0 {
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case err := <-waited:
			return err
		case <-time.After(grace):
		}
	}
	syscall.Kill(-pgid, syscall.SIGKILL)
	return <-waited
}

// Buffer keeps at most Max bytes of what is written to it: the first Max,
// or with Tail the last Max. A chatty program cannot exhaust memory.
// Max <= 0 keeps nothing. It is safe for concurrent writers.
type Buffer struct {
	Max  int
	Tail bool

	mu sync.Mutex
	b  []byte
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.Tail {
		l.b = append(l.b, p...)
		if over := len(l.b) - l.Max; over > 0 {
			l.b = append(l.b[:0], l.b[over:]...)
		}
	} else if room := l.Max - len(l.b); room > 0 {
		l.b = append(l.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.b)
}
