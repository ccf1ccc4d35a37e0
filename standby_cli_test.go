package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/testenv/pg"
)

// scheduler is a running 'opsdeck run' whose log the test reads.
type scheduler struct {
	cmd *exec.Cmd
	mu  sync.Mutex
	log []string
}

func (s *scheduler) said(part string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.log {
		if strings.Contains(l, part) {
			return true
		}
	}
	return false
}

func startScheduler(t *testing.T, db string) *scheduler {
	t.Helper()
	s := &scheduler{cmd: exec.Command(binPath, "--db", db, "run", "--group-wait", "0s")}
	s.cmd.Env = append(os.Environ(), "NO_COLOR=1", "OPSDECK_DB=")
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			s.mu.Lock()
			s.log = append(s.log, sc.Text())
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	})
	return s
}

// TestActiveStandbyOnPostgres runs two schedulers on one PostgreSQL
// database: one holds the lease and pages, the other waits; kill -9 the
// active one and the standby takes the schedule over within the lease
// time; every alert is paged exactly once across the takeover.
func TestActiveStandbyOnPostgres(t *testing.T) {
	db := pg.URL(t)
	mustRun(t, db, "init")
	fastClock(t, 10) // the 30 s lease is 3 s of real time
	hookURL, received := webhookRecorder(t)
	fired := func(check string) int { return len(webhooksFor(received(), check, "fired")) }
	mustRun(t, db, "services", "add", "--name", "App", "--kind", "app", "--criticality", "high")
	mustRun(t, db, "channels", "add", "--name", "hook", "--kind", "webhook", "--url", hookURL+"/opsdeck")
	mustRun(t, db, "checks", "add", "--name", "before", "--kind", "tcp", "--service", "App", "--target", "127.0.0.1:1", "--interval", "5s", "--timeout", "1s")

	active := startScheduler(t, db)
	waitFor(t, "the first scheduler to take the schedule", 30*time.Second, func() bool { return active.said("scheduling") })
	standby := startScheduler(t, db)
	waitFor(t, "the second to wait on the lease", 30*time.Second, func() bool { return standby.said("waiting to take over") })
	waitFor(t, "the active scheduler's page", 60*time.Second, func() bool { return fired("before") == 1 })
	// Delivery is at least once: a process killed between sending a page
	// and recording it sent would have the standby send it again. The
	// kill comes once the page is recorded, as the story's does.
	waitFor(t, "the page to be recorded sent", 60*time.Second, func() bool {
		return strings.Contains(mustRun(t, db, "alerts", "show", fmt.Sprint(openAlerts(t, db)["before"].ID)), "via hook (webhook)")
	})

	active.cmd.Process.Signal(syscall.SIGKILL)
	active.cmd.Wait()
	waitFor(t, "the standby to take over", 60*time.Second, func() bool { return standby.said("scheduling") })
	mustRun(t, db, "checks", "add", "--name", "after", "--kind", "tcp", "--service", "App", "--target", "127.0.0.1:2", "--interval", "5s", "--timeout", "1s")
	waitFor(t, "the standby's page", 60*time.Second, func() bool { return fired("after") == 1 })
	// A third check's page marks several more delivery rounds: a page
	// sent twice (by the dead process and again by the standby) would
	// have arrived by then.
	mustRun(t, db, "checks", "add", "--name", "later", "--kind", "tcp", "--service", "App", "--target", "127.0.0.1:3", "--interval", "5s", "--timeout", "1s")
	waitFor(t, "a later page", 60*time.Second, func() bool { return fired("later") == 1 })
	if n, m := fired("before"), fired("after"); n != 1 || m != 1 {
		t.Fatalf("pages across the takeover: before %d, after %d; want exactly 1 each\n%v", n, m, received())
	}
}
