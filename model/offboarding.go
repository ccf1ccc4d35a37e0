package model

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// OffboardingKind is the checklist kind (ops.ChecklistKind) of an
// offboarding: a Checklist whose subject is the leaver.
const OffboardingKind = "offboarding"

// An offboarding checklist's params: the leaver's email and status when it
// started, and the successor (id and name) who receives their services.
const (
	OffParamEmail       = "email"
	OffParamPrior       = "prior_status"
	OffParamSuccessorID = "successor_id"
	OffParamSuccessor   = "successor"
)

// Offboarding is one walk of a leaver out of everything they hold, as the
// offboarding screens, verbs and JSON show it: a view of the generic
// Checklist of kind OffboardingKind (see OffboardingFromChecklist). It is
// generated once, from what they actually hold when it starts, and then
// only its steps change state; nothing is deleted.
type Offboarding struct {
	ID            int64             `json:"id"`
	PersonID      int64             `json:"person_id"`
	PersonName    string            `json:"person_name"`
	PersonEmail   string            `json:"person_email"`
	PersonStatus  string            `json:"person_status"`
	SuccessorID   *int64            `json:"successor_id"`
	SuccessorName string            `json:"successor_name"`
	LastDay       string            `json:"last_day"`
	Status        string            `json:"status"` // open or completed
	PriorStatus   string            `json:"prior_status"`
	StartedAt     time.Time         `json:"started_at"`
	StartedBy     string            `json:"started_by"`
	CompletedAt   *time.Time        `json:"completed_at"`
	CompletedBy   string            `json:"completed_by"`
	Forced        bool              `json:"forced"`
	ForceReason   string            `json:"force_reason"`
	Progress      Progress          `json:"progress"`
	Steps         []OffboardingStep `json:"steps,omitempty"`
}

// Step kinds, in the order a checklist lists them.
const (
	StepAccount  = "account"
	StepDevice   = "device"
	StepSecret   = "secret"
	StepService  = "service"
	StepTemplate = "template"
)

// Step states. A step starts open and ends done or skipped; blocked means
// "cannot be done yet" and may still move on to done or skipped.
const (
	StateOpen    = "open"
	StateDone    = "done"
	StateSkipped = "skipped"
	StateBlocked = "blocked"
)

// StepStates are the states a step may be in.
var StepStates = []string{StateOpen, StateDone, StateSkipped, StateBlocked}

// OffboardingStep is one line of the checklist.
type OffboardingStep struct {
	ID            int64      `json:"id"`
	OffboardingID int64      `json:"offboarding_id"`
	N             int        `json:"n"`
	Kind          string     `json:"kind"`
	RefID         *int64     `json:"ref_id"`
	Title         string     `json:"title"`
	Detail        string     `json:"detail"`
	BusFactorOne  bool       `json:"bus_factor_one"`
	State         string     `json:"state"`
	Reason        string     `json:"reason"`
	Effect        string     `json:"effect"`
	By            string     `json:"by"`
	At            *time.Time `json:"at"`
	Notes         []StepNote `json:"notes"`
}

// OffboardingFromChecklist is the offboarding view of checklist c, whose
// leaver now has email and status. The last day is the checklist's due
// date, or, for one completed without a date, endDate (completion sets the
// person's end date).
func OffboardingFromChecklist(c Checklist, email, status, endDate string) Offboarding {
	o := Offboarding{ID: c.ID, PersonName: c.SubjectName, PersonEmail: email, PersonStatus: status,
		SuccessorName: c.Param(OffParamSuccessor), LastDay: c.Due, Status: c.Status, PriorStatus: c.Param(OffParamPrior),
		StartedAt: c.StartedAt, StartedBy: c.StartedBy, CompletedAt: c.CompletedAt, CompletedBy: c.CompletedBy,
		Forced: c.Forced, ForceReason: c.ForceReason, Progress: c.Progress}
	if c.SubjectID != nil {
		o.PersonID = *c.SubjectID
	}
	if id, err := strconv.ParseInt(c.Param(OffParamSuccessorID), 10, 64); err == nil && id > 0 {
		o.SuccessorID = &id
	}
	if o.LastDay == "" && c.CompletedAt != nil {
		o.LastDay = endDate
	}
	if c.Steps != nil {
		o.Steps = make([]OffboardingStep, len(c.Steps))
		for i, s := range c.Steps {
			o.Steps[i] = OffboardingStepFrom(s)
		}
	}
	return o
}

