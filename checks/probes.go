package checks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/anmitsu/go-shlex"
	"github.com/miekg/dns"
	"github.com/opsdeck/opsdeck/internal/proc"
	"github.com/opsdeck/opsdeck/model"
)

// maxBody bounds what an HTTP check reads; conditions see at most this much.
const maxBody = 1 << 20

func (r *Runner) http(ctx context.Context, c *model.Check) (p probe) {
	var body io.Reader
	if c.Body != "" {
		body = strings.NewReader(c.Body)
	}
	// The URL is parsed on every run: a cache of parsed URLs held 12 MB at
	// 50,000 checks (one URL each) to save under a microsecond per run.
	req, err := http.NewRequestWithContext(ctx, c.Method, c.Target, body)
	if err != nil {
		p.err = err
		return p
	}
	hdrs, _ := model.ParseHeaders(c.Headers)
	for k, v := range hdrs {
		if strings.EqualFold(k, "host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	req.Header.Set("User-Agent", "opsdeck-check")
	client := r.httpClient
	if c.TLSSkipVerify {
		client = r.httpInsecure
	}
	start := r.Clock.Now()
	resp, err := client.Do(req)
	if err != nil {
		p.err = err
		return p
	}
	defer resp.Body.Close()
	cond := c.EffectiveCondition()
	// Only a condition that reads the body keeps it; otherwise it is read
	// (up to maxBody, so the connection can be reused) into io.Discard's
	// pooled buffer: no per-run buffer growing to the body's size, no copy
	// into a string nobody reads.
	var b []byte
	var n int64
	if strings.Contains(cond, "body") || strings.Contains(cond, "json") {
		b, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
		n = int64(len(b))
	} else {
		n, err = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	}
	p.env.Latency = float64(r.Clock.Since(start).Microseconds()) / 1000
	if err != nil {
		p.err = fmt.Errorf("read body: %w", err)
		return p
	}
	p.env.Status = resp.StatusCode
	p.env.Body = string(b)
	if strings.Contains(cond, "headers") {
		// Only a condition that reads headers pays for the lower-cased map.
		p.env.Headers = make(map[string]string, len(resp.Header))
		for k := range resp.Header {
			p.env.Headers[strings.ToLower(k)] = resp.Header.Get(k)
		}
	}
	if strings.Contains(cond, "json") {
		var v any
		if json.Unmarshal(b, &v) == nil {
			p.env.JSON = v
		}
	}
	p.details = map[string]any{"status": resp.StatusCode, "bytes": n}
	p.summary = fmt.Sprintf("HTTP %d in %.0fms", resp.StatusCode, p.env.Latency)
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		p.env.CertDays = r.certDays(resp.TLS.PeerCertificates[0])
		p.env.Trusted = !c.TLSSkipVerify
		p.details["cert_days"] = p.env.CertDays
		p.summary += fmt.Sprintf(", certificate expires in %.1f days", p.env.CertDays)
	}
	return p
}

func (r *Runner) certDays(cert *x509.Certificate) float64 {
	d := r.Clock.Until(cert.NotAfter).Hours() / 24
	return float64(int(d*10)) / 10
}

func (r *Runner) tcp(ctx context.Context, c *model.Check) (p probe) {
	var d net.Dialer
	start := r.Clock.Now()
	conn, err := d.DialContext(ctx, "tcp", c.Target)
	if err != nil {
		p.err = err
		return p
	}
	conn.Close()
	p.env.Connected = true
	p.env.Latency = float64(r.Clock.Since(start).Microseconds()) / 1000
	p.summary = fmt.Sprintf("connected to %s in %.0fms", c.Target, p.env.Latency)
	return p
}

// tls connects without verifying so that an expired or self-signed
// certificate still reports its days left; trust is checked separately and
// offered to conditions as `trusted`.
func (r *Runner) tls(ctx context.Context, c *model.Check) (p probe) {
	host, _, _ := net.SplitHostPort(c.Target)
	d := tls.Dialer{Config: &tls.Config{InsecureSkipVerify: true, ServerName: host}}
	start := r.Clock.Now()
	conn, err := d.DialContext(ctx, "tcp", c.Target)
	if err != nil {
		p.err = err
		return p
	}
	defer conn.Close()
	p.env.Latency = float64(r.Clock.Since(start).Microseconds()) / 1000
	p.env.Connected = true
	certs := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(certs) == 0 {
		p.err = fmt.Errorf("%s presented no certificate", c.Target)
		return p
	}
	leaf := certs[0]
	inter := x509.NewCertPool()
	for _, ic := range certs[1:] {
		inter.AddCert(ic)
	}
	_, verr := leaf.Verify(x509.VerifyOptions{DNSName: host, Intermediates: inter})
	p.env.Trusted = verr == nil
	p.env.CertDays = r.certDays(leaf)
	p.details = map[string]any{"cert_days": p.env.CertDays, "not_after": leaf.NotAfter.UTC(), "subject": leaf.Subject.String(), "trusted": p.env.Trusted}
	p.summary = fmt.Sprintf("certificate for %s expires in %.1f days (%s)", host, p.env.CertDays, leaf.NotAfter.UTC().Format("2006-01-02"))
	if !p.env.Trusted {
		p.summary += ", not trusted"
	}
	return p
}

func (r *Runner) dns(ctx context.Context, c *model.Check) (p probe) {
	resolver := c.Resolver
	if resolver == "" {
		cfg, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil || len(cfg.Servers) == 0 {
			p.err = fmt.Errorf("no resolver given and none in /etc/resolv.conf")
			return p
		}
		resolver = net.JoinHostPort(cfg.Servers[0], cfg.Port)
	}
	qtype := dns.StringToType[c.RecordType]
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(c.Target), qtype)
	client := &dns.Client{Timeout: c.Timeout()}
	resp, rtt, err := client.ExchangeContext(ctx, m, resolver)
	if err != nil {
		p.err = fmt.Errorf("query %s %s at %s: %w", c.RecordType, c.Target, resolver, err)
		return p
	}
	p.env.Latency = float64(rtt.Microseconds()) / 1000
	p.env.Rcode = dns.RcodeToString[resp.Rcode]
	for _, rr := range resp.Answer {
		p.env.Answers = append(p.env.Answers, answerText(rr))
	}
	p.details = map[string]any{"rcode": p.env.Rcode, "answers": p.env.Answers, "resolver": resolver}
	p.summary = fmt.Sprintf("%s %s: %s [%s] in %.0fms", c.RecordType, c.Target, p.env.Rcode, strings.Join(p.env.Answers, ", "), p.env.Latency)
	return p
}

