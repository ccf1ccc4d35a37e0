package testenv

import (
	"bytes"
	"os"
	"strconv"
	"time"
)

// Gone reports whether process pid has ended within d. A zombie (ended,
// not yet reaped by whoever inherited it) counts as ended.
func Gone(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return true
		}
		// The state follows the command name, which is in parentheses.
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// PIDFrom reads a process id a test's command wrote to path, waiting up
// to d for it to appear; 0 when it never did.
func PIDFrom(path string, d time.Duration) int {
	deadline := time.Now().Add(d)
	for {
		if b, err := os.ReadFile(path); err == nil {
			if pid, err := strconv.Atoi(string(bytes.TrimSpace(b))); err == nil && pid > 0 {
				return pid
			}
		}
		if time.Now().After(deadline) {
			return 0
		}
		time.Sleep(20 * time.Millisecond)
	}
}
