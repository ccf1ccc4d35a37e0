package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
)

// SoftwareReport is what one device says it has installed: the toolchain
// part of an inventory (toolchain drift). It names its device by serial,
// asset tag or hostname; osquery output names none (the importer is told
// which device with --device).
type SoftwareReport struct {
	Item       int // 1-based position in the file
	Serial     string
	AssetTag   string
	Hostname   string
	ReportedAt *time.Time
	Tools      []SWObservation
	Source     string // "opsdeck" or "osquery"
	Ignored    int    // osquery packages that are not toolchain tools
	// Posture is what osquery's other tables said about the device
	// (laptop compliance); nil when the file held only packages.
	Posture *Posture
	// Packages counts the package rows read (tools and ignored): none
	// means the file did not list software, so the toolchain is kept.
	Packages int
}

// DeviceRefs are the references a report gives for its device, most
// specific first, with the key each came from.
func (r SoftwareReport) DeviceRefs() [][2]string {
	var out [][2]string
	for _, k := range [][2]string{{r.Serial, "serial"}, {r.AssetTag, "asset_tag"}, {r.Hostname, "hostname"}} {
		if k[0] != "" {
			out = append(out, k)
		}
	}
	return out
}

// ToolchainTools are the canonical names drift knows; osquery package
// lists are filtered down to these (and the baseline's names).
var ToolchainTools = []string{"go", "gcc", "clang", "node", "python", "rustc", "java", "ruby", "php", "dotnet", "terraform", "kubectl", "docker", "cmake"}

var toolAliases = []struct {
	re   *regexp.Regexp
	name string
}{
	{regexp.MustCompile(`^(go|golang|golang-go|golang-[0-9.]+(-go)?|go programming language.*)$`), "go"},
	{regexp.MustCompile(`^gcc(-[0-9]+)?$`), "gcc"},
	{regexp.MustCompile(`^(clang|llvm)(-[0-9]+)?$`), "clang"},
	{regexp.MustCompile(`^(node|nodejs|node\.js.*)$`), "node"},
	{regexp.MustCompile(`^python(3(\.[0-9]+)?)?( [0-9].*)?$`), "python"},
	{regexp.MustCompile(`^(rust|rustc|rust-all)$`), "rustc"},
	{regexp.MustCompile(`^(java|openjdk(-[0-9]+)?(-jdk|-jre)?(-headless)?|temurin.*|.*java\(tm\).*)$`), "java"},
	{regexp.MustCompile(`^(docker|docker-ce|docker\.io)$`), "docker"},
}

// CanonicalTool maps a tool or package name to the name baselines use:
// "golang-go" and "Go Programming Language amd64 go1.22" are "go",
// "python3" and Homebrew's "python@3.12" are "python", "nodejs" is "node".
func CanonicalTool(name string) string {
	n := strings.ToLower(SanitizeN(name, 128))
	if at := strings.IndexByte(n, '@'); at > 0 {
		n = n[:at]
	}
	for _, a := range toolAliases {
		if a.re.MatchString(n) {
			return a.name
		}
	}
	return n
}

var versionCore = regexp.MustCompile(`[0-9]+(\.[0-9]+){0,2}`)

// ToolVersion extracts the comparable version from what a tool or a
// package manager prints: "go1.27.1", "v22.11.0", Debian's "4:12.2.0-3",
// Java's "1.8.0_412". Only major.minor.patch counts.
func ToolVersion(v string) (*semver.Version, bool) {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, ':'); i > 0 && i < 4 {
		v = v[i+1:] // Debian epoch
	}
	core := versionCore.FindString(v)
	if core == "" {
		return nil, false
	}
	sv, err := semver.NewVersion(core)
	return sv, err == nil
}

