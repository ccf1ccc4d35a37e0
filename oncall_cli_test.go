package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

type shiftJSON struct {
	Rotation   string   `json:"rotation"`
	Rank       int      `json:"rank"`
	Start      string   `json:"start"`
	End        string   `json:"end"`
	Person     string   `json:"person"`
	Email      string   `json:"email"`
	OverrideID *int64   `json:"override_id"`
	Covers     string   `json:"covers"`
	Gap        bool     `json:"gap"`
	Shadows    []string `json:"shadows"`
}

type nowJSON struct {
	Now  []shiftJSON `json:"now"`
	Next *shiftJSON  `json:"next"`
}

func oncallNow(t *testing.T, db string, env ...string) nowJSON {
	t.Helper()
	r := runEnv(t, env, db, "oncall", "now", "--json")
	if r.code != 0 {
		t.Fatalf("oncall now: %+v", r)
	}
	var v nowJSON
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("oncall now --json: %v\n%s", err, r.stdout)
	}
	return v
}

// The demo's two rotations over three people; a one-day override gives
// the shift back the next day; bad input is refused with one line and
// writes nothing; `oncall set` still works, as an override.
func TestOnCallRotationsAndOverrides(t *testing.T) {
	db := demoDB(t)
	now := oncallNow(t, db)
	if len(now.Now) != 2 || now.Now[0].Rotation != "primary" || now.Now[1].Rotation != "secondary" || now.Now[0].Gap || now.Now[1].Gap {
		t.Fatalf("oncall now: %+v", now)
	}
	if now.Now[0].Email == now.Now[1].Email {
		t.Errorf("primary and secondary are the same person: %+v", now.Now)
	}
	team := []string{"oscar@example.com", "chen@example.com", "dave@example.com"}
	other := team[0]
	if other == now.Now[0].Email {
		other = team[1]
	}
	out := mustRun(t, db, "oncall", "override", "add", other, "--until", "1d", "--reason", "swap")
	if !strings.Contains(out, "the rotation takes over again after") {
		t.Errorf("override add: %q", out)
	}
	cur := oncallNow(t, db)
	if cur.Now[0].Email != other || cur.Now[0].OverrideID == nil || cur.Now[0].Covers == "" {
		t.Errorf("during the override: %+v", cur.Now[0])
	}
	// The next day (a minute after the override ends), the rotation's person is back.
	later := binNow().Add(24*time.Hour + time.Minute)
	back := oncallNow(t, db, "OPSDECK_NOW="+later.Format(time.RFC3339), "OPSDECK_NOW_SINCE="+time.Now().Format(time.RFC3339Nano))
	if back.Now[0].Email != now.Now[0].Email || back.Now[0].OverrideID != nil {
		t.Errorf("the day after: %+v, want %s back", back.Now[0], now.Now[0].Email)
	}
	var sched []shiftJSON
	runJSON(t, db, &sched, "oncall", "schedule", "--to", "3d")
	covered := false
	for _, s := range sched {
		covered = covered || (s.OverrideID != nil && s.Email == other && s.Covers == now.Now[0].Person)
	}
	if !covered {
		t.Errorf("schedule does not show the override beside the shift it covers: %+v", sched)
	}
	if txt := mustRun(t, db, "oncall", "schedule", "--to", "3d"); !strings.Contains(txt, "covering "+now.Now[0].Person) {
		t.Errorf("schedule text:\n%s", txt)
	}

	// Bad input: one line naming the field, the value and why; nothing written.
	var before []map[string]any
	runJSON(t, db, &before, "oncall", "rotation", "list")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"oncall", "rotation", "add", "x", "--members", "olivia@example.com", "--tz", "Europe/Berlin"},
			`opsdeck: members: "olivia@example.com" is a viewer; only operators and admins can be on call`},
		{[]string{"oncall", "rotation", "add", "x", "--members", "oscar@example.com,olivia@example.com", "--tz", "Europe/Berlin"},
			`opsdeck: members: "olivia@example.com" is a viewer`},
		{[]string{"oncall", "rotation", "add", "x", "--members", "oscar@example.com", "--tz", "Europe/Berlinn"},
			`opsdeck: tz: "Europe/Berlinn" is not a known time zone`},
		{[]string{"oncall", "rotation", "add", "x", "--members", "oscar@example.com", "--tz", "Europe/Berlin", "--handoff", "Monday 9am"},
			`opsdeck: handoff: "Monday 9am" does not have a 24-hour time`},
		{[]string{"oncall", "rotation", "add", "x", "--members", "oscar@example.com", "--tz", "Europe/Berlin", "--every", "36h"},
			`opsdeck: every: "36h" is not a whole number of days`},
		{[]string{"oncall", "rotation", "add", "primary", "--members", "oscar@example.com", "--tz", "Europe/Berlin"},
			`opsdeck: name`},
		{[]string{"oncall", "set", "olivia@example.com", "--until", "1d"},
			`opsdeck: person: "olivia@example.com" is a viewer; only operators and admins can be on call`},
		{[]string{"oncall", "override", "add", "oscar@example.com", "--until", "1d", "--rotation", "tertiary"},
			`opsdeck: rotation: "tertiary" is not a known rotation`},
		{[]string{"oncall", "escalation", "set", "urgent", "5m"}, `opsdeck: criticality: "urgent" is not one of`},
		{[]string{"oncall", "rotation", "frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"oncall", "schedule", "--tz", "Mars/Base"}, `opsdeck: tz: "Mars/Base" is not a time zone`},
	} {
		r := run(t, db, c.args...)
		if r.code == 0 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q, want one line with %q", c.args, r.code, r.stderr, c.want)
		}
	}
	var after []map[string]any
	runJSON(t, db, &after, "oncall", "rotation", "list")
	if len(after) != len(before) {
		t.Errorf("refused input wrote rotations: %d → %d", len(before), len(after))
	}

	// The old command: an override, nobody's shift cut.
	mustRun(t, db, "oncall", "set", other, "--until", "12h")
	runJSON(t, db, &sched, "oncall", "schedule", "--to", "8d")
	primaryPeople := map[string]bool{}
	for _, s := range sched {
		if s.Rank == 1 {
			primaryPeople[s.Email] = true
		}
	}
	if len(primaryPeople) < 2 {
		t.Errorf("after oncall set, the primary's shifts ahead are gone: %+v", sched)
	}

	// Times in each rotation's own zone, where its handoff is defined (the
	// demo's rotations hand off Monday 09:00 Europe/Berlin), or in one zone.
	if txt := mustRun(t, db, "oncall", "schedule", "--to", "8d", "--tz", "rotation"); !strings.Contains(txt, "09:00 CET") {
		t.Errorf("schedule --tz rotation does not show the 09:00 Berlin handoff:\n%s", txt)
	}
	if txt := mustRun(t, db, "oncall", "now", "--tz", "America/New_York"); !strings.Contains(txt, "EST") {
		t.Errorf("oncall now --tz America/New_York:\n%s", txt)
	}
}

