// Package checks runs opsdeck's probes (http, tcp, dns, tls, exec,
// heartbeat), schedules them against the database (a gocron-driven
// dispatcher with a bounded worker pool and a lease so one process
// schedules a database), and delivers alert notifications from a queue.
package checks

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/opsdeck/opsdeck/model"
)

// Runner executes checks. It is safe for concurrent use and shares HTTP
// connection pools and compiled conditions between runs, which matters
// when thousands of checks run every minute.
type Runner struct {
	httpClient   *http.Client
	httpInsecure *http.Client
	conds        sync.Map // condition source → *model.Condition
	// Clock times runs and judges heartbeat lateness and certificate
	// expiry (the scheduler sets the product's clock; default real).
	Clock clockwork.Clock
	// Sources answers the backup and access kinds; nil leaves them
	// failing with an error result (see sources.go).
	Sources Sources
	// SelfBackupPolicy judges opsdeck's own backups (backup target "self").
	SelfBackupPolicy model.SelfBackupPolicy
	// Pool reports the running scheduler's worker pool, which the
	// scheduler check judges; nil outside a scheduler (no verdict).
	Pool func() model.PoolLoad
}

// NewRunner builds a Runner with pooled HTTP transports.
func NewRunner() *Runner {
	mk := func(insecure bool) *http.Client {
		tr := &http.Transport{
			Proxy:               nil, // probes go straight to the target
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        2000,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
			TLSClientConfig:     &tls.Config{InsecureSkipVerify: insecure},
			// A probe's request is a few hundred bytes: a 1 KiB write
			// buffer instead of the default 4 KiB saves 3 KiB for every
			// connection, which a burst multiplies by the workers.
			WriteBufferSize: 1 << 10,
		}
		return &http.Client{Transport: tr}
	}
	return &Runner{httpClient: mk(false), httpInsecure: mk(true), Clock: clockwork.NewRealClock(), SelfBackupPolicy: model.DefaultSelfBackupPolicy}
}

// SizePools sizes the keep-alive pools for up to workers runs at once:
// every worker may hold a connection to the same host (thousands of checks
// against one load balancer), and a connection that finds the per-host
// idle pool full is closed, so the next run pays a new TCP (and TLS)
// handshake. Call before the first run.
//
// The per-host pool stops at maxIdlePerHost, though: an idle connection
// holds two goroutines and 8 KB of buffers for IdleConnTimeout, and after
// a burst that filled 1,024 workers against one host (a starved target,
// the 50,000-check soak on a loaded machine) a thousand idle connections
// held ~30 MB for 90 s, while steady runs against one host need a handful.
func (r *Runner) SizePools(workers int) {
	for _, c := range []*http.Client{r.httpClient, r.httpInsecure} {
		tr := c.Transport.(*http.Transport)
		tr.MaxIdleConnsPerHost = max(tr.MaxIdleConnsPerHost, min(workers, maxIdlePerHost))
		tr.MaxIdleConns = max(tr.MaxIdleConns, 4*workers)
	}
}

// maxIdlePerHost bounds the idle keep-alive connections kept per host.
const maxIdlePerHost = 128

// Close releases pooled connections.
func (r *Runner) Close() {
	r.httpClient.CloseIdleConnections()
	r.httpInsecure.CloseIdleConnections()
}

// probe is what a kind-specific runner returns: what the condition sees,
// details for `checks run --json`, a one-line summary, and an error when
// the target could not be probed at all.
type probe struct {
	env     model.CondEnv
	details map[string]any
	summary string
	err     error
	status  string // set by the source kinds, which have no condition
	// noVerdict: a source with nothing to say yet (a backup job running
	// now); the result is not recorded, so its alert keeps its state.
	noVerdict bool
}

