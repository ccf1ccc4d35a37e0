package model_test

import (
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// The work on a checklist is the gaps between its worker's actions, each
// counted up to the cap: a lunch break is not onboarding work, and another
// person's marks are their own time.
func TestChecklistWorkCountsGapsUpToTheCap(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	at := func(m int) *time.Time { x := t0.Add(time.Duration(m) * time.Minute); return &x }
	c := model.Checklist{StartedAt: t0, StartedBy: "local:oscar", Steps: []model.ChecklistStep{
		{By: "local:oscar", At: at(5)},   // 5
		{By: "local:oscar", At: at(12)},  // 7
		{By: "local:dave", At: at(13)},   // not Oscar's
		{By: "local:oscar", At: at(200)}, // after lunch: 15 (capped)
		{},                               // still open
	}}
	start, mins := model.ChecklistWork(c, "local:oscar", *at(203), model.WorkGapCap) // completion: 3
	if !start.Equal(t0) || mins != 5+7+15+3 {
		t.Fatalf("work %s %d min, want %s 30 min", start, mins, t0)
	}
	// Someone who only completes it did no timed work on it.
	if start, mins := model.ChecklistWork(c, "local:tammy", *at(300), model.WorkGapCap); mins != 0 || !start.Equal(*at(300)) {
		t.Fatalf("tammy: %s %d", start, mins)
	}
}
