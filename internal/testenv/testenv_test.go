package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// helperEnv marks the child run of TestNeedsAMissingTool.
const helperEnv = "TESTENV_HELPER"

// TestNeedsAMissingTool is the helper the tests below run in a child
// process: it requires a tool no machine has.
func TestNeedsAMissingTool(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		return // only meaningful as the child of the tests below
	}
	Require(t, "sh", "opsdeck-no-such-tool")
	t.Log("still running")
}

func child(t *testing.T, env ...string) (string, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestNeedsAMissingTool$", "-test.v")
	cmd.Env = append(os.Environ(), append([]string{helperEnv + "=1", "CI=", LogEnv + "="}, env...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestMissingToolFailsInCI(t *testing.T) {
	out, err := child(t, "CI=true")
	if err == nil || !strings.Contains(out, "--- FAIL: TestNeedsAMissingTool") ||
		!strings.Contains(out, "opsdeck-no-such-tool not installed") || strings.Contains(out, "still running") {
		t.Fatalf("CI=true: want a failure naming the tool; err %v\n%s", err, out)
	}
}

func TestMissingToolSkipsAndIsRecordedElsewhere(t *testing.T) {
	log := filepath.Join(t.TempDir(), "skips")
	out, err := child(t, LogEnv+"="+log)
	if err != nil || !strings.Contains(out, "--- SKIP: TestNeedsAMissingTool") || strings.Contains(out, "still running") {
		t.Fatalf("want a skip; err %v\n%s", err, out)
	}
	skips, err := ReadLog(log)
	if err != nil {
		t.Fatal(err)
	}
	want := Skip{"./internal/testenv", "TestNeedsAMissingTool", "opsdeck-no-such-tool not installed", "install opsdeck-no-such-tool"}
	if len(skips) != 1 || skips[0] != want {
		t.Fatalf("log %+v, want %+v", skips, want)
	}
}

func TestSummaryIsOneLineNamingSuitesAndInstalls(t *testing.T) {
	if s := Summary(nil); s != "" {
		t.Fatalf("nothing skipped: %q", s)
	}
	got := Summary([]Skip{
		{"./sshd", "TestSessionCap", "ssh, ssh-keygen not installed", "apt-get install openssh-client"},
		{".", "TestConsoleEndToEnd", "tmux not installed", "apt-get install tmux"},
		{".", "TestOnCallOverSSH", "ssh not installed", "apt-get install openssh-client"},
		{".", "TestConsoleEndToEnd", "tmux not installed", "apt-get install tmux"},
	})
	want := "SKIPPED 3 tests (.: TestConsoleEndToEnd TestOnCallOverSSH; ./sshd: TestSessionCap)" +
		" — to run them: apt-get install openssh-client; apt-get install tmux"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}