// answerText is the value part of a record, the way people write it in
// an expected-answers list.
func answerText(rr dns.RR) string {
	switch v := rr.(type) {
	case *dns.A:
		return v.A.String()
	case *dns.AAAA:
		return v.AAAA.String()
	case *dns.CNAME:
		return strings.TrimSuffix(v.Target, ".")
	case *dns.MX:
		return strings.TrimSuffix(v.Mx, ".")
	case *dns.NS:
		return strings.TrimSuffix(v.Ns, ".")
	case *dns.PTR:
		return strings.TrimSuffix(v.Ptr, ".")
	case *dns.TXT:
		return strings.Join(v.Txt, "")
	case *dns.SRV:
		return fmt.Sprintf("%s:%d", strings.TrimSuffix(v.Target, "."), v.Port)
	}
	return strings.TrimPrefix(rr.String(), rr.Header().String())
}

func missingAnswers(expect string, answers []string) string {
	var missing []string
	for _, want := range strings.Split(expect, ",") {
		want = strings.TrimSuffix(strings.TrimSpace(want), ".")
		if want == "" {
			continue
		}
		found := false
		for _, a := range answers {
			if strings.EqualFold(a, want) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, want)
		}
	}
	return strings.Join(missing, ", ")
}

// maxOutput bounds what an exec check keeps of a plugin's output.
const maxOutput = 64 << 10

// exec runs a command (split like a shell would, but no shell) with the
// check's timeout (ctx carries it). On timeout the command's whole process
// group is killed, so a plugin's background children go with it (see
// internal/proc).
func (r *Runner) exec(ctx context.Context, c *model.Check) (p probe) {
	argv, err := shlex.Split(c.Target, true)
	if err != nil || len(argv) == 0 {
		// Not the command itself: it may carry a credential, and this
		// message is shown to everyone.
		p.err = fmt.Errorf("cannot split the command into words: %v", err)
		return p
	}
	var env []string
	if c.Env != "" {
		lines, err := model.ParseEnv("env", c.Env)
		if err != nil {
			p.err = err
			return p
		}
		env = append(os.Environ(), lines...)
	}
	res := proc.Run(ctx, proc.Spec{Argv: argv, Env: env, MaxOutput: maxOutput})
	p.env.Latency = float64(res.Duration.Microseconds()) / 1000
	p.env.Output = model.SanitizeMultiline(res.Output, 4096)
	switch {
	case res.Cancelled:
		p.err = ctx.Err()
		p.summary = "killed:"
		return p
	case res.ExitCode >= 0:
		p.env.ExitCode = res.ExitCode
	default:
		p.err = res.Err
		return p
	}
	p.details = map[string]any{"exit_code": p.env.ExitCode, "output": p.env.Output}
	p.summary = fmt.Sprintf("exit %d (%s) in %.0fms", p.env.ExitCode, nagiosName(p.env.ExitCode), p.env.Latency)
	return p
}

func nagiosName(code int) string {
	switch code {
	case 0:
		return "OK"
	case 1:
		return "WARNING"
	case 2:
		return "CRITICAL"
	}
	return "UNKNOWN"
}