// OffboardingStepFrom is the offboarding view of a checklist step.
func OffboardingStepFrom(s ChecklistStep) OffboardingStep {
	return OffboardingStep{ID: s.ID, OffboardingID: s.ChecklistID, N: s.N, Kind: s.Kind, RefID: s.RefID, Title: s.Title,
		Detail: s.Detail, BusFactorOne: s.Warn != "", State: s.State, Reason: s.Reason, Effect: s.Effect, By: s.By, At: s.At, Notes: s.Notes}
}

// ChecklistStep is the generic step a planned offboarding step is stored
// as: ref_kind names the record (a template step's is the template), bus
// factor 1 becomes its warning, and a device step asks where the device
// goes, a service step who takes it over (successorEmail by default).
func (s OffboardingStep) ChecklistStep(successorEmail string) ChecklistStep {
	c := ChecklistStep{Kind: s.Kind, RefID: s.RefID, Title: s.Title, Detail: s.Detail, State: s.State, Effect: s.Effect}
	if s.RefID != nil {
		c.RefKind = s.Kind
		if s.Kind == StepTemplate {
			c.RefKind = "offboarding_template"
		}
	}
	if s.BusFactorOne {
		c.Warn = "bus factor 1"
	}
	switch s.Kind {
	case StepDevice:
		c.Input, c.Default = "device_status", RecoveredDeviceStatuses[0]
	case StepService:
		c.Input, c.Default = "successor", successorEmail
	}
	return c
}

// StepNote is a note or a piece of evidence (a ticket link) on a step.
type StepNote struct {
	At    time.Time `json:"at"`
	Actor string    `json:"actor"`
	Text  string    `json:"text"`
}

// Closed reports whether the step no longer stops completion.
func (s OffboardingStep) Closed() bool { return s.State == StateDone || s.State == StateSkipped }

// Progress counts steps by state, for progress bars and lists.
type Progress struct {
	Total   int `json:"total"`
	Open    int `json:"open"`
	Done    int `json:"done"`
	Skipped int `json:"skipped"`
	Blocked int `json:"blocked"`
}

// Closed is how many steps are done or skipped.
func (p Progress) Closed() int { return p.Done + p.Skipped }

