package model

// Peer imports: checks kept by another monitor, read and translated into
// opsdeck's checks. Gatus (config.yaml: endpoints with url, interval and
// conditions such as "[STATUS] == 200") and Uptime Kuma (a backup JSON
// with a monitorList). Pure: the bytes in, a list of PeerChecks out, each
// carrying the fields it sets (by the check field table's names) and
// every part that could not be translated, so the import lists them
// instead of dropping them.

import (
	"encoding/json"
	"fmt"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
)

// Peer dialects.
const (
	PeerGatus      = "gatus"
	PeerUptimeKuma = "uptime-kuma"
)

// PeerCheck is one endpoint or monitor of a peer's file.
type PeerCheck struct {
	Row    int    // 1-based position in the file's list
	Source string // the peer's own name for it ("core/front-end")
	Name   string // the opsdeck check name made from it
	Group  string // the peer's group: the service it belongs to, if one has that name
	// Vals are check fields by CheckFields name (kind, target, interval_s...).
	Vals map[string]string
	// Paused: disabled in the peer.
	Paused bool
	// Untranslated lists what opsdeck cannot express, each with its reason.
	Untranslated []string
	// Skip says why nothing of it can be imported ("" when it can).
	Skip string
}

// DetectPeer names the dialect of a checks file: Gatus (YAML with
// endpoints), Uptime Kuma (JSON with monitorList), or "" for neither.
func DetectPeer(text string) string {
	t := strings.TrimSpace(text)
	if strings.HasPrefix(t, "{") {
		var probe struct {
			MonitorList json.RawMessage `json:"monitorList"`
		}
		if json.Unmarshal([]byte(t), &probe) == nil && len(probe.MonitorList) > 0 {
			return PeerUptimeKuma
		}
		return ""
	}
	var probe map[string]any
	if yaml.Unmarshal([]byte(t), &probe) == nil {
		if _, ok := probe["endpoints"]; ok {
			return PeerGatus
		}
	}
	return ""
}

// ParsePeer reads a peer's file in dialect.
func ParsePeer(dialect, text string) ([]PeerCheck, error) {
	switch dialect {
	case PeerGatus:
		return parseGatus(text)
	case PeerUptimeKuma:
		return parseKuma(text)
	}
	return nil, Invalid("format", dialect, "is not a checks file opsdeck reads (Gatus config.yaml with endpoints, Uptime Kuma backup JSON with monitorList)")
}

var nameJunk = regexp.MustCompile(`[^a-z0-9._-]+`)

// CheckName makes a check name (no spaces or slashes) from a peer's name.
func CheckName(s string) string {
	n := nameJunk.ReplaceAllString(strings.ToLower(Sanitize(s)), "-")
	n = strings.Trim(n, "-.")
	if n == "" {
		n = "check"
	}
	return Truncate(n, 80)
}

// uniqueNames gives each check a distinct name, numbering repeats.
func uniqueNames(cs []PeerCheck) {
	seen := map[string]int{}
	for i := range cs {
		base := cs[i].Name
		seen[base]++
		if n := seen[base]; n > 1 {
			cs[i].Name = fmt.Sprintf("%s-%d", base, n)
		}
	}
}

// ---- Gatus ----

type gatusEndpoint struct {
	Name       string            `yaml:"name"`
	Group      string            `yaml:"group"`
	URL        string            `yaml:"url"`
	Method     string            `yaml:"method"`
	Body       string            `yaml:"body"`
	Headers    map[string]string `yaml:"headers"`
	Interval   string            `yaml:"interval"`
	Conditions []string          `yaml:"conditions"`
	Enabled    *bool             `yaml:"enabled"`
	DNS        *struct {
		QueryName string `yaml:"query-name"`
		QueryType string `yaml:"query-type"`
	} `yaml:"dns"`
	Client *struct {
		Insecure bool   `yaml:"insecure"`
		Timeout  string `yaml:"timeout"`
	} `yaml:"client"`
	Alerts  []map[string]any `yaml:"alerts"`
	GraphQL bool             `yaml:"graphql"`
}

