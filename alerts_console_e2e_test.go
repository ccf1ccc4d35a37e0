package main

// End-to-end triage in the console: a real HTTP server on loopback, a
// check added with the CLI, the headless scheduler (`opsdeck run`) in the
// background, and the console in tmux where the alert appears by itself
// and is acknowledged with a reason.

import (
	"strings"
	"testing"
	"time"
)

func TestAlertsConsoleEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("half a minute of scheduling")
	}
	fastClock(t, 10) // the scheduler's half minute in three seconds
	db := newDB(t)
	app := startApp(t, "127.0.0.1:0")
	mustRun(t, db, "services", "add", "--name", "Web Shop", "--kind", "app")
	mustRun(t, db, "checks", "add", "--name", "shop-health", "--kind", "http", "--service", "Web Shop",
		"--target", "http://"+app.addr+"/health", "--interval_s", "5s", "--timeout_s", "2s")

	sched, _ := spawnScheduler(t, db)
	t.Cleanup(func() { sched.Process.Kill(); sched.Wait() })

	tm := startConsole(t, db, 80, 24)
	tm.waitFor("people 0", "live")
	tm.keys("4")
	tm.waitFor("No open alerts — 1 check, all passing.", "no alerts")

	// The server stops: after three failures the alert appears on the open
	// tab and in the status bar without a key press.
	app.stop()
	waitFor(t, "shop-health to fire", 40*time.Second, func() bool { return openAlerts(t, db)["shop-health"].State == "firing" })
	tm.waitFor("firing", "shop-health", "1 firing · 0 acked")

	tm.keys("a")
	tm.waitFor("Acknowledge alert", "shop-health")
	tm.keys("Enter")
	tm.waitFor(`reason: "" is required`)
	tm.keys("text:deploying a fix", "Enter")
	tm.waitFor("acknowledged alert", "acked", "0 firing · 1 acked")
	a := openAlerts(t, db)["shop-health"]
	if a.State != "acknowledged" || !strings.HasPrefix(a.AckedBy, "local:") || a.AckReason != "deploying a fix" {
		t.Fatalf("after ack in the console: %+v", a)
	}

	tm.keys("Enter")
	tm.waitFor("shop-health · ACKED", "Timeline", "acknowledged", "deploying a fix", "uptime")

	// The server comes back: two successes resolve the alert, and the
	// detail page on screen says so.
	app = startApp(t, app.addr)
	waitFor(t, "shop-health to resolve", 40*time.Second, func() bool { _, open := openAlerts(t, db)["shop-health"]; return !open })
	tm.waitFor("shop-health · RESOLVED", "no alerts")
	tm.keys("Escape")
	tm.waitFor("No open alerts — 1 check, all passing.")
	tm.keys("q")
	tm.waitExit()
}
