package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/opsdeck/opsdeck/internal/smtptest"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

var admin = model.LocalActor("oscar")

// testDB opens a database with one service owned by Oscar, who is on call.
func testDB(t *testing.T) (*store.Store, model.Service) {
	t.Helper()
	return testDBAt(t, filepath.Join(t.TempDir(), "t.db"))
}

// testDBAt is testDB on the database ref names (a file or a postgres:// URL).
func testDBAt(t *testing.T, ref string) (*store.Store, model.Service) {
	t.Helper()
	s, err := store.Open(ref)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var svc model.Service
	err = s.Write(context.Background(), admin, func(t *store.Tx) error {
		p := model.Person{Name: "Oscar", Email: "oscar@example.com", Role: "admin"}
		if err := t.AddPerson(&p); err != nil {
			return err
		}
		svc = model.Service{Name: "Web", OwnerID: &p.ID, RunbookURL: "https://wiki.example.com/web"}
		if err := t.AddService(&svc); err != nil {
			return err
		}
		_, err := t.SetOnCall("oscar@example.com", t.At().Add(-time.Minute), t.At().Add(time.Hour))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, svc
}

// fastClock puts s on a fake clock that the test advances by step every
// real millisecond until it ends: the schedule's minutes pass in real
// seconds, and nothing here waits for real scheduling time. (Probe
// timeouts stay real: they bound real I/O.)
func fastClock(t *testing.T, s *store.Store, step time.Duration) *clockwork.FakeClock {
	t.Helper()
	clock := clockwork.NewFakeClockAt(s.Now())
	s.SetClock(clock)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				clock.Advance(step)
			}
		}
	}()
	t.Cleanup(func() { close(done); <-stopped })
	return clock
}

