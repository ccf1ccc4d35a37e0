package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ProbeKinds are the checks people add; CheckKinds adds the kinds opsdeck
// creates from its own records (SourceKinds). Both come from the kind
// table (checkkinds.go).
var (
	ProbeKinds     = checkKindNames(func(k CheckKind) bool { return !k.Source })
	CheckKinds     = checkKindNames(func(CheckKind) bool { return true })
	HTTPMethods    = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
	DNSRecordTypes = []string{"A", "AAAA", "CNAME", "MX", "TXT", "NS", "SRV", "PTR", "SOA", "CAA"}
	// ResultStatuses: up (condition held), warn (exec exit 1), down
	// (condition failed, exit 2, late heartbeat) and error (the probe
	// itself broke: timeout, panic, exit 3).
	ResultStatuses = []string{"up", "warn", "down", "error"}
)

// Check limits. Intervals below 5 s turn monitoring into load testing.
const (
	MinInterval      = 5 * time.Second
	MaxInterval      = 24 * time.Hour
	DefaultInterval  = 60 * time.Second
	DefaultTimeout   = 10 * time.Second
	DefaultFailAfter = 3
	DefaultOKAfter   = 2
)

// Check is one probe bound to a service and optionally a device. A check
// with a device and no service watches the device itself (a host check):
// while it fails, the services running on that device are "caused by" it.
type Check struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	ServiceID  *int64 `json:"service_id"`
	DeviceID   *int64 `json:"device_id"`
	Target     string `json:"target"`
	Method     string `json:"method"`
	Headers    string `json:"headers"` // "Name: value" lines
	Body       string `json:"body"`
	RecordType string `json:"record_type"`
	Resolver   string `json:"resolver"`
	Expect     string `json:"expect"` // DNS: comma-separated answers that must be present
	Condition  string `json:"condition"`
	// Env is NAME=value lines for an exec check's process: credentials
	// live here, apart from the command, so the command can be shown.
	Env              string `json:"env"`
	IntervalS        int    `json:"interval_s"`
	TimeoutS         int    `json:"timeout_s"`
	GraceS           int    `json:"grace_s"`
	FailThreshold    int    `json:"fail_threshold"`
	SuccessThreshold int    `json:"success_threshold"`
	TLSSkipVerify    bool   `json:"tls_skip_verify"`
	Paused           bool   `json:"paused"`
	// Managed: created or adopted by `opsdeck apply`; the file is its
	// source, and an edit elsewhere is undone by the next apply.
	Managed   bool      `json:"managed"`
	PingToken string    `json:"ping_token,omitempty"`
	Notes     string    `json:"notes"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Interval is how often the check runs (heartbeat: the expected period).
func (c *Check) Interval() time.Duration { return time.Duration(c.IntervalS) * time.Second }

// RunEvery is how often the scheduler runs the check. A heartbeat is only
// judged (is the last ping older than period + grace?), which costs
// nothing, so it is judged every minute: a daily job that misses its
// window is noticed within a minute, not up to a day later.
func (c *Check) RunEvery() time.Duration {
	if k, _ := LookupCheckKind(c.Kind); k.Judged {
		return min(c.Interval(), time.Minute)
	}
	return c.Interval()
}

// Timeout bounds one run.
func (c *Check) Timeout() time.Duration { return time.Duration(c.TimeoutS) * time.Second }

// Grace is how late a heartbeat may be before it counts as missed.
func (c *Check) Grace() time.Duration { return time.Duration(c.GraceS) * time.Second }

// Policy is the check's alerting thresholds.
func (c *Check) Policy() AlertPolicy {
	return AlertPolicy{FailThreshold: c.FailThreshold, SuccessThreshold: c.SuccessThreshold}
}

// IsHostCheck reports a check that watches a device rather than a service.
func (c *Check) IsHostCheck() bool { return c.ServiceID == nil && c.DeviceID != nil }

// Normalize sanitizes text and fills defaults (zero means "default").
func (c *Check) Normalize() {
	c.Name = Sanitize(c.Name)
	c.Kind = strings.ToLower(strings.TrimSpace(c.Kind))
	c.Target = Sanitize(c.Target)
	c.Method = strings.ToUpper(strings.TrimSpace(c.Method))
	c.Headers = SanitizeMultiline(c.Headers, 4096)
	c.Body = SanitizeMultiline(c.Body, 16384)
	c.RecordType = strings.ToUpper(strings.TrimSpace(c.RecordType))
	c.Resolver = Sanitize(c.Resolver)
	c.Expect = Sanitize(c.Expect)
	c.Condition = Sanitize(c.Condition)
	c.Env = SanitizeMultiline(c.Env, 8192)
	c.Notes = SanitizeMultiline(c.Notes, 4096)
	kind, _ := LookupCheckKind(c.Kind)
	if kind.Normalize != nil {
		kind.Normalize(c)
	}
	if c.IntervalS == 0 {
		c.IntervalS = int(DefaultInterval / time.Second)
	}
	if c.TimeoutS == 0 {
		c.TimeoutS = int(min(DefaultTimeout, c.Interval()) / time.Second)
	}
	if c.FailThreshold == 0 {
		c.FailThreshold = DefaultFailAfter
		if kind.Factual() {
			c.FailThreshold = 1
		}
	}
	if c.SuccessThreshold == 0 {
		c.SuccessThreshold = DefaultOKAfter
		if kind.Factual() {
			c.SuccessThreshold = 1
		}
	}
}

// Validate checks every field; the error names the first bad one.
func (c *Check) Validate() error {
	if err := firstErr(required("name", c.Name), oneOf("kind", c.Kind, CheckKinds...)); err != nil {
		return err
	}
	if c.ServiceID == nil && c.DeviceID == nil && !c.IsSource() {
		return Invalid("service", "", "is required (or --device for a check that watches a device)")
	}
	if strings.ContainsAny(c.Name, "/ ") {
		return Invalid("name", c.Name, "must not contain spaces or slashes (it is used in ping URLs)")
	}
	if c.IntervalS < int(MinInterval/time.Second) || c.IntervalS > int(MaxInterval/time.Second) {
		return Invalid("interval_s", strconv.Itoa(c.IntervalS), fmt.Sprintf("must be between %s and %s", MinInterval, MaxInterval))
	}
	if c.TimeoutS < 1 || c.TimeoutS > c.IntervalS {
		return Invalid("timeout_s", strconv.Itoa(c.TimeoutS), "must be at least 1s and at most the interval")
	}
	if c.GraceS < 0 {
		return Invalid("grace_s", strconv.Itoa(c.GraceS), "must not be negative")
	}
	if c.FailThreshold < 1 || c.FailThreshold > 100 {
		return Invalid("fail_threshold", strconv.Itoa(c.FailThreshold), "must be between 1 and 100")
	}
	if c.SuccessThreshold < 1 || c.SuccessThreshold > 100 {
		return Invalid("success_threshold", strconv.Itoa(c.SuccessThreshold), "must be between 1 and 100")
	}
	if err := c.validateTarget(); err != nil {
		return err
	}
	if err := c.validateKindFields(); err != nil {
		return err
	}
	if c.Condition != "" {
		if _, err := CompileCondition("condition", c.Condition); err != nil {
			return err
		}
	}
	if c.Env != "" {
		if _, err := ParseEnv("env", c.Env); err != nil {
			return err
		}
	}
	_, err := ParseHeaders(c.Headers)
	return err
}

// validateTarget runs the kind's own validation (checkkinds.go).
func (c *Check) validateTarget() error {
	if k, ok := LookupCheckKind(c.Kind); ok && k.Validate != nil {
		return k.Validate(c)
	}
	return nil
}

// validateKindFields refuses a field another kind owns (a DNS resolver on
// an http check): it would be kept, shown and never used. A secret field's
// value is not echoed.
func (c *Check) validateKindFields() error {
	vals := map[string]string{"record_type": c.RecordType, "resolver": c.Resolver, "expect": c.Expect, "env": c.Env}
	owners := kindOnlyFields()
	for _, f := range []string{"record_type", "resolver", "expect", "env"} {
		owner, ok := owners[f]
		if !ok || owner == c.Kind || vals[f] == "" {
			continue
		}
		if f == "env" { // a secret (fields.go)
			return Invalid(f, "", "is only for "+owner+" checks")
		}
		return Invalid(f, vals[f], "applies only to "+owner+" checks (this is a "+c.Kind+" check; give an empty value to clear it)")
	}
	return nil
}

// EffectiveCondition is the condition the runner evaluates.
func (c *Check) EffectiveCondition() string {
	if c.Condition != "" {
		return c.Condition
	}
	return DefaultCondition(c.Kind)
}

// ParseHeaders reads "Name: value" lines.
func ParseHeaders(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(k) == "" || strings.ContainsAny(strings.TrimSpace(k), " \t") {
			return nil, Invalid("headers", line, `is not "Name: value"`)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, nil
}

// CheckResult is one run of a check.
type CheckResult struct {
	CheckID   int64     `json:"check_id"`
	CheckName string    `json:"check,omitempty"`
	At        time.Time `json:"at"`
	Status    string    `json:"status"` // up, warn, down, error
	LatencyMs float64   `json:"latency_ms"`
	Message   string    `json:"message"`
	// Details is what the runner saw (status code, cert days, answers...),
	// for `checks run --json`; it is not stored.
	Details map[string]any `json:"details,omitempty"`
}

// OK reports a result that counts as a success for alerting.
func (r CheckResult) OK() bool { return r.Status == "up" }

// Offset is the check's stable phase within its interval, derived from its
// id, so that checks sharing an interval do not all fire on the same second
// and a restart keeps each check on the same beat.
//
// Checks go in blocks of OffsetBlock consecutive ids: a block's phase is a
// hash of the block (blocks spread over the interval), and its checks
// follow each other interval/4096 apart. Consecutive ids thus run close
// together, so the results the writer commits together belong to
// neighbouring checks and share SQLite pages (their state rows, their
// index entries): with a phase hashed per check, a batch of 1,000 results
// from 50,000 checks dirtied ~2,000 pages, each written to the WAL and
// checkpointed back, the largest cost of a check after the request.
func Offset(checkID int64, interval time.Duration) time.Duration {
	ms := int64(interval / time.Millisecond)
	if ms <= 0 {
		return 0
	}
	// The bytes of "checks-<block>", hashed inline: fmt.Fprintf into a
	// hash.Hash allocated on every run (1,667 times a second at 50,000
	// checks); the phases stay the same.
	var buf [32]byte
	h := uint64(14695981039346656037) // FNV-1a 64, as hash/fnv
	for _, b := range strconv.AppendInt(append(buf[:0], "checks-"...), checkID/OffsetBlock, 10) {
		h ^= uint64(b)
		h *= 1099511628211
	}
	phase := int64(h%uint64(ms)) + checkID%OffsetBlock*max(1, ms/4096)
	return time.Duration(phase%ms) * time.Millisecond
}

// OffsetBlock is how many consecutive check ids share a phase (Offset).
const OffsetBlock = 8

// NextRun is the first slot strictly after now on the check's beat: the
// instants t with (t - offset) a multiple of interval since the Unix epoch.
func NextRun(now time.Time, interval, offset time.Duration) time.Time {
	if interval <= 0 {
		return now
	}
	base := now.Add(-offset).UnixMilli()
	step := interval.Milliseconds()
	next := (base/step + 1) * step
	return time.UnixMilli(next).Add(offset).UTC()
}
