package model

import (
	"fmt"
	"strings"
	"time"
)

// SourceUsage is the source check kind that raises used_after_departure:
// Target the email of a leaving or departed person, ServiceID the service
// whose account they used after their last day. One check, so one alert,
// per (person, service). It fires on its first run (FailThreshold 1:
// evidence of use is not a flaky probe) and is critical; the evidence
// never goes away, so it does not resolve by itself: a person
// acknowledges it with what was done.
const SourceUsage = "usage"

// WantedUsageChecks is one usage check per (person, service) with use
// after departure.
func WantedUsageChecks(found []UsageFinding) []Check {
	var out []Check
	seen := map[string]bool{}
	for _, f := range found {
		id := f.ServiceID
		c := Check{Kind: SourceUsage, Target: strings.ToLower(f.PersonEmail), ServiceID: &id,
			Name:          "used-after-departure-" + Slug(f.PersonName) + "-" + Slug(f.ServiceName),
			FailThreshold: 1, IntervalS: int(SourceInterval / time.Second),
			Notes: "Created by opsdeck: " + f.PersonName + "'s " + f.ServiceName + " account was used after " + f.CutoffWhy +
				". It does not resolve by itself: acknowledge the alert with what was done (docs/access.md)."}
		if !seen[c.Key()] {
			seen[c.Key()] = true
			c.Normalize()
			out = append(out, c)
		}
	}
	return out
}

// UsageResult turns the findings for one (person, service) into a check
// result: any use after departure is down, naming the person, the service,
// the latest moment of use and its evidence row.
func UsageResult(email, service string, found []UsageFinding) (status, message string) {
	if len(found) == 0 {
		return "up", fmt.Sprintf("no use of %s's %s accounts after they left", email, service)
	}
	msg := "used after departure: " + found[0].Message
	if len(found) > 1 {
		msg += fmt.Sprintf(" (+%d more uses)", len(found)-1)
	}
	return "down", msg
}
