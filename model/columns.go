package model

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Import kinds: the inventory nouns a file can hold.
var ImportKinds = []string{"people", "devices", "services", "accounts", "findings"}

// column is one importable field: its opsdeck name (what export writes),
// the other headers real exports use for it (normalized, see
// NormalizeHeader), and how a cell becomes an opsdeck value. The record
// fields come from the kind's field table (ImportSpecs); extraColumns adds
// the dialect-only ones.
type column struct {
	field   string
	aliases []string
	// conv checks a non-empty cell and maps it to opsdeck's vocabulary
	// (Google's "Suspended" → departed). Returns the value and a reason
	// when the cell is unusable. nil: free text.
	conv func(v string) (string, string)
	// keepOnEmpty: an empty cell means "not given" (the record keeps its
	// value, a new record gets the default) instead of "clear it".
	keepOnEmpty bool
	// extra: accepted but not exported (first_name, warranty, ...).
	extra bool
}

// extraColumns are what other tools' exports carry that opsdeck derives a
// field from (see derive) rather than stores.
var extraColumns = map[string][]column{
	"people": {
		{field: "first_name", extra: true, aliases: []string{"given_name"}},
		{field: "last_name", extra: true, aliases: []string{"family_name", "surname"}},
		{field: "org_unit_path", extra: true, aliases: []string{"org_unit"}},
	},
	"findings": {
		{field: "affects", extra: true, aliases: []string{"affected", "assets", "affected_assets", "systems"}},
	},
	"devices": {
		{field: "warranty", extra: true, aliases: []string{"warranty_months"}},
		{field: "category", extra: true, aliases: []string{"type", "device_type"}, conv: convDeviceKind, keepOnEmpty: true},
	},
}

var columns = func() map[string][]column {
	out := map[string][]column{}
	for _, kind := range ImportKinds {
		for _, f := range ImportSpecs[kind] {
			out[kind] = append(out[kind], column{field: f.Name, aliases: f.Aliases, conv: f.Conv, keepOnEmpty: f.Empty == EmptyRefused})
		}
		out[kind] = append(out[kind], extraColumns[kind]...)
	}
	return out
}()

// ExportColumns is opsdeck's own header for kind: what export writes and
// import reads back unchanged.
func ExportColumns(kind string) []string {
	var out []string
	for _, c := range columns[kind] {
		if !c.extra {
			out = append(out, c.field)
		}
	}
	return out
}

var (
	headerMarker = regexp.MustCompile(`\[[^\]]*\]|\([^)]*\)`)
	headerSep    = regexp.MustCompile(`[^\p{L}\p{N}]+`)
)

// NormalizeHeader reduces a header to the form columns are matched on:
// lower case, "[Required]"-style markers dropped, runs of spaces and
// punctuation as one "_". "Email Address [Required]" → "email_address".
func NormalizeHeader(h string) string {
	h = headerMarker.ReplaceAllString(strings.ToLower(Sanitize(h)), " ")
	return strings.Trim(headerSep.ReplaceAllString(h, "_"), "_")
}

// ColumnMap is how one file's columns map to a kind's fields.
type ColumnMap struct {
	Kind    string
	Dialect string // opsdeck, google-workspace, snipe-it, github, aws-iam
	Header  []string
	index   map[string]int
	// Ignored names, as the file writes them, the columns that match no
	// field: reported, never silently dropped.
	Ignored []string
}

// MapColumns matches header to kind's fields. Problems are header-level
// (Row 0): a field given twice, a required field missing.
func MapColumns(kind string, header []string) (ColumnMap, []ImportProblem) {
	m := ColumnMap{Kind: kind, Header: header, index: map[string]int{}}
	cols, ok := columns[kind]
	if !ok {
		return m, []ImportProblem{{Column: "kind", Value: kind, Reason: "is not one of " + strings.Join(ImportKinds, ", ")}}
	}
	lookup := map[string]string{}
	for _, c := range cols {
		lookup[c.field] = c.field
		for _, a := range c.aliases {
			lookup[a] = c.field
		}
	}
	var probs []ImportProblem
	for i, h := range header {
		n := NormalizeHeader(h)
		f, ok := lookup[n]
		if !ok {
			if n != "" && n != "import_problems" {
				m.Ignored = append(m.Ignored, h)
			}
			continue
		}
		if prev, dup := m.index[f]; dup {
			probs = append(probs, ImportProblem{Column: h, Reason: fmt.Sprintf("is the same field (%s) as column %q; remove one", f, Excerpt(header[prev]))})
			continue
		}
		m.index[f] = i
	}
	m.Dialect = m.dialect()
	need := map[string][]string{
		"people":   {"email"},
		"devices":  {"asset_tag"},
		"services": {"name"},
		"accounts": {"username"},
	}[kind]
	for _, f := range need {
		if !m.Has(f) {
			probs = append(probs, ImportProblem{Column: f, Reason: "column is missing (headers: " + excerptHeaders(header) + ")"})
		}
	}
	if kind == "people" && !m.Has("name") && !(m.Has("first_name") || m.Has("last_name")) {
		probs = append(probs, ImportProblem{Column: "name", Reason: "column is missing (want name, or First Name and Last Name)"})
	}
	return m, probs
}

