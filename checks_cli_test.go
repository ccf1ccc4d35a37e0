package main

// The "Done means" scenario of the checks issue, end to end with the real
// binary: a demo company whose checks point at servers on 127.0.0.1, a
// headless scheduler process, a webhook receiver and an SMTP server.

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/smtptest"
	"github.com/opsdeck/opsdeck/internal/testenv"
)

// stoppable is an HTTP server on a fixed loopback port that can be
// stopped and started again on the same port, like a service restarting.
type stoppable struct {
	addr string
	srv  *http.Server
}

func startApp(t *testing.T, addr string) *stoppable {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	mux.HandleFunc("/api/ping", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "pong") })
	s := &stoppable{addr: ln.Addr().String(), srv: &http.Server{Handler: mux}}
	go s.srv.Serve(ln)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

func (s *stoppable) stop() { s.srv.Close() }

type alertJSON struct {
	ID        int64  `json:"id"`
	Check     string `json:"check"`
	State     string `json:"state"`
	CausedBy  string `json:"caused_by"`
	AckedBy   string `json:"acked_by"`
	AckReason string `json:"ack_reason"`
}

func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func openAlerts(t *testing.T, db string) map[string]alertJSON {
	var as []alertJSON
	runJSON(t, db, &as, "alerts", "list")
	out := map[string]alertJSON{}
	for _, a := range as {
		out[a.Check] = a
	}
	return out
}

func TestChecksDoneMeans(t *testing.T) {
	if testing.Short() {
		t.Skip("a minute of scheduling")
	}
	db := demoDB(t)
	fastClock(t, 10) // the scheduler's minute in six seconds
	hookURL, received := webhookRecorder(t)
	fired := func(check string) int { return len(webhooksFor(received(), check, "fired")) }
	mail := smtptest.Start(t)
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hung.Close()
	defer close(release)
	app := startApp(t, "127.0.0.1:0")
	device := testenv.TCPUp(t) // app-01's SSH port, say

	// Point the demo's paused checks at the local servers and resume them.
	mustRun(t, db, "channels", "delete", "ops-webhook")
	mustRun(t, db, "channels", "delete", "ops-email")
	mustRun(t, db, "channels", "add", "--name", "hook", "--kind", "webhook", "--url", hookURL+"/opsdeck")
	mustRun(t, db, "channels", "add", "--name", "mail", "--kind", "email", "--smtp_addr", mail.Addr, "--smtp_from", "opsdeck@example.com", "--smtp_tls", "none")
	if out := mustRun(t, db, "channels", "test", "mail"); !strings.Contains(out, "sent a test notification via mail") || len(mail.Messages()) != 1 {
		t.Fatalf("channels test: %q, %d mails", out, len(mail.Messages()))
	}
	for name, target := range map[string]string{
		"app-web":   "http://" + app.addr + "/health",
		"app-api":   "http://" + app.addr + "/api/ping",
		"app-01-up": device.Addr().String(),
	} {
		mustRun(t, db, "checks", "edit", name, "--target", target, "--interval_s", "5s", "--timeout_s", "2s")
		mustRun(t, db, "checks", "resume", name)
	}
	mustRun(t, db, "checks", "add", "--name", "hung-jenkins", "--kind", "http", "--service", "Jenkins CI",
		"--target", hung.URL, "--interval_s", "5s", "--timeout_s", "5s")

	sched, schedErr := spawnScheduler(t, db, "--group_wait", "2s")
	defer sched.Process.Kill()

	// 1. Stop the app: an alert fires after 3 failures and reaches the
	// webhook and the SMTP server, addressed to the owner and the on-call.
	app.stop()
	waitFor(t, "app-web to fire", 40*time.Second, func() bool { return openAlerts(t, db)["app-web"].State == "firing" })
	web := openAlerts(t, db)["app-web"]
	waitFor(t, "the webhook", 15*time.Second, func() bool { return fired("app-web") == 1 })
	waitFor(t, "the email", 15*time.Second, func() bool {
		for _, m := range mail.Messages() {
			if strings.Contains(m.Data, "Subject: [FIRING] app-web") && strings.Join(m.To, ",") == "dave@example.com,oscar@example.com" {
				return true
			}
		}
		return false
	})
	show := mustRun(t, db, "alerts", "show", fmt.Sprint(web.ID))
	if !strings.Contains(show, "3 consecutive failures") || !strings.Contains(show, "Dave Kim") || !strings.Contains(show, "runbooks/app") {
		t.Errorf("alerts show:\n%s", show)
	}

	// 2. Acknowledge it (with a reason; the actor is recorded).
	if r := run(t, db, "alerts", "ack", fmt.Sprint(web.ID)); r.code == 0 || !strings.Contains(r.stderr, "reason:") {
		t.Errorf("ack without reason: %+v", r)
	}
	mustRun(t, db, "alerts", "ack", fmt.Sprint(web.ID), "--reason", "restarting the app")
	if a := openAlerts(t, db)["app-web"]; a.State != "acknowledged" || !strings.HasPrefix(a.AckedBy, "local:") || a.AckReason != "restarting the app" {
		t.Errorf("after ack: %+v", a)
	}

	// 3. Start the app again: the alert resolves after 2 successes.
	app = startApp(t, app.addr)
	waitFor(t, "app-web to resolve", 30*time.Second, func() bool { _, open := openAlerts(t, db)["app-web"]; return !open })
	if show := mustRun(t, db, "alerts", "show", fmt.Sprint(web.ID)); !strings.Contains(show, "2 consecutive successes") {
		t.Errorf("resolved alert:\n%s", show)
	}

	// 4. Stop the device the app runs on (the host check and both app
	// checks fail): one root alert pages, the service alerts say "caused by".
	hooksBefore := fired("app-web") + fired("app-api")
	device.Close()
	app.stop()
	waitFor(t, "one root alert with its services under it", 40*time.Second, func() bool {
		as := openAlerts(t, db)
		return as["app-01-up"].State == "firing" && as["app-web"].CausedBy == "app-01" && as["app-api"].CausedBy == "app-01"
	})
	waitFor(t, "the device page", 15*time.Second, func() bool { return fired("app-01-up") == 1 })
	time.Sleep(time.Second) // 10 s on the clock, longer than group_wait and a delivery tick: any service page would have gone out
	if n := fired("app-web") + fired("app-api"); n != hooksBefore {
		t.Errorf("services paged separately while their device was down (%d pages)", n-hooksBefore)
	}
	list := mustRun(t, db, "alerts", "list")
	if !strings.Contains(list, "└ app-web") || !strings.Contains(list, "caused by app-01") {
		t.Errorf("alerts list:\n%s", list)
	}

	// 5. The hung target times out on its own slot (its timeout is real
	// time: five seconds after the scheduler started) while all of the
	// above went on.
	waitFor(t, "the hung check to time out", 15*time.Second, func() bool {
		return strings.Contains(mustRun(t, db, "checks", "show", "hung-jenkins"), "timed out after 5s")
	})

	// 6. SIGINT: the scheduler stops cleanly and releases the schedule.
	sched.Process.Signal(syscall.SIGINT)
	if err := sched.Wait(); err != nil {
		t.Fatalf("opsdeck run: %v\n%s", err, schedErr.String())
	}
	if !strings.Contains(schedErr.String(), "stopped cleanly") {
		t.Errorf("run output:\n%s", schedErr.String())
	}
}