// Offboarding a member removes their future turns and says who takes them;
// removing the last member is refused (a gap) unless forced, and a forced
// gap is a risk with its window.
func TestOnCallOffboardingAndGaps(t *testing.T) {
	db := demoDB(t)
	var sched []shiftJSON
	runJSON(t, db, &sched, "oncall", "schedule", "--to", "28d")
	chenTurns := 0
	for _, s := range sched {
		if s.Email == "chen@example.com" {
			chenTurns++
		}
	}
	if chenTurns == 0 {
		t.Fatalf("Chen has no turns in four weeks: %+v", sched)
	}
	mustRun(t, db, "offboard", "start", "chen@example.com", "--last-day", binNow().AddDate(0, 0, 3).Format("2006-01-02"))
	steps := mustRun(t, db, "offboard", "steps", "chen@example.com")
	if !strings.Contains(steps, "Remove Chen Wei from the on-call rotations") || !strings.Contains(steps, "Chen Wei's turns: primary") {
		t.Errorf("offboarding steps lack the on-call step:\n%s", steps)
	}
	var off []struct{ Title, Detail, State string }
	runJSON(t, db, &off, "offboard", "steps", "chen@example.com")
	found := false
	for _, s := range off {
		if strings.HasPrefix(s.Title, "Remove Chen Wei from the on-call") {
			found = true
			if s.State != "done" || !(strings.Contains(s.Detail, "→ Oscar Lindqvist") || strings.Contains(s.Detail, "→ Dave Kim")) {
				t.Errorf("on-call step: %+v", s)
			}
		}
	}
	if !found {
		t.Errorf("no on-call step in %+v", off)
	}
	runJSON(t, db, &sched, "oncall", "schedule", "--to", "28d")
	for _, s := range sched {
		if s.Email == "chen@example.com" || s.Gap {
			t.Errorf("after offboarding Chen: %+v", s)
		}
	}

	mustRun(t, db, "oncall", "rotation", "remove-member", "primary", "dave@example.com")
	r := run(t, db, "oncall", "rotation", "remove-member", "primary", "oscar@example.com")
	if r.code == 0 || !strings.Contains(r.stderr, `opsdeck: person: "oscar@example.com" removing them leaves nobody on call from`) {
		t.Errorf("removing the last member: %+v", r)
	}
	if n := oncallNow(t, db); n.Now[0].Email != "oscar@example.com" {
		t.Errorf("refused removal changed the primary: %+v", n.Now[0])
	}
	out := mustRun(t, db, "oncall", "rotation", "remove-member", "primary", "oscar@example.com", "--force")
	if !strings.Contains(out, "→ nobody") || !strings.Contains(out, "leaves nobody on call from") {
		t.Errorf("forced removal: %q", out)
	}
	var risks []struct{ Rule, Name, Detail string }
	runJSON(t, db, &risks, "risks")
	gap := false
	for _, rk := range risks {
		gap = gap || (rk.Rule == "oncall_gap" && rk.Name == "primary" && strings.Contains(rk.Detail, "nobody on call from"))
	}
	if !gap {
		t.Errorf("risks lack the on-call gap: %+v", risks)
	}
	// A new hire joins as a shadow.
	mustRun(t, db, "people", "edit", "jenny@example.com", "--role", "operator")
	mustRun(t, db, "oncall", "rotation", "add-member", "secondary", "jenny@example.com", "--shadow")
	if n := oncallNow(t, db); !slices.Contains(n.Now[1].Shadows, "Jenny Alvarez") {
		t.Errorf("shadow not shown: %+v", n.Now[1])
	}
}

