package model

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Checklist is one generic walk through steps (an onboarding, an access
// review, a monthly review). Its kind decides how the steps are generated
// and what marking one done changes (ops.ChecklistKind); the checklist
// itself only records states, who and when, notes and the outcome. It is
// generated once and then only its steps change; nothing is deleted.
//
// Offboarding is one of its kinds too (model.OffboardingKind; the
// Offboarding type is its view for the offboarding verbs and screens).
type Checklist struct {
	ID          int64  `json:"id"`
	Kind        string `json:"kind"`
	Title       string `json:"title"`
	SubjectKind string `json:"subject_kind"` // person, service, month...: what it is about
	SubjectID   *int64 `json:"subject_id"`
	SubjectName string `json:"subject_name"`
	// Params are the kind's start inputs (profile, start date...), kept so
	// hooks and the report can read them back.
	Params      map[string]string `json:"params"`
	Due         string            `json:"due"` // date, "" for none
	Status      string            `json:"status"`
	StartedAt   time.Time         `json:"started_at"`
	StartedBy   string            `json:"started_by"`
	CompletedAt *time.Time        `json:"completed_at"`
	CompletedBy string            `json:"completed_by"`
	Forced      bool              `json:"forced"`
	ForceReason string            `json:"force_reason"`
	Summary     string            `json:"summary"` // what the completion hook did
	Progress    Progress          `json:"progress"`
	Steps       []ChecklistStep   `json:"steps,omitempty"`
}

// Checklist statuses.
const (
	ChecklistOpen      = "open"
	ChecklistCompleted = "completed"
)

// Param is one of the checklist's start inputs ("" when absent).
func (c Checklist) Param(name string) string { return c.Params[name] }

// ChecklistStep is one line of a generic checklist. RefKind/RefID link it
// to a record (a service, a device, an account); Input names the value
// marking it done asks for (a username, an asset tag) with Default as the
// answer that needs no typing, and Value keeps what was given.
type ChecklistStep struct {
	ID          int64      `json:"id"`
	ChecklistID int64      `json:"checklist_id"`
	N           int        `json:"n"`
	Kind        string     `json:"kind"`
	RefKind     string     `json:"ref_kind"`
	RefID       *int64     `json:"ref_id"`
	Title       string     `json:"title"`
	Detail      string     `json:"detail"`
	Procedure   string     `json:"procedure"` // how to do it, shown with the step
	Link        string     `json:"link"`      // a runbook or ticket link
	Warn        string     `json:"warn"`      // a flag worth attention ("bus factor 1"), "" for none
	Input       string     `json:"input"`
	Default     string     `json:"default"`
	Value       string     `json:"value"`
	Due         string     `json:"due"`
	State       string     `json:"state"`
	Reason      string     `json:"reason"`
	Effect      string     `json:"effect"`
	By          string     `json:"by"`
	At          *time.Time `json:"at"`
	Notes       []StepNote `json:"notes"`
}

// Closed reports whether the step no longer stops completion.
func (s ChecklistStep) Closed() bool { return s.State == StateDone || s.State == StateSkipped }

// Normalize sanitizes a generated step's text and numbers nothing: the
// store numbers steps in the order the kind's generator returns them.
func (s *ChecklistStep) Normalize() {
	s.Kind = strings.ToLower(strings.TrimSpace(s.Kind))
	s.Title = Sanitize(s.Title)
	s.Detail = SanitizeN(s.Detail, 1024)
	s.Procedure = SanitizeMultiline(s.Procedure, 4096)
	s.Link = Sanitize(s.Link)
	s.Warn = Sanitize(s.Warn)
	s.Input = Sanitize(s.Input)
	s.Default = Sanitize(s.Default)
}

// Validate checks a generated step.
func (s *ChecklistStep) Validate() error {
	if err := required("kind", s.Kind); err != nil {
		return err
	}
	if err := required("title", s.Title); err != nil {
		return err
	}
	if s.Due != "" {
		if _, err := ParseDate("due", s.Due); err != nil {
			return err
		}
	}
	return nil
}

// CountChecklist tallies a checklist's steps by state.
func CountChecklist(steps []ChecklistStep) Progress {
	states := make([]string, len(steps))
	for i, s := range steps {
		states[i] = s.State
	}
	return CountStates(states)
}

// CountStates tallies step states; offboarding and checklists share it.
func CountStates(states []string) Progress {
	p := Progress{Total: len(states)}
	for _, s := range states {
		switch s {
		case StateOpen:
			p.Open++
		case StateDone:
			p.Done++
		case StateSkipped:
			p.Skipped++
		case StateBlocked:
			p.Blocked++
		}
	}
	return p
}

// FirstUnfinished is the first step still open or blocked.
func FirstUnfinished[S interface{ Closed() bool }](steps []S) (S, bool) {
	for _, s := range steps {
		if !s.Closed() {
			return s, true
		}
	}
	var none S
	return none, false
}

// ChecklistMark is a request to move a checklist step: the state (done,
// skipped or blocked), a reason (required to skip or block), a note, and
// Value, the answer to the step's Input ("" takes its Default).
type ChecklistMark struct {
	State  string
	Reason string
	Note   string
	Value  string
}

// Normalize sanitizes the mark's free text.
func (m *ChecklistMark) Normalize() {
	m.State = strings.ToLower(strings.TrimSpace(m.State))
	m.Reason = Sanitize(m.Reason)
	m.Note = SanitizeMultiline(m.Note, 4096)
	m.Value = Sanitize(m.Value)
}

// Transition checks the mark against the step's current state with the
// offboarding's rules (one set of rules for every checklist).
func (m ChecklistMark) Transition(from string) error {
	return StepMark{State: m.State, Reason: m.Reason, DeviceStatus: RecoveredDeviceStatuses[0]}.Transition(from)
}

// ReportSection is a kind's own part of a checklist report ("Accounts
// created", "Decisions"): a title and lines.
type ReportSection struct {
	Title string   `json:"title"`
	Lines []string `json:"lines"`
}

// ChecklistReport is the record of one checklist: the checklist as it
// stands, the kind's sections and the trail of who did what when.
type ChecklistReport struct {
	Checklist Checklist       `json:"checklist"`
	Sections  []ReportSection `json:"sections"`
	Trail     []TrailEntry    `json:"trail"`
}

// BuildChecklistReport turns a checklist and its audit rows (entity
// checklist or checklist_step, oldest first) into a report.
func BuildChecklistReport(c Checklist, sections []ReportSection, audit []AuditEntry) ChecklistReport {
	r := ChecklistReport{Checklist: c, Sections: sections, Trail: []TrailEntry{}}
	if r.Sections == nil {
		r.Sections = []ReportSection{}
	}
	steps := map[int64]ChecklistStep{}
	for _, s := range c.Steps {
		steps[s.ID] = s
	}
	for _, e := range audit {
		te := TrailEntry{At: e.At, Actor: e.Actor, Action: e.Action}
		switch e.Entity {
		case "checklist":
			te.Summary = describeChecklist(e.Action, c)
		case "checklist_step":
			s := steps[e.EntityID]
			te.Step = s.N
			te.Summary = fmt.Sprintf("step %d %s: %s", s.N, e.Action, s.Title)
		default:
			continue
		}
		r.Trail = append(r.Trail, te)
	}
	return r
}

func describeChecklist(action string, c Checklist) string {
	switch action {
	case "start":
		return fmt.Sprintf("started %s with %d steps", c.Title, len(c.Steps))
	case "complete":
		s := "completed " + c.Title
		if c.Forced {
			s += "; FORCED: " + c.ForceReason
		}
		if c.Summary != "" {
			s += "; " + c.Summary
		}
		return s
	}
	return action + " " + c.Title
}

// Markdown renders the report for people: the header, progress, every
// step as it ended (with its value, effect or reason and notes), the
// kind's sections and the trail.
func (r ChecklistReport) Markdown() string {
	c := r.Checklist
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", c.Title)
	fmt.Fprintf(&b, "- kind: %s\n- status: %s %s\n- started: %s by %s\n", c.Kind, c.Status, c.Progress.Bar(20),
		c.StartedAt.UTC().Format(time.RFC3339), c.StartedBy)
	if c.CompletedAt != nil {
		fmt.Fprintf(&b, "- completed: %s by %s\n", c.CompletedAt.UTC().Format(time.RFC3339), c.CompletedBy)
	}
	if c.Forced {
		fmt.Fprintf(&b, "- forced: %s\n", c.ForceReason)
	}
	if c.Summary != "" {
		fmt.Fprintf(&b, "- outcome: %s\n", c.Summary)
	}
	b.WriteString("\n## Steps\n\n| # | state | step | by | at | outcome |\n|---|---|---|---|---|---|\n")
	for _, s := range c.Steps {
		at := ""
		if s.At != nil && s.State != StateOpen {
			at = s.At.UTC().Format("2006-01-02 15:04")
		}
		out := s.Effect
		if s.Reason != "" {
			out = s.Reason
		}
		if n := len(s.Notes); n > 0 {
			out = strings.TrimSpace(out + " (note: " + s.Notes[n-1].Text + ")")
		}
		by := s.By
		if s.State == StateOpen {
			by = ""
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s |\n", s.N, s.State, mdCell(s.Title), mdCell(by), at, mdCell(out))
	}
	for _, sec := range r.Sections {
		fmt.Fprintf(&b, "\n## %s\n\n", sec.Title)
		if len(sec.Lines) == 0 {
			b.WriteString("none\n")
		}
		for _, l := range sec.Lines {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	b.WriteString("\n## Trail\n\n")
	for _, t := range r.Trail {
		fmt.Fprintf(&b, "- %s %s: %s\n", t.At.UTC().Format("2006-01-02 15:04"), t.Actor, t.Summary)
	}
	return b.String()
}

func mdCell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", "\\|"), "\n", " ")
}

// WorkGapCap is the longest pause between two of a person's actions on a
// checklist that still counts as working on it (the heartbeat rule of time
// trackers such as WakaTime): a longer pause counts as this much.
const WorkGapCap = 15 * time.Minute

// ChecklistWork is the time actor spent on c, from the moments they acted
// on it: its start (if theirs), every step they marked, and now (the
// completion). Each gap between consecutive moments counts up to gapCap.
// It returns when the work began and its length in whole minutes; with no
// moment of theirs before now, the work is none and begins now.
func ChecklistWork(c Checklist, actor string, now time.Time, gapCap time.Duration) (time.Time, int64) {
	var at []time.Time
	if c.StartedBy == actor && !c.StartedAt.IsZero() {
		at = append(at, c.StartedAt)
	}
	for _, s := range c.Steps {
		if s.By == actor && s.At != nil {
			at = append(at, *s.At)
		}
	}
	at = append(at, now)
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	var d time.Duration
	for i := 1; i < len(at); i++ {
		d += min(at[i].Sub(at[i-1]), gapCap)
	}
	return at[0], int64(d / time.Minute)
}
