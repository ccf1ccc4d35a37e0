package ui

import (
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/ui/components/checklist"
	"github.com/opsdeck/opsdeck/ui/components/detail"
)

// The monthly review in the console: `:review [YYYY-MM]` opens the month's
// review, generating it first when there is none (as `opsdeck review
// start`), and walks it on the generic checklist screen: space decides
// an item (fixed, "accepted: REASON until DATE", finding), c signs it off.
func init() {
	registerCommand(commandDef{name: "review", aliases: []string{"rv"}, usage: ":review [YYYY-MM]  the monthly security review (generated if needed)",
		run: func(a *app, arg string) tea.Cmd { return a.openReview(arg) }})
	registerChecklistUI(model.ReviewKind, checklistUI{
		Noun: "review",
		AskDone: func(_ model.Checklist, _ any, s model.ChecklistStep) *checklist.Ask {
			return &checklist.Ask{Label: fmt.Sprintf("step %d decision: ", s.N), Default: model.DecisionFixed,
				Suggestions: []string{model.DecisionFixed, model.DecisionFinding, "accepted: "}, Required: "a decision is required"}
		},
		Hint: func(s model.ChecklistStep) string {
			return "space decides: fixed · accepted: REASON until YYYY-MM-DD · finding"
		},
	})
}

func (a *app) openReview(arg string) tea.Cmd {
	env := a.env
	write := a.canWrite()
	return func() tea.Msg {
		month, err := model.ReviewMonth(arg, env.now().In(time.Local))
		if err != nil {
			return opsMsg{text: err.Error(), isErr: true}
		}
		id, err := env.Store.ReviewByMonth(env.Ctx, month)
		if errors.Is(err, model.ErrNotFound) && write {
			c, serr := ops.StartChecklist(env.Ctx, env.ops(), model.ReviewKind, ops.StartRequest{Subject: month}, false)
			id, err = c.ID, serr
		}
		if err != nil {
			return opsMsg{text: "review " + month + ": " + err.Error(), isErr: true}
		}
		return openLinkMsg{link: detail.Link{Kind: "checklist", ID: id}}
	}
}
