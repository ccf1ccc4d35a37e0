package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// AccessReview is the checklist kind of access reviews (#17): one step per
// active account, grouped by the service's owner (the reviewer), whose
// "done" records keep / revoke / change ENTITLEMENT with a reason. A
// revoke adds a revocation step due within the review's revoke_days; its
// done revokes the account. Completing needs every step closed; the
// report names every decision (who, when, why).
const AccessReview = "access_review"

// Step kinds of an access review.
const (
	reviewStepDecide = "review"
	reviewStepRevoke = "revoke"
)

// DefaultRevokeDays is how long a revocation decided in a review may take.
const DefaultRevokeDays = 7

func init() {
	RegisterChecklistKind(ChecklistKind{
		Name:       AccessReview,
		Plan:       planAccessReview,
		OnDone:     reviewDone,
		OnUndo:     accessReviewUndo,
		OnComplete: reviewComplete,
		Report: func(ctx context.Context, s *store.Store, c model.Checklist) ([]model.ReportSection, error) {
			lines, err := s.ReviewLines(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			done := map[int]bool{}
			for _, st := range c.Steps {
				if st.Kind == reviewStepRevoke && st.State == model.StateDone {
					done[st.N] = true
				}
			}
			return model.ReviewSections(lines, done), nil
		},
		Find: func(ctx context.Context, s *store.Store, ref string) (int64, error) {
			if r := strings.ToLower(strings.TrimSpace(ref)); r != "open" && r != "latest" {
				return 0, model.Invalid("review", ref, `is not a review id, "open" or "latest"`)
			}
			cs, err := s.ListChecklists(ctx, store.ChecklistQuery{Kind: AccessReview})
			if err != nil {
				return 0, err
			}
			if len(cs) == 0 {
				return 0, model.Invalid("review", ref, "names nothing: no access review has been started (opsdeck access-review start)")
			}
			best := cs[0]
			for _, c := range cs {
				if (c.Status == model.ChecklistOpen) != (best.Status == model.ChecklistOpen) {
					if c.Status == model.ChecklistOpen {
						best = c
					}
				} else if c.ID > best.ID {
					best = c
				}
			}
			return best.ID, nil
		},
	})
}

// planAccessReview reads the active accounts in scope (params service,
// owner) and makes one decision step per account, owners' groups in turn.
func planAccessReview(t *store.Tx, req StartRequest) (model.Checklist, []model.ChecklistStep, error) {
	var svcID, ownerID int64
	scope := []string{}
	if name := req.Param("service"); name != "" {
		sv, err := t.FindService(name)
		if err != nil {
			return model.Checklist{}, nil, model.Invalid("service", name, "is not a known service")
		}
		svcID = sv.ID
		scope = append(scope, sv.Name)
	}
	if email := req.Param("owner"); email != "" {
		p, err := t.FindPerson(email)
		if err != nil {
			return model.Checklist{}, nil, model.Invalid("owner", email, "is not a known person")
		}
		ownerID = p.ID
		scope = append(scope, "services owned by "+p.Email)
	}
	if d := req.Param("revoke_days"); d != "" {
		if n, err := strconv.Atoi(d); err != nil || n < 0 || n > 365 {
			return model.Checklist{}, nil, model.Invalid("revoke_days", d, "is not a number of days from 0 to 365")
		}
	}
	cands, err := t.ReviewCandidates(svcID, ownerID)
	if err != nil {
		return model.Checklist{}, nil, err
	}
	if len(cands) == 0 {
		return model.Checklist{}, nil, model.Invalid("scope", strings.Join(scope, ", "), "holds no active account to review")
	}
	sortCandidates(cands)
	now := t.At()
	steps := make([]model.ChecklistStep, len(cands))
	for i, c := range cands {
		id := c.ID
		x := c.Access
		reviewer := c.OwnerEmail
		if reviewer == "" {
			reviewer = "no owner"
		}
		steps[i] = model.ChecklistStep{Kind: reviewStepDecide, RefKind: "account", RefID: &id,
			Title: fmt.Sprintf("[%s] %s:%s — %s (%s)", reviewer, c.ServiceName, c.Username, c.PersonName, c.Entitlement),
			Detail: fmt.Sprintf("two-step %s · last activity %s · holder %s · verified %s", x.TwoStep, x.ActivityWords(now), c.PersonStatus,
				model.Ago(c.LastVerifiedAt, now)),
			Warn:  reviewWarn(c.Account),
			Input: "decision", Default: "keep"}
	}
	title := "Access review " + now.Format("2006-01-02")
	subject := "all services"
	if len(scope) > 0 {
		subject = strings.Join(scope, ", ")
		title += " (" + subject + ")"
	}
	if req.Params == nil {
		req.Params = map[string]string{}
	}
	return model.Checklist{Title: title, SubjectKind: "accounts", SubjectName: subject, Params: req.Params}, steps, nil
}

// sortCandidates orders a review by reviewer, then service, then holder,
// so each owner's accounts are one run of steps.
func sortCandidates(cs []store.ReviewCandidate) {
	key := func(c store.ReviewCandidate) string {
		o := c.OwnerEmail
		if o == "" {
			o = "\xff" // no owner: last
		}
		return strings.ToLower(o + "\x00" + c.ServiceName + "\x00" + c.PersonName + "\x00" + c.Username)
	}
	sort.SliceStable(cs, func(i, j int) bool { return key(cs[i]) < key(cs[j]) })
}

// reviewWarn flags what a reviewer should look at first.
func reviewWarn(a model.Account) string {
	var w []string
	if a.PersonStatus != "active" {
		w = append(w, "holder "+a.PersonStatus)
	}
	if a.Access.TwoStep == model.TwoStepOff {
		w = append(w, "two-step off")
	}
	return strings.Join(w, ", ")
}

// reviewLines records the lines of a review just created (the kind's
// Plan cannot: the checklist has no id yet). StartAccessReview calls it.
func reviewLines(t *store.Tx, c model.Checklist) error {
	cands, err := t.ReviewCandidates(0, 0)
	if err != nil {
		return err
	}
	byID := map[int64]store.ReviewCandidate{}
	for _, x := range cands {
		byID[x.ID] = x
	}
	for _, st := range c.Steps {
		if st.RefID == nil {
			continue
		}
		x, ok := byID[*st.RefID]
		if !ok {
			continue
		}
		l := model.ReviewLine{ReviewID: c.ID, StepN: st.N, AccountID: x.ID, ReviewerID: x.OwnerID, Holder: x.PersonName + " <" + x.PersonEmail + ">",
			Service: x.ServiceName, Username: x.Username, Entitlement: x.Entitlement, TwoStep: x.Access.TwoStep,
			LastActivity: x.Access.ActivityWords(t.At())}
		if x.Access.LastActivity != nil {
			l.LastActivity = x.Access.LastActivity.UTC().Format("2006-01-02 15:04 UTC") + " (" + x.Access.LastActivityKind + ")"
		}
		if err := t.AddReviewLine(&l); err != nil {
			return err
		}
	}
	return nil
}

// StartAccessReview starts an access review of the active accounts in
// scope (service name, owner email; both empty: all) with its lines, in
// one transaction; dry rolls it back.
func StartAccessReview(ctx context.Context, e Env, service, owner string, revokeDays int, dry bool) (model.Checklist, error) {
	req := StartRequest{Subject: "accounts", Params: map[string]string{}}
	if service != "" {
		req.Params["service"] = service
	}
	if owner != "" {
		req.Params["owner"] = owner
	}
	req.Params["revoke_days"] = strconv.Itoa(revokeDays)
	var c model.Checklist
	err := e.Store.Write(ctx, e.Actor, func(t *store.Tx) error {
		if !e.Actor.CanWrite() {
			return fmt.Errorf("%s may not start an access review (role %s): %w", e.Actor, e.Actor.Role, model.ErrForbidden)
		}
		var err error
		if c, err = StartChecklistTx(t, AccessReview, req); err != nil {
			return err
		}
		if err := reviewLines(t, c); err != nil {
			return err
		}
		if dry {
			return errDryRun
		}
		return nil
	})
	if err == errDryRun {
		err = nil
	}
	return c, err
}

// reviewUndoData is what undoing a decision puts back.
type reviewUndoData struct {
	Line        int64  `json:"line"`
	Entitlement string `json:"entitlement,omitempty"` // a change: the entitlement before
	RevokeN     int    `json:"revoke_step,omitempty"` // a revoke: the step it added
	Status      string `json:"status,omitempty"`      // a revocation done: the status before
}

func reviewDone(t *store.Tx, c model.Checklist, s model.ChecklistStep, m model.ChecklistMark) (store.StepOutcome, error) {
	if s.RefID == nil {
		return store.StepOutcome{}, model.Invalid("step", strconv.Itoa(s.N), "names no account")
	}
	if s.Kind == reviewStepRevoke {
		before, _, err := t.DeactivateAccount(*s.RefID)
		if err != nil {
			return store.StepOutcome{}, err
		}
		undo, _ := json.Marshal(reviewUndoData{Status: before.Status})
		return store.StepOutcome{Effect: fmt.Sprintf("account %s:%s revoked", before.ServiceName, before.Username), Value: "revoked", Undo: string(undo)}, nil
	}
	line, err := t.ReviewLineAt(c.ID, s.N)
	if err != nil {
		return store.StepOutcome{}, err
	}
	a, err := t.GetAccount(*s.RefID)
	if err != nil {
		return store.StepOutcome{}, err
	}
	d, err := model.ParseDecision(m.Value, m.Reason, a.Entitlement)
	if err != nil {
		return store.StepOutcome{}, err
	}
	u := reviewUndoData{Line: line.ID}
	var effect, due string
	switch d.Decision {
	case model.DecisionKeep:
		effect = "kept: " + d.Reason
	case model.DecisionChange:
		u.Entitlement = a.Entitlement
		if _, _, err := t.UpdateAccount(a.ID, func(x *model.Account) error { x.Entitlement = d.NewEntitlement; return nil }); err != nil {
			return store.StepOutcome{}, err
		}
		effect = fmt.Sprintf("entitlement %s → %s: %s", a.Entitlement, d.NewEntitlement, d.Reason)
	case model.DecisionRevoke:
		days := DefaultRevokeDays
		if n, err := strconv.Atoi(c.Param("revoke_days")); err == nil {
			days = n
		}
		due = t.At().AddDate(0, 0, days).Format(model.DateLayout)
		id := a.ID
		n, err := t.AppendChecklistStep(c.ID, model.ChecklistStep{Kind: reviewStepRevoke, RefKind: "account", RefID: &id,
			Title:     fmt.Sprintf("Revoke %s:%s — %s", a.ServiceName, a.Username, a.PersonName),
			Detail:    fmt.Sprintf("decided at step %d by %s: %s", s.N, t.Actor().String(), d.Reason),
			Procedure: "Remove the account on " + a.ServiceName + ", then mark this done: opsdeck records it revoked.",
			Due:       due})
		if err != nil {
			return store.StepOutcome{}, err
		}
		u.RevokeN = n
		effect = fmt.Sprintf("revoke by %s (step %d): %s", due, n, d.Reason)
	}
	if _, err := t.DecideReviewLine(line.ID, d, due, u.RevokeN); err != nil {
		return store.StepOutcome{}, err
	}
	undo, _ := json.Marshal(u)
	value := d.Decision
	if d.NewEntitlement != "" {
		value += " " + d.NewEntitlement
	}
	return store.StepOutcome{Effect: effect, Value: value, Undo: string(undo)}, nil
}

func accessReviewUndo(t *store.Tx, c model.Checklist, s model.ChecklistStep, data string) error {
	var u reviewUndoData
	if err := json.Unmarshal([]byte(data), &u); err != nil {
		return fmt.Errorf("undo step %d: %w", s.N, err)
	}
	if s.Kind == reviewStepRevoke {
		if s.RefID == nil || u.Status == "" {
			return nil
		}
		_, _, err := t.UpdateAccount(*s.RefID, func(a *model.Account) error { a.Status = u.Status; return nil })
		return err
	}
	if u.RevokeN > 0 {
		for _, st := range c.Steps {
			if st.N == u.RevokeN && st.State == model.StateDone {
				return model.Invalid("step", strconv.Itoa(s.N), fmt.Sprintf("decided a revocation that is done (step %d); undo that first", u.RevokeN))
			}
		}
		if err := t.WithdrawChecklistStep(c.ID, u.RevokeN, fmt.Sprintf("the decision at step %d was undone", s.N)); err != nil {
			return err
		}
	}
	if u.Entitlement != "" && s.RefID != nil {
		if _, _, err := t.UpdateAccount(*s.RefID, func(a *model.Account) error { a.Entitlement = u.Entitlement; return nil }); err != nil {
			return err
		}
	}
	_, err := t.DecideReviewLine(u.Line, model.Decision{}, "", 0)
	return err
}

func reviewComplete(t *store.Tx, c model.Checklist) (string, error) {
	n := map[string]int{}
	for _, s := range c.Steps {
		if s.Kind == reviewStepDecide && s.State == model.StateDone {
			n[strings.Fields(s.Value + " x")[0]]++
		}
	}
	return fmt.Sprintf("%d kept, %d revoked, %d changed", n[model.DecisionKeep], n[model.DecisionRevoke], n[model.DecisionChange]), nil
}