func (m ColumnMap) dialect() string {
	hasRaw := func(s string) bool {
		for _, h := range m.Header {
			if strings.EqualFold(strings.TrimSpace(headerMarker.ReplaceAllString(h, "")), s) {
				return true
			}
		}
		return false
	}
	switch {
	case m.Kind == "people" && hasRaw("Email Address") && hasRaw("First Name"):
		return "google-workspace"
	case m.Kind == "devices" && hasRaw("Asset Tag") && (hasRaw("Checked Out To") || hasRaw("Category")):
		return "snipe-it"
	case m.Kind == "accounts" && hasRaw("arn"):
		return "aws-iam"
	case m.Kind == "accounts" && hasRaw("login"):
		return "github"
	}
	return "opsdeck"
}

// Has reports whether the file has a column for field.
func (m ColumnMap) Has(field string) bool { _, ok := m.index[field]; return ok }

// Column is the header, as the file writes it, of field's column.
func (m ColumnMap) Column(field string) string {
	if i, ok := m.index[field]; ok {
		return m.Header[i]
	}
	return field
}

// Raw is field's cell in row as written, and whether the row gives it (the
// column exists and, in JSON or YAML, the item has the key).
func (m ColumnMap) Raw(r TableRow, field string) (string, bool) {
	i, ok := m.index[field]
	if !ok || (r.Absent != nil && r.Absent[i]) {
		return "", false
	}
	return r.Cells[i], true
}

// Values maps one row to opsdeck field values: converted to opsdeck's
// vocabulary, absent fields (and empty keep-on-empty cells) omitted. Every
// unusable cell is a problem; the row's other cells are still checked, so a
// dry run lists everything at once.
func (m ColumnMap) Values(r TableRow) (map[string]string, []ImportProblem) {
	vals := make(map[string]string, len(m.index))
	var probs []ImportProblem
	for _, c := range columns[m.Kind] {
		raw, ok := m.Raw(r, c.field)
		if !ok {
			continue
		}
		v := strings.TrimSpace(raw)
		if v == "" {
			if !c.keepOnEmpty {
				vals[c.field] = ""
			}
			continue
		}
		if c.conv != nil {
			conv, why := c.conv(v)
			if why != "" {
				probs = append(probs, ImportProblem{Row: r.Row, Column: m.Column(c.field), Value: v, Reason: why})
				continue
			}
			v = conv
		} else {
			v = raw // free text keeps its inner line breaks; Normalize decides
		}
		vals[c.field] = v
	}
	m.derive(vals)
	return vals, probs
}

// derive fills opsdeck fields from dialect-specific columns: a name from
// first and last name, a department from the org unit, a device name from
// the asset tag, the warranty into notes.
func (m ColumnMap) derive(vals map[string]string) {
	if _, ok := vals["name"]; !ok && (m.Has("first_name") || m.Has("last_name")) {
		vals["name"] = strings.TrimSpace(vals["first_name"] + " " + vals["last_name"])
	}
	if ou := strings.Trim(vals["org_unit_path"], "/ "); ou != "" && vals["department"] == "" {
		vals["department"] = ou[strings.LastIndexByte(ou, '/')+1:]
	}
	if c, ok := vals["category"]; ok && !m.Has("kind") {
		vals["kind"] = c
	}
	if m.Kind == "devices" && vals["name"] == "" && vals["asset_tag"] != "" {
		vals["name"] = vals["asset_tag"]
	}
	if w := vals["warranty"]; w != "" {
		note := "Warranty: " + w
		if n := vals["notes"]; n != "" && !strings.Contains(n, note) {
			note = n + "\n" + note
		}
		vals["notes"] = note
	}
	for _, f := range []string{"first_name", "last_name", "org_unit_path", "warranty", "category"} {
		delete(vals, f)
	}
}

