// Package testenv is how an end-to-end test says what it needs from the
// machine (tmux, the OpenSSH client, a tmpfs mount). A suite that cannot
// run must never pass quietly:
//
//   - In CI (CI=true) a missing need fails the test, naming what is missing
//     and how to install it, so CI cannot go green with a suite skipped.
//   - Elsewhere the test is skipped, and when OPSDECK_SKIP_LOG names a file
//     (make test sets it) the skip is appended there; `make test` then ends
//     with one line (cmd/skipreport) naming every skipped suite and how to
//     get what it needs.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// LogEnv names the file skips are appended to, one tab-separated line per
// skipped test: package, test, what is missing, how to install it.
const LogEnv = "OPSDECK_SKIP_LOG"

// install says how to get each tool the suites use (Debian package names:
// .ci/run installs the same ones).
var install = map[string]string{
	"tmux":       "apt-get install tmux",
	"ssh":        "apt-get install openssh-client",
	"ssh-keygen": "apt-get install openssh-client",
	"ssh-agent":  "apt-get install openssh-client",
	"ssh-add":    "apt-get install openssh-client",
	"chromium":   "apt-get install chromium",
}

// InCI reports whether the run is CI's (CI set to a true value, as CI
// services and .ci/run do).
func InCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// Require fails (in CI) or skips t unless every tool is on PATH.
func Require(t testing.TB, tools ...string) {
	t.Helper()
	var missing, how []string
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
			h := install[tool]
			if h == "" {
				h = "install " + tool
			}
			if !contains(how, h) {
				how = append(how, h)
			}
		}
	}
	if len(missing) > 0 {
		Unavailable(t, strings.Join(missing, ", ")+" not installed", strings.Join(how, "; "))
	}
}

// Unavailable is the end of a test whose need (what) is not met; how says
// how to meet it. In CI it fails the test; elsewhere it records the skip
// (see LogEnv) and skips.
func Unavailable(t testing.TB, what, how string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s cannot run: %s (%s); CI=true does not skip end-to-end suites", t.Name(), what, how)
	}
	if path := os.Getenv(LogEnv); path != "" {
		if err := appendLine(path, strings.Join([]string{pkgDir(), t.Name(), what, how}, "\t")); err != nil {
			t.Logf("record skip in %s: %v", path, err)
		}
	}
	t.Skipf("%s (%s)", what, how)
}

// appendLine appends one line; O_APPEND keeps lines from parallel test
// binaries whole.
func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(strings.NewReplacer("\n", " ").Replace(line) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// pkgDir is the test's package as a path from the module root ("." for
// the root package); go test runs a test binary in its package directory.
func pkgDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "?"
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			rel, err := filepath.Rel(dir, wd)
			if err != nil || rel == "." {
				return "."
			}
			return "./" + filepath.ToSlash(rel)
		}
		if filepath.Dir(dir) == dir {
			return wd
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Skip is one recorded skip.
type Skip struct{ Pkg, Test, What, How string }

// ReadLog parses a skip log; a missing file means nothing was skipped.
func ReadLog(path string) ([]Skip, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Skip
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Split(l, "\t")
		if len(f) != 4 {
			continue
		}
		out = append(out, Skip{f[0], f[1], f[2], f[3]})
	}
	return out, nil
}

// Summary is the one line `make test` ends with: every skipped suite by
// package, and how to install what they need; "" when nothing was skipped.
func Summary(skips []Skip) string {
	if len(skips) == 0 {
		return ""
	}
	var pkgs, hows []string
	byPkg := map[string][]string{}
	for _, s := range skips {
		if _, ok := byPkg[s.Pkg]; !ok {
			pkgs = append(pkgs, s.Pkg)
		}
		if !contains(byPkg[s.Pkg], s.Test) {
			byPkg[s.Pkg] = append(byPkg[s.Pkg], s.Test)
		}
		for _, h := range strings.Split(s.How, "; ") {
			if !contains(hows, h) {
				hows = append(hows, h)
			}
		}
	}
	sort.Strings(pkgs)
	n := 0
	var parts []string
	for _, p := range pkgs {
		sort.Strings(byPkg[p])
		n += len(byPkg[p])
		parts = append(parts, p+": "+strings.Join(byPkg[p], " "))
	}
	sort.Strings(hows)
	return fmt.Sprintf("SKIPPED %d tests (%s) — to run them: %s",
		n, strings.Join(parts, "; "), strings.Join(hows, "; "))
}
