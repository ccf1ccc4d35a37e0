package model

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Access hygiene (#17): what a service's own export says about an account
// — is two-step verification on, when was it last used — kept as evidence
// (AccountSignal), each fact with the file and row that said it and when
// opsdeck learned it. The account's two-step status and last activity are
// derived from the evidence (DeriveAccess), never typed in.

// Signal kinds: one fact about an account.
const (
	SignalTwoStep  = "two_step"     // Value: enrolled, enforced or off
	SignalSignIn   = "sign_in"      // At: an interactive sign-in
	SignalPassword = "password_use" // At: the password was used
	SignalKey      = "key_use"      // At: an access key or token was used
)

// SignalKinds are the kinds account_signals holds.
var SignalKinds = []string{SignalTwoStep, SignalSignIn, SignalPassword, SignalKey}

// Two-step statuses. Unknown: no export has said.
const (
	TwoStepEnforced = "enforced"
	TwoStepEnrolled = "enrolled"
	TwoStepOff      = "off"
	TwoStepUnknown  = "unknown"
)

// TwoStepStatuses are the values an account's two-step status takes.
var TwoStepStatuses = []string{TwoStepEnforced, TwoStepEnrolled, TwoStepOff, TwoStepUnknown}

// AccountSignal is one fact about an account and where it came from.
type AccountSignal struct {
	ID        int64      `json:"id"`
	AccountID int64      `json:"account_id"`
	Kind      string     `json:"kind"`
	Value     string     `json:"value,omitempty"`
	At        *time.Time `json:"at,omitempty"`
	Source    string     `json:"source"`
	Row       int        `json:"row"`
	Column    string     `json:"column"`
	LearnedAt time.Time  `json:"learned_at"`
	LearnedBy string     `json:"learned_by"`
}

// Evidence names where a signal was learned: "aws-report.csv row 4
// (password_last_used)".
func (s AccountSignal) Evidence() string {
	out := s.Source
	if s.Row > 0 {
		out += fmt.Sprintf(" row %d", s.Row)
	}
	if s.Column != "" {
		out += " (" + s.Column + ")"
	}
	return out
}

// Validate checks a signal before it is stored.
func (s *AccountSignal) Validate() error {
	if s.AccountID <= 0 {
		return Invalid("account", "", "is required")
	}
	if err := oneOf("kind", s.Kind, SignalKinds...); err != nil {
		return err
	}
	if s.Kind == SignalTwoStep {
		if err := oneOf("two_step", s.Value, TwoStepEnforced, TwoStepEnrolled, TwoStepOff); err != nil {
			return err
		}
	} else if s.At == nil {
		return Invalid(s.Kind, "", "needs the moment of use")
	}
	return required("source", s.Source)
}

// AccountAccess is what the evidence says about one account: its two-step
// status and last activity, each with the signal that said it (nil when
// nothing has).
type AccountAccess struct {
	TwoStep          string         `json:"two_step"`
	TwoStepFrom      *AccountSignal `json:"two_step_from,omitempty"`
	LastActivity     *time.Time     `json:"last_activity,omitempty"`
	LastActivityKind string         `json:"last_activity_kind,omitempty"`
	LastActivityFrom *AccountSignal `json:"last_activity_from,omitempty"`
	LastReviewedAt   *time.Time     `json:"last_reviewed_at,omitempty"`
}

// DeriveAccess reads one account's signals: the two-step status is the one
// learned most recently (an export taken later knows better), the last
// activity the newest moment of sign-in, password use or key use.
func DeriveAccess(signals []AccountSignal) AccountAccess {
	out := AccountAccess{TwoStep: TwoStepUnknown}
	for i := range signals {
		s := signals[i]
		if s.Kind == SignalTwoStep {
			if out.TwoStepFrom == nil || s.LearnedAt.After(out.TwoStepFrom.LearnedAt) ||
				(s.LearnedAt.Equal(out.TwoStepFrom.LearnedAt) && s.ID > out.TwoStepFrom.ID) {
				out.TwoStep, out.TwoStepFrom = s.Value, &s
			}
			continue
		}
		if s.At != nil && (out.LastActivity == nil || s.At.After(*out.LastActivity)) {
			at := *s.At
			out.LastActivity, out.LastActivityKind, out.LastActivityFrom = &at, s.Kind, &s
		}
	}
	return out
}

// HasMFA reports two-step verification known to be on.
func (a AccountAccess) HasMFA() bool {
	return a.TwoStep == TwoStepEnrolled || a.TwoStep == TwoStepEnforced
}

// InactiveSince reports no known activity since cutoff (never used counts
// as inactive).
func (a AccountAccess) InactiveSince(cutoff time.Time) bool {
	return a.LastActivity == nil || a.LastActivity.Before(cutoff)
}

// ActivityWords is last activity for a list cell: "3d ago (password)".
func (a AccountAccess) ActivityWords(now time.Time) string {
	if a.LastActivity == nil {
		return "never seen"
	}
	return Ago(a.LastActivity, now) + " (" + strings.TrimSuffix(a.LastActivityKind, "_use") + ")"
}

// ParseTwoStep reads an export's two-step cells: Google's "2sv Enrolled"
// and "2sv Enforced" (True/False), GitHub's two-factor column (true/false,
// enabled/disabled), AWS's mfa_active (true/false). enforced may be "".
// ok is false when enrolled says nothing usable (empty, N/A).
func ParseTwoStep(enrolled, enforced string) (status string, ok bool, why string) {
	b, ok, why := exportBool(enrolled)
	if !ok {
		return "", false, why
	}
	if f, fok, _ := exportBool(enforced); fok && f {
		return TwoStepEnforced, true, ""
	}
	if b {
		return TwoStepEnrolled, true, ""
	}
	return TwoStepOff, true, ""
}

// exportBool reads a yes/no cell; ok false with no reason for an empty or
// "not applicable" cell.
func exportBool(v string) (b, ok bool, why string) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "n/a", "not_supported", "no_information", "unknown", "-":
		return false, false, ""
	case "true", "yes", "y", "1", "on", "enabled", "enrolled", "enforced", "active":
		return true, true, ""
	case "false", "no", "n", "0", "off", "disabled", "not enrolled", "inactive":
		return false, true, ""
	}
	return false, false, "is not true or false"
}