func enumConv(allowed []string, synonyms map[string]string) func(string) (string, string) {
	return func(v string) (string, string) {
		k := strings.ToLower(strings.Join(strings.Fields(v), " "))
		if s, ok := synonyms[k]; ok {
			return s, ""
		}
		k = strings.ReplaceAll(k, " ", "_")
		for _, a := range allowed {
			if k == a {
				return a, ""
			}
		}
		want := strings.Join(allowed, ", ")
		if len(synonyms) > 0 {
			want += " (or " + strings.Join(sortedKeysS(synonyms), ", ") + ")"
		}
		return "", "is not a known value; want " + want
	}
}

func sortedKeysS(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var (
	// Google Workspace: a suspended or archived user has left.
	convPersonStatus = enumConv(PersonStatuses, map[string]string{
		"suspended": "departed", "archived": "departed", "inactive": "departed", "terminated": "departed",
		"offboarding": "leaving", "notice": "leaving",
	})
	// Snipe-IT status labels.
	convDeviceStatus = enumConv(DeviceStatuses, map[string]string{
		"deployed": "in_use", "in use": "in_use", "ready to deploy": "spare", "pending": "spare", "available": "spare",
		"archived": "retired", "broken - not fixable": "retired", "broken": "repair", "out for repair": "repair",
		"lost/stolen": "lost", "stolen": "lost",
	})
	// GitHub (Owner, Member, outside collaborator roles), AWS, Google.
	convEntitlement = enumConv(Entitlements, map[string]string{
		"owner": "admin", "administrator": "admin", "super admin": "admin", "org admin": "admin", "maintainer": "admin",
		"user": "member", "read": "member", "write": "member", "triage": "member", "maintain": "member",
		"outside collaborator": "member", "billing manager": "member", "collaborator": "member", "viewer": "member", "editor": "member",
	})
	convAccountStatus = enumConv(AccountStatuses, map[string]string{
		"enabled": "active", "disabled": "suspended", "deleted": "revoked", "removed": "revoked",
	})
)

// Snipe-IT categories are free text; the usual ones map to a kind and any
// other category is "other" (a monitor, a headset) rather than an error.
func convDeviceKind(v string) (string, string) {
	k := strings.ToLower(strings.TrimSpace(v))
	for _, dk := range DeviceKinds {
		if k == dk {
			return dk, ""
		}
	}
	for prefix, kind := range map[string]string{
		"laptop": "laptop", "notebook": "laptop", "macbook": "laptop", "desktop": "desktop", "workstation": "desktop",
		"imac": "desktop", "server": "server", "virtual": "vm", "vm": "vm", "database": "database", "db": "database",
		"network": "network", "switch": "network", "router": "network", "firewall": "network", "access point": "network",
		"phone": "phone", "mobile": "phone", "smartphone": "phone", "tablet": "phone", "ipad": "phone",
	} {
		if strings.HasPrefix(k, prefix) {
			return kind, ""
		}
	}
	return "other", ""
}

func convEmail(v string) (string, string) {
	v = strings.ToLower(Sanitize(v))
	if err := ValidateEmail("email", v); err != nil {
		return "", "is not a valid email address (want name@example.com)"
	}
	return v, ""
}

// convDate accepts YYYY-MM-DD, optionally followed by a time (Snipe-IT
// writes "2024-01-15 00:00:00").
func convDate(v string) (string, string) {
	d := v
	if len(d) > 10 && (d[10] == ' ' || d[10] == 'T') {
		d = d[:10]
	}
	t, err := time.Parse(DateLayout, d)
	if err != nil {
		return "", "is not a date (want YYYY-MM-DD)"
	}
	if fe, ok := AsFieldError(SaneYear("date", v, t)); ok {
		return "", fe.Reason
	}
	return d, ""
}

func convTime(v string) (string, string) {
	t, err := ParseTime("time", v, time.UTC)
	if fe, ok := AsFieldError(err); ok {
		return "", fe.Reason
	}
	return t.UTC().Format(time.RFC3339Nano), ""
}

func convBool(v string) (string, string) {
	switch strings.ToLower(v) {
	case "yes", "true", "1", "y", "on", "encrypted":
		return "yes", ""
	case "no", "false", "0", "n", "off":
		return "no", ""
	case "unknown", "-":
		return "", ""
	}
	return "", "is not yes, no or unknown"
}

// excerptHeaders lists a file's headers for a message: each an excerpt, at
// most ten, so a file that is not a table (a key, /etc/passwd) is not
// replayed through its "header".
func excerptHeaders(header []string) string {
	out := make([]string, 0, min(len(header), 10)+1)
	for i, h := range header {
		if i == 10 {
			out = append(out, fmt.Sprintf("and %d more", len(header)-10))
			break
		}
		out = append(out, Excerpt(h))
	}
	return strings.Join(out, ", ")
}
