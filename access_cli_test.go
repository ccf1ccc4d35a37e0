package main

// End-to-end tests of access hygiene (#17) through the built binary on the
// demo company: two-step and last activity on accounts, the filters, the
// used_after_departure alert from `opsdeck run`'s first pass, and an access
// review walked to its report.

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAccessAccountsAndFilters(t *testing.T) {
	db := demoDB(t)
	var accts []struct {
		Service  string `json:"service_name"`
		Username string `json:"username"`
		Access   struct {
			TwoStep      string `json:"two_step"`
			LastActivity string `json:"last_activity"`
		} `json:"access"`
	}
	runJSON(t, db, &accts, "accounts", "list", "--no-mfa", "--inactive", "90d", "--service", "AWS")
	var got []string
	for _, a := range accts {
		got = append(got, a.Username+"/"+a.Access.TwoStep)
	}
	if strings.Join(got, " ") != "tammy-breakglass/off chen/unknown raj-readonly/unknown" {
		t.Fatalf("AWS accounts with no MFA and idle 90d: %v", got)
	}
	show := mustRun(t, db, "accounts", "show", "AWS:bill")
	for _, want := range []string{"two_step:", "off (from aws-credential-report.csv row 5 (mfa_active)", "last_activity:", "password_last_used", "EVIDENCE (2)"} {
		if !strings.Contains(show, want) {
			t.Errorf("accounts show AWS:bill lacks %q:\n%s", want, show)
		}
	}
	risks := mustRun(t, db, "risks")
	for _, want := range []string{"used_after_departure", "no_mfa", "dormant_account"} {
		if !strings.Contains(risks, want) {
			t.Errorf("risks lack %s:\n%s", want, risks)
		}
	}
	// Bad input: one line naming the flag, the value and why; exit non-zero.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"accounts", "list", "--inactive", "soon"}, `inactive: "soon" is not a positive duration`},
		{[]string{"accounts", "list", "--inactive", "0d"}, `inactive: "0d" is not a positive duration`},
		{[]string{"access-review", "policy", "--dormant-after", "-5d"}, `dormant-after: "-5d"`},
		{[]string{"access-review", "start", "--service", "Nope"}, `service: "Nope" is not a known service`},
		{[]string{"access-review", "start", "--owner", "ghost@example.com"}, `owner: "ghost@example.com" is not a known person`},
		{[]string{"access-review", "start", "--revoke-within", "soon"}, `revoke-within: "soon"`},
		{[]string{"access-review", "frobnicate"}, ""},
	} {
		r := run(t, db, c.args...)
		if r.code == 0 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
			t.Errorf("opsdeck %s: exit %d, stderr %q; want non-zero and %q", strings.Join(c.args, " "), r.code, r.stderr, c.want)
		}
	}
	mustRun(t, db, "access-review", "policy", "--dormant-after", "300d")
	if strings.Contains(mustRun(t, db, "risks"), "dormant_account") {
		t.Error("dormant_account still reported with the policy at 300d")
	}
}

// opsdeck run's first pass raises the critical used_after_departure alert
// for Bill's AWS password used after his last day.
func TestUsedAfterDepartureOnRun(t *testing.T) {
	db := demoDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, "--db", db, "run")
	cmd.Env = append(cmd.Environ(), "NO_COLOR=1", "OPSDECK_DB=")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var out string
	for ctx.Err() == nil {
		out = mustRun(t, db, "alerts", "list")
		if strings.Contains(out, "used-after-departure-bill-carter-aws") {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	line := ""
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "used-after-departure-bill-carter-aws") {
			line = l
		}
	}
	if !strings.Contains(line, "firing") || !strings.Contains(line, "critical") {
		t.Fatalf("no critical firing used_after_departure alert after opsdeck run:\n%s", out)
	}
}

// An access review of one service walked to completion from the CLI: a
// revocation becomes a due-dated step, the report names every decision.
func TestAccessReviewCLI(t *testing.T) {
	db := demoDB(t)
	mustRun(t, db, "access-review", "start", "--service", "AWS")
	if r := run(t, db, "access-review", "decide", "open", "1", "keep"); r.code == 0 || !strings.Contains(r.stderr, "reason") {
		t.Fatalf("a decision without a reason: exit %d %q", r.code, r.stderr)
	}
	mustRun(t, db, "access-review", "decide", "open", "1", "revoke", "--reason", "left the company")
	for n := 2; n <= 6; n++ {
		mustRun(t, db, "access-review", "decide", "open", strconv.Itoa(n), "keep", "--reason", "still needed")
	}
	if r := run(t, db, "access-review", "complete", "open"); r.code == 0 || !strings.Contains(r.stderr, "Revoke AWS:bill") {
		t.Fatalf("completing with the revocation open: exit %d %q", r.code, r.stderr)
	}
	mustRun(t, db, "access-review", "step", "open", "7", "done")
	mustRun(t, db, "access-review", "complete", "open")
	md := mustRun(t, db, "access-review", "report", "latest", "--format", "md")
	for _, want := range []string{"1 revoked", "AWS:bill (Bill Carter <bill@example.com>", "revoke by local:", "left the company", "Revocations", "step 7 done"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	var accts []struct {
		Status string `json:"status"`
	}
	runJSON(t, db, &accts, "accounts", "list", "--service", "AWS", "--person", "bill@example.com")
	if len(accts) != 1 || accts[0].Status != "revoked" {
		t.Fatalf("Bill's AWS account after the review: %+v", accts)
	}
}