// Moment layouts the exports write: Google's users export
// ("2026/11/20 09:14:02"), AWS's credential report (RFC 3339 with offset),
// GitHub's member export (RFC 3339 or a bare date).
var momentLayouts = []string{time.RFC3339Nano, "2006/01/02 15:04:05", "2006/01/02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05", DateLayout}

// ParseMoment reads an export's time cell as UTC. ok is false with no
// reason for the exports' ways of saying "never": empty, N/A,
// no_information, "Never logged in".
func ParseMoment(v string) (t time.Time, ok bool, why string) {
	v = strings.TrimSpace(v)
	switch strings.ToLower(v) {
	case "", "n/a", "no_information", "not_supported", "never", "never logged in", "-":
		return time.Time{}, false, ""
	}
	for _, l := range momentLayouts {
		if t, err := time.ParseInLocation(l, v, time.UTC); err == nil {
			if err := SaneYear("time", v, t); err != nil {
				fe, _ := AsFieldError(err)
				return time.Time{}, false, fe.Reason
			}
			return t.UTC(), true, ""
		}
	}
	return time.Time{}, false, "is not a time (want 2026/11/20 09:14:02, 2026-11-20T09:14:02Z or 2026-11-20)"
}

// UsageFinding is activity on an account after its holder left: the
// evidence row that says so, the moment of use, and the cut-off it is past.
type UsageFinding struct {
	AccountID   int64         `json:"account_id"`
	PersonID    int64         `json:"person_id"`
	PersonName  string        `json:"person_name"`
	PersonEmail string        `json:"person_email"`
	ServiceID   int64         `json:"service_id"`
	ServiceName string        `json:"service_name"`
	Username    string        `json:"username"`
	UsedAt      time.Time     `json:"used_at"`
	Cutoff      time.Time     `json:"cutoff"`
	CutoffWhy   string        `json:"cutoff_why"` // "last day 2026-11-09" or "offboarding started ..."
	Signal      AccountSignal `json:"signal"`
	Message     string        `json:"message"`
}

// DepartureCutoff is the moment after which a leaver's accounts should see
// no use: the end of their last day (UTC) when it is known, else when
// their offboarding started. ok is false for someone not leaving or gone,
// or with neither date.
func DepartureCutoff(p Person, offboardingStarted *time.Time) (cutoff time.Time, why string, ok bool) {
	if p.Status != "leaving" && p.Status != "departed" {
		return time.Time{}, "", false
	}
	if d, err := time.ParseInLocation(DateLayout, p.EndDate, time.UTC); err == nil && p.EndDate != "" {
		return d.AddDate(0, 0, 1), "last day " + p.EndDate, true
	}
	if offboardingStarted != nil {
		return offboardingStarted.UTC(), "offboarding started " + offboardingStarted.UTC().Format("2006-01-02 15:04 UTC"), true
	}
	return time.Time{}, "", false
}

