package main

import (
	"bufio"
	"database/sql"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// TestCrashSafety kills a writing opsdeck with SIGKILL at random points.
// After reopening, every batch the process reported committed must be
// present, and the database must pass integrity_check. CI runs a few
// trials; `make soak` sets OPSDECK_CRASH_TRIALS=100.
func TestCrashSafety(t *testing.T) {
	trials := 3
	if v, err := strconv.Atoi(os.Getenv("OPSDECK_CRASH_TRIALS")); err == nil && v > 0 {
		trials = v
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for trial := 0; trial < trials; trial++ {
		db := newDB(t)
		cmd := exec.Command(binPath, "--db", db, "gen", "--people", "200000", "--devices", "0", "--services", "0", "--batch", "50")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Read progress until a random number of commits, then kill in the
		// middle of whatever the process is doing.
		killAfter := 1 + rng.IntN(40)
		sc := bufio.NewScanner(out)
		reported, lines := 0, 0
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 3 && f[0] == "committed" && f[1] == "people" {
				reported, _ = strconv.Atoi(f[2])
				lines++
			}
			if lines == killAfter {
				time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
				cmd.Process.Signal(syscall.SIGKILL)
				break
			}
		}
		cmd.Wait()
		// Reopen through opsdeck itself (recovers the WAL), then check.
		mustRun(t, db, "version")
		conn, err := sql.Open("sqlite", db)
		if err != nil {
			t.Fatal(err)
		}
		var ok string
		var people, audits int
		conn.QueryRow(`PRAGMA integrity_check`).Scan(&ok)
		conn.QueryRow(`SELECT count(*) FROM people`).Scan(&people)
		conn.QueryRow(`SELECT count(*) FROM audit_log WHERE entity = 'person'`).Scan(&audits)
		conn.Close()
		if ok != "ok" {
			t.Fatalf("trial %d: integrity_check = %q", trial, ok)
		}
		if people < reported {
			t.Fatalf("trial %d: %d people after the crash, but %d were reported committed", trial, people, reported)
		}
		if people%50 != 0 || audits != people {
			t.Fatalf("trial %d: %d people and %d audit rows: a torn transaction", trial, people, audits)
		}
	}
}
