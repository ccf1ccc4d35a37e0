package ui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/themes"
)

// Home's sections for the work that came after the first version: open
// checklists of every generic kind (onboardings, access reviews, monthly
// reviews), overdue findings and failing laptops. Each reads through the
// store inside Home's tea.Cmd and links to the record it names.

func init() {
	registerHomeSection(homeSection{order: 35, title: "Checklists open", load: homeChecklists})
	registerHomeSection(homeSection{order: 40, title: "Findings overdue", load: homeFindings})
	registerHomeSection(homeSection{order: 50, title: "Laptops failing compliance", load: homeCompliance})
}

// homeChecklists lists the open generic checklists, those past their due
// date first (ListChecklists already puts open ones first, newest first).
func homeChecklists(env TabEnv) (homeData, error) {
	cls, err := env.Store.ListChecklists(env.Ctx, store.ChecklistQuery{Status: model.ChecklistOpen})
	if err != nil {
		return homeData{}, fmt.Errorf("checklists: %w", err)
	}
	today := env.now().Local().Format(model.DateLayout)
	var over, rest []homeLine
	for _, c := range cls {
		if c.Kind == model.OffboardingKind {
			continue // offboardings have their own section
		}
		state, when := dueState(c.Due, today, "due", "")
		p := c.Progress
		l := homeLine{Domain: themes.DomainDue, State: state,
			Text:  fmt.Sprintf("%s · %d/%d %s", c.Title, p.Closed(), p.Total, progressBar(p.Closed(), p.Total, 10)),
			Extra: strings.TrimPrefix(strings.Join([]string{strings.ReplaceAll(c.Kind, "_", " "), when}, " · "), " · "),
			Link:  link("checklist", c.ID)}
		if state == "overdue" {
			over = append(over, l)
		} else {
			rest = append(rest, l)
		}
	}
	return homeData{Lines: append(over, rest...)}, nil
}

// dueState is how a checklist due on due stands today: open, today or
// overdue, and when in words (word names the date: "due", "last day";
// none is said when there is no date).
func dueState(due, today, word, none string) (state, when string) {
	switch {
	case due == "":
		return "open", none
	case due < today:
		return "overdue", word + " " + due
	case due == today:
		return "today", word + " today"
	}
	return "open", word + " " + due
}

// homeFindings lists the overdue findings, most severe first.
func homeFindings(env TabEnv) (homeData, error) {
	now := env.now()
	fs, err := env.Store.OverdueFindings(env.Ctx, now)
	if err != nil {
		return homeData{}, fmt.Errorf("findings: %w", err)
	}
	rank := map[string]int{"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
	lines := make([]homeLine, 0, len(fs))
	for _, f := range sortedBy(fs, func(f model.Finding) int { return rank[f.Severity] }) {
		owner := f.OwnerName
		if owner == "" {
			owner = "no owner"
		}
		lines = append(lines, homeLine{Domain: themes.DomainSeverity, State: f.Severity,
			Text:  fmt.Sprintf("%s · due %s", f.Title, f.Due),
			Extra: owner, Link: link("finding", f.ID), Go: "findings"})
	}
	return homeData{Lines: lines}, nil
}

// homeCompliance lists the laptops that fail the compliance policy, with
// their failing rules.
func homeCompliance(env TabEnv) (homeData, error) {
	ds, err := env.Store.Compliance(env.Ctx, env.now())
	if err != nil {
		return homeData{}, fmt.Errorf("compliance: %w", err)
	}
	var lines []homeLine
	for _, d := range ds {
		if !d.Failing {
			continue
		}
		var rules []string
		for _, v := range d.Verdicts {
			if v.Status == "fail" {
				rules = append(rules, v.Rule)
			}
		}
		lines = append(lines, homeLine{Domain: themes.DomainVerdict, State: "non-compliant",
			Text:  fmt.Sprintf("%s %s · %s", d.AssetTag, d.Name, strings.Join(rules, ", ")),
			Extra: d.Holder, Link: link("device", d.DeviceID), Go: "devices"})
	}
	return homeData{Lines: lines}, nil
}

// sortedBy is xs stably sorted by key, in a new slice.
func sortedBy[T any](xs []T, key func(T) int) []T {
	out := append([]T(nil), xs...)
	slices.SortStableFunc(out, func(a, b T) int { return key(a) - key(b) })
	return out
}
