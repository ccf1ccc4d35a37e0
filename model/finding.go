package model

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// A Finding is one item of a security audit's report (or of a monthly
// review) that someone owns until it is fixed and verified, or its risk
// is accepted for a while. Findings are never deleted: their history is
// the audit log and their notes.
type Finding struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
	// Source says where it came from ("Acme Security audit 2027-03",
	// "monthly review 2026-12").
	Source    string `json:"source"`
	OwnerID   *int64 `json:"owner_id"`
	OwnerName string `json:"owner_name"`
	// Due is YYYY-MM-DD; empty on a new finding means "from severity"
	// (DefaultDue).
	Due   string `json:"due"`
	State string `json:"state"`
	// AcceptReason and AcceptExpires hold while State is accepted_risk:
	// why the risk is carried and until when (then it is due again).
	AcceptReason  string         `json:"accept_reason"`
	AcceptExpires string         `json:"accept_expires"`
	Notes         string         `json:"notes"`
	Links         []FindingLink  `json:"affects"`
	Log           []FindingEntry `json:"log"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
}

// FindingLink is a record a finding affects: a link, not text, so the
// finding shows on that record's page and follows its renames.
type FindingLink struct {
	Kind string `json:"kind"` // service, device, person, account
	ID   int64  `json:"id"`
	Name string `json:"name"` // joined for display
}

// FindingEntry is a note or an evidence link appended to a finding.
type FindingEntry struct {
	ID    int64     `json:"id"`
	At    time.Time `json:"at"`
	Actor string    `json:"actor"`
	Kind  string    `json:"kind"` // note, evidence
	Text  string    `json:"text"`
}

// Finding severities, most severe first, and finding states.
var (
	FindingSeverities = []string{"critical", "high", "medium", "low", "info"}
	FindingStates     = []string{"open", "in_progress", "resolved", "accepted_risk", "closed"}
	FindingLinkKinds  = []string{"service", "device", "person", "account"}
)

// FindingStateOpen ... are the states a finding moves through.
const (
	FindingOpen       = "open"
	FindingInProgress = "in_progress"
	FindingResolved   = "resolved"
	FindingAccepted   = "accepted_risk"
	FindingClosed     = "closed"
)

// severityDays is how long each severity gives to fix a finding.
var severityDays = map[string]int{"critical": 7, "high": 30, "medium": 90, "low": 180, "info": 180}

// DefaultDue is the due date a finding of severity gets when created on
// day now: 7, 30, 90 or 180 days.
func DefaultDue(severity string, now time.Time) string {
	d, ok := severityDays[severity]
	if !ok {
		d = severityDays["medium"]
	}
	return now.AddDate(0, 0, d).Format(time.DateOnly)
}

// FindingFields is a finding's definition: add/edit flags, the console's
// form, import columns, export and list columns come from it. State,
// acceptance and links change through their own verbs (close, accept,
// --affects), so they are not plain flags.
var FindingFields = Fields[Finding]{
	Text("title", "what was found", func(f *Finding) *string { return &f.Title }).Must().Listed().Alias("finding", "name", "summary", "issue").Eg("Shared AWS root credentials"),
	Enum("severity", FindingSeverities, func(f *Finding) *string { return &f.Severity }).Listed().Alias("risk", "rating", "priority", "level").Convert(convSeverity),
	Text("source", "where it came from, e.g. 'Acme Security audit 2027-03'", func(f *Finding) *string { return &f.Source }).Listed().Alias("report", "audit"),
	RefOpt("owner", "person", "who fixes it (alerts go to them when overdue)", func(f *Finding) **int64 { return &f.OwnerID }).Listed().Alias("owner_email", "assignee", "assigned_to"),
	Date("due", "fix by (default from severity: critical 7d, high 30d, medium 90d, low and info 180d)", func(f *Finding) *string { return &f.Due }).Listed().Alias("due_date", "deadline"),
	Enum("state", FindingStates, func(f *Finding) *string { return &f.State }).Listed().Alias("status").Convert(enumConv(FindingStates, map[string]string{
		"in progress": FindingInProgress, "in-progress": FindingInProgress, "accepted": FindingAccepted, "accepted risk": FindingAccepted,
		"fixed": FindingResolved, "done": FindingClosed, "new": FindingOpen})).NotAFlag(),
	Text("accept_reason", "why the risk is accepted", func(f *Finding) *string { return &f.AcceptReason }).NotAFlag().NotInForm(),
	Date("accept_expires", "until when the risk is accepted", func(f *Finding) *string { return &f.AcceptExpires }).NotAFlag().NotInForm(),
	Text("notes", "free text", func(f *Finding) *string { return &f.Notes }).Alias("note", "description", "details", "recommendation"),
}

func convSeverity(v string) (string, string) {
	s := strings.ToLower(strings.TrimSpace(v))
	switch s {
	case "crit":
		s = "critical"
	case "med", "moderate":
		s = "medium"
	case "informational", "information", "none":
		s = "info"
	}
	if err := oneOf("severity", s, FindingSeverities...); err != nil {
		return v, "is not one of " + strings.Join(FindingSeverities, ", ")
	}
	return s, ""
}

// Normalize sanitizes text where it enters and fills defaults.
func (f *Finding) Normalize() {
	f.Title = Sanitize(f.Title)
	f.Source = Sanitize(f.Source)
	f.Severity = strings.ToLower(strings.TrimSpace(f.Severity))
	f.State = strings.ToLower(strings.TrimSpace(f.State))
	f.AcceptReason = Sanitize(f.AcceptReason)
	f.Notes = SanitizeMultiline(f.Notes, MaxText)
	if f.Severity == "" {
		f.Severity = "medium"
	}
	if f.State == "" {
		f.State = FindingOpen
	}
	if f.State != FindingAccepted {
		f.AcceptReason, f.AcceptExpires = "", ""
	}
}

// Validate names the first bad field.
func (f *Finding) Validate() error {
	return firstErr(
		required("title", f.Title),
		oneOf("severity", f.Severity, FindingSeverities...),
		oneOf("state", f.State, FindingStates...),
		f.validateAccept(),
	)
}

func (f *Finding) validateAccept() error {
	if f.State != FindingAccepted {
		return nil
	}
	if f.AcceptReason == "" {
		return Invalid("reason", "", "is required to accept a risk (say why it is carried)")
	}
	if f.AcceptExpires == "" {
		return Invalid("expires", "", "is required to accept a risk (until when; then it is due again)")
	}
	return nil
}

// CheckFindingMove refuses state changes the workflow does not allow:
// a finding is closed only after it was resolved (the fix verified), and
// a closed finding stays closed (open a new one).
func CheckFindingMove(before, after *Finding, now time.Time) error {
	if before == nil || before.State == after.State {
		if after.State == FindingAccepted && before != nil && before.AcceptExpires != after.AcceptExpires {
			return acceptExpiry(after, now)
		}
		if before == nil && after.State == FindingAccepted {
			return acceptExpiry(after, now)
		}
		return nil
	}
	switch {
	case before.State == FindingClosed:
		return Invalid("state", after.State, "the finding is closed; open a new finding instead")
	case after.State == FindingClosed && before.State != FindingResolved:
		return Invalid("state", after.State, "a finding is closed after its fix is verified: mark it resolved first (now "+before.State+")")
	case after.State == FindingAccepted:
		return acceptExpiry(after, now)
	}
	return nil
}

func acceptExpiry(f *Finding, now time.Time) error {
	if f.AcceptReason == "" {
		return Invalid("reason", "", "is required to accept a risk (say why it is carried)")
	}
	if f.AcceptExpires == "" {
		return Invalid("expires", "", "is required to accept a risk (until when; then it is due again)")
	}
	exp, err := time.ParseInLocation(time.DateOnly, f.AcceptExpires, now.Location())
	if err != nil {
		return Invalid("expires", f.AcceptExpires, "is not a date (YYYY-MM-DD)")
	}
	if !exp.After(now) {
		return Invalid("expires", f.AcceptExpires, "is not in the future")
	}
	return nil
}

// Active reports a finding someone still has to act on: not closed or
// resolved, and not an accepted risk whose acceptance still runs.
func (f *Finding) Active(now time.Time) bool {
	switch f.State {
	case FindingOpen, FindingInProgress:
		return true
	case FindingAccepted:
		return !dayBefore(now, f.AcceptExpires)
	}
	return false
}

// Overdue reports an active finding past its due date (an accepted risk
// whose acceptance expired is overdue from its expiry).
func (f *Finding) Overdue(now time.Time) bool {
	if !f.Active(now) {
		return false
	}
	if f.State == FindingAccepted {
		return true
	}
	return f.Due != "" && !dayBefore(now, f.Due)
}

// DaysOverdue is how many days past due an overdue finding is.
func (f *Finding) DaysOverdue(now time.Time) int {
	due := f.Due
	if f.State == FindingAccepted {
		due = f.AcceptExpires
	}
	d, err := time.ParseInLocation(time.DateOnly, due, now.Location())
	if err != nil {
		return 0
	}
	return Days(d, now)
}

// dayBefore reports now falling on a day before date (YYYY-MM-DD); a
// date is due through its whole day. An unreadable date counts as past.
func dayBefore(now time.Time, date string) bool {
	d, err := time.ParseInLocation(time.DateOnly, date, now.Location())
	if err != nil {
		return false
	}
	return now.Before(d.AddDate(0, 0, 1))
}

// ParseFindingLink reads "kind:ref" ("service:GitHub", "device:LT-042",
// "person:bill@example.com", "account:GitHub:bill"): the kind and what
// names the record, for the front end to resolve.
func ParseFindingLink(s string) (kind, ref string, err error) {
	kind, ref, ok := strings.Cut(strings.TrimSpace(s), ":")
	kind = strings.ToLower(strings.TrimSpace(kind))
	ref = strings.TrimSpace(ref)
	if !ok || ref == "" {
		return "", "", Invalid("affects", s, "is not KIND:REF (service:NAME, device:TAG, person:EMAIL, account:SERVICE:USERNAME)")
	}
	if err := oneOf("affects", kind, FindingLinkKinds...); err != nil {
		return "", "", Invalid("affects", s, "names no record kind: want one of "+strings.Join(FindingLinkKinds, ", "))
	}
	return kind, ref, nil
}

// SplitLinks splits a comma- or semicolon-separated list of links.
func SplitLinks(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// LinkText is a link as "kind:name", what export writes and import reads.
func (l FindingLink) String() string { return l.Kind + ":" + l.Name }

// LinksText joins links for a cell.
func LinksText(ls []FindingLink) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.String()
	}
	return strings.Join(parts, ", ")
}

// SortFindings orders findings for a list: overdue first, then by
// severity, then by due date.
func SortFindings(fs []Finding, now time.Time) {
	rank := map[string]int{}
	for i, s := range FindingSeverities {
		rank[s] = i
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if oa, ob := a.Overdue(now), b.Overdue(now); oa != ob {
			return oa
		}
		if rank[a.Severity] != rank[b.Severity] {
			return rank[a.Severity] < rank[b.Severity]
		}
		if a.Due != b.Due {
			return a.Due < b.Due
		}
		return a.ID < b.ID
	})
}

// FindingSummary is a finding's line in an alert or a review.
func (f *Finding) Summary(now time.Time) string {
	s := fmt.Sprintf("finding #%d (%s) %s", f.ID, f.Severity, f.Title)
	if f.Overdue(now) {
		s += fmt.Sprintf(": overdue by %dd (due %s)", f.DaysOverdue(now), f.Due)
	}
	return s
}