func parseGatus(text string) ([]PeerCheck, error) {
	var doc struct {
		Endpoints []gatusEndpoint `yaml:"endpoints"`
	}
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, fmt.Errorf("not a Gatus config: %s", firstErrLine(err))
	}
	out := make([]PeerCheck, 0, len(doc.Endpoints))
	for i, e := range doc.Endpoints {
		src := e.Name
		if e.Group != "" {
			src = e.Group + "/" + e.Name
		}
		pc := PeerCheck{Row: i + 1, Source: Sanitize(src), Name: CheckName(e.Name), Group: Sanitize(e.Group), Vals: map[string]string{}}
		pc.Paused = e.Enabled != nil && !*e.Enabled
		pc.Vals["notes"] = "imported from Gatus endpoint " + Sanitize(src)
		if e.Interval != "" {
			pc.Vals["interval_s"] = e.Interval
		}
		kind, ok := gatusKind(&pc, e)
		if !ok {
			out = append(out, pc)
			continue
		}
		pc.Vals["kind"] = kind
		if e.Client != nil {
			if e.Client.Insecure {
				pc.Vals["tls_skip_verify"] = "yes"
			}
			if e.Client.Timeout != "" {
				pc.Vals["timeout_s"] = e.Client.Timeout
			}
		}
		if kind == "http" {
			if e.Method != "" {
				pc.Vals["method"] = strings.ToUpper(e.Method)
			}
			if e.Body != "" {
				pc.Vals["body"] = e.Body
			}
			if len(e.Headers) > 0 {
				pc.Vals["headers"] = headerLines(e.Headers)
			}
			if e.GraphQL {
				pc.Untranslated = append(pc.Untranslated, "graphql: true: the body is sent as is, not wrapped as a GraphQL query")
			}
		}
		if len(e.Alerts) > 0 {
			pc.Untranslated = append(pc.Untranslated, fmt.Sprintf("alerts (%d): opsdeck pages through its own channels and on-call (opsdeck channels add)", len(e.Alerts)))
		}
		var conds []string
		for _, c := range e.Conditions {
			expr, why := TranslateGatusCondition(kind, c)
			if why != "" {
				pc.Untranslated = append(pc.Untranslated, fmt.Sprintf("condition %q: %s", Excerpt(c), why))
				continue
			}
			if expr != "" {
				conds = append(conds, expr)
			}
		}
		if len(conds) > 0 {
			pc.Vals["condition"] = strings.Join(conds, " && ")
		}
		out = append(out, pc)
	}
	uniqueNames(out)
	return out, nil
}

func headerLines(h map[string]string) string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = k + ": " + h[k]
	}
	return strings.Join(lines, "\n")
}

// gatusKind reads the endpoint's kind and target from its URL scheme.
func gatusKind(pc *PeerCheck, e gatusEndpoint) (string, bool) {
	u := strings.TrimSpace(e.URL)
	if e.DNS != nil {
		pc.Vals["target"] = e.DNS.QueryName
		pc.Vals["record_type"] = strings.ToUpper(e.DNS.QueryType)
		resolver := u
		if _, _, err := net.SplitHostPort(resolver); err != nil {
			resolver = net.JoinHostPort(resolver, "53")
		}
		pc.Vals["resolver"] = resolver
		return "dns", true
	}
	scheme, rest, _ := strings.Cut(u, "://")
	switch strings.ToLower(scheme) {
	case "http", "https":
		pc.Vals["target"] = u
		return "http", true
	case "tcp":
		pc.Vals["target"] = strings.TrimSuffix(rest, "/")
		return "tcp", true
	case "tls":
		pc.Vals["target"] = strings.TrimSuffix(rest, "/")
		return "tls", true
	case "icmp":
		pc.Skip = "icmp:// (ping): opsdeck has no ICMP probe and the host's open port is not known; add a tcp check on a port it answers"
	case "udp", "sctp", "ssh", "ws", "wss", "starttls", "grpc", "grpcs":
		pc.Skip = scheme + ":// endpoints have no opsdeck check kind"
	default:
		pc.Skip = fmt.Sprintf("url %q is not one opsdeck can probe (http, https, tcp, tls, or a dns endpoint)", Excerpt(u))
	}
	return "", false
}

