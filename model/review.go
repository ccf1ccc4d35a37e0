package model

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The monthly security review: a checklist generated from the company's
// state at that moment (ReviewItems), each item decided (fixed, accepted
// with a reason and an expiry, or turned into a finding), then signed off,
// which freezes a report comparing with last month's (CompareReviews).

// ReviewKind is the checklist kind of the monthly review.
const ReviewKind = "monthly_review"

// ReviewItem is one thing the review looks at, linked to its record.
type ReviewItem struct {
	Kind     string // finding, device, risk rule, access, backup, check
	RefKind  string // the record's kind: finding, device, service, person, secret, account, backup_job, check
	RefID    int64
	Title    string
	Detail   string
	Severity string // for a finding made from it: critical … info
}

// Key identifies an item across months: the same problem next month has
// the same key.
func (it ReviewItem) Key() string { return ReviewKey(it.Kind, it.RefKind, it.RefID) }

// ReviewKey is the key of an item of kind about record (refKind, refID).
func ReviewKey(kind, refKind string, refID int64) string {
	return kind + "|" + refKind + "|" + strconv.FormatInt(refID, 10)
}

// FailingCheck is a check whose alert has been open for a while.
type FailingCheck struct {
	CheckID  int64
	Name     string
	Summary  string
	OpenedAt time.Time
}

// ReviewInputs is the state a review is generated from.
type ReviewInputs struct {
	Now        time.Time
	Findings   []Finding
	Compliance []DeviceCompliance
	Risks      []Risk
	// Unreviewed are active accounts nobody confirmed within
	// AccessReviewDays (or ever).
	Unreviewed []Account
	Backups    []BackupHealth
	Failing    []FailingCheck
}

// AccessReviewDays is how old an account's last confirmation may be
// before the review lists it as unreviewed access.
const AccessReviewDays = 90

// FailingForAWeek is how long a check's alert is open before the review
// lists it.
const FailingForAWeek = 7 * 24 * time.Hour

// ReviewItems lists what a review must decide, in a stable order: active
// findings (overdue first), failing devices, risks, unreviewed access,
// backups never restore-tested, checks failing for a week. Risks that
// repeat another item (a failing device) are left out.
func ReviewItems(in ReviewInputs) []ReviewItem {
	var out []ReviewItem
	fs := append([]Finding(nil), in.Findings...)
	SortFindings(fs, in.Now)
	for _, f := range fs {
		if !f.Active(in.Now) {
			continue
		}
		d := f.State + ", due " + f.Due
		if f.Overdue(in.Now) {
			d = fmt.Sprintf("OVERDUE %dd (%s, due %s)", f.DaysOverdue(in.Now), f.State, f.Due)
		}
		if f.OwnerName != "" {
			d += ", owner " + f.OwnerName
		}
		out = append(out, ReviewItem{Kind: "finding", RefKind: "finding", RefID: f.ID, Title: fmt.Sprintf("Finding #%d (%s): %s", f.ID, f.Severity, f.Title), Detail: d, Severity: f.Severity})
	}
	for _, d := range in.Compliance {
		fails := Failing(d.Verdicts)
		if len(fails) == 0 {
			continue
		}
		parts := make([]string, len(fails))
		for i, v := range fails {
			parts[i] = v.Rule + ": " + v.Detail
		}
		out = append(out, ReviewItem{Kind: "device", RefKind: "device", RefID: d.DeviceID, Title: "Laptop " + d.AssetTag + " (" + d.Name + ") fails compliance",
			Detail: strings.Join(parts, "; "), Severity: "high"})
	}
	for _, r := range in.Risks {
		if r.Rule == ComplianceRiskRule || r.Rule == RuleReviewMissing {
			continue
		}
		out = append(out, ReviewItem{Kind: r.Rule, RefKind: r.Kind, RefID: r.ID, Title: "Risk " + r.Rule + ": " + r.Kind + " " + r.Name, Detail: r.Detail, Severity: r.Severity})
	}
	for _, a := range in.Unreviewed {
		d := "never confirmed"
		if a.LastVerifiedAt != nil {
			d = "last confirmed " + Ago(a.LastVerifiedAt, in.Now)
		}
		out = append(out, ReviewItem{Kind: "access", RefKind: "account", RefID: a.ID, Title: "Unreviewed access: " + a.ServiceName + ":" + a.Username + " (" + a.Entitlement + ", " + a.PersonName + ")",
			Detail: d, Severity: "low"})
	}
	for _, h := range in.Backups {
		if h.Key == "self" || h.State != BackupNeverRestoreTested {
			continue
		}
		out = append(out, ReviewItem{Kind: "backup", RefKind: "service", RefID: h.ServiceID, Title: "Backup job " + h.Name + " never restore-tested",
			Detail: "service " + h.ServiceName + ": " + h.Reason, Severity: "medium"})
	}
	for _, c := range in.Failing {
		out = append(out, ReviewItem{Kind: "check", RefKind: "check", RefID: c.CheckID, Title: "Check " + c.Name + " failing since " + c.OpenedAt.In(in.Now.Location()).Format(time.DateOnly),
			Detail: c.Summary, Severity: "medium"})
	}
	return out
}

