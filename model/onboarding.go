package model

import (
	"bytes"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"text/template"
	"time"
)

// RoleProfile is what a new hire in a role gets: accounts on services with
// an entitlement, a device kind built to a toolchain, and template steps
// (badge, welcome, on-call shadowing). A profile may extend another: it
// gets the parent's services, tools and steps, its own winning.
type RoleProfile struct {
	ID          int64             `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Extends     string            `json:"extends"` // the parent's name, "" for none
	ExtendsID   *int64            `json:"extends_id"`
	DeviceKind  string            `json:"device_kind"`
	Tools       map[string]string `json:"tools"` // tool → version range; empty: the company baseline
	Services    []ProfileService  `json:"services"`
	Steps       []ProfileStep     `json:"steps"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// ProfileService is one account a profile's hires get.
type ProfileService struct {
	ServiceID   int64  `json:"service_id"`
	ServiceName string `json:"service"`
	Entitlement string `json:"entitlement"`
}

// ProfileStep is a template step of a profile.
type ProfileStep struct {
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

// Normalize sanitizes the profile's text.
func (p *RoleProfile) Normalize() {
	p.Name = strings.ToLower(strings.TrimSpace(Sanitize(p.Name)))
	p.Description = Sanitize(p.Description)
	p.Extends = strings.ToLower(strings.TrimSpace(Sanitize(p.Extends)))
	p.DeviceKind = strings.ToLower(strings.TrimSpace(p.DeviceKind))
	tools := map[string]string{}
	for k, v := range p.Tools {
		b := Baseline{Name: k, Constraint: v}
		b.Normalize()
		tools[b.Name] = b.Constraint
	}
	p.Tools = tools
	for i := range p.Services {
		p.Services[i].Entitlement = strings.ToLower(strings.TrimSpace(p.Services[i].Entitlement))
		if p.Services[i].Entitlement == "" {
			p.Services[i].Entitlement = "member"
		}
	}
	for i := range p.Steps {
		p.Steps[i].Title = Sanitize(p.Steps[i].Title)
		p.Steps[i].Detail = Sanitize(p.Steps[i].Detail)
	}
	if p.Services == nil {
		p.Services = []ProfileService{}
	}
	if p.Steps == nil {
		p.Steps = []ProfileStep{}
	}
}

// Validate checks the profile: a name without spaces, a known device kind,
// entitlements and version ranges that parse, titled steps.
func (p *RoleProfile) Validate() error {
	if err := required("name", p.Name); err != nil {
		return err
	}
	if strings.ContainsAny(p.Name, " \t") {
		return Invalid("name", p.Name, "must be one word (e.g. developer, sre)")
	}
	if p.Extends == p.Name {
		return Invalid("extends", p.Extends, "is the profile itself")
	}
	if p.DeviceKind != "" {
		if err := oneOf("device_kind", p.DeviceKind, DeviceKinds...); err != nil {
			return err
		}
	}
	for tool, c := range p.Tools {
		b := Baseline{Name: tool, Constraint: c}
		if err := b.Validate(); err != nil {
			return Invalid("tool", tool+"="+c, strings.TrimPrefix(err.Error(), "constraint: "))
		}
	}
	seen := map[int64]bool{}
	for _, s := range p.Services {
		if err := oneOf("entitlement", s.Entitlement, Entitlements...); err != nil {
			return err
		}
		if seen[s.ServiceID] {
			return Invalid("service", s.ServiceName, "is listed twice")
		}
		seen[s.ServiceID] = true
	}
	for _, s := range p.Steps {
		if s.Title == "" {
			return Invalid("step", s.Detail, "needs a title")
		}
	}
	return nil
}

// Effective merges a profile chain, root ancestor first and the profile
// itself last: services and tools by name (the later wins), steps in
// order without repeating a title, device kind from the nearest profile
// that sets one.
func Effective(chain []RoleProfile) RoleProfile {
	if len(chain) == 0 {
		return RoleProfile{}
	}
	out := chain[len(chain)-1]
	out.Tools, out.Services, out.Steps = map[string]string{}, []ProfileService{}, []ProfileStep{}
	idx := map[int64]int{}
	titles := map[string]bool{}
	for _, p := range chain {
		if p.DeviceKind != "" {
			out.DeviceKind = p.DeviceKind
		}
		for k, v := range p.Tools {
			out.Tools[k] = v
		}
		for _, s := range p.Services {
			if i, ok := idx[s.ServiceID]; ok {
				out.Services[i] = s
				continue
			}
			idx[s.ServiceID] = len(out.Services)
			out.Services = append(out.Services, s)
		}
		for _, s := range p.Steps {
			if !titles[strings.ToLower(s.Title)] {
				titles[strings.ToLower(s.Title)] = true
				out.Steps = append(out.Steps, s)
			}
		}
	}
	return out
}

// Procedure directions.
const (
	Provision   = "provision"
	Deprovision = "deprovision"
)

// Procedure is how to give a user access to a service, or take it away:
// text and/or a runbook link, plus an optional command template with
// {{.Username}}, {{.Email}}, {{.Name}} and {{.Entitlement}}.
type Procedure struct {
	ServiceID   int64     `json:"service_id"`
	ServiceName string    `json:"service"`
	Direction   string    `json:"direction"`
	Text        string    `json:"text"`
	Link        string    `json:"link"`
	Command     string    `json:"command"`
	UpdatedAt   time.Time `json:"updated_at"`
	UpdatedBy   string    `json:"updated_by"`
}

// Normalize sanitizes the procedure's text.
func (p *Procedure) Normalize() {
	p.Direction = strings.ToLower(strings.TrimSpace(p.Direction))
	p.Text = SanitizeMultiline(p.Text, 4096)
	p.Link = Sanitize(p.Link)
	p.Command = Sanitize(p.Command)
}

// Validate checks the direction, that something is written, and that the
// command template parses.
func (p *Procedure) Validate() error {
	if err := oneOf("direction", p.Direction, Provision, Deprovision); err != nil {
		return err
	}
	if p.Text == "" && p.Link == "" && p.Command == "" {
		return Invalid("procedure", "", "needs --text, --link or --command")
	}
	if p.Command != "" {
		if _, err := template.New("cmd").Option("missingkey=error").Parse(p.Command); err != nil {
			return Invalid("command", p.Command, "is not a template: "+err.Error())
		}
		if _, err := p.Render(ProcedureVars{}); err != nil {
			return Invalid("command", p.Command, "uses an unknown field (use {{.Username}}, {{.Email}}, {{.Name}}, {{.Entitlement}})")
		}
	}
	return nil
}

// ProcedureVars fill a command template.
type ProcedureVars struct{ Username, Email, Name, Entitlement string }

// Render fills the command template ("" when there is none).
func (p Procedure) Render(v ProcedureVars) (string, error) {
	if p.Command == "" {
		return "", nil
	}
	t, err := template.New("cmd").Option("missingkey=error").Parse(p.Command)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		return "", err
	}
	return b.String(), nil
}

// HowTo is the procedure in one text: its words and, filled in, its
// command ("" when nothing is written).
func (p Procedure) HowTo(v ProcedureVars) string {
	var parts []string
	if p.Text != "" {
		parts = append(parts, p.Text)
	}
	if cmd, err := p.Render(v); err == nil && cmd != "" {
		parts = append(parts, "run: "+cmd)
	}
	return strings.Join(parts, " · ")
}

// Onboarding step kinds.
const (
	OnbAccount  = "account"
	OnbLaptop   = "laptop"
	OnbBuild    = "build"
	OnbTemplate = "template"
)

// OnboardingPlan is what PlanOnboarding needs: the hire, the effective
// profile, each service's provisioning procedure, the laptop named at
// start (nil: choose one when assigning) and the baseline the build is
// checked against.
type OnboardingPlan struct {
	Hire       Person
	Profile    RoleProfile
	Procedures map[int64]Procedure // service id → provision procedure
	Services   map[int64]Service
	Laptop     *Device
	Baseline   []Baseline
}

// DefaultUsername is a hire's suggested login: the email's local part.
func DefaultUsername(email string) string {
	local, _, _ := strings.Cut(email, "@")
	return strings.ToLower(local)
}

// PlanOnboarding turns a profile into checklist steps: create each
// account (asking for the username, suggesting the email's local part, with
// the service's provisioning procedure), assign and build the device when
// the profile names a kind, then the profile's template steps.
func PlanOnboarding(p OnboardingPlan) []ChecklistStep {
	var steps []ChecklistStep
	user := DefaultUsername(p.Hire.Email)
	svcs := append([]ProfileService(nil), p.Profile.Services...)
	sort.SliceStable(svcs, func(i, j int) bool {
		return strings.ToLower(svcs[i].ServiceName) < strings.ToLower(svcs[j].ServiceName)
	})
	for _, s := range svcs {
		sv := p.Services[s.ServiceID]
		st := ChecklistStep{Kind: OnbAccount, RefKind: "service", RefID: idRef(s.ServiceID),
			Title:  fmt.Sprintf("Create %s %s account", s.ServiceName, s.Entitlement),
			Detail: fmt.Sprintf("service %s (%s criticality), entitlement %s; done records the account", s.ServiceName, orNone(sv.Criticality), s.Entitlement),
			Input:  "username", Default: user}
		if pr, ok := p.Procedures[s.ServiceID]; ok {
			st.Procedure = pr.HowTo(ProcedureVars{Username: user, Email: p.Hire.Email, Name: p.Hire.Name, Entitlement: s.Entitlement})
			st.Link = pr.Link
		} else {
			st.Warn = "no provisioning procedure"
		}
		if st.Link == "" {
			st.Link = sv.RunbookURL
		}
		steps = append(steps, st)
	}
	if p.Profile.DeviceKind != "" {
		assign := ChecklistStep{Kind: OnbLaptop, Title: "Assign a " + p.Profile.DeviceKind,
			Detail: fmt.Sprintf("a spare %s becomes %s's (in use); done asks for its asset tag", p.Profile.DeviceKind, p.Hire.Name),
			Input:  "asset tag"}
		if p.Laptop != nil {
			assign.Title = fmt.Sprintf("Assign %s %s (%s)", p.Profile.DeviceKind, p.Laptop.AssetTag, p.Laptop.Name)
			assign.RefKind, assign.RefID, assign.Default = "device", idRef(p.Laptop.ID), p.Laptop.AssetTag
		}
		steps = append(steps, assign)
		var tools []string
		for _, b := range p.Baseline {
			tools = append(tools, b.Name+" "+b.Constraint)
		}
		build := ChecklistStep{Kind: OnbBuild, Title: fmt.Sprintf("Build the %s to the baseline", p.Profile.DeviceKind),
			Detail: "passes when the device reports no drift and passes compliance where known; baseline: " + orNone(strings.Join(tools, ", "))}
		if p.Laptop != nil {
			build.RefKind, build.RefID = "device", idRef(p.Laptop.ID)
		}
		steps = append(steps, build)
	}
	for _, t := range p.Profile.Steps {
		steps = append(steps, ChecklistStep{Kind: OnbTemplate, Title: t.Title, Detail: t.Detail})
	}
	return steps
}

// BuildVerdict says whether a device is built to the baseline: every
// baseline tool it reports is in range (a tool it does not report is
// missing), and its disk is not known to be unencrypted. A device that
// never reported software has unknown drift, which does not hold it back.
func BuildVerdict(d Device, baseline []Baseline, tools []SWObservation, now time.Time) (ok bool, why string) {
	var bad []string
	if d.DiskEncrypted != nil && !*d.DiskEncrypted {
		bad = append(bad, "disk not encrypted")
	}
	known := len(tools) > 0
	if known && len(baseline) > 0 {
		for _, r := range Drift(baseline, []DeviceSoftware{{DeviceID: d.ID, AssetTag: d.AssetTag, Tools: tools}}, now) {
			switch r.Status {
			case DriftOK:
			case DriftAhead:
				bad = append(bad, fmt.Sprintf("%s %s is newer than the baseline %s", r.Tool, r.Version, r.Constraint))
			case DriftOutdated:
				bad = append(bad, fmt.Sprintf("%s %s is older than the baseline %s", r.Tool, r.Version, r.Constraint))
			case DriftMissing:
				bad = append(bad, fmt.Sprintf("%s is missing (baseline %s)", r.Tool, r.Constraint))
			default:
				bad = append(bad, fmt.Sprintf("%s %q cannot be compared with %s", r.Tool, r.Version, r.Constraint))
			}
		}
	}
	if len(bad) > 0 {
		return false, strings.Join(bad, "; ")
	}
	if !known {
		return true, "no software report yet: drift unknown"
	}
	return true, "no drift from the baseline"
}

// Hire is one row of a batch onboarding: who, in which profile, from when.
type Hire struct {
	Row     int    `json:"row"`
	Email   string `json:"email"`
	Name    string `json:"name"`
	Profile string `json:"profile"`
	Start   string `json:"start"`
	Laptop  string `json:"laptop"`
	Manager string `json:"manager"`
}

// Normalize sanitizes the row's cells.
func (h *Hire) Normalize() {
	h.Email = strings.ToLower(strings.TrimSpace(Sanitize(h.Email)))
	h.Name = Sanitize(h.Name)
	h.Profile = strings.ToLower(strings.TrimSpace(Sanitize(h.Profile)))
	h.Start = strings.TrimSpace(h.Start)
	h.Laptop = strings.TrimSpace(Sanitize(h.Laptop))
	h.Manager = strings.TrimSpace(Sanitize(h.Manager))
}

// Validate checks what can be checked without the database.
func (h *Hire) Validate() error {
	if _, err := mail.ParseAddress(h.Email); err != nil || !strings.Contains(h.Email, "@") {
		return Invalid("email", h.Email, "is not an email address")
	}
	if err := required("profile", h.Profile); err != nil {
		return err
	}
	if err := required("start", h.Start); err != nil {
		return err
	}
	_, err := ParseDate("start", h.Start)
	return err
}

// NameFromEmail guesses a display name from an email's local part:
// "kim.lee@x" → "Kim Lee".
func NameFromEmail(email string) string {
	local, _, _ := strings.Cut(email, "@")
	f := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
	for i, w := range f {
		f[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(f, " ")
}

// Risk rules of onboarding.
const (
	RuleNoDeprovision  = "no_deprovision_procedure"
	RuleOnboardingOpen = "onboarding_open_on_start"
)

// OnboardingRiskInputs are what the onboarding rules look at.
type OnboardingRiskInputs struct {
	// Deprovision: services with a deprovisioning procedure.
	Deprovision map[int64]bool
	// Open: open onboardings with the hire's start date.
	Open []OpenOnboarding
}

// OpenOnboarding is an open onboarding for the risk rule.
type OpenOnboarding struct {
	ChecklistID int64
	PersonID    int64
	Name        string
	Start       string
	Progress    Progress
}

// OnboardingRisks: a critical service nobody wrote down how to remove a
// user from (the first offboarding then takes hours), and an onboarding
// still open on or after the hire's first day.
func OnboardingRisks(services []Service, in OnboardingRiskInputs, now time.Time) []Risk {
	var out []Risk
	if in.Deprovision != nil {
		for _, sv := range services {
			if sv.Status == "active" && sv.Criticality == "critical" && !in.Deprovision[sv.ID] {
				out = append(out, Risk{Rule: RuleNoDeprovision, Severity: "high", Kind: "service", ID: sv.ID, Name: sv.Name,
					Detail: "critical service without a deprovisioning procedure: nobody wrote down how to remove a user"})
			}
		}
	}
	today := now.Local().Format(DateLayout)
	for _, o := range in.Open {
		if o.Start != "" && o.Start <= today {
			out = append(out, Risk{Rule: RuleOnboardingOpen, Severity: "medium", Kind: "person", ID: o.PersonID, Name: o.Name,
				Detail: fmt.Sprintf("onboarding still open on or after the start date %s (%d/%d steps closed)", o.Start, o.Progress.Closed(), o.Progress.Total)})
		}
	}
	return out
}
