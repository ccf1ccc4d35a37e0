package model

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// CompliancePolicy is what a workstation must satisfy. opsdeck ships
// DefaultCompliancePolicy; the operator edits it (devices compliance
// policy set). Each rule can be switched off; a day count of 0 turns its
// rule off.
type CompliancePolicy struct {
	DiskEncrypted      bool `json:"disk_encrypted"`
	EndpointProtection bool `json:"endpoint_protection"`
	PatchMaxAgeDays    int  `json:"patch_max_age_days"`
	SeenWithinDays     int  `json:"seen_within_days"`
	NoToolchainDrift   bool `json:"no_toolchain_drift"`
	NotHeldByLeaver    bool `json:"not_held_by_leaver"`
	// Kinds are the device kinds the policy applies to (comma-separated).
	Kinds string `json:"kinds"`
}

// DefaultCompliancePolicy is the policy a new database starts with.
var DefaultCompliancePolicy = CompliancePolicy{DiskEncrypted: true, EndpointProtection: true, PatchMaxAgeDays: 45,
	SeenWithinDays: 14, NoToolchainDrift: true, NotHeldByLeaver: true, Kinds: "laptop,desktop"}

// CompliancePolicyFields is the policy's definition: the flags of
// `devices compliance policy set` and its show come from it.
var CompliancePolicyFields = Fields[CompliancePolicy]{
	Toggle("disk_encrypted", "full-disk encryption must be on", func(p *CompliancePolicy) *bool { return &p.DiskEncrypted }),
	Toggle("endpoint_protection", "an endpoint protection product must be present", func(p *CompliancePolicy) *bool { return &p.EndpointProtection }),
	Int("patch_max_age_days", "the OS patch level may be at most this many days old (0: rule off)", 0, func(p *CompliancePolicy) *int { return &p.PatchMaxAgeDays }),
	Int("seen_within_days", "the device must have reported within this many days (0: rule off)", 0, func(p *CompliancePolicy) *int { return &p.SeenWithinDays }),
	Toggle("no_toolchain_drift", "the toolchain must match the baseline (devices drift)", func(p *CompliancePolicy) *bool { return &p.NoToolchainDrift }),
	Toggle("not_held_by_leaver", "the device must not be held by someone leaving or gone", func(p *CompliancePolicy) *bool { return &p.NotHeldByLeaver }),
	Text("kinds", "device kinds the policy applies to, comma-separated", func(p *CompliancePolicy) *string { return &p.Kinds }),
}

// Normalize tidies the kinds list.
func (p *CompliancePolicy) Normalize() {
	var ks []string
	for _, k := range strings.Split(p.Kinds, ",") {
		if k = strings.ToLower(strings.TrimSpace(k)); k != "" && !slices.Contains(ks, k) {
			ks = append(ks, k)
		}
	}
	p.Kinds = strings.Join(ks, ",")
}

// Validate names the first bad setting.
func (p *CompliancePolicy) Validate() error {
	if p.PatchMaxAgeDays < 0 {
		return Invalid("patch_max_age_days", fmt.Sprint(p.PatchMaxAgeDays), "is negative")
	}
	if p.SeenWithinDays < 0 {
		return Invalid("seen_within_days", fmt.Sprint(p.SeenWithinDays), "is negative")
	}
	if p.Kinds == "" {
		return Invalid("kinds", "", "is required (e.g. laptop,desktop)")
	}
	for _, k := range strings.Split(p.Kinds, ",") {
		if err := oneOf("kinds", k, DeviceKinds...); err != nil {
			return err
		}
	}
	return nil
}

// Applies reports whether the policy covers d: its kind is listed and it
// is not retired or lost.
func (p *CompliancePolicy) Applies(d *Device) bool {
	return slices.Contains(strings.Split(p.Kinds, ","), d.Kind) && d.Status != "retired" && d.Status != "lost"
}

// Compliance rules, in the order verdicts are listed.
const (
	RuleDiskEncrypted   = "disk_encrypted"
	RuleEndpoint        = "endpoint_protection"
	RulePatchLevel      = "patch_level"
	RuleSeenRecently    = "seen_recently"
	RuleToolchain       = "toolchain"
	RuleHolderActive    = "holder_active"
	ComplianceRiskRule  = "device_noncompliant"
	VerdictPass         = "pass"
	VerdictFail         = "fail"
	VerdictUnknown      = "unknown"
	complianceUnknownOK = "no data yet"
)

// ComplianceInputs is what the rules know about a device besides its own
// fields: its holder's status and its toolchain drift rows.
type ComplianceInputs struct {
	HolderName   string
	HolderStatus string // active, leaving, departed; "" when nobody holds it
	Drift        []DriftRow
}

// Verdict is one rule's judgement of one device. Since is when the
// verdict last changed (the store keeps it; Compliance leaves it nil).
type Verdict struct {
	Rule   string     `json:"rule"`
	Status string     `json:"status"` // pass, fail, unknown
	Detail string     `json:"detail"`
	Since  *time.Time `json:"since"`
}

var patchDate = regexp.MustCompile(`\b(\d{4})-(\d{2})(?:-(\d{2}))?\b`)

// PatchDate reads the date of an OS patch level ("2026-11-05",
// "2026-11 security update", "Ubuntu 24.04 (2026-10-30)"); a month alone
// is its first day. ok is false when the text holds no date.
func PatchDate(level string) (time.Time, bool) {
	m := patchDate.FindStringSubmatch(level)
	if m == nil {
		return time.Time{}, false
	}
	day := m[3]
	if day == "" {
		day = "01"
	}
	t, err := time.Parse(time.DateOnly, m[1]+"-"+m[2]+"-"+day)
	return t, err == nil
}

