package checks

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/opsdeck/opsdeck/internal/smtptest"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// flakyDNS answers A queries for app.example.com on loopback until mute is
// set; from then on it reads queries and never answers, like a resolver
// that died behind a firewall that drops packets.
func flakyDNS(t *testing.T, mute *atomic.Bool) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		if mute.Load() {
			return
		}
		m := new(dns.Msg)
		m.SetReply(req)
		m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: req.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP("10.0.0.5")})
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

// A DNS server that stops answering mid-run: the DNS check fails with a
// timeout and the other checks keep their schedule meanwhile.
func TestDNSServerStopsAnswering(t *testing.T) {
	s, svc := testDB(t)
	fastClock(t, s, 50*time.Millisecond) // the schedule on a fast fake clock; the DNS timeout stays real
	var mute atomic.Bool
	resolver := flakyDNS(t, &mute)
	fine := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	defer fine.Close()
	dc := &model.Check{Name: "resolve-app", Kind: "dns", Target: "app.example.com", Resolver: resolver, ServiceID: &svc.ID, IntervalS: 5, TimeoutS: 2}
	cs := []*model.Check{dc}
	for i := range 3 {
		cs = append(cs, &model.Check{Name: fmt.Sprintf("fine-%d", i), Kind: "http", Target: fine.URL, ServiceID: &svc.ID, IntervalS: 5})
	}
	addChecks(t, s, cs...)

	var mu sync.Mutex
	var dnsStatus []string
	afterMute := map[string]int{}
	sc := NewScheduler(s, Config{Logf: t.Logf, OnResult: func(o store.Outcome, _ time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if o.Result.CheckName == dc.Name {
			dnsStatus = append(dnsStatus, o.Result.Status)
		}
		if mute.Load() {
			afterMute[o.Result.CheckName]++
		}
	}})
	stop := runScheduler(t, sc)
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		if !pollUntil(&mu, 40*time.Second, 100*time.Millisecond, cond) {
			stop()
			t.Fatalf("timed out waiting for %s", what)
		}
	}
	waitUntil("a first good answer", func() bool { return len(dnsStatus) > 0 && dnsStatus[0] == "up" })
	mute.Store(true)
	waitUntil("two DNS runs and two runs of every other check while DNS is silent", func() bool {
		ok := afterMute[dc.Name] >= 2
		for i := range 3 {
			ok = ok && afterMute[fmt.Sprintf("fine-%d", i)] >= 2
		}
		return ok
	})
	stop()
	res, err := s.RecentResults(context.Background(), dc.ID, 1)
	if err != nil || len(res) != 1 || res[0].Status == "up" || !strings.Contains(res[0].Message, "timeout") {
		t.Fatalf("DNS check while the server is silent: %+v %v", res, err)
	}
	for _, c := range cs[1:] {
		if r, _ := s.RecentResults(context.Background(), c.ID, 1); len(r) != 1 || r[0].Status != "up" {
			t.Errorf("%s while DNS is silent: %+v", c.Name, r)
		}
	}
}

// An SMTP server that is down when alerts fire and comes back later: each
// page fails, stays queued with a backoff, and is delivered on the retry.
// Nothing is lost and nothing is sent twice.
func TestSMTPDownThenBack(t *testing.T) {
	s, svc := testDB(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // down: connection refused

	var cs []*model.Check
	for i := range 2 {
		cs = append(cs, &model.Check{Name: fmt.Sprintf("web-%d", i), Kind: "tcp", Target: "127.0.0.1:1", ServiceID: &svc.ID, IntervalS: 30, FailThreshold: 1})
	}
	addChecks(t, s, cs...)
	err = s.Write(context.Background(), admin, func(t *store.Tx) error {
		return t.AddChannel(&model.Channel{Name: "ops-mail", Kind: "email", SMTPAddr: addr, SMTPFrom: "opsdeck@example.com", SMTPTLS: "none", ServiceID: &svc.ID, Enabled: true})
	})
	if err != nil {
		t.Fatal(err)
	}
	r := NewRunner()
	defer r.Close()
	np := store.NotifyPolicy{Repeat: time.Hour}
	for _, c := range cs {
		res := r.Run(context.Background(), c, nil)
		if err := s.Write(context.Background(), system, func(t *store.Tx) error { return t.RecordManualRun(res, np) }); err != nil {
			t.Fatal(err)
		}
	}
	n := NewNotifier()
	deliver := func(at time.Time) int {
		due, err := s.DueNotifications(context.Background(), at, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range due {
			DeliverOne(context.Background(), s, n, q, t.Logf)
		}
		return len(due)
	}
	if got := deliver(time.Now()); got != 2 {
		t.Fatalf("%d pages due, want 2", got)
	}
	if got := deliver(time.Now()); got != 0 {
		t.Fatalf("%d pages retried at once, want the backoff to hold them", got)
	}

	mail := smtptest.StartAt(t, addr) // back
	if got := deliver(time.Now().Add(31 * time.Second)); got != 2 {
		t.Fatalf("%d pages retried after the backoff, want 2", got)
	}
	if got := deliver(time.Now().Add(time.Hour)); got != 0 {
		t.Fatalf("%d pages still due after delivery", got)
	}
	msgs := mail.Messages()
	subjects := map[string]int{}
	for _, m := range msgs {
		for _, c := range cs {
			if strings.Contains(m.Data, "Subject: [FIRING] "+c.Name) {
				subjects[c.Name]++
			}
		}
	}
	if len(msgs) != 2 || subjects["web-0"] != 1 || subjects["web-1"] != 1 {
		t.Fatalf("delivered %d mails %v, want one per alert", len(msgs), subjects)
	}
	as, _ := s.ListAlerts(context.Background(), store.AlertQuery{State: "open"})
	for _, a := range as {
		rows, _ := s.AlertNotifications(context.Background(), a.ID)
		if len(rows) != 1 || rows[0].State != "sent" || rows[0].Attempts != 2 {
			t.Errorf("alert %d queue: %+v, want sent on attempt 2", a.ID, rows)
		}
	}
	if len(as) != 2 {
		t.Errorf("%d open alerts, want 2", len(as))
	}
}
