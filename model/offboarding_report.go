package model

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// OffboardingReport is what an auditor reads: the offboarding, every step
// as it ended, and the trail of who did what and when.
type OffboardingReport struct {
	Offboarding Offboarding  `json:"offboarding"`
	Trail       []TrailEntry `json:"trail"`
}

// TrailEntry is one event of an offboarding, in words.
type TrailEntry struct {
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Step    int       `json:"step"` // 0 for the offboarding itself
	Summary string    `json:"summary"`
}

// BuildOffboardingReport turns an offboarding and its checklist's audit
// rows (oldest first) into a report. A step's row is read from its before
// and after (an OffboardingStep from before migration 0020 or a
// ChecklistStep since: the fields read share their JSON names); the
// offboarding's own rows are worded from o, whose start and outcome never
// change once written.
func BuildOffboardingReport(o Offboarding, audit []AuditEntry) OffboardingReport {
	r := OffboardingReport{Offboarding: o, Trail: []TrailEntry{}}
	for _, e := range audit {
		te := TrailEntry{At: e.At, Actor: e.Actor, Action: e.Action}
		switch e.Entity {
		case "checklist", "offboarding":
			te.Summary = describeOffboarding(e.Action, o)
		case "checklist_step", "offboarding_step":
			var before, after OffboardingStep
			_ = json.Unmarshal([]byte(e.Before), &before)
			_ = json.Unmarshal([]byte(e.After), &after)
			te.Step = after.N
			te.Summary = describeStep(e.Action, before, after)
		default:
			continue
		}
		r.Trail = append(r.Trail, te)
	}
	return r
}

func describeOffboarding(action string, o Offboarding) string {
	switch action {
	case "start":
		s := fmt.Sprintf("started offboarding of %s <%s> with %d steps (status was %s)", o.PersonName, o.PersonEmail, len(o.Steps), o.PriorStatus)
		if o.SuccessorName != "" {
			s += "; successor " + o.SuccessorName
		}
		if o.LastDay != "" {
			s += "; last day " + o.LastDay
		}
		return s
	case "complete":
		s := fmt.Sprintf("completed offboarding; %s departed, last day %s", o.PersonName, o.LastDay)
		if o.Forced {
			s += fmt.Sprintf("; FORCED with %d step(s) unfinished, reason: %s", o.Progress.Open+o.Progress.Blocked, o.ForceReason)
		}
		return s
	}
	return action
}

func describeStep(action string, before, after OffboardingStep) string {
	var b strings.Builder
	switch action {
	case "done":
		fmt.Fprintf(&b, "step %d done: %s", after.N, after.Title)
		if after.Effect != "" {
			b.WriteString(" — " + after.Effect)
		}
	case "skip", "block":
		fmt.Fprintf(&b, "step %d %s: %s — reason: %s", after.N, after.State, after.Title, after.Reason)
	case "undo":
		fmt.Fprintf(&b, "step %d undone (was %s): %s", after.N, before.State, after.Title)
		if before.Effect != "" {
			b.WriteString(" — reverted: " + before.Effect)
		}
	case "note":
		fmt.Fprintf(&b, "step %d note: %s", after.N, after.Title)
	default:
		fmt.Fprintf(&b, "step %d %s: %s", after.N, action, after.Title)
	}
	if len(after.Notes) > len(before.Notes) {
		b.WriteString(" — note: " + after.Notes[len(after.Notes)-1].Text)
	}
	return b.String()
}
