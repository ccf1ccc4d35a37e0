package proc

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/testenv"
)

func sh(script string) []string { return []string{"/bin/sh", "-c", script} }

// grandchildGone runs script (which must write its background child's
// pid to $PIDFILE) and asserts the child is gone once Run returns.
func grandchildGone(t *testing.T, ctx context.Context, spec Spec) Result {
	t.Helper()
	pidfile := filepath.Join(t.TempDir(), "pid")
	spec.Env = []string{"PIDFILE=" + pidfile, "PATH=/usr/bin:/bin"}
	res := Run(ctx, spec)
	pid := testenv.PIDFrom(pidfile, time.Second)
	if pid == 0 {
		t.Fatalf("the command never started its child: %+v", res)
	}
	if !testenv.Gone(pid, 5*time.Second) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("the command's child (pid %d) outlived the run: %+v", pid, res)
	}
	return res
}

func TestTimeoutKillsTheWholeGroup(t *testing.T) {
	for _, grace := range []time.Duration{0, 200 * time.Millisecond} {
		t.Run(fmt.Sprint("grace ", grace), func(t *testing.T) {
			res := grandchildGone(t, context.Background(), Spec{
				Argv: sh(`sleep 100 & echo $! > "$PIDFILE"; echo started; wait`), Timeout: 300 * time.Millisecond, Grace: grace, MaxOutput: 100,
			})
			if !res.TimedOut || !errors.Is(res.Err, ErrTimedOut) || res.Err.Error() != "timed out after 300ms" || res.ExitCode != -1 || res.Output != "started\n" {
				t.Fatalf("%+v", res)
			}
		})
	}
}

// A child that ignores SIGTERM is killed after the grace period.
func TestGraceThenKill(t *testing.T) {
	res := grandchildGone(t, context.Background(), Spec{
		Argv: sh(`sh -c 'trap "" TERM; sleep 100' & echo $! > "$PIDFILE"; trap 'echo cleaning up' TERM; wait; wait`), Timeout: 300 * time.Millisecond, Grace: 300 * time.Millisecond, MaxOutput: 100,
	})
	if !res.TimedOut || !strings.Contains(res.Output, "cleaning up") {
		t.Fatalf("the program had no grace to clean up: %+v", res)
	}
}

func TestCancelKillsTheWholeGroup(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	res := grandchildGone(t, ctx, Spec{Argv: sh(`sleep 100 & echo $! > "$PIDFILE"; wait`), Timeout: time.Minute})
	if !res.Cancelled || res.TimedOut || res.Err.Error() != "cancelled: context canceled" {
		t.Fatalf("%+v", res)
	}
}

// A program that exits and leaves a background job behind takes it along,
// and Run does not wait for the job to close the output.
func TestExitKillsWhatWasLeftBehind(t *testing.T) {
	res := grandchildGone(t, context.Background(), Spec{Argv: sh(`sleep 100 & echo $! > "$PIDFILE"; echo done`), Timeout: time.Minute, MaxOutput: 100})
	if res.Err != nil || res.ExitCode != 0 || res.Output != "done\n" || res.Duration > 30*time.Second {
		t.Fatalf("%+v", res)
	}
}

func TestExitStatusSignalAndStart(t *testing.T) {
	cases := []struct {
		argv []string
		code int
		err  string
	}{
		{sh(`exit 0`), 0, ""},
		{sh(`exit 3`), 3, "exit status 3"},
		{sh(`kill -9 $$`), -1, "killed by signal killed"},
		{[]string{"/nonexistent/plugin"}, -1, "start: fork/exec /nonexistent/plugin: no such file or directory"},
		{nil, -1, "start: no command"},
	}
	for _, c := range cases {
		res := Run(context.Background(), Spec{Argv: c.argv, Timeout: time.Minute})
		got := ""
		if res.Err != nil {
			got = res.Err.Error()
		}
		if res.ExitCode != c.code || got != c.err {
			t.Errorf("%q: exit %d err %q, want %d %q", c.argv, res.ExitCode, got, c.code, c.err)
		}
	}
}

func TestOutputIsBoundedHeadOrTail(t *testing.T) {
	script := `i=0; while [ $i -lt 2000 ]; do echo "line $i"; echo "err $i" >&2; i=$((i+1)); done`
	head := Run(context.Background(), Spec{Argv: sh(script), MaxOutput: 64})
	if len(head.Output) != 64 || !strings.HasPrefix(head.Output, "line 0\nerr 0\n") {
		t.Fatalf("head %q", head.Output)
	}
	tail := Run(context.Background(), Spec{Argv: sh(script), MaxOutput: 64, KeepTail: true})
	if len(tail.Output) != 64 || !strings.HasSuffix(tail.Output, "line 1999\nerr 1999\n") {
		t.Fatalf("tail %q", tail.Output)
	}
}