var (
	gatusCond = regexp.MustCompile(`^\s*(len\(|has\()?\s*\[([A-Z_]+)\]((?:\.[A-Za-z0-9_\-\[\]]+)*)\s*(\))?\s*(==|!=|<=|>=|<|>)\s*(.*?)\s*$`)
	gatusAny  = regexp.MustCompile(`^any\((.*)\)$`)
	gatusPat  = regexp.MustCompile(`^pat\((.*)\)$`)
	jsonPath  = regexp.MustCompile(`^(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])+$`)
	number    = regexp.MustCompile(`^-?\d+(\.\d+)?$`)
)

// TranslateGatusCondition turns one Gatus condition into opsdeck's
// condition language for a check of kind, or says why it cannot.
// An empty expr with no reason means the condition is what the kind
// already does ([CONNECTED] == true on a tcp check).
func TranslateGatusCondition(kind, cond string) (expr, why string) {
	m := gatusCond.FindStringSubmatch(cond)
	if m == nil {
		return "", "is not of the form [PLACEHOLDER] OPERATOR VALUE"
	}
	fn, ph, path, closing, op, val := strings.TrimSuffix(m[1], "("), m[2], m[3], m[4], m[5], strings.TrimSpace(m[6])
	if (fn == "") != (closing == "") {
		return "", "has unbalanced parentheses"
	}
	if path != "" && ph != "BODY" {
		return "", "only [BODY] has a path"
	}
	var lhs string
	switch ph {
	case "STATUS":
		lhs = "status"
	case "RESPONSE_TIME":
		lhs = "latency"
	case "CONNECTED":
		if fn != "" || (op != "==" && op != "!=") || (val != "true" && val != "false") {
			return "", "[CONNECTED] compares with == or != true or false only"
		}
		if (op == "==") == (val == "true") {
			if kind == "tcp" || kind == "tls" {
				return "", "" // what a tcp check succeeds on anyway
			}
			return needVar(kind, "connected", "connected")
		}
		return needVar(kind, "connected", "!connected")
	case "CERTIFICATE_EXPIRATION":
		days, ok := gatusDays(val)
		if !ok || fn != "" {
			return "", "[CERTIFICATE_EXPIRATION] compares with a duration (48h) or milliseconds"
		}
		return needVar(kind, "cert_days", "cert_days "+op+" "+days)
	case "DNS_RCODE":
		if fn != "" || (op != "==" && op != "!=") {
			return "", "[DNS_RCODE] compares with == or != only"
		}
		return needVar(kind, "rcode", "rcode "+op+" "+strconv.Quote(val))
	case "BODY":
		return gatusBody(kind, fn, path, op, val)
	case "IP":
		return "", "[IP] (the resolved address) is not something opsdeck's checks see"
	case "DOMAIN_EXPIRATION":
		return "", "[DOMAIN_EXPIRATION] needs a WHOIS lookup, which opsdeck does not make"
	default:
		return "", "[" + ph + "] has no opsdeck equivalent"
	}
	if fn != "" {
		return "", fn + "() applies to [BODY] only"
	}
	if a := gatusAny.FindStringSubmatch(val); a != nil {
		if op != "==" {
			return "", "any() works with == only"
		}
		var vals []string
		for _, v := range strings.Split(a[1], ",") {
			v = strings.TrimSpace(v)
			if !number.MatchString(v) {
				return "", fmt.Sprintf("%q is not a number", v)
			}
			vals = append(vals, v)
		}
		return needVar(kind, lhs, lhs+" in ["+strings.Join(vals, ", ")+"]")
	}
	if d, err := time.ParseDuration(val); err == nil && lhs == "latency" {
		val = strconv.FormatInt(d.Milliseconds(), 10) // Gatus counts milliseconds
	}
	if !number.MatchString(val) {
		return "", fmt.Sprintf("%q is not a number", Excerpt(val))
	}
	return needVar(kind, lhs, lhs+" "+op+" "+val)
}