// Compliance judges d against p at now: one verdict per rule the policy
// turns on. It is pure, so the CLI, the console, the risk report and an
// onboarding step ("passes compliance") all judge the same way.
func Compliance(d Device, in ComplianceInputs, p CompliancePolicy, now time.Time) []Verdict {
	var out []Verdict
	add := func(rule, status, detail string) {
		out = append(out, Verdict{Rule: rule, Status: status, Detail: detail})
	}
	if p.DiskEncrypted {
		switch {
		case d.DiskEncrypted == nil:
			add(RuleDiskEncrypted, VerdictUnknown, "disk encryption not reported")
		case *d.DiskEncrypted:
			add(RuleDiskEncrypted, VerdictPass, "disk encrypted")
		default:
			add(RuleDiskEncrypted, VerdictFail, "disk not encrypted")
		}
	}
	if p.EndpointProtection {
		if strings.TrimSpace(d.EndpointProtection) == "" {
			add(RuleEndpoint, VerdictFail, "no endpoint protection")
		} else {
			add(RuleEndpoint, VerdictPass, d.EndpointProtection)
		}
	}
	if p.PatchMaxAgeDays > 0 {
		switch at, ok := PatchDate(d.PatchLevel); {
		case !ok:
			add(RulePatchLevel, VerdictUnknown, "patch level has no date ("+orNone(d.PatchLevel)+")")
		case Days(at, now) > p.PatchMaxAgeDays:
			add(RulePatchLevel, VerdictFail, fmt.Sprintf("patch level %s is %dd old (max %dd)", at.Format(time.DateOnly), Days(at, now), p.PatchMaxAgeDays))
		default:
			add(RulePatchLevel, VerdictPass, "patch level "+at.Format(time.DateOnly))
		}
	}
	if p.SeenWithinDays > 0 {
		switch {
		case d.LastSeenAt == nil:
			add(RuleSeenRecently, VerdictFail, "never seen")
		case now.Sub(*d.LastSeenAt) > time.Duration(p.SeenWithinDays)*24*time.Hour:
			add(RuleSeenRecently, VerdictFail, fmt.Sprintf("last seen %s (max %dd)", Ago(d.LastSeenAt, now), p.SeenWithinDays))
		default:
			add(RuleSeenRecently, VerdictPass, "seen "+Ago(d.LastSeenAt, now))
		}
	}
	if p.NoToolchainDrift {
		var bad []string
		for _, r := range in.Drift {
			if r.DeviceID == d.ID && r.Status != DriftOK {
				bad = append(bad, r.Tool+" "+r.Status)
			}
		}
		switch {
		case len(bad) > 0:
			add(RuleToolchain, VerdictFail, "toolchain drift: "+strings.Join(bad, ", "))
		case !hasDrift(in.Drift, d.ID):
			add(RuleToolchain, VerdictUnknown, "no toolchain report")
		default:
			add(RuleToolchain, VerdictPass, "toolchain matches the baseline")
		}
	}
	if p.NotHeldByLeaver {
		switch in.HolderStatus {
		case "leaving", "departed":
			add(RuleHolderActive, VerdictFail, "held by "+in.HolderName+" ("+in.HolderStatus+")")
		case "":
			add(RuleHolderActive, VerdictPass, "nobody holds it")
		default:
			add(RuleHolderActive, VerdictPass, "held by "+in.HolderName)
		}
	}
	return out
}

func hasDrift(rows []DriftRow, id int64) bool {
	for _, r := range rows {
		if r.DeviceID == id {
			return true
		}
	}
	return false
}

// Failing is the verdicts that fail.
func Failing(vs []Verdict) []Verdict {
	var out []Verdict
	for _, v := range vs {
		if v.Status == VerdictFail {
			out = append(out, v)
		}
	}
	return out
}

// PassesCompliance reports a device every rule passes: nothing failing and
// nothing unknown (what an onboarding step asks before a laptop is handed out).
func PassesCompliance(vs []Verdict) bool {
	for _, v := range vs {
		if v.Status != VerdictPass {
			return false
		}
	}
	return true
}

// DeviceCompliance is one device's verdicts, as lists show them.
type DeviceCompliance struct {
	DeviceID int64     `json:"device_id"`
	AssetTag string    `json:"asset_tag"`
	Name     string    `json:"name"`
	Holder   string    `json:"holder"`
	Passes   bool      `json:"passes"`
	Failing  bool      `json:"failing"`
	Verdicts []Verdict `json:"verdicts"`
}

// ComplianceRisks are the risks of failing devices: one per device,
// naming its failing rules.
func ComplianceRisks(ds []DeviceCompliance) []Risk {
	var out []Risk
	for _, d := range ds {
		fails := Failing(d.Verdicts)
		if len(fails) == 0 {
			continue
		}
		sev := "medium"
		parts := make([]string, len(fails))
		for i, v := range fails {
			parts[i] = v.Rule + ": " + v.Detail
			if v.Rule == RuleDiskEncrypted || v.Rule == RuleHolderActive {
				sev = "high"
			}
		}
		out = append(out, Risk{Rule: ComplianceRiskRule, Severity: sev, Kind: "device", ID: d.DeviceID, Name: d.AssetTag,
			Detail: "fails laptop compliance: " + strings.Join(parts, "; ")})
	}
	return out
}