// runScheduler runs sc until the stop it returns is called; stop waits
// for Run to return and fails the test if it returned an error.
func runScheduler(t *testing.T, sc *Scheduler) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sc.Run(ctx) }()
	return func() {
		t.Helper()
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// pollUntil checks cond (holding mu) every interval until it holds or
// within has passed, and says which; what a timeout means is the caller's.
func pollUntil(mu *sync.Mutex, within, every time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(every) {
		mu.Lock()
		ok := cond()
		mu.Unlock()
		if ok {
			return true
		}
	}
	return false
}

func addChecks(t *testing.T, s *store.Store, cs ...*model.Check) {
	t.Helper()
	err := s.Write(context.Background(), admin, func(t *store.Tx) error {
		for _, c := range cs {
			if err := t.AddCheck(c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestHungTargetDoesNotDelayOthers(t *testing.T) {
	s, svc := testDB(t)
	fastClock(t, s, 50*time.Millisecond)
	hung := hungServer(t)
	fine := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	defer fine.Close()

	hc := &model.Check{Name: "hung", Kind: "http", Target: hung.URL, ServiceID: &svc.ID, IntervalS: 5, TimeoutS: 1}
	hb := &model.Check{Name: "job", Kind: "heartbeat", ServiceID: &svc.ID, IntervalS: 5}
	cs := []*model.Check{hc, hb}
	for i := range 8 {
		cs = append(cs, &model.Check{Name: fmt.Sprintf("fine-%d", i), Kind: "http", Target: fine.URL, ServiceID: &svc.ID, IntervalS: 5})
	}
	addChecks(t, s, cs...)

	var mu sync.Mutex
	var order []string // check names in the order their results arrived
	sc := NewScheduler(s, Config{Workers: 4, Logf: t.Logf, OnResult: func(o store.Outcome, _ time.Duration) {
		mu.Lock()
		order = append(order, o.Result.CheckName)
		mu.Unlock()
	}})
	stop := runScheduler(t, sc)
	// Until the hung run has timed out (a real second) and every check
	// has had two runs; on the fake clock that is minutes of schedule.
	pollUntil(&mu, 30*time.Second, 20*time.Millisecond, func() bool {
		runs := map[string]int{}
		for _, n := range order {
			runs[n]++
		}
		done := runs["hung"] >= 1
		for _, c := range cs {
			done = done && (c == hc || runs[c.Name] >= 2)
		}
		return done
	})
	stop()
	mu.Lock()
	defer mu.Unlock()
	// Every fine check finished a run before the hung one timed out, even
	// with a pool of 4: the hung run holds one slot, not the schedule.
	firstHung := -1
	for i, n := range order {
		if n == "hung" {
			firstHung = i
			break
		}
	}
	if firstHung < len(cs)-2 {
		t.Fatalf("results in order %v: the hung check finished before the fine ones ran", order)
	}
	res, err := s.RecentResults(context.Background(), hc.ID, 1)
	if err != nil || len(res) != 1 || !strings.Contains(res[0].Message, "timed out after 1s") {
		t.Fatalf("hung check result: %+v %v", res, err)
	}
	if res, _ := s.RecentResults(context.Background(), hb.ID, 1); len(res) != 1 || !strings.Contains(res[0].Message, "late: no ping since the check was created") {
		t.Errorf("heartbeat that never pinged: %+v", res)
	}
	if l, _ := s.GetLease(context.Background(), LeaseName); l.Holder != "" {
		t.Errorf("lease not released on shutdown: %+v", l)
	}
}

func TestSecondSchedulerWaitsForLease(t *testing.T) {
	s, _ := testDB(t)
	var ok bool
	err := s.Write(context.Background(), admin, func(t *store.Tx) error {
		var err error
		ok, _, err = t.AcquireLease(LeaseName, "other-host:1", time.Minute)
		return err
	})
	if err != nil || !ok {
		t.Fatal(err)
	}
	var logs []string
	var mu sync.Mutex
	sc := NewScheduler(s, Config{LeaseTTL: 300 * time.Millisecond, Logf: func(f string, a ...any) {
		mu.Lock()
		logs = append(logs, fmt.Sprintf(f, a...))
		mu.Unlock()
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := sc.Run(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logs) == 0 || !strings.Contains(logs[0], "another process (other-host:1) runs the schedule") {
		t.Fatalf("logs %v", logs)
	}
	if l, _ := s.GetLease(context.Background(), LeaseName); l.Holder != "other-host:1" {
		t.Errorf("lease stolen: %+v", l)
	}
}

func TestNotificationsReachWebhookAndSMTP(t *testing.T) {
	s, svc := testDB(t)
	var mu sync.Mutex
	var hooks []model.Notification
	failing := 0
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/broken" {
			mu.Lock()
			failing++
			mu.Unlock()
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		var n model.Notification
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &n); err != nil {
			t.Errorf("webhook body %q: %v", b, err)
		}
		mu.Lock()
		hooks = append(hooks, n)
		mu.Unlock()
	}))
	defer hook.Close()
	mail := smtptest.Start(t)

	c := &model.Check{Name: "web", Kind: "http", Target: "http://127.0.0.1:1/", ServiceID: &svc.ID, IntervalS: 30}
	addChecks(t, s, c)
	err := s.Write(context.Background(), admin, func(t *store.Tx) error {
		for _, ch := range []model.Channel{
			{Name: "ops-hook", Kind: "webhook", URL: hook.URL + "/hook", Enabled: true},
			{Name: "broken-hook", Kind: "webhook", URL: hook.URL + "/broken", Enabled: true},
			{Name: "ops-mail", Kind: "email", SMTPAddr: mail.Addr, SMTPFrom: "opsdeck@example.com", SMTPTLS: "none", ExtraTo: "ops@example.com", ServiceID: &svc.ID, Enabled: true},
		} {
			if err := t.AddChannel(&ch); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	np := store.NotifyPolicy{Repeat: time.Hour}
	r := NewRunner()
	for range 3 {
		res := r.Run(context.Background(), c, nil)
		if err := s.Write(context.Background(), system, func(t *store.Tx) error { return t.RecordManualRun(res, np) }); err != nil {
			t.Fatal(err)
		}
	}
	due, err := s.DueNotifications(context.Background(), time.Now(), 10)
	if err != nil || len(due) != 3 {
		t.Fatalf("due: %d %v", len(due), err)
	}
	n := NewNotifier()
	for _, q := range due {
		DeliverOne(context.Background(), s, n, q, t.Logf)
	}
	mu.Lock()
	if len(hooks) != 1 || hooks[0].Event != "fired" || hooks[0].Check != "web" || hooks[0].Owner != "oscar@example.com" || hooks[0].Runbook == "" {
		t.Errorf("webhook got %+v", hooks)
	}
	mu.Unlock()
	msgs := mail.Messages()
	if len(msgs) != 1 || strings.Join(msgs[0].To, ",") != "oscar@example.com,ops@example.com" ||
		!strings.Contains(msgs[0].Data, "Subject: [FIRING] web") || !strings.Contains(msgs[0].Data, "opsdeck alerts ack") ||
		!strings.Contains(msgs[0].Data, "Message-ID: <opsdeck-delivery-") {
		t.Errorf("smtp got %+v", msgs)
	}
	rows, _ := s.AlertNotifications(context.Background(), due[0].Alert.ID)
	states := map[string]string{}
	for _, r := range rows {
		states[r.Channel] = fmt.Sprintf("%s/%d", r.State, r.Attempts)
	}
	if states["ops-hook"] != "sent/1" || states["ops-mail"] != "sent/1" || states["broken-hook"] != "pending/1" {
		t.Errorf("queue states %v (the broken hook must be retried later)", states)
	}
	ev, _ := s.AlertEvents(context.Background(), due[0].Alert.ID)
	var kinds []string
	for _, e := range ev {
		kinds = append(kinds, e.Kind)
	}
	if got := strings.Join(kinds, " "); !strings.Contains(got, "notified") || !strings.Contains(got, "notify_failed") {
		t.Errorf("timeline %q", got)
	}

	// Acknowledged: a repeat that was queued earlier is dropped, not sent.
	if err := s.Write(context.Background(), admin, func(t *store.Tx) error { _, err := t.AckAlert(due[0].Alert.ID, "on it"); return err }); err != nil {
		t.Fatal(err)
	}
	later, _ := s.DueNotifications(context.Background(), time.Now().Add(time.Hour), 10)
	for _, q := range later {
		DeliverOne(context.Background(), s, n, q, t.Logf)
	}
	rows, _ = s.AlertNotifications(context.Background(), due[0].Alert.ID)
	for _, r := range rows {
		if r.Channel == "broken-hook" && (r.State != "dropped" || !strings.Contains(r.LastError, "acknowledged")) {
			t.Errorf("retry after ack: %+v", r)
		}
	}
}

func TestSuspectHostHoldsServicePage(t *testing.T) {
	s, svc := testDB(t)
	var hits int
	var mu sync.Mutex
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { mu.Lock(); hits++; mu.Unlock() }))
	defer hook.Close()
	var dev model.Device
	err := s.Write(context.Background(), admin, func(t *store.Tx) error {
		dev = model.Device{AssetTag: "SRV-1", Name: "app-01", Kind: "server"}
		if err := t.AddDevice(&dev); err != nil {
			return err
		}
		if err := t.AddServiceHost(svc.ID, dev.ID); err != nil {
			return err
		}
		return t.AddChannel(&model.Channel{Name: "hook", Kind: "webhook", URL: hook.URL, Enabled: true})
	})
	if err != nil {
		t.Fatal(err)
	}
	web := &model.Check{Name: "web", Kind: "http", Target: "http://127.0.0.1:1/", ServiceID: &svc.ID, IntervalS: 30}
	host := &model.Check{Name: "app-01-up", Kind: "tcp", Target: "127.0.0.1:1", DeviceID: &dev.ID, IntervalS: 30}
	addChecks(t, s, web, host)
	apply := func(c *model.Check) {
		r := model.CheckResult{CheckID: c.ID, At: time.Now(), Status: "down", Message: "refused"}
		if err := s.Write(context.Background(), system, func(t *store.Tx) error {
			return t.ApplyResults([]store.Outcome{{Result: r}}, store.NotifyPolicy{Repeat: time.Hour})
		}); err != nil {
			t.Fatal(err)
		}
	}
	apply(host) // the device's check has failed once: suspect, not yet firing
	for range 3 {
		apply(web)
	}
	deliverDue := func() {
		due, err := s.DueNotifications(context.Background(), time.Now().Add(time.Minute), 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range due {
			DeliverOne(context.Background(), s, NewNotifier(), q, t.Logf)
		}
	}
	deliverDue()
	mu.Lock()
	if hits != 0 {
		t.Fatalf("service paged while its host was failing: %d", hits)
	}
	mu.Unlock()
	apply(host)
	apply(host) // the device fires and claims the service alert
	deliverDue()
	as, _ := s.ListAlerts(context.Background(), store.AlertQuery{State: "open"})
	mu.Lock()
	defer mu.Unlock()
	if len(as) != 2 || hits != 1 {
		t.Fatalf("want one page (the device) for 2 alerts, got %d pages: %+v", hits, as)
	}
	for _, a := range as {
		if a.CheckName == "web" && a.CausedBy != "app-01" {
			t.Errorf("web not caused by the device: %+v", a)
		}
	}
}

func TestSlackAndNtfyFormats(t *testing.T) {
	type got struct {
		path, ctype, title, prio, body string
	}
	var mu sync.Mutex
	var reqs []got
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		reqs = append(reqs, got{r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Title"), r.Header.Get("Priority"), string(b)})
		mu.Unlock()
	}))
	defer srv.Close()
	n := model.Notification{Event: "fired", Title: "[FIRING] web: HTTP 503", Check: "web", Service: "Web", Severity: "critical", AlertID: 7}
	for _, ch := range []model.Channel{{Name: "s", Kind: "slack", URL: srv.URL + "/slack"}, {Name: "n", Kind: "ntfy", URL: srv.URL + "/ops"}} {
		if err := NewNotifier().Send(context.Background(), store.Queued{Channel: ch, Payload: n}); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	var slack map[string]string
	if len(reqs) != 2 || json.Unmarshal([]byte(reqs[0].body), &slack) != nil || !strings.HasPrefix(slack["text"], "[FIRING] web: HTTP 503") {
		t.Fatalf("slack: %+v", reqs)
	}
	if reqs[1].title != n.Title || reqs[1].prio != "5" || !strings.Contains(reqs[1].body, "opsdeck alerts ack 7") {
		t.Errorf("ntfy: %+v", reqs[1])
	}
}

func TestPingEndpoint(t *testing.T) {
	s, svc := testDB(t)
	hb := &model.Check{Name: "backup", Kind: "heartbeat", ServiceID: &svc.ID, IntervalS: 3600}
	addChecks(t, s, hb)
	srv := httptest.NewServer(PingHandler(s, store.NotifyPolicy{Repeat: time.Hour}))
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Post(srv.URL+path, "text/plain", strings.NewReader("exit 1: \x1b]0;pwned\x07no space left"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/ping/not-a-token"); code != http.StatusNotFound {
		t.Errorf("unknown token: %d", code)
	}
	code, body := get("/ping/" + hb.PingToken + "/fail")
	if code != 200 || body != "down: job reported failure: exit 1: no space left\n" {
		t.Errorf("fail ping: %d %q", code, body)
	}
	as, _ := s.ListAlerts(context.Background(), store.AlertQuery{State: "open"})
	if len(as) != 1 || as[0].CheckName != "backup" {
		t.Fatalf("alerts after a failed ping: %+v", as)
	}
	if code, _ := get("/ping/" + hb.PingToken); code != 200 {
		t.Errorf("ok ping: %d", code)
	}
	st, _ := s.CheckState(context.Background(), hb.ID)
	if st.Status != "up" || st.LastPingAt == nil {
		t.Errorf("state after ping: %+v", st)
	}
	if as, _ := s.ListAlerts(context.Background(), store.AlertQuery{State: "open"}); len(as) != 0 {
		t.Errorf("a good ping did not resolve: %+v", as)
	}
}

// A notifier that hangs (a webhook that never answers) must not hold up
// the checks: while the page to it is stuck, every other check keeps
// running on its schedule.
func TestSlowNotifierDoesNotDelayChecks(t *testing.T) {
	s, svc := testDB(t)
	fastClock(t, s, 50*time.Millisecond)
	release := make(chan struct{})
	var hooked sync.Once
	stuck := make(chan struct{})
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hooked.Do(func() { close(stuck) })
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hook.Close()
	defer close(release)
	fine := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	defer fine.Close()

	down := &model.Check{Name: "down", Kind: "http", Target: "http://127.0.0.1:1/", ServiceID: &svc.ID, IntervalS: 5, FailThreshold: 1}
	cs := []*model.Check{down}
	for i := range 4 {
		cs = append(cs, &model.Check{Name: fmt.Sprintf("fine-%d", i), Kind: "http", Target: fine.URL, ServiceID: &svc.ID, IntervalS: 5})
	}
	addChecks(t, s, cs...)
	err := s.Write(context.Background(), admin, func(t *store.Tx) error {
		return t.AddChannel(&model.Channel{Name: "hung-hook", Kind: "webhook", URL: hook.URL, Enabled: true})
	})
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	afterStuck := map[string]int{} // runs per check finished while the webhook hangs
	isStuck := false
	sc := NewScheduler(s, Config{Logf: t.Logf, Notify: store.NotifyPolicy{GroupWait: time.Millisecond, Repeat: time.Hour},
		OnResult: func(o store.Outcome, _ time.Duration) {
			mu.Lock()
			if isStuck {
				afterStuck[o.Result.CheckName]++
			}
			mu.Unlock()
		}})
	stop := runScheduler(t, sc)
	select {
	case <-stuck:
	case <-time.After(30 * time.Second):
		stop()
		t.Fatal("the alert never paged the webhook")
	}
	mu.Lock()
	isStuck = true
	mu.Unlock()
	// Wait until each fine check ran twice more, or give up.
	pollUntil(&mu, 30*time.Second, 100*time.Millisecond, func() bool {
		ok := true
		for i := range 4 {
			ok = ok && afterStuck[fmt.Sprintf("fine-%d", i)] >= 2
		}
		return ok
	})
	stop()
	mu.Lock()
	defer mu.Unlock()
	for i := range 4 {
		if n := afterStuck[fmt.Sprintf("fine-%d", i)]; n < 2 {
			t.Fatalf("while the webhook hung, fine-%d ran %d times: %v", i, n, afterStuck)
		}
	}
}

// A pool too small for the hung targets says it is saturated (counted and
// logged), and the due checks wait for a worker rather than being lost.
func TestSaturatedPoolIsSaid(t *testing.T) {
	s, svc := testDB(t)
	fastClock(t, s, 50*time.Millisecond)
	hung := hungServer(t)
	var cs []*model.Check
	for i := range 3 {
		cs = append(cs, &model.Check{Name: fmt.Sprintf("hung-%d", i), Kind: "http", Target: hung.URL, ServiceID: &svc.ID, IntervalS: 5, TimeoutS: 1})
	}
	addChecks(t, s, cs...)
	var mu sync.Mutex
	var logs []string
	runs := map[string]int{}
	sc := NewScheduler(s, Config{Workers: 1, Logf: func(f string, a ...any) {
		mu.Lock()
		logs = append(logs, fmt.Sprintf(f, a...))
		mu.Unlock()
	}, OnResult: func(o store.Outcome, _ time.Duration) {
		mu.Lock()
		runs[o.Result.CheckName]++
		mu.Unlock()
	}})
	stop := runScheduler(t, sc)
	pollUntil(&mu, 30*time.Second, 20*time.Millisecond, func() bool { return len(runs) == len(cs) && sc.Saturated.Load() > 0 })
	stop()
	mu.Lock()
	defer mu.Unlock()
	if len(runs) != len(cs) {
		t.Errorf("runs %v: every check should run in turn on the one worker", runs)
	}
	if sc.Saturated.Load() == 0 {
		t.Error("three hung checks on one worker: no saturation counted")
	}
	said := false
	for _, l := range logs {
		said = said || strings.Contains(l, "scheduler saturated: all 1 workers busy")
	}
	if !said {
		t.Errorf("no saturation line in %q", logs)
	}
}

// hungServer answers no request until the test ends (or the client gives
// up): the target of a check that hangs.
func hungServer(t *testing.T) *httptest.Server {
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(hung.Close)
	t.Cleanup(func() { close(release) })
	return hung
}

// A pool saturated by hung targets raises an alert on opsdeck itself (the
// scheduler check, created for the occasion), and the alert resolves once
// the targets answer again and the pool has had free workers for an
// interval; the check then leaves by itself.
func TestSaturatedPoolAlertsOnOpsdeck(t *testing.T) {
	s, svc := testDB(t)
	fastClock(t, s, 50*time.Millisecond)
	var hang atomic.Bool
	hang.Store(true)
	release := make(chan struct{})
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hang.Load() {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(target.Close)
	t.Cleanup(func() { close(release) })
	var cs []*model.Check
	for i := range 4 {
		cs = append(cs, &model.Check{Name: fmt.Sprintf("slow-%d", i), Kind: "http", Target: target.URL, ServiceID: &svc.ID, IntervalS: 5, TimeoutS: 1})
	}
	addChecks(t, s, cs...)
	var mu sync.Mutex
	var self []string // the scheduler check's results, in order
	sc := NewScheduler(s, Config{Workers: 2, Logf: t.Logf, OnResult: func(o store.Outcome, _ time.Duration) {
		if o.Check.Kind == model.SourceScheduler {
			mu.Lock()
			self = append(self, o.Result.Status)
			mu.Unlock()
		}
	}})
	stop := runScheduler(t, sc)
	defer func() {
		if stop != nil {
			stop()
		}
	}()
	ctx := context.Background()
	selfAlert := func(state string) *model.Alert {
		as, err := s.ListAlerts(ctx, store.AlertQuery{State: state})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if a.CheckName == "opsdeck-scheduler" {
				return &a
			}
		}
		return nil
	}
	var fired *model.Alert
	if !pollUntil(&mu, 60*time.Second, 20*time.Millisecond, func() bool { fired = selfAlert("firing"); return fired != nil }) {
		t.Fatalf("no alert on opsdeck while 4 hung checks hold a pool of 2 (saturated %d times; scheduler check results %v)", sc.Saturated.Load(), self)
	}
	if !strings.Contains(fired.Summary, "all 2 workers busy") {
		t.Errorf("alert summary %q does not say the pool is saturated", fired.Summary)
	}
	// The pool recovers: the targets answer again, and two of the checks
	// are paused (the four have consecutive ids, so they share an offset
	// block and fall due in the same instant: more than a pool of two).
	hang.Store(false)
	err := s.Write(ctx, admin, func(t *store.Tx) error {
		for _, c := range cs[:2] {
			if _, err := t.SetCheckPaused(c.ID, true); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !pollUntil(&mu, 60*time.Second, 20*time.Millisecond, func() bool {
		a := selfAlert("resolved")
		return a != nil && a.ID == fired.ID
	}) {
		t.Fatalf("alert %d not resolved after the targets recovered (scheduler check results %v)", fired.ID, self)
	}
	if !pollUntil(&mu, 60*time.Second, 20*time.Millisecond, func() bool {
		cs, err := s.SourceChecks(ctx)
		return err == nil && len(cs) == 0
	}) {
		t.Fatal("the scheduler check stayed after its alert resolved")
	}
	stop()
	stop = nil
	mu.Lock()
	defer mu.Unlock()
	if len(self) < 2 || self[0] != "down" || self[len(self)-1] != "up" {
		t.Errorf("scheduler check results %v: want down first and up last", self)
	}
	// Resolved by the check's own "up" result, not by the check leaving.
	if a := selfAlert("resolved"); a == nil || a.ResolveNote == "check deleted" || a.ResolvedBy != "system" {
		t.Errorf("resolved alert: %+v, want resolved by the scheduler check recovering", a)
	}
}