// ParseSoftware reads a software report file. Accepted shapes:
//
//	{"serial": "...", "asset_tag": "...", "reported_at": "...", "tools": [{"name": "go", "version": "1.25.4"}]}
//	[ the same, for several devices ]
//	[{"name": "gcc-12", "version": "12.2.0-14", ...}]   osquery programs / deb_packages / homebrew_packages
//
// keep reports whether a non-toolchain name (from an osquery package list)
// is wanted anyway, e.g. because the baseline names it.
func ParseSoftware(data []byte, keep func(name string) bool) ([]SoftwareReport, error) {
	data = bytes.TrimSpace(data)
	var items []map[string]json.RawMessage
	if len(data) > 0 && data[0] == '{' {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(data, &one); err != nil {
			return nil, ImportProblem{Reason: "not a JSON software report: " + jsonErr(data, err)}
		}
		items = append(items, one)
	} else if err := json.Unmarshal(data, &items); err != nil {
		return nil, ImportProblem{Reason: "not a JSON software report (want an object with \"tools\", a list of them, or osquery JSON): " + jsonErr(data, err)}
	}
	if len(items) == 0 {
		return nil, ImportProblem{Reason: "the file lists no software"}
	}
	if _, ok := items[0]["tools"]; !ok {
		return parseOsquery(items, keep)
	}
	var out []SoftwareReport
	for i, it := range items {
		r := SoftwareReport{Item: i + 1, Source: "opsdeck"}
		var err error
		r.Serial, err = jsonText(it, "serial", i+1)
		if err == nil {
			r.AssetTag, err = jsonText(it, "asset_tag", i+1)
		}
		if err == nil {
			r.Hostname, err = jsonText(it, "hostname", i+1)
		}
		var at string
		if err == nil {
			at, err = jsonText(it, "reported_at", i+1)
		}
		if err != nil {
			return nil, err
		}
		if at != "" {
			t, err := ParseTime("reported_at", at, time.UTC)
			if err != nil {
				return nil, ImportProblem{Row: i + 1, Column: "reported_at", Value: at, Reason: "is not a time (want RFC 3339)"}
			}
			r.ReportedAt = &t
		}
		if len(r.DeviceRefs()) == 0 {
			return nil, ImportProblem{Row: i + 1, Column: "serial", Reason: "is missing: a report names its device by serial, asset_tag or hostname"}
		}
		var tools []struct {
			Name    any `json:"name"`
			Version any `json:"version"`
		}
		if err := json.Unmarshal(it["tools"], &tools); err != nil {
			return nil, ImportProblem{Row: i + 1, Column: "tools", Reason: "is not a list of {\"name\", \"version\"}"}
		}
		for j, tl := range tools {
			name, _ := scalarText(tl.Name)
			version, _ := scalarText(tl.Version)
			name = CanonicalTool(name)
			if name == "" {
				return nil, ImportProblem{Row: i + 1, Column: fmt.Sprintf("tools[%d].name", j), Reason: "is required"}
			}
			r.Tools = mergeTool(r.Tools, SWObservation{Name: name, Version: SanitizeN(version, 128)})
		}
		out = append(out, r)
	}
	return out, nil
}

func jsonText(it map[string]json.RawMessage, key string, item int) (string, error) {
	raw, ok := it[key]
	if !ok {
		return "", nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", ImportProblem{Row: item, Column: key, Reason: "is not valid JSON"}
	}
	s, ok := scalarText(v)
	if !ok {
		return "", ImportProblem{Row: item, Column: key, Value: Truncate(string(raw), 40), Reason: "is a list or object; want a single value"}
	}
	return Sanitize(s), nil
}

// parseOsquery reads `osqueryi --json "SELECT * FROM deb_packages"` output
// (or programs, homebrew_packages): rows with name and version.
func parseOsquery(items []map[string]json.RawMessage, keep func(string) bool) ([]SoftwareReport, error) {
	r := SoftwareReport{Item: 1, Source: "osquery"}
	for i, it := range items {
		it, err := r.osqueryColumns(it, i+1)
		if err != nil {
			return nil, err
		}
		if ok, err := r.readPosture(it, i+1); ok || err != nil {
			if err != nil {
				return nil, err
			}
			continue
		}
		name, err := jsonText(it, "name", i+1)
		if err != nil {
			return nil, err
		}
		version, err := jsonText(it, "version", i+1)
		if err != nil {
			return nil, err
		}
		if name == "" {
			return nil, ImportProblem{Row: i + 1, Column: "name", Reason: "is missing: want osquery rows with name and version, or {\"serial\": ..., \"tools\": [...]}"}
		}
		r.Packages++
		if ep := EndpointProduct(name); ep != "" {
			r.posture().Endpoint = ep
		}
		c := CanonicalTool(name)
		if !isToolchain(c) && (keep == nil || !keep(c)) {
			r.Ignored++
			continue
		}
		r.Tools = mergeTool(r.Tools, SWObservation{Name: c, Version: version})
	}
	return []SoftwareReport{r}, nil
}

func isToolchain(name string) bool {
	for _, t := range ToolchainTools {
		if t == name {
			return true
		}
	}
	return false
}

// mergeTool adds o, keeping the highest version when a name repeats (gcc-12
// and gcc-14 both installed: the newer is what builds pick up).
func mergeTool(tools []SWObservation, o SWObservation) []SWObservation {
	for i, t := range tools {
		if t.Name != o.Name {
			continue
		}
		a, aok := ToolVersion(t.Version)
		b, bok := ToolVersion(o.Version)
		if bok && (!aok || b.GreaterThan(a)) {
			tools[i] = o
		}
		return tools
	}
	return append(tools, o)
}