func TestChecksBadInputRefused(t *testing.T) {
	db := demoDB(t)
	before := mustRun(t, db, "audit", "list", "--json")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"checks", "add", "--name", "x", "--kind", "http", "--service", "GitHub", "--target", "http://127.0.0.1:1/", "--condition", "status == 200 && latancy < 300ms"},
			`opsdeck: condition: "status == 200 && latancy < 300ms" at position 18: unknown name latancy`},
		{[]string{"checks", "add", "--name", "x", "--kind", "http", "--service", "GitHub", "--target", "ftp://x"}, `opsdeck: target: "ftp://x" is not an http:// or https:// URL`},
		{[]string{"checks", "add", "--name", "x", "--kind", "ping", "--service", "GitHub"}, `opsdeck: kind: "ping" is not one of`},
		{[]string{"checks", "add", "--name", "x", "--kind", "tcp", "--service", "Nope", "--target", "127.0.0.1:1"}, `opsdeck: service: "Nope" is not a known service`},
		{[]string{"checks", "add", "--name", "x", "--kind", "tcp", "--service", "GitHub", "--target", "127.0.0.1:1", "--interval_s", "1s"}, `opsdeck: interval_s: "1" must be between 5s and 24h0m0s`},
		{[]string{"alerts", "ack", "999", "--reason", "x"}, `opsdeck: alert "999": not found`},
		{[]string{"alerts", "snooze", "abc", "--for", "1h", "--reason", "x"}, `opsdeck: alert: "abc" is not an alert id`},
		{[]string{"silences", "add", "--service", "GitHub", "--for", "2h"}, `opsdeck: reason: "" is required`},
		{[]string{"oncall", "set", "nobody@example.com", "--until", "1d"}, `opsdeck: person: "nobody@example.com" is not a known person`},
		{[]string{"checks", "ping", "app-web"}, `opsdeck: check: "app-web" is a http check, not a heartbeat`},
	} {
		r := run(t, db, tc.args...)
		if r.code == 0 || !strings.HasPrefix(strings.TrimSpace(r.stderr), tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	if after := mustRun(t, db, "audit", "list", "--json"); after != before {
		t.Error("a refused command changed the database")
	}
	mustRun(t, db, "demo")
	if again := mustRun(t, db, "audit", "list", "--json"); again != before {
		t.Error("loading the demo twice changed something")
	}
}

func TestHeartbeatPingAndRunOnce(t *testing.T) {
	db := demoDB(t)
	mustRun(t, db, "checks", "add", "--name", "jenkins-nightly", "--kind", "heartbeat", "--service", "Jenkins CI", "--interval_s", "24h", "--grace_s", "1h")
	out := mustRun(t, db, "checks", "ping", "jenkins-nightly", "--fail", "--message", "rsync: \x1b[31mdisk full")
	if !strings.Contains(out, "job reported failure: rsync: disk full") {
		t.Errorf("ping --fail: %q", out)
	}
	if a := openAlerts(t, db)["jenkins-nightly"]; a.State != "firing" {
		t.Fatalf("heartbeat failure alert: %+v", a)
	}
	mustRun(t, db, "checks", "ping", "jenkins-nightly")
	if a, open := openAlerts(t, db)["jenkins-nightly"]; open {
		t.Errorf("a good ping did not resolve the heartbeat alert: %+v", a)
	}
	// The demo's analytics backup never reported: its alert is firing
	// until the job pings.
	if a := openAlerts(t, db)["analytics-db-backup"]; a.State != "firing" {
		t.Errorf("demo backup heartbeat: %+v", a)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"status":"ok"}`) }))
	defer srv.Close()
	mustRun(t, db, "checks", "add", "--name", "health", "--kind", "http", "--service", "GitHub", "--target", srv.URL, "--condition", `json.status == "ok" && latency < 2s`)
	var res struct {
		Status  string         `json:"status"`
		Message string         `json:"message"`
		Details map[string]any `json:"details"`
	}
	runJSON(t, db, &res, "checks", "run", "health")
	if res.Status != "up" || res.Details["status"] != float64(200) {
		t.Errorf("checks run --json: %+v", res)
	}
}

func TestSilencesAndOnCall(t *testing.T) {
	db := demoDB(t)
	out := mustRun(t, db, "silences", "add", "--device", "SRV-APP-01", "--for", "2h", "--reason", "kernel patching")
	if !strings.Contains(out, "device app-01") {
		t.Errorf("silences add: %q", out)
	}
	var sls []struct {
		ID     int64  `json:"id"`
		Target string `json:"target"`
		Author string `json:"author"`
		Reason string `json:"reason"`
	}
	runJSON(t, db, &sls, "silences", "list")
	if len(sls) != 1 || sls[0].Target != "device app-01" || !strings.HasPrefix(sls[0].Author, "local:") {
		t.Fatalf("silences list: %+v", sls)
	}
	mustRun(t, db, "silences", "expire", fmt.Sprint(sls[0].ID))
	runJSON(t, db, &sls, "silences", "list")
	if len(sls) != 0 {
		t.Errorf("expired silence still listed: %+v", sls)
	}
	if r := run(t, db, "silences", "expire", "1"); r.code == 0 || !strings.Contains(r.stderr, "has already ended") {
		t.Errorf("expire twice: %+v", r)
	}
	mustRun(t, db, "oncall", "set", "chen@example.com", "--until", "12h")
	var shifts []struct {
		Email string `json:"email"`
		SetBy string `json:"set_by"`
	}
	runJSON(t, db, &shifts, "oncall", "show")
	// An override of the primary: Chen for 12 hours, then the rotation's
	// person again (nobody's shift is cut any more).
	if len(shifts) < 2 || shifts[0].Email != "chen@example.com" || !strings.HasPrefix(shifts[0].SetBy, "local:") ||
		shifts[1].Email == "chen@example.com" || !strings.HasPrefix(shifts[1].SetBy, "rotation ") {
		t.Errorf("oncall show after Chen covers 12 hours: %+v", shifts)
	}
	var audit []struct{ Action, Entity string }
	runJSON(t, db, &audit, "audit", "list")
	seen := map[string]bool{}
	for _, a := range audit {
		seen[a.Action+" "+a.Entity] = true
	}
	for _, want := range []string{"create silence", "expire silence", "create oncall"} {
		if !seen[want] {
			t.Errorf("audit lacks %q", want)
		}
	}
}