// gatusBody translates a condition on [BODY] (the response, or for a DNS
// endpoint its answer).
func gatusBody(kind, fn, path, op, val string) (string, string) {
	lit := func(v string) string {
		if number.MatchString(v) || v == "true" || v == "false" {
			return v
		}
		return strconv.Quote(strings.Trim(v, `"`))
	}
	pat, isPat := "", false
	if p := gatusPat.FindStringSubmatch(val); p != nil {
		pat, isPat = globRegexp(p[1]), true
		if op != "==" && op != "!=" {
			return "", "pat() works with == or != only"
		}
	}
	if kind == "dns" {
		if path != "" || fn != "" {
			return "", "a DNS answer has no path"
		}
		var e string
		switch {
		case isPat:
			e = "any(answers, # matches " + strconv.Quote(pat) + ")"
		case op == "==" || op == "!=":
			e = strconv.Quote(val) + " in answers"
		default:
			return "", "a DNS answer compares with == or != only"
		}
		if op == "!=" {
			e = "!(" + e + ")"
		}
		return e, ""
	}
	if kind != "http" {
		return "", "[BODY] is an HTTP response's; this endpoint is " + kind
	}
	lhs := "body"
	if path != "" {
		if !jsonPath.MatchString(path) {
			return "", fmt.Sprintf("the path %q is not one opsdeck reads (names and [N] indexes)", path)
		}
		lhs = "json" + path
	}
	switch fn {
	case "len":
		if !number.MatchString(val) {
			return "", "len() compares with a number"
		}
		return "len(" + lhs + ") " + op + " " + val, ""
	case "has":
		if path == "" || (val != "true" && val != "false") || (op != "==" && op != "!=") {
			return "", "has() takes a [BODY] path and compares with true or false"
		}
		if (op == "==") == (val == "true") {
			return lhs + " != nil", ""
		}
		return lhs + " == nil", ""
	}
	if isPat {
		e := lhs + " matches " + strconv.Quote(pat)
		if path != "" {
			e = "string(" + lhs + ") matches " + strconv.Quote(pat)
		}
		if op == "!=" {
			e = "!(" + e + ")"
		}
		return e, ""
	}
	if gatusAny.MatchString(val) {
		return "", "any() on [BODY] is not translated"
	}
	if path == "" {
		if op != "==" && op != "!=" {
			return "", "the whole [BODY] compares with == or != only"
		}
		return lhs + " " + op + " " + strconv.Quote(val), ""
	}
	if (op != "==" && op != "!=") && !number.MatchString(val) {
		return "", fmt.Sprintf("%s compares %q, which is not a number", op, Excerpt(val))
	}
	return lhs + " " + op + " " + lit(val), ""
}

// globRegexp is Gatus's pat() wildcard (* any run of characters) as an
// anchored regular expression.
func globRegexp(p string) string {
	parts := strings.Split(p, "*")
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return "^" + strings.Join(parts, ".*") + "$"
}

// gatusDays reads a duration (48h, 720h, 1h30m) or milliseconds as days.
func gatusDays(v string) (string, bool) {
	var d time.Duration
	if number.MatchString(v) {
		ms, _ := strconv.ParseFloat(v, 64)
		d = time.Duration(ms * float64(time.Millisecond))
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return "", false
		}
	}
	return strconv.FormatFloat(d.Hours()/24, 'f', -1, 64), true
}

// needVar returns expr when kind's probe fills v, or why not.
func needVar(kind, v, expr string) (string, string) {
	k, ok := LookupCheckKind(kind)
	if !ok {
		return "", "unknown kind " + kind
	}
	for _, have := range k.Vars {
		if have == v {
			return expr, ""
		}
	}
	return "", "a " + kind + " check does not see " + v
}

func firstErrLine(err error) string {
	l, _, _ := strings.Cut(strings.TrimSpace(err.Error()), "\n")
	return Truncate(Sanitize(l), 160)
}

// ---- Uptime Kuma ----

