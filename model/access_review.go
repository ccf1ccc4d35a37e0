package model

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Access reviews (#17): each active account is shown to its service's
// owner, who keeps it, revokes it or changes its entitlement, with a
// reason. A review is a generic checklist (kind "access_review"); its
// decisions are ReviewLines.

// Review decisions.
const (
	DecisionKeep   = "keep"
	DecisionRevoke = "revoke"
	DecisionChange = "change"
)

// ReviewLine is one account under review: what the reviewer saw (a
// snapshot at the start) and what was decided.
type ReviewLine struct {
	ID             int64      `json:"id"`
	ReviewID       int64      `json:"review_id"`
	StepN          int        `json:"step"`
	RevokeN        int        `json:"revoke_step,omitempty"`
	AccountID      int64      `json:"account_id"`
	ReviewerID     *int64     `json:"reviewer_id"`
	Reviewer       string     `json:"reviewer"` // the service owner's email, "" for none
	Holder         string     `json:"holder"`
	Service        string     `json:"service"`
	Username       string     `json:"username"`
	Entitlement    string     `json:"entitlement"`
	TwoStep        string     `json:"two_step"`
	LastActivity   string     `json:"last_activity"`
	Decision       string     `json:"decision"`
	NewEntitlement string     `json:"new_entitlement,omitempty"`
	Reason         string     `json:"reason"`
	DecidedBy      string     `json:"decided_by"`
	DecidedAt      *time.Time `json:"decided_at"`
	DueDate        string     `json:"due_date,omitempty"`
}

// Decision is what a reviewer said about one account.
type Decision struct {
	Decision       string
	NewEntitlement string
	Reason         string
}

// ParseDecision reads a reviewer's answer: "keep", "revoke" or "change
// ENTITLEMENT", optionally followed by ": reason" (the console's one
// prompt); reason, when given apart (the CLI's --reason), wins. A reason
// is required: the report must say why. current is the account's
// entitlement (a change must change it).
func ParseDecision(value, reason, current string) (Decision, error) {
	v := strings.TrimSpace(value)
	head, tail, hasTail := strings.Cut(v, ":")
	d := Decision{Reason: Sanitize(reason)}
	if d.Reason == "" && hasTail {
		d.Reason = Sanitize(tail)
	}
	words := strings.Fields(strings.ToLower(head))
	if len(words) == 0 {
		return d, Invalid("decision", value, "is required: keep, revoke or change ENTITLEMENT")
	}
	d.Decision = words[0]
	switch d.Decision {
	case DecisionKeep, DecisionRevoke:
		if len(words) > 1 {
			return d, Invalid("decision", value, "takes no entitlement (only change does: change member)")
		}
	case DecisionChange:
		if len(words) != 2 {
			return d, Invalid("decision", value, "needs the new entitlement: change "+strings.Join(Entitlements, "|"))
		}
		if err := oneOf("entitlement", words[1], Entitlements...); err != nil {
			return d, err
		}
		if words[1] == current {
			return d, Invalid("entitlement", words[1], "is the account's entitlement already (keep it instead)")
		}
		d.NewEntitlement = words[1]
	default:
		return d, Invalid("decision", value, "is not keep, revoke or change ENTITLEMENT")
	}
	if d.Reason == "" {
		return d, Invalid("reason", "", "is required: say why ("+d.Decision+": REASON, or --reason)")
	}
	return d, nil
}

// Words is the decision as the report writes it.
func (l ReviewLine) Words() string {
	switch l.Decision {
	case "":
		return "not decided"
	case DecisionChange:
		return fmt.Sprintf("change %s → %s", l.Entitlement, l.NewEntitlement)
	}
	return l.Decision
}

// ReviewSections is an access review's report body: one section per
// reviewer (service owner) naming every account, who decided what, when
// and why, then the revocations with their due dates.
func ReviewSections(lines []ReviewLine, revokeDone map[int]bool) []ReportSection {
	byReviewer := map[string][]ReviewLine{}
	for _, l := range lines {
		byReviewer[l.Reviewer] = append(byReviewer[l.Reviewer], l)
	}
	names := make([]string, 0, len(byReviewer))
	for r := range byReviewer {
		names = append(names, r)
	}
	sort.Strings(names)
	var out []ReportSection
	var revokes []string
	kept, revoked, changed, open := 0, 0, 0, 0
	for _, r := range names {
		title := "Reviewed by " + r + " (service owner)"
		if r == "" {
			title = "Services with no owner"
		}
		sec := ReportSection{Title: title}
		for _, l := range byReviewer[r] {
			line := fmt.Sprintf("%s:%s (%s, %s; two-step %s; last activity %s): %s", l.Service, l.Username, l.Holder, l.Entitlement,
				l.TwoStep, orDash(l.LastActivity), l.Words())
			if l.DecidedAt != nil {
				line += fmt.Sprintf(" by %s at %s — %s", l.DecidedBy, l.DecidedAt.UTC().Format("2006-01-02 15:04 UTC"), l.Reason)
			}
			sec.Lines = append(sec.Lines, line)
			switch l.Decision {
			case DecisionKeep:
				kept++
			case DecisionRevoke:
				revoked++
				state := "open"
				if revokeDone[l.RevokeN] {
					state = "done"
				}
				revokes = append(revokes, fmt.Sprintf("%s:%s (%s): due %s, step %d %s", l.Service, l.Username, l.Holder, l.DueDate, l.RevokeN, state))
			case DecisionChange:
				changed++
			default:
				open++
			}
		}
		out = append(out, sec)
	}
	summary := ReportSection{Title: "Decisions", Lines: []string{fmt.Sprintf("%d accounts: %d kept, %d revoked, %d changed, %d not decided",
		len(lines), kept, revoked, changed, open)}}
	out = append([]ReportSection{summary}, out...)
	if len(revokes) > 0 {
		out = append(out, ReportSection{Title: "Revocations", Lines: revokes})
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
