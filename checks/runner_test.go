package checks

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/miekg/dns"
	"github.com/opsdeck/opsdeck/internal/testenv"
	"github.com/opsdeck/opsdeck/model"
)

// check builds a normalized check as the store would hand it to a runner.
func check(kind, target string, mod ...func(*model.Check)) *model.Check {
	svc := int64(1)
	c := &model.Check{ID: 1, Name: "t", Kind: kind, Target: target, ServiceID: &svc, TimeoutS: 2, IntervalS: 30}
	for _, m := range mod {
		m(c)
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		panic(err)
	}
	return c
}

func runOnce(t *testing.T, c *model.Check) model.CheckResult {
	t.Helper()
	r := NewRunner()
	defer r.Close()
	res := r.Run(context.Background(), c, nil)
	t.Logf("%s %s: %s %q", c.Kind, c.Target, res.Status, res.Message)
	return res
}

// certExpiringIn makes a self-signed certificate for 127.0.0.1 valid until now+d.
func certExpiringIn(t *testing.T, d time.Duration) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "opsdeck-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(d),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestHTTPConditions(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/health":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"status":"ok","db":{"latency_ms":4}}`)
		case "/echo":
			if r.Method != "POST" || r.Header.Get("X-Token") != "s3cret" {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			b := make([]byte, 64)
			n, _ := r.Body.Read(b)
			fmt.Fprintf(w, "got %s", b[:n])
		default:
			http.Error(w, "broken", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	cases := []struct {
		name   string
		c      *model.Check
		status string
		msg    string
	}{
		{"default condition ok", check("http", srv.URL+"/health"), "up", "HTTP 200"},
		{"status, latency and body", check("http", srv.URL+"/health", func(c *model.Check) {
			c.Condition = `status == 200 && latency < 2s && body contains "ok"`
		}), "up", ""},
		{"json path", check("http", srv.URL+"/health", func(c *model.Check) {
			c.Condition = `json.status == "ok" && json.db.latency_ms < 10`
		}), "up", ""},
		{"regex", check("http", srv.URL+"/health", func(c *model.Check) { c.Condition = `body matches "\"status\":\\s*\"ok\""` }), "up", ""},
		{"503 fails default", check("http", srv.URL+"/missing"), "down", "HTTP 503"},
		{"method headers body", check("http", srv.URL+"/echo", func(c *model.Check) {
			c.Method, c.Headers, c.Body, c.Condition = "POST", "X-Token: s3cret", "ping", `body == "got ping"`
		}), "up", ""},
		{"wrong header", check("http", srv.URL+"/echo", func(c *model.Check) {
			c.Method, c.Condition = "POST", `status == 200`
		}), "down", "condition not met: status == 200"},
		{"connection refused", check("http", "http://127.0.0.1:1/"), "down", "refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := runOnce(t, tc.c)
			if res.Status != tc.status || !strings.Contains(res.Message, tc.msg) {
				t.Errorf("got %s %q, want %s containing %q", res.Status, res.Message, tc.status, tc.msg)
			}
		})
	}
}

func TestHTTPSCertExpiringIn3Days(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{certExpiringIn(t, 3*24*time.Hour)}}
	srv.StartTLS()
	defer srv.Close()

	// An untrusted certificate fails an https check unless told otherwise.
	if res := runOnce(t, check("http", srv.URL)); res.Status != "down" || !strings.Contains(res.Message, "certificate") {
		t.Errorf("self-signed accepted: %s %q", res.Status, res.Message)
	}
	c := check("http", srv.URL, func(c *model.Check) { c.TLSSkipVerify, c.Condition = true, "status == 200 && cert_days > 14" })
	res := runOnce(t, c)
	if res.Status != "down" || !strings.Contains(res.Message, "expires in 2.9 days") {
		t.Errorf("http cert days: %s %q", res.Status, res.Message)
	}
	addr := strings.TrimPrefix(srv.URL, "https://")
	res = runOnce(t, check("tls", addr))
	if res.Status != "down" || res.Details["cert_days"].(float64) >= 3 || res.Details["trusted"] != false {
		t.Errorf("tls expiry: %s %q %v", res.Status, res.Message, res.Details)
	}
	if res := runOnce(t, check("tls", addr, func(c *model.Check) { c.Condition = "cert_days > 2" })); res.Status != "up" {
		t.Errorf("tls cert_days > 2: %s %q", res.Status, res.Message)
	}
}

func TestHangingServerTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	res := runOnce(t, check("http", srv.URL, func(c *model.Check) { c.TimeoutS = 1 }))
	if res.Status != "down" || !strings.Contains(res.Message, "timed out after 1s") {
		t.Errorf("hanging server: %s %q", res.Status, res.Message)
	}
}

func TestTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if res := runOnce(t, check("tcp", addr)); res.Status != "up" {
		t.Errorf("open port: %s %q", res.Status, res.Message)
	}
	ln.Close()
	if res := runOnce(t, check("tcp", addr)); res.Status != "down" {
		t.Errorf("closed port: %s %q", res.Status, res.Message)
	}
}

// dnsServer answers A queries for app.example.com on loopback, and delays
// slow.example.com past any sane timeout.
func dnsServer(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := dns.NewServeMux()
	mux.HandleFunc("example.com.", func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		q := req.Question[0]
		switch q.Name {
		case "app.example.com.":
			m.Answer = append(m.Answer,
				&dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP("10.0.0.5")},
				&dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP("10.0.0.6")})
		case "slow.example.com.":
			time.Sleep(3 * time.Second)
		default:
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	})
	srv := &dns.Server{PacketConn: pc, Handler: mux}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

func TestDNS(t *testing.T) {
	addr := dnsServer(t)
	with := func(expect string) func(*model.Check) {
		return func(c *model.Check) { c.Resolver, c.Expect = addr, expect }
	}
	cases := []struct {
		name, target, expect, status, msg string
	}{
		{"answers", "app.example.com", "", "up", "10.0.0.5, 10.0.0.6"},
		{"expected present", "app.example.com", "10.0.0.6,10.0.0.5", "up", ""},
		{"expected missing", "app.example.com", "10.0.0.7", "down", "expected answer missing: 10.0.0.7"},
		{"nxdomain", "nope.example.com", "", "down", "NXDOMAIN"},
		{"slow resolver", "slow.example.com", "", "down", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := runOnce(t, check("dns", tc.target, with(tc.expect), func(c *model.Check) { c.TimeoutS = 1 }))
			if res.Status != tc.status || !strings.Contains(res.Message, tc.msg) {
				t.Errorf("got %s %q, want %s containing %q", res.Status, res.Message, tc.status, tc.msg)
			}
		})
	}
}

func TestExecNagios(t *testing.T) {
	cases := []struct {
		cmd, status, msg string
	}{
		{`sh -c 'echo "OK - load 0.3"; exit 0'`, "up", "OK - load 0.3"},
		{`sh -c 'echo "WARNING - disk 85%"; exit 1'`, "warn", "WARNING - disk 85%"},
		{`sh -c 'echo "CRITICAL - disk 99%"; exit 2'`, "down", "exit 2 (CRITICAL)"},
		{`sh -c 'echo "UNKNOWN - no data"; exit 3'`, "error", "exit 3 (UNKNOWN)"},
		{`sh -c 'printf "\033[31mred\033[0m\n\033]0;title\007line2"; exit 0'`, "up", "red\nline2"},
		{`sleep 5`, "error", "timed out after 1s"},
		{`/nonexistent/plugin`, "error", "no such file"},
	}
	for _, tc := range cases {
		res := runOnce(t, check("exec", tc.cmd, func(c *model.Check) { c.TimeoutS = 1 }))
		if res.Status != tc.status || !strings.Contains(res.Message, tc.msg) || strings.ContainsRune(res.Message, 0x1b) {
			t.Errorf("%s: got %s %q, want %s containing %q", tc.cmd, res.Status, res.Message, tc.status, tc.msg)
		}
	}
}

func TestHeartbeatLateness(t *testing.T) {
	r := NewRunner()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	r.Clock = clockwork.NewFakeClockAt(now)
	c := check("heartbeat", "", func(c *model.Check) { c.IntervalS, c.GraceS = 60, 30 })
	c.CreatedAt = now.Add(-time.Hour)
	ping := now.Add(-80 * time.Second)
	if res := r.Run(context.Background(), c, &model.CheckState{LastPingAt: &ping}); res.Status != "" {
		t.Errorf("on-time heartbeat recorded %s %q", res.Status, res.Message)
	}
	ping = now.Add(-91 * time.Second)
	if res := r.Run(context.Background(), c, &model.CheckState{LastPingAt: &ping}); res.Status != "down" || !strings.Contains(res.Message, "late: last ping 1m31s ago") {
		t.Errorf("late heartbeat: %s %q", res.Status, res.Message)
	}
	if res := r.Run(context.Background(), c, nil); res.Status != "down" || !strings.Contains(res.Message, "no ping since") {
		t.Errorf("never pinged: %s %q", res.Status, res.Message)
	}
}

func TestRunnerPanicRecovered(t *testing.T) {
	r := NewRunner()
	res := r.Run(context.Background(), nil, nil) // a nil check makes the runner panic
	if res.Status != "error" || !strings.Contains(res.Message, "runner panic") {
		t.Fatalf("panic not recorded: %+v", res)
	}
}

// An exec check that times out takes everything it started with it: a
// plugin's background child must not outlive the check.
func TestExecTimeoutKillsWhatThePluginStarted(t *testing.T) {
	pidfile := filepath.Join(t.TempDir(), "grandchild.pid")
	res := runOnce(t, check("exec", fmt.Sprintf(`sh -c 'sleep 100 & echo $! > %s; wait'`, pidfile), func(c *model.Check) { c.TimeoutS = 1 }))
	if res.Status != "error" || !strings.Contains(res.Message, "timed out after 1s") {
		t.Errorf("got %s %q, want a timeout", res.Status, res.Message)
	}
	pid := testenv.PIDFrom(pidfile, time.Second)
	if pid == 0 {
		t.Fatal("the plugin never started its child")
	}
	if !testenv.Gone(pid, 5*time.Second) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("the plugin's child (pid %d) still runs after the check timed out", pid)
	}
}