type kumaMonitor struct {
	ID                  int64    `json:"id"`
	Name                string   `json:"name"`
	Description         *string  `json:"description"`
	Type                string   `json:"type"`
	URL                 string   `json:"url"`
	Method              string   `json:"method"`
	Hostname            *string  `json:"hostname"`
	Port                *int     `json:"port"`
	Interval            int      `json:"interval"`
	RetryInterval       int      `json:"retryInterval"`
	Timeout             float64  `json:"timeout"`
	MaxRetries          int      `json:"maxretries"`
	Active              any      `json:"active"`
	Keyword             *string  `json:"keyword"`
	InvertKeyword       bool     `json:"invertKeyword"`
	IgnoreTLS           bool     `json:"ignoreTls"`
	UpsideDown          bool     `json:"upsideDown"`
	AcceptedStatusCodes []string `json:"accepted_statuscodes"`
	DNSResolveType      *string  `json:"dns_resolve_type"`
	DNSResolveServer    *string  `json:"dns_resolve_server"`
	Headers             *string  `json:"headers"`
	Body                *string  `json:"body"`
	Parent              *int64   `json:"parent"`
	JSONPath            *string  `json:"jsonPath"`
	ExpectedValue       *string  `json:"expectedValue"`
	BasicAuthUser       *string  `json:"basic_auth_user"`
	AuthMethod          *string  `json:"authMethod"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func parseKuma(text string) ([]PeerCheck, error) {
	var doc struct {
		Version     string        `json:"version"`
		MonitorList []kumaMonitor `json:"monitorList"`
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return nil, fmt.Errorf("not an Uptime Kuma backup: %s", firstErrLine(err))
	}
	groups := map[int64]string{}
	for _, m := range doc.MonitorList {
		if m.Type == "group" {
			groups[m.ID] = Sanitize(m.Name)
		}
	}
	out := make([]PeerCheck, 0, len(doc.MonitorList))
	for i, m := range doc.MonitorList {
		pc := PeerCheck{Row: i + 1, Source: Sanitize(m.Name), Name: CheckName(m.Name), Vals: map[string]string{}}
		if m.Parent != nil {
			pc.Group = groups[*m.Parent]
		}
		pc.Paused = m.Active == false || m.Active == float64(0)
		notes := "imported from Uptime Kuma monitor " + Sanitize(m.Name)
		if d := str(m.Description); d != "" {
			notes += ": " + d
		}
		pc.Vals["notes"] = notes
		if m.Interval > 0 {
			pc.Vals["interval_s"] = strconv.Itoa(m.Interval)
		}
		if m.Timeout > 0 {
			t := int(m.Timeout)
			if m.Interval > 0 {
				t = min(t, m.Interval)
			}
			pc.Vals["timeout_s"] = strconv.Itoa(max(t, 1))
		}
		// Kuma retries maxretries times before it calls a monitor down:
		// the alert fires on the (maxretries+1)th failure in a row.
		pc.Vals["fail_threshold"] = strconv.Itoa(min(m.MaxRetries+1, 100))
		kumaKind(&pc, m)
		if m.UpsideDown && pc.Skip == "" {
			if c := pc.Vals["condition"]; c != "" {
				pc.Vals["condition"] = "!(" + c + ")"
			} else if k, ok := LookupCheckKind(pc.Vals["kind"]); ok {
				pc.Vals["condition"] = "!(" + k.DefaultCondition + ")"
			}
		}
		out = append(out, pc)
	}
	uniqueNames(out)
	return out, nil
}

// kumaKind maps a monitor's type onto an opsdeck kind, target and condition.
func kumaKind(pc *PeerCheck, m kumaMonitor) {
	host, port := str(m.Hostname), 0
	if m.Port != nil {
		port = *m.Port
	}
	httpLike := func() {
		pc.Vals["kind"], pc.Vals["target"] = "http", m.URL
		if m.Method != "" {
			pc.Vals["method"] = strings.ToUpper(m.Method)
		}
		if m.IgnoreTLS {
			pc.Vals["tls_skip_verify"] = "yes"
		}
		if h := strings.TrimSpace(str(m.Headers)); h != "" {
			var hs map[string]string
			if json.Unmarshal([]byte(h), &hs) == nil {
				pc.Vals["headers"] = headerLines(hs)
			} else {
				pc.Untranslated = append(pc.Untranslated, "headers: not a JSON object of names and values")
			}
		}
		if b := str(m.Body); b != "" {
			pc.Vals["body"] = b
		}
		if str(m.AuthMethod) != "" && str(m.AuthMethod) != "null" || str(m.BasicAuthUser) != "" {
			pc.Untranslated = append(pc.Untranslated, "authentication (basic/NTLM/mTLS): add an Authorization header to the check by hand")
		}
		if c, why := kumaStatusCodes(m.AcceptedStatusCodes); why != "" {
			pc.Untranslated = append(pc.Untranslated, "accepted_statuscodes: "+why)
		} else if c != "" {
			pc.Vals["condition"] = c
		}
	}
	switch m.Type {
	case "http":
		httpLike()
	case "keyword":
		httpLike()
		kw := "body contains " + strconv.Quote(str(m.Keyword))
		if m.InvertKeyword {
			kw = "!(" + kw + ")"
		}
		pc.Vals["condition"] = joinConds(pc.Vals["condition"], kw)
	case "json-query":
		httpLike()
		pc.Untranslated = append(pc.Untranslated, fmt.Sprintf("json-query %q == %q: JSONata is not translated; write it as a json.PATH condition", Excerpt(str(m.JSONPath)), Excerpt(str(m.ExpectedValue))))
	case "port":
		pc.Vals["kind"], pc.Vals["target"] = "tcp", net.JoinHostPort(host, strconv.Itoa(port))
	case "ping":
		if port > 0 {
			pc.Vals["kind"], pc.Vals["target"] = "tcp", net.JoinHostPort(host, strconv.Itoa(port))
			pc.Untranslated = append(pc.Untranslated, fmt.Sprintf("ping (ICMP) becomes a tcp check on port %d", port))
			return
		}
		pc.Skip = "ping (ICMP): opsdeck has no ICMP probe and the monitor names no port; add a tcp check on a port " + Excerpt(host) + " answers"
	case "dns":
		pc.Vals["kind"], pc.Vals["target"] = "dns", host
		if t := str(m.DNSResolveType); t != "" {
			pc.Vals["record_type"] = strings.ToUpper(t)
		}
		if srv := str(m.DNSResolveServer); srv != "" {
			p := 53
			if port > 0 {
				p = port
			}
			pc.Vals["resolver"] = net.JoinHostPort(srv, strconv.Itoa(p))
		}
	case "push":
		pc.Vals["kind"] = "heartbeat"
		if m.RetryInterval > 0 {
			pc.Vals["grace_s"] = strconv.Itoa(m.RetryInterval)
		}
		delete(pc.Vals, "timeout_s")
		pc.Vals["fail_threshold"] = "1"
		pc.Untranslated = append(pc.Untranslated, "push token: opsdeck gives the heartbeat its own ping URL (opsdeck checks show); point the job at it")
	case "group":
		pc.Skip = "a group holds monitors; it is not a check (its monitors go to the service named " + Excerpt(m.Name) + " if there is one)"
	default:
		pc.Skip = "monitor type " + Excerpt(m.Type) + " has no opsdeck check kind"
	}
}

func joinConds(a, b string) string {
	if a == "" {
		return b
	}
	return "(" + a + ") && " + b
}

// kumaStatusCodes turns accepted status codes ("200-299", "301") into a
// condition on status.
func kumaStatusCodes(codes []string) (string, string) {
	if len(codes) == 0 || (len(codes) == 1 && codes[0] == "200-299") {
		return "status >= 200 && status <= 299", ""
	}
	var parts []string
	for _, c := range codes {
		lo, hi, isRange := strings.Cut(c, "-")
		if !number.MatchString(lo) || (isRange && !number.MatchString(hi)) {
			return "", fmt.Sprintf("%q is not a status code or range", c)
		}
		if isRange {
			parts = append(parts, "(status >= "+lo+" && status <= "+hi+")")
		} else {
			parts = append(parts, "status == "+lo)
		}
	}
	if len(parts) == 1 {
		return strings.Trim(parts[0], "()"), ""
	}
	return strings.Join(parts, " || "), ""
}