// UsedAfterDeparture picks, from an account's activity signals, the uses
// after cutoff: each is a finding naming the person, the service, the
// moment and the evidence. Newest first.
func UsedAfterDeparture(a Account, cutoff time.Time, why string, signals []AccountSignal) []UsageFinding {
	var out []UsageFinding
	for _, s := range signals {
		if s.Kind == SignalTwoStep || s.At == nil || !s.At.After(cutoff) || s.AccountID != a.ID {
			continue
		}
		out = append(out, UsageFinding{AccountID: a.ID, PersonID: a.PersonID, PersonName: a.PersonName, PersonEmail: a.PersonEmail,
			ServiceID: a.ServiceID, ServiceName: a.ServiceName, Username: a.Username, UsedAt: s.At.UTC(), Cutoff: cutoff,
			CutoffWhy: why, Signal: s,
			Message: fmt.Sprintf("%s's %s account %s: %s at %s, after %s (evidence: %s)", a.PersonName, a.ServiceName, a.Username,
				strings.ReplaceAll(s.Kind, "_", " "), s.At.UTC().Format("2006-01-02 15:04 UTC"), why, s.Evidence())})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].UsedAt.After(out[j].UsedAt) })
	return out
}

// AccessPolicy is how long an account may go unused, and unreviewed,
// before it is a risk.
type AccessPolicy struct {
	DormantAfter time.Duration // no activity for this long: dormant_account
	ReviewEvery  time.Duration // not reviewed for this long: review_overdue
}

// DefaultAccessPolicy: 90 days for both.
var DefaultAccessPolicy = AccessPolicy{DormantAfter: 90 * 24 * time.Hour, ReviewEvery: 90 * 24 * time.Hour}

// Access risk rules.
const (
	RuleNoMFA          = "no_mfa"
	RuleDormant        = "dormant_account"
	RuleUsedAfterLeave = "used_after_departure"
	RuleReviewOverdue  = "review_overdue"
)

// AccessRisks are the access-hygiene rules over active accounts of active
// people (a leaver's account is access_still_present's, and its use after
// departure is UsedAfterDeparture's): two-step known to be off (high on an
// admin account), no activity in DormantAfter (an account never seen in
// use counts only once it is older than that), and no review decision in
// ReviewEvery. access maps account id → its derived access.
func AccessRisks(p AccessPolicy, now time.Time, accounts []Account, access map[int64]AccountAccess, usage []UsageFinding) []Risk {
	if p.DormantAfter <= 0 {
		p.DormantAfter = DefaultAccessPolicy.DormantAfter
	}
	if p.ReviewEvery <= 0 {
		p.ReviewEvery = DefaultAccessPolicy.ReviewEvery
	}
	var out []Risk
	for _, a := range accounts {
		if a.Status != "active" || a.PersonStatus != "active" {
			continue
		}
		x := access[a.ID]
		name := a.ServiceName + ":" + a.Username
		if x.TwoStep == TwoStepOff {
			sev := "medium"
			if a.Entitlement == "admin" {
				sev = "high"
			}
			out = append(out, Risk{Rule: RuleNoMFA, Severity: sev, Kind: "account", ID: a.ID, Name: name,
				Detail: fmt.Sprintf("%s's %s account has two-step verification off (learned from %s)", a.PersonName, a.Entitlement, x.TwoStepFrom.Evidence())})
		}
		cutoff := now.Add(-p.DormantAfter)
		if x.InactiveSince(cutoff) && (x.LastActivity != nil || a.CreatedAt.Before(cutoff)) {
			out = append(out, Risk{Rule: RuleDormant, Severity: "low", Kind: "account", ID: a.ID, Name: name,
				Detail: fmt.Sprintf("no activity in %s: last %s", DaysText(p.DormantAfter), x.ActivityWords(now))})
		}
		rc := now.Add(-p.ReviewEvery)
		if (x.LastReviewedAt == nil && a.CreatedAt.Before(rc)) || (x.LastReviewedAt != nil && x.LastReviewedAt.Before(rc)) {
			last := "never reviewed"
			if x.LastReviewedAt != nil {
				last = "last reviewed " + Ago(x.LastReviewedAt, now)
			}
			out = append(out, Risk{Rule: RuleReviewOverdue, Severity: "low", Kind: "account", ID: a.ID, Name: name,
				Detail: fmt.Sprintf("not reviewed in %s: %s", DaysText(p.ReviewEvery), last)})
		}
	}
	for _, u := range usage {
		out = append(out, Risk{Rule: RuleUsedAfterLeave, Severity: "high", Kind: "account", ID: u.AccountID,
			Name: u.ServiceName + ":" + u.Username, Detail: u.Message})
	}
	return out
}

// DaysText writes a whole-day duration as "90d".
func DaysText(d time.Duration) string { return fmt.Sprintf("%dd", int(d/(24*time.Hour))) }

// ParseDays reads "90d", "12h" or any Go duration, refusing zero and
// negative ones.
func ParseDays(field, v string) (time.Duration, error) {
	s := strings.TrimSpace(v)
	var d time.Duration
	var err error
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days int
		if _, e := fmt.Sscanf(n, "%d", &days); e != nil || fmt.Sprint(days) != n {
			err = fmt.Errorf("bad")
		}
		d = time.Duration(days) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 {
		return 0, Invalid(field, v, "is not a positive duration (want e.g. 90d, 36h)")
	}
	return d, nil
}
