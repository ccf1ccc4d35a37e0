package model

import (
	"net"
	"net/url"
	"strings"
)

// CheckKind is the pure part of a check kind: what its target is, how it
// is validated and defaulted, what it succeeds on and which condition
// variables its probe fills. The probe itself lives in package checks,
// registered under the same name (checks/probers.go); a test there fails
// when a kind lacks a probe or a probe lacks a kind. Adding a kind is one
// entry here, one prober there, and their tests (docs/dev/adding.md).
type CheckKind struct {
	Name string
	// Target says what the target is, for help text ("URL", "host:port").
	Target string
	// DefaultCondition is what a check of this kind succeeds on when it
	// has none ("true" for kinds without a condition).
	DefaultCondition string
	// Vars are the condition variables (CondEnv's expr names) the probe
	// fills; latency is filled for every probe.
	Vars []string
	// Fields are the check fields only this kind uses; on another kind
	// they are refused rather than stored and never read.
	Fields []string
	// Source kinds are created by opsdeck from its own records, never by
	// hand (SourceKinds); Judged kinds are not probed: the runner judges a
	// ping's lateness (heartbeat).
	Source, Judged bool
	// Normalize fills the kind's defaults (an http method, a DNS record
	// type); nil for none.
	Normalize func(c *Check)
	// Validate checks the target and the kind's own fields.
	Validate func(c *Check) error
}

// Factual kinds report a fact, not a noisy probe (a missed heartbeat is
// already period+grace late; a backup state or a leftover account is
// what it is): one result is enough to alert or to recover.
func (k CheckKind) Factual() bool { return k.Source || k.Judged }

// checkKindTable is every check kind, in the order help lists them.
var checkKindTable = []CheckKind{
	{
		Name: "http", Target: "URL", DefaultCondition: "status >= 200 && status < 400",
		Vars: []string{"status", "latency", "body", "headers", "json", "cert_days", "trusted"},
		Normalize: func(c *Check) {
			if c.Method == "" {
				c.Method = "GET"
			}
		},
		Validate: func(c *Check) error {
			u, err := url.Parse(c.Target)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return Invalid("target", c.Target, "is not an http:// or https:// URL")
			}
			return oneOf("method", c.Method, HTTPMethods...)
		},
	},
	{Name: "tcp", Target: "host:port", DefaultCondition: "connected", Vars: []string{"connected", "latency"}, Validate: hostPortTarget},
	{
		Name: "dns", Target: "name", DefaultCondition: `rcode == "NOERROR" && len(answers) > 0`,
		Vars: []string{"rcode", "answers", "latency"}, Fields: []string{"record_type", "resolver", "expect"},
		Normalize: func(c *Check) {
			if c.RecordType == "" {
				c.RecordType = "A"
			}
		},
		Validate: func(c *Check) error {
			if c.Target == "" || strings.ContainsAny(c.Target, " /") {
				return Invalid("target", c.Target, "is not a DNS name")
			}
			if err := oneOf("record_type", c.RecordType, DNSRecordTypes...); err != nil {
				return err
			}
			if c.Resolver != "" {
				if _, _, err := net.SplitHostPort(c.Resolver); err != nil {
					return Invalid("resolver", c.Resolver, "is not host:port (e.g. 127.0.0.1:53)")
				}
			}
			return nil
		},
	},
	{Name: "tls", Target: "host:port", DefaultCondition: "cert_days >= 14", Vars: []string{"connected", "cert_days", "trusted", "latency"}, Validate: hostPortTarget},
	{
		Name: "exec", Target: "command", DefaultCondition: "exit_code == 0", Vars: []string{"exit_code", "output", "latency"},
		Fields:    []string{"env"},
		Normalize: func(c *Check) { normalizeEnv(&c.Target, &c.Env) },
		Validate:  func(c *Check) error { return required("target", c.Target) },
	},
	{
		Name: "heartbeat", Target: "none (the job pings opsdeck)", DefaultCondition: "true", Judged: true,
		Validate: func(c *Check) error {
			if c.Target != "" {
				return Invalid("target", c.Target, "must be empty for a heartbeat (the job pings opsdeck)")
			}
			return nil
		},
	},
	{Name: SourceBackup, Target: `"self" or "job:NAME"`, DefaultCondition: "true", Source: true, Validate: (*Check).validateSource},
	{Name: SourceAccess, Target: "a person's email", DefaultCondition: "true", Source: true, Validate: (*Check).validateSource},
	{Name: SourceFinding, Target: `"finding:ID"`, DefaultCondition: "true", Source: true, Validate: (*Check).validateFindingSource},
	{Name: SourceUsage, Target: "a leaver's email", DefaultCondition: "true", Source: true, Validate: (*Check).validateSource},
	{Name: SourceScheduler, Target: `"self"`, DefaultCondition: "true", Source: true, Validate: (*Check).validateSchedulerSource},
}

func hostPortTarget(c *Check) error {
	if _, port, err := net.SplitHostPort(c.Target); err != nil || port == "" {
		return Invalid("target", c.Target, "is not host:port")
	}
	return nil
}

// LookupCheckKind is the kind named name.
func LookupCheckKind(name string) (CheckKind, bool) {
	for _, k := range checkKindTable {
		if k.Name == name {
			return k, true
		}
	}
	return CheckKind{}, false
}

// AllCheckKinds is every kind, in help order.
func AllCheckKinds() []CheckKind { return append([]CheckKind(nil), checkKindTable...) }

func checkKindNames(keep func(CheckKind) bool) []string {
	var out []string
	for _, k := range checkKindTable {
		if keep(k) {
			out = append(out, k.Name)
		}
	}
	return out
}

// CheckKindHelp is a few lines for `checks add --help`: each kind people
// add, its target and the condition variables its probe fills.
func CheckKindHelp() string {
	var b strings.Builder
	for _, k := range checkKindTable {
		if k.Source {
			continue
		}
		b.WriteString("  " + k.Name + strings.Repeat(" ", max(10-len(k.Name), 1)) + "target " + k.Target)
		if len(k.Vars) > 0 {
			b.WriteString("; condition sees " + strings.Join(k.Vars, ", ") + " (default: " + k.DefaultCondition + ")")
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// kindOnlyFields is every field some kind owns, with its owner.
func kindOnlyFields() map[string]string {
	out := map[string]string{}
	for _, k := range checkKindTable {
		for _, f := range k.Fields {
			out[f] = k.Name
		}
	}
	return out
}
