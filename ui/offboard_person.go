package ui

import (
	"errors"
	"fmt"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ui/components/detail"
)

// offboardingSection is the person page's line about their offboarding:
// enter on it opens the checklist (open or completed), o starts one.
func offboardingSection(env TabEnv, personID int64) (detail.Section, error) {
	sec := detail.Section{Title: "Offboarding", Empty: "none · o starts one"}
	o, err := env.Store.Offboarding(env.Ctx, personID)
	if errors.Is(err, model.ErrNotFound) {
		return sec, nil
	}
	if err != nil {
		return sec, err
	}
	text := fmt.Sprintf("%s %s · started %s by %s", o.Status, o.Progress.Bar(10), o.StartedAt.Local().Format("2006-01-02"), o.StartedBy)
	if o.SuccessorName != "" {
		text += " · successor " + o.SuccessorName
	}
	if o.CompletedAt != nil {
		text += " · completed " + o.CompletedAt.Local().Format("2006-01-02")
	}
	sec.Rows = []detail.Row{{Text: text, Link: &detail.Link{Kind: "offboarding", ID: personID}, Warn: o.Status == "open"}}
	return sec, nil
}