// Bar renders progress as a fixed-width text bar: "[#####-----] 3/6".
func (p Progress) Bar(width int) string {
	filled := 0
	if p.Total > 0 {
		filled = p.Closed() * width / p.Total
	}
	return fmt.Sprintf("[%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat("-", width-filled), p.Closed(), p.Total)
}

// CountProgress tallies steps by state.
func CountProgress(steps []OffboardingStep) Progress {
	states := make([]string, len(steps))
	for i, s := range steps {
		states[i] = s.State
	}
	return CountStates(states)
}

// StepMark is a request to move a step to a new state. Reason is required
// for skipped and blocked; Note is appended as a note. DeviceStatus (spare,
// repair or lost; default spare) says where a recovered device goes, and
// SuccessorID overrides the offboarding's successor for a service handover.
type StepMark struct {
	State        string
	Reason       string
	Note         string
	DeviceStatus string
	SuccessorID  *int64
}

// RecoveredDeviceStatuses are where a device recovered from a leaver goes.
var RecoveredDeviceStatuses = []string{"spare", "repair", "lost"}

// Normalize sanitizes the free text of a mark.
func (m *StepMark) Normalize() {
	m.State = strings.ToLower(strings.TrimSpace(m.State))
	m.Reason = Sanitize(m.Reason)
	m.Note = SanitizeMultiline(m.Note, 4096)
	m.DeviceStatus = strings.ToLower(strings.TrimSpace(m.DeviceStatus))
	if m.DeviceStatus == "" {
		m.DeviceStatus = "spare"
	}
}

// Transition checks that a step in state from may be marked as m says:
// open or blocked steps may become done, skipped or blocked; a done or
// skipped step must be undone first. Skipping and blocking need a reason.
func (m StepMark) Transition(from string) error {
	if err := oneOf("state", m.State, StateDone, StateSkipped, StateBlocked); err != nil {
		return err
	}
	if (m.State == StateSkipped || m.State == StateBlocked) && m.Reason == "" {
		verb := map[string]string{StateSkipped: "skip", StateBlocked: "block"}[m.State]
		return Invalid("reason", "", "is required to "+verb+" a step")
	}
	if m.State == StateDone || m.State == StateSkipped {
		if err := oneOf("device_status", m.DeviceStatus, RecoveredDeviceStatuses...); err != nil {
			return err
		}
	}
	switch from {
	case StateOpen, StateBlocked:
		if from == m.State {
			return Invalid("state", m.State, "is the step's state already")
		}
		return nil
	default:
		return Invalid("state", m.State, "cannot follow "+from+"; undo the step first")
	}
}

// CanUndo checks that step n, in state from, has something to undo.
func CanUndo(n int, from string) error {
	if from == StateOpen {
		return Invalid("step", strconv.Itoa(n), "is open; there is nothing to undo")
	}
	return nil
}

// OffboardingTemplate is one company-wide step added to every checklist
// (badge, email forwarding, payroll notice...).
type OffboardingTemplate struct {
	ID       int64  `json:"id"`
	Position int    `json:"position"`
	Title    string `json:"title"`
	Detail   string `json:"detail"`
	Active   bool   `json:"active"`
}

// Normalize sanitizes the template's text.
func (o *OffboardingTemplate) Normalize() {
	o.Title = Sanitize(o.Title)
	o.Detail = Sanitize(o.Detail)
}

// Validate checks the template.
func (o *OffboardingTemplate) Validate() error { return required("title", o.Title) }

// OwnedService is a service the leaver owns, with how many active admins
// other than the leaver it has (0: the leaver is its bus factor).
type OwnedService struct {
	Service     Service
	OtherAdmins int
}

// Holdings is everything a leaver holds when their offboarding starts: the
// input of PlanOffboarding. OtherAdmins counts, per service id, the active
// admin accounts held by active people other than the leaver: 0 means
// revoking the leaver leaves the service without an admin (bus factor 1).
type Holdings struct {
	Accounts    []Account
	Devices     []Device
	Secrets     []Secret
	Services    []OwnedService
	OtherAdmins map[int64]int
	Templates   []OffboardingTemplate
	Successor   string // name, for the handover step's wording
	// Procedures: service id → how to deprovision a user there, shown in
	// the account's step.
	Procedures map[int64]Procedure
}

// RevocableAccountStatuses are the account states that still may grant
// access: active, and unverified (nobody has confirmed it is gone).
var RevocableAccountStatuses = []string{"active", "unverified"}

// PlanOffboarding turns holdings into checklist steps, numbered from 1:
// revoke each account that may still grant access (admin accounts first,
// then by service and username); recover each device; rotate each shared
// secret; hand each owned service over, flagging bus factor 1; then the
// company template steps. It is pure so that the rules are table-tested.
func PlanOffboarding(h Holdings) []OffboardingStep {
	var steps []OffboardingStep
	add := func(s OffboardingStep) {
		s.N = len(steps) + 1
		s.State = StateOpen
		steps = append(steps, s)
	}

	accts := make([]Account, 0, len(h.Accounts))
	for _, a := range h.Accounts {
		if slices.Contains(RevocableAccountStatuses, a.Status) {
			accts = append(accts, a)
		}
	}
	sort.SliceStable(accts, func(i, j int) bool {
		ai, aj := accts[i].Entitlement == "admin", accts[j].Entitlement == "admin"
		if ai != aj {
			return ai
		}
		if c := strings.Compare(strings.ToLower(accts[i].ServiceName), strings.ToLower(accts[j].ServiceName)); c != 0 {
			return c < 0
		}
		return strings.ToLower(accts[i].Username) < strings.ToLower(accts[j].Username)
	})
	for _, a := range accts {
		s := OffboardingStep{Kind: StepAccount, RefID: idRef(a.ID),
			Title:  fmt.Sprintf("Revoke %s %s account %s", a.ServiceName, a.Entitlement, a.Username),
			Detail: fmt.Sprintf("service %s, username %s, entitlement %s, status %s", a.ServiceName, a.Username, a.Entitlement, a.Status)}
		if a.Entitlement == "admin" && a.Status == "active" && h.OtherAdmins[a.ServiceID] == 0 {
			s.BusFactorOne = true
			s.Detail += "; bus factor 1: the only admin, grant another admin before revoking"
		}
		if pr, ok := h.Procedures[a.ServiceID]; ok {
			how := pr.HowTo(ProcedureVars{Username: a.Username, Email: a.PersonEmail, Name: a.PersonName, Entitlement: a.Entitlement})
			if pr.Link != "" {
				how = strings.TrimPrefix(how+" · "+pr.Link, " · ")
			}
			s.Detail += "; how: " + how
		}
		add(s)
	}

	devs := append([]Device(nil), h.Devices...)
	sort.SliceStable(devs, func(i, j int) bool { return strings.ToLower(devs[i].AssetTag) < strings.ToLower(devs[j].AssetTag) })
	for _, d := range devs {
		add(OffboardingStep{Kind: StepDevice, RefID: idRef(d.ID),
			Title:  fmt.Sprintf("Recover %s %s (%s)", d.Kind, d.AssetTag, d.Name),
			Detail: fmt.Sprintf("asset tag %s, serial %s, model %s, location %s", d.AssetTag, orNone(d.Serial), orNone(d.Model), orNone(d.Location))})
	}

	secs := append([]Secret(nil), h.Secrets...)
	sort.SliceStable(secs, func(i, j int) bool { return strings.ToLower(secs[i].Name) < strings.ToLower(secs[j].Name) })
	for _, sc := range secs {
		detail := "kept in " + orNone(sc.Location)
		if sc.ServiceName != "" {
			detail += ", for " + sc.ServiceName
		}
		if others := len(sc.Holders) - 1; others > 0 {
			detail += fmt.Sprintf(", %d other holder(s) need the new value", others)
		}
		add(OffboardingStep{Kind: StepSecret, RefID: idRef(sc.ID), Title: "Rotate " + sc.Name, Detail: detail})
	}

	svcs := append([]OwnedService(nil), h.Services...)
	sort.SliceStable(svcs, func(i, j int) bool {
		if (svcs[i].OtherAdmins == 0) != (svcs[j].OtherAdmins == 0) {
			return svcs[i].OtherAdmins == 0
		}
		return strings.ToLower(svcs[i].Service.Name) < strings.ToLower(svcs[j].Service.Name)
	})
	for _, o := range svcs {
		to := "the successor"
		if h.Successor != "" {
			to = h.Successor
		}
		s := OffboardingStep{Kind: StepService, RefID: idRef(o.Service.ID),
			Title:  fmt.Sprintf("Hand over %s to %s", o.Service.Name, to),
			Detail: fmt.Sprintf("owner of %s (%s, %s criticality)", o.Service.Name, o.Service.Kind, o.Service.Criticality)}
		if o.OtherAdmins == 0 {
			s.BusFactorOne = true
			s.Detail += "; bus factor 1: no other admin"
		}
		add(s)
	}

	tmpl := append([]OffboardingTemplate(nil), h.Templates...)
	sort.SliceStable(tmpl, func(i, j int) bool { return tmpl[i].Position < tmpl[j].Position })
	for _, t := range tmpl {
		if t.Active {
			add(OffboardingStep{Kind: StepTemplate, RefID: idRef(t.ID), Title: t.Title, Detail: t.Detail})
		}
	}
	return steps
}

func idRef(v int64) *int64 { return &v }

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
