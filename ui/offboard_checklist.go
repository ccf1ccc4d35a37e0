package ui

import (
	"fmt"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/ui/components/checklist"
	"github.com/opsdeck/opsdeck/ui/components/detail"
)

// An offboarding is a checklist kind: the generic checklist screen walks
// it, with offboarding's words and questions (where a device goes, who
// takes a service over). An "offboarding" link opens a person's
// offboarding (its ID is the person's): the open one, else the latest.
func init() {
	registerDetail(detailDef{kind: "offboarding", screen: func(env TabEnv, id int64) Screen { return newOffboardingScreen(env, id) }})
	registerChecklistUI(model.OffboardingKind, checklistUI{
		Noun:  "offboarding",
		Empty: "This person held nothing and there are no template steps: c completes.",
		Extra: offboardingExtra,
		Header: func(c model.Checklist, extra any) checklist.Header {
			o := extra.(offExtra).off
			return checklist.Header{
				Title: fmt.Sprintf("Offboarding %s <%s> · %s", o.PersonName, o.PersonEmail, o.PersonStatus),
				Sub: fmt.Sprintf("last day %s · successor %s · started %s by %s", dash(o.LastDay), dash(o.SuccessorName),
					o.StartedAt.Local().Format("2006-01-02 15:04"), o.StartedBy)}
		},
		AskDone: func(c model.Checklist, extra any, s model.ChecklistStep) *checklist.Ask {
			switch s.Kind {
			case model.StepDevice:
				return &checklist.Ask{Label: fmt.Sprintf("step %d: the device goes to ", s.N), Choices: model.RecoveredDeviceStatuses}
			case model.StepService:
				x := extra.(offExtra)
				return &checklist.Ask{Label: fmt.Sprintf("hand step %d over to: ", s.N), Default: x.successor, Suggestions: x.people}
			}
			return nil
		},
		Hint: openHint,
		Link: func(extra any, s model.ChecklistStep) (detail.Link, bool) {
			l, ok := extra.(offExtra).links[s.N]
			return l, ok
		},
		Completed: func(c model.Checklist) string {
			return fmt.Sprintf("offboarding completed: %s; nothing was deleted", c.Summary)
		},
		Undone: "the inventory is restored",
	})
}

// newOffboardingScreen walks personID's offboarding.
func newOffboardingScreen(env TabEnv, personID int64) *checklistScreen {
	return newChecklistScreenFind(env, 0, model.OffboardingKind, func(env TabEnv) (int64, error) {
		o, err := env.Store.Offboarding(env.Ctx, personID)
		return o.ID, err
	})
}

// offExtra is what the offboarding screen reads besides the checklist:
// the leaver as they are now, where each step's record lives (an account
// step opens the account's service), and, for the handover question, the
// successor's email and the active people.
type offExtra struct {
	off       model.Offboarding
	links     map[int]detail.Link
	successor string
	people    []string
}

// offboardingExtra reads offExtra; the active people only once per
// screen (prev keeps them): on a 100,000-person database that list is not
// worth re-reading after every key.
func offboardingExtra(env TabEnv, c model.Checklist, prev any) (any, error) {
	ctx, s := env.Ctx, env.Store
	o, err := s.OffboardingView(ctx, c)
	if err != nil {
		return nil, err
	}
	x := offExtra{off: o, links: map[int]detail.Link{}, successor: personEmail(env, o.SuccessorID)}
	if p, ok := prev.(offExtra); ok {
		x.people = p.people
	}
	for _, st := range c.Steps {
		if st.RefID == nil {
			continue
		}
		switch st.Kind {
		case model.StepAccount:
			if a, err := s.GetAccount(ctx, *st.RefID); err == nil {
				x.links[st.N] = detail.Link{Kind: "service", ID: a.ServiceID}
			}
		case model.StepDevice, model.StepService, model.StepSecret:
			x.links[st.N] = detail.Link{Kind: st.Kind, ID: *st.RefID}
		}
	}
	if x.people == nil && o.Status == model.ChecklistOpen {
		ps, err := s.ListPeople(ctx, store.PeopleQuery{Status: "active"})
		if err != nil {
			return nil, err
		}
		x.people = make([]string, 0, len(ps))
		for _, p := range ps {
			x.people = append(x.people, p.Email)
		}
	}
	return x, nil
}

func openHint(s model.ChecklistStep) string {
	switch s.Kind {
	case model.StepAccount:
		return "space revokes the account in the inventory"
	case model.StepDevice:
		return "space returns the device (spare, repair or lost) and clears its holder"
	case model.StepSecret:
		return "space records the rotation and removes the leaver from its holders"
	case model.StepService:
		return "space hands the service over to the successor"
	}
	return "space marks it done"
}