// Baseline is the team's expected version range for one tool.
type Baseline struct {
	Name       string    `json:"name"`
	Constraint string    `json:"constraint"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Normalize canonicalizes the tool name and trims the constraint.
func (b *Baseline) Normalize() {
	b.Name = CanonicalTool(b.Name)
	b.Constraint = strings.Join(strings.Fields(Sanitize(b.Constraint)), " ")
}

// Validate checks the constraint parses as a semver range.
func (b *Baseline) Validate() error {
	if err := required("name", b.Name); err != nil {
		return err
	}
	if b.Constraint == "" {
		return Invalid("constraint", b.Constraint, "is required (e.g. \">=1.25 <1.27\" or \"12.*\")")
	}
	if _, err := semver.NewConstraint(b.Constraint); err != nil {
		return Invalid("constraint", b.Constraint, "is not a version range (e.g. \">=1.25 <1.27\", \"~1.25\", \"12.*\"): "+err.Error())
	}
	return nil
}

// Drift statuses.
const (
	DriftOK       = "ok"
	DriftOutdated = "outdated"
	DriftAhead    = "ahead"
	DriftMissing  = "missing"
	DriftUnknown  = "unknown"
)

// DriftRow is one device × baseline tool.
type DriftRow struct {
	DeviceID   int64      `json:"device_id"`
	AssetTag   string     `json:"asset_tag"`
	Device     string     `json:"device"`
	Holder     string     `json:"holder"`
	Tool       string     `json:"tool"`
	Constraint string     `json:"constraint"`
	Version    string     `json:"version"`
	Status     string     `json:"status"`
	ReportedAt *time.Time `json:"reported_at"`
	Reported   string     `json:"reported"` // "3d ago"
}

// DeviceSoftware is what drift needs to know about one device.
type DeviceSoftware struct {
	DeviceID int64
	AssetTag string
	Device   string
	Holder   string
	Tools    []SWObservation
}

// Drift compares each device that reported software with the baseline.
// Devices that never reported are left out (they would be all "unknown");
// the caller counts them.
func Drift(baseline []Baseline, devices []DeviceSoftware, now time.Time) []DriftRow {
	var out []DriftRow
	for _, d := range devices {
		if len(d.Tools) == 0 {
			continue
		}
		have := map[string]SWObservation{}
		var latest *time.Time
		for _, o := range d.Tools {
			have[o.Name] = o
			if at := o.ObservedAt; latest == nil || at.After(*latest) {
				latest = &at
			}
		}
		for _, b := range baseline {
			row := DriftRow{DeviceID: d.DeviceID, AssetTag: d.AssetTag, Device: d.Device, Holder: d.Holder, Tool: b.Name, Constraint: b.Constraint}
			if o, ok := have[b.Name]; ok {
				at := o.ObservedAt
				row.Version, row.ReportedAt = o.Version, &at
				row.Status = DriftStatus(b.Constraint, o.Version)
			} else {
				row.Status, row.ReportedAt = DriftMissing, latest
			}
			row.Reported = Ago(row.ReportedAt, now)
			out = append(out, row)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].AssetTag < out[j].AssetTag })
	return out
}

// DriftStatus says where version stands against constraint: ok, outdated
// (an upgrade would satisfy it), ahead (only an older version would), or
// unknown (unparseable version or range).
func DriftStatus(constraint, version string) string {
	c, err := semver.NewConstraint(constraint)
	if err != nil {
		return DriftUnknown
	}
	v, ok := ToolVersion(version)
	if !ok {
		return DriftUnknown
	}
	if c.Check(v) {
		return DriftOK
	}
	// Probe versions around every version named in the range: if one above
	// v satisfies it, v is outdated; if only ones below do, v is ahead.
	above, below := false, false
	for _, lit := range versionCore.FindAllString(constraint, -1) {
		base, err := semver.NewVersion(lit)
		if err != nil {
			continue
		}
		for _, p := range probes(base) {
			if !c.Check(p) {
				continue
			}
			if p.GreaterThan(v) {
				above = true
			} else if p.LessThan(v) {
				below = true
			}
		}
	}
	switch {
	case above:
		return DriftOutdated
	case below:
		return DriftAhead
	}
	return DriftUnknown
}

func probes(b *semver.Version) []*semver.Version {
	ps := []*semver.Version{b}
	for _, v := range []semver.Version{b.IncPatch(), b.IncMinor(), b.IncMajor()} {
		ps = append(ps, &v)
	}
	M, m, p := b.Major(), b.Minor(), b.Patch()
	if p > 0 {
		ps = append(ps, semver.New(M, m, p-1, "", ""))
	}
	if m > 0 {
		ps = append(ps, semver.New(M, m-1, 0, "", ""), semver.New(M, m-1, 999, "", ""))
	}
	if M > 0 {
		ps = append(ps, semver.New(M-1, 0, 0, "", ""), semver.New(M-1, 999, 0, "", ""))
	}
	return ps
}