// Review decisions: what the reviewer decided for an item (the step's
// value). Accepted carries a reason and an expiry: "accepted: REASON until
// YYYY-MM-DD".
const (
	DecisionFixed    = "fixed"
	DecisionAccepted = "accepted"
	DecisionFinding  = "finding"
)

// ReviewDecision is a parsed decision.
type ReviewDecision struct {
	Kind    string `json:"decision"`
	Reason  string `json:"reason,omitempty"`
	Expires string `json:"expires,omitempty"`
}

// ParseReviewDecision reads "fixed", "finding" or "accepted: REASON until
// YYYY-MM-DD"; an acceptance must expire after now.
func ParseReviewDecision(v string, now time.Time) (ReviewDecision, error) {
	v = strings.TrimSpace(Sanitize(v))
	low := strings.ToLower(v)
	switch {
	case low == DecisionFixed || low == DecisionFinding:
		return ReviewDecision{Kind: low}, nil
	case strings.HasPrefix(low, DecisionAccepted):
		rest := strings.TrimSpace(strings.TrimLeft(v[len(DecisionAccepted):], ": "))
		i := strings.LastIndex(strings.ToLower(rest), " until ")
		if i < 0 {
			return ReviewDecision{}, Invalid("decision", v, `needs an expiry: "accepted: REASON until YYYY-MM-DD"`)
		}
		d := ReviewDecision{Kind: DecisionAccepted, Reason: strings.TrimSpace(rest[:i]), Expires: strings.TrimSpace(rest[i+len(" until "):])}
		if d.Reason == "" {
			return d, Invalid("decision", v, `needs a reason: "accepted: REASON until YYYY-MM-DD"`)
		}
		exp, err := time.ParseInLocation(time.DateOnly, d.Expires, now.Location())
		if err != nil {
			return d, Invalid("decision", v, "has an expiry that is not a date (YYYY-MM-DD)")
		}
		if !exp.After(now) {
			return d, Invalid("decision", v, "has an expiry that is not in the future")
		}
		return d, nil
	}
	return ReviewDecision{}, Invalid("decision", v, `is not fixed, finding or "accepted: REASON until YYYY-MM-DD"`)
}

// ReviewMonth reads "2026-12" (empty: the month of now).
func ReviewMonth(v string, now time.Time) (string, error) {
	if strings.TrimSpace(v) == "" {
		return now.Format("2006-01"), nil
	}
	t, err := time.Parse("2006-01", strings.TrimSpace(v))
	if err != nil {
		return "", Invalid("month", v, "is not a month (YYYY-MM)")
	}
	if t.Year() < 2000 || t.After(now.AddDate(0, 1, 0)) {
		return "", Invalid("month", v, "is not a month to review (in the past or this month)")
	}
	return t.Format("2006-01"), nil
}

// PrevMonth is the month before m ("2026-12" → "2026-11").
func PrevMonth(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return ""
	}
	return t.AddDate(0, -1, 0).Format("2006-01")
}

// ReviewChange is one item in the comparison with last month.
type ReviewChange struct {
	Key   string `json:"key"`
	Title string `json:"title"`
}

// ReviewComparison is what changed since last month's signed-off review.
type ReviewComparison struct {
	Previous  string         `json:"previous"` // its month, "" when there is none
	New       []ReviewChange `json:"new"`
	Fixed     []ReviewChange `json:"fixed"` // listed last month, gone now
	StillOpen []ReviewChange `json:"still_open"`
}

// CompareReviews compares this month's items with last month's (both as
// key → title).
func CompareReviews(prevMonth string, prev, cur map[string]string) ReviewComparison {
	c := ReviewComparison{Previous: prevMonth, New: []ReviewChange{}, Fixed: []ReviewChange{}, StillOpen: []ReviewChange{}}
	for k, t := range cur {
		if _, ok := prev[k]; ok {
			c.StillOpen = append(c.StillOpen, ReviewChange{k, t})
		} else {
			c.New = append(c.New, ReviewChange{k, t})
		}
	}
	for k, t := range prev {
		if _, ok := cur[k]; !ok {
			c.Fixed = append(c.Fixed, ReviewChange{k, t})
		}
	}
	for _, l := range [][]ReviewChange{c.New, c.Fixed, c.StillOpen} {
		sort.Slice(l, func(i, j int) bool { return l[i].Title < l[j].Title })
	}
	return c
}

// RuleReviewMissing is the risk of a month without a signed-off review.
const RuleReviewMissing = "review_missing"

// ReviewMissingRisk is the risk that last month has no signed-off review,
// once reviews are in use (started is the months that have one started,
// signed the months signed off); nil when there is nothing to say.
func ReviewMissingRisk(now time.Time, started, signed []string) *Risk {
	if len(started) == 0 {
		return nil
	}
	last := now.AddDate(0, -1, 0).Format("2006-01")
	for _, m := range signed {
		if m == last {
			return nil
		}
	}
	return &Risk{Rule: RuleReviewMissing, Severity: "medium", Kind: "review", Name: last,
		Detail: "no monthly security review signed off for " + last + " (opsdeck review start --month " + last + ")"}
}
