package model

import (
	"fmt"
	"strconv"
	"strings"
)

// SourceFinding is the source check kind that follows one overdue
// finding (target "finding:ID"): down while it is overdue, so the alert is
// raised, silenced, acknowledged and routed like any other, and its pages
// go to the finding's owner.
const SourceFinding = "finding"

// FindingTarget is the target of the check that follows finding id.
func FindingTarget(id int64) string { return "finding:" + strconv.FormatInt(id, 10) }

// FindingOfTarget reads the finding id back from a check target.
func FindingOfTarget(target string) (int64, bool) {
	s, ok := strings.CutPrefix(target, "finding:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

func (c *Check) validateFindingSource() error {
	if _, ok := FindingOfTarget(c.Target); !ok {
		return Invalid("target", c.Target, `is not "finding:ID"`)
	}
	if c.ServiceID != nil {
		return Invalid("service", idText(c.ServiceID), "must be empty for a finding check")
	}
	return c.validateSource()
}

// WantedFindingChecks is one check per overdue finding.
func WantedFindingChecks(overdue []Finding) []Check {
	var out []Check
	for _, f := range overdue {
		c := Check{Kind: SourceFinding, Target: FindingTarget(f.ID), Name: fmt.Sprintf("finding-%d-%s", f.ID, Slug(f.Title)),
			Notes:     fmt.Sprintf("Created by opsdeck: finding #%d is overdue; resolves when it is resolved, closed, accepted or given a later due date.", f.ID),
			IntervalS: int(SourceInterval.Seconds())}
		c.Normalize()
		out = append(out, c)
	}
	return out
}

// FindingResult judges a finding check: f is the finding while it is
// overdue, nil once it is not (or is gone).
func FindingResult(target string, f *Finding, summary string) (status, message string) {
	if f == nil {
		return "up", target + " is no longer overdue"
	}
	return "down", summary
}
