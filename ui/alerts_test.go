package ui

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/ui/components/detail"
)

// alertFixture is a database with one service (owned, with a runbook) and
// an HTTP check against a loopback address; results come from the real
// runner and engine (runCheckNow), as `opsdeck checks run` records them.
type alertFixture struct {
	s     *store.Store
	env   TabEnv
	svc   model.Service
	check model.Check
}

func newAlertFixture(t *testing.T, target string) *alertFixture {
	t.Helper()
	s := openStore(t, false)
	f := &alertFixture{s: s, env: TabEnv{Ctx: context.Background(), Store: s, Actor: model.LocalActor("tester"), Clock: s.Clock()}}
	err := s.Write(f.env.Ctx, f.env.Actor, func(t *store.Tx) error {
		p := model.Person{Name: "Oscar Lind", Email: "oscar@example.com", Role: "admin"}
		if err := t.AddPerson(&p); err != nil {
			return err
		}
		f.svc = model.Service{Name: "Web", OwnerID: &p.ID, RunbookURL: "https://wiki.example.com/rb/web"}
		if err := t.AddService(&f.svc); err != nil {
			return err
		}
		f.check = model.Check{Name: "web-health", Kind: "http", Target: target, ServiceID: &f.svc.ID, IntervalS: 30}
		return t.AddCheck(&f.check)
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// closedURL is an http URL on a loopback port nobody listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/health"
}

// fire runs the check until its alert fires (three failures).
func (f *alertFixture) fire(t *testing.T) model.Alert {
	t.Helper()
	for range model.DefaultFailAfter {
		if m := runCheckNow(f.env, f.check.ID); !strings.Contains(m.text, "down") {
			t.Fatalf("run: %s", m.text)
		}
	}
	as, err := f.s.ListAlerts(f.env.Ctx, store.AlertQuery{State: "open"})
	if err != nil || len(as) != 1 {
		t.Fatalf("open alerts %v %v", as, err)
	}
	return as[0]
}

func (f *alertFixture) alert(t *testing.T, id int64) model.Alert {
	t.Helper()
	a, err := f.s.GetAlert(f.env.Ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAlertsTabGroupsByRootCause(t *testing.T) {
	a := testApp(t, openStore(t, true))
	run(t, a, a.poll())
	mustContain(t, a, "2 firing · 0 acked") // on the people tab too
	send(t, a, "4")
	s := screen(a)
	root, child, late := strings.Index(s, " db-01-up"), strings.Index(s, "└ postgres-primary"), strings.Index(s, "analytics-db-backup")
	if root < 0 || child < root || late < 0 {
		t.Fatalf("not grouped by root cause:\n%s", s)
	}
	mustContain(t, a, "2.1", "caused", "caused by db-01", "alerts 3")
	send(t, a, "/", "postgres", "enter")
	mustContain(t, a, "alerts 1/3", "└ postgres-primary")
	mustNotContain(t, a, "analytics-db-backup")
}

func TestAcknowledgeSnoozeResolveWithReasons(t *testing.T) {
	f := newAlertFixture(t, closedURL(t))
	al := f.fire(t)
	a := testApp(t, f.s)
	send(t, a, "4")
	mustContain(t, a, "firing", "web-health")

	send(t, a, "a")
	mustContain(t, a, "Acknowledge alert", "web-health")
	send(t, a, "enter")
	mustContain(t, a, `reason: "" is required`)
	if got := f.alert(t, al.ID); got.State != "firing" {
		t.Fatalf("acknowledged without a reason: %+v", got)
	}
	send(t, a, "restarting nginx", "enter")
	mustContain(t, a, "acknowledged alert", "acked", "local:tester")
	if got := f.alert(t, al.ID); got.State != "acknowledged" || got.AckedBy != "local:tester" || got.AckReason != "restarting nginx" {
		t.Fatalf("after ack: %+v", got)
	}

	send(t, a, "z", "soon", "tab", "deploy window", "ctrl+s")
	mustContain(t, a, `for: "soon" is not a duration`)
	send(t, a, "backspace", "backspace", "backspace", "backspace", "2h", "ctrl+s") // the error focused "for"
	mustContain(t, a, "snoozed alert", "snoozed until")
	if got := f.alert(t, al.ID); got.SnoozedUntil == nil || got.SnoozeReason != "deploy window" {
		t.Fatalf("after snooze: %+v", got)
	}

	send(t, a, "r", "enter")
	mustContain(t, a, `note: "" is required`)
	send(t, a, "esc")
	if got := f.alert(t, al.ID); got.State == "resolved" {
		t.Fatal("esc resolved the alert")
	}
	send(t, a, "r", "nginx restarted", "enter")
	mustContain(t, a, "resolved alert", "No open alerts")
	if got := f.alert(t, al.ID); got.State != "resolved" || got.ResolveNote != "nginx restarted" {
		t.Fatalf("after resolve: %+v", got)
	}
}

func TestAlertDetailTimelineAndJumps(t *testing.T) {
	f := newAlertFixture(t, closedURL(t))
	al := f.fire(t)
	a := testApp(t, f.s)
	send(t, a, "4", "enter")
	mustContain(t, a, "web-health · FIRING", fmt.Sprintf("alert %d", al.ID), "Oscar Lind <oscar@example.com>",
		"https://wiki.example.com/rb/web", "uptime", "24h 0.00%", "latency", "▁", "Timeline", "fired")
	// Acknowledge from the detail page: the timeline says who did what.
	send(t, a, "a", "on it", "enter")
	mustContain(t, a, "web-health · ACKED", "acknowledged", "local:tester", "on it")
	send(t, a, "enter") // the first link: the service
	mustContain(t, a, "alerts › web-health · ACKED › Web", "Checks (1)", "web-health", "http")
	send(t, a, "esc")
	mustContain(t, a, "web-health · ACKED")
}

func TestChecksManagedFromServicePage(t *testing.T) {
	f := newAlertFixture(t, closedURL(t))
	a := testApp(t, f.s)
	run(t, a, a.push(detail.Link{Kind: "service", ID: f.svc.ID}))
	mustContain(t, a, "Checks (1)", "web-health", "pending")

	send(t, a, "c")
	mustContain(t, a, "Add a check to Web")
	send(t, a, "api", "tab", "tab", "tab", "tab", closedURL(t), "tab", "backspace", "backspace", "15s", "tab", "status ==", "ctrl+s")
	mustContain(t, a, `condition: "status ==" at position`)
	send(t, a, " 200", "ctrl+s")
	mustContain(t, a, "added check api", "Checks (2)")
	api, err := f.s.FindCheck(f.env.Ctx, "api")
	if err != nil || api.IntervalS != 15 || api.Condition != "status == 200" {
		t.Fatalf("api: %+v %v", api, err)
	}

	send(t, a, "down") // from the owner to the first check (api)
	send(t, a, "x")
	mustContain(t, a, "api: down in")
	send(t, a, "p")
	mustContain(t, a, "paused check api")
	if c, _ := f.s.GetCheck(f.env.Ctx, api.ID); !c.Paused {
		t.Fatal("not paused")
	}
	send(t, a, "enter")
	mustContain(t, a, "Web › api", "check · http", "‖ paused", "status == 200", "Last results", "down")
	send(t, a, "e")
	mustContain(t, a, "Edit check api")
	send(t, a, "esc", "d")
	mustContain(t, a, "Delete check api?", "Removed: the check")
	send(t, a, "y")
	mustContain(t, a, "check api deleted", "Checks (1)")
	if _, err := f.s.GetCheck(f.env.Ctx, api.ID); err == nil {
		t.Fatal("api not deleted")
	}
}

func TestAlertsEmptyStatesAreHonest(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	defer up.Close()
	f := newAlertFixture(t, up.URL+"/health")
	a := testApp(t, f.s)
	send(t, a, "4")
	mustContain(t, a, "No open alerts — 1 check: 1 not run yet.")
	if m := runCheckNow(f.env, f.check.ID); m.isErr {
		t.Fatal(m.text)
	}
	run(t, a, a.reloadAll())
	mustContain(t, a, "No open alerts — 1 check, all passing.")
}

// A result that fires nothing is not audited; the console still sees it
// through ResultsMark and refreshes the page showing the check.
func TestUnauditedResultsRefreshTheScreen(t *testing.T) {
	f := newAlertFixture(t, closedURL(t))
	a := testApp(t, f.s)
	run(t, a, a.push(detail.Link{Kind: "service", ID: f.svc.ID}))
	run(t, a, a.poll())
	mustContain(t, a, "pending", "no alerts")
	before, _ := f.s.ChangeMark(f.env.Ctx)
	err := f.s.Write(f.env.Ctx, model.SystemActor("scheduler"), func(t *store.Tx) error {
		return t.ApplyResults([]store.Outcome{{Result: model.CheckResult{CheckID: f.check.ID, At: t.At(), Status: "down", Message: "refused"}}}, store.DefaultNotifyPolicy)
	})
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := f.s.ChangeMark(f.env.Ctx); after != before {
		t.Skip("results are audited now; ChangeMark alone would do")
	}
	run(t, a, a.poll())
	mustContain(t, a, "web-health", "down")
}

func TestViewerCannotTriage(t *testing.T) {
	f := newAlertFixture(t, closedURL(t))
	al := f.fire(t)
	a := newApp(Options{StartTab: "people", Store: f.s, Actor: model.Actor{Kind: "ssh", Name: "vic", Role: "viewer"}, Width: 80, Height: 24, NoColor: true})
	run(t, a, a.load(a.active))
	send(t, a, "4", "a")
	mustContain(t, a, "cannot change anything")
	send(t, a, "e")
	mustContain(t, a, "alerts are not edited")
	run(t, a, a.push(detail.Link{Kind: "service", ID: f.svc.ID}))
	send(t, a, "down", "x")
	mustContain(t, a, "cannot change anything")
	if got := f.alert(t, al.ID); got.State != "firing" {
		t.Fatalf("viewer changed the alert: %+v", got)
	}
}