// An unacknowledged alert on a critical service reaches the secondary on
// call after its escalation delay (5 minutes), through a real `opsdeck run`
// and a webhook on 127.0.0.1 with the clock sixty times faster; each step
// is on the alert's timeline, and acknowledging stops the escalation.
func TestOnCallEscalationReachesTheSecondary(t *testing.T) {
	if testing.Short() {
		t.Skip("half a minute of scheduling")
	}
	db := demoDB(t)
	fastClock(t, 60) // a minute a second
	hookURL, received := webhookRecorder(t)
	escalated := func() []map[string]any { return webhooksFor(received(), "github-api", "escalated") }
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nothing listens there: the check fails

	mustRun(t, db, "channels", "delete", "ops-webhook")
	mustRun(t, db, "channels", "delete", "ops-email")
	mustRun(t, db, "channels", "add", "--name", "hook", "--kind", "webhook", "--url", hookURL+"/opsdeck")
	mustRun(t, db, "checks", "add", "--name", "github-api", "--kind", "tcp", "--service", "GitHub", "--target", closed, "--interval", "10s", "--timeout", "1s")
	on := oncallNow(t, db)
	secondary := on.Now[1].Email

	sched, schedErr := spawnScheduler(t, db, "--group_wait", "2s")
	defer func() {
		sched.Process.Signal(os.Interrupt)
		sched.Wait()
		if t.Failed() {
			t.Logf("opsdeck run stderr:\n%s", schedErr.String())
		}
	}()

	waitFor(t, "github-api to fire", 30*time.Second, func() bool { return openAlerts(t, db)["github-api"].State == "firing" })
	id := openAlerts(t, db)["github-api"].ID
	waitFor(t, "the escalation to the secondary", 40*time.Second, func() bool { return len(escalated()) > 0 })
	first := escalated()[0]
	if rc, _ := first["recipients"].([]any); len(rc) != 1 || rc[0] != secondary {
		t.Errorf("escalation went to %v, want the secondary on call %s", first["recipients"], secondary)
	}
	if title, _ := first["title"].(string); !strings.HasPrefix(title, "[ESCALATED] github-api") {
		t.Errorf("title %q", title)
	}
	var detail struct {
		Alert struct {
			OpenedAt time.Time `json:"opened_at"`
		} `json:"alert"`
		Timeline []struct {
			At      time.Time `json:"at"`
			Kind    string    `json:"kind"`
			Message string    `json:"message"`
		} `json:"timeline"`
	}
	runJSON(t, db, &detail, "alerts", "show", fmt.Sprint(id))
	steps := 0
	for _, e := range detail.Timeline {
		if e.Kind != "escalated" {
			continue
		}
		steps++
		if steps == 1 {
			if waited := e.At.Sub(detail.Alert.OpenedAt); waited < 5*time.Minute || waited > 7*time.Minute {
				t.Errorf("escalated %s after opening, want the critical delay of 5m", waited)
			}
			if !strings.Contains(e.Message, "escalation step 1: not acknowledged within 5m0s (critical); paging the secondary on call: ") ||
				!strings.Contains(e.Message, "(secondary)") {
				t.Errorf("timeline entry %q", e.Message)
			}
		}
	}
	if steps == 0 {
		t.Fatalf("no escalation on the timeline: %+v", detail.Timeline)
	}
	// Acknowledging stops it: twelve minutes later no further step is taken.
	mustRun(t, db, "alerts", "ack", fmt.Sprint(id), "--reason", "looking")
	runJSON(t, db, &detail, "alerts", "show", fmt.Sprint(id))
	was := 0
	for _, e := range detail.Timeline {
		if e.Kind == "escalated" {
			was++
		}
	}
	time.Sleep(12 * time.Second)
	runJSON(t, db, &detail, "alerts", "show", fmt.Sprint(id))
	now := 0
	for _, e := range detail.Timeline {
		if e.Kind == "escalated" {
			now++
		}
	}
	if now != was || now >= 3 {
		t.Errorf("escalation went on after the ack: %d steps before, %d after", was, now)
	}
}