// Run executes one check now, bounded by its timeout. It never panics: a
// panicking runner yields an "error" result naming the panic. A heartbeat
// that is on time yields a result with an empty Status: nothing to record;
// so does a source check on a Runner without Sources, rather than an
// error result that would fire or hold its alert.
func (r *Runner) Run(ctx context.Context, c *model.Check, st *model.CheckState) (res model.CheckResult) {
	start := r.Clock.Now()
	defer func() {
		if p := recover(); p != nil {
			res.At = start.UTC()
			res.Status = "error"
			res.Message = model.Sanitize(fmt.Sprintf("runner panic: %v (%s)", p, firstFrames(debug.Stack())))
		}
	}()
	res = model.CheckResult{CheckID: c.ID, CheckName: c.Name, At: start.UTC()}
	if k, _ := model.LookupCheckKind(c.Kind); k.Judged {
		return r.heartbeat(c, st, res)
	}
	if c.IsSource() && r.Sources == nil {
		res.Message = "a " + c.Kind + " check is judged from the database, and this runner has none: nothing recorded"
		return res
	}
	timeout := c.Timeout()
	if timeout <= 0 {
		timeout = model.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var p probe
	pr, ok := probers[c.Kind]
	if ok {
		p = pr.probe(r, ctx, c)
	} else {
		p.err = fmt.Errorf("unknown check kind %q", c.Kind)
	}
	res.LatencyMs = float64(r.Clock.Since(start).Microseconds()) / 1000
	if p.env.Latency == 0 {
		p.env.Latency = res.LatencyMs
	}
	res.Details = p.details
	return r.judge(c, pr, p, res)
}

// judge turns a probe into a status and message.
func (r *Runner) judge(c *model.Check, pr prober, p probe, res model.CheckResult) model.CheckResult {
	if p.err != nil {
		res.Status = "down"
		if errors.Is(p.err, context.DeadlineExceeded) {
			p.err = fmt.Errorf("timed out after %s", c.Timeout())
		}
		res.Message = model.Sanitize(strings.TrimSpace(p.summary + " " + p.err.Error()))
		if pr.ownError {
			res.Status = "error"
		}
		return res
	}
	if p.noVerdict {
		res.Status, res.Message = "", model.Sanitize(p.summary)
		return res
	}
	if p.status != "" {
		res.Status, res.Message = p.status, model.Sanitize(p.summary)
		return res
	}
	cond, err := r.condition(c.EffectiveCondition())
	ok := false
	if err == nil {
		ok, err = cond.Eval(&p.env)
	}
	switch {
	case err != nil:
		res.Status, res.Message = "error", model.Sanitize(p.summary+": "+err.Error())
	case ok:
		res.Status, res.Message = "up", model.Sanitize(p.summary)
	default:
		res.Status = "down"
		res.Message = model.Sanitize(fmt.Sprintf("%s: condition not met: %s", p.summary, c.EffectiveCondition()))
	}
	if pr.finish != nil {
		pr.finish(c, p, ok, &res)
	}
	return res
}

func (r *Runner) condition(src string) (*model.Condition, error) {
	if v, ok := r.conds.Load(src); ok {
		return v.(*model.Condition), nil
	}
	c, err := model.CompileCondition("condition", src)
	if err != nil {
		return nil, err
	}
	r.conds.Store(src, c)
	return c, nil
}

// heartbeat judges lateness: the job must ping within period + grace.
func (r *Runner) heartbeat(c *model.Check, st *model.CheckState, res model.CheckResult) model.CheckResult {
	now := r.Clock.Now()
	last := c.CreatedAt
	if st != nil && st.LastPingAt != nil {
		last = *st.LastPingAt
	}
	if model.FromFuture(last, now) {
		// A ping (or creation) dated ahead of the clock was written by a
		// wrong clock; obeyed, the check would never be late. Say so, as
		// a failure, until a ping arrives that this clock dates.
		res.Status = "down"
		res.Message = fmt.Sprintf("last ping is dated %s, in the future (a wrong clock wrote it); not trusted: waiting for a new ping", last.UTC().Format(time.RFC3339))
		return res
	}
	allowed := c.Interval() + c.Grace()
	if late := now.Sub(last); late > allowed {
		res.Status = "down"
		what := "last ping"
		if st == nil || st.LastPingAt == nil {
			what = "no ping since the check was created"
		}
		res.Message = fmt.Sprintf("late: %s %s ago (period %s + grace %s)", what, late.Round(time.Second), c.Interval(), c.Grace())
	}
	return res
}

func firstFrames(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	for i, l := range lines {
		if strings.Contains(l, "panic(") && i+3 < len(lines) {
			return strings.TrimSpace(lines[i+2]) + " " + strings.TrimSpace(lines[i+3])
		}
	}
	return ""
}
