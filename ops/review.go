package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// The monthly security review, a checklist kind of the generic engine
// (ops/checklist.go): Plan lists what the company's state calls for
// (model.ReviewItems), each step's done takes a decision (fixed,
// "accepted: REASON until DATE", finding), and completing it is the
// sign-off, which freezes the report and its comparison with last month.
func init() {
	RegisterChecklistKind(ChecklistKind{
		Name:       model.ReviewKind,
		Plan:       planReview,
		OnDone:     decideReviewItem,
		OnUndo:     undoReviewItem,
		OnComplete: signOffReview,
		Report:     reviewReport,
		Find: func(ctx context.Context, s *store.Store, ref string) (int64, error) {
			m, err := model.ReviewMonth(ref, s.Now().In(time.Local))
			if err != nil {
				return 0, err
			}
			return s.ReviewByMonth(ctx, m)
		},
	})
}

func planReview(t *store.Tx, req StartRequest) (model.Checklist, []model.ChecklistStep, error) {
	now := t.At().In(time.Local)
	month, err := model.ReviewMonth(req.Subject, now)
	if err != nil {
		return model.Checklist{}, nil, err
	}
	if id, ok, err := t.ReviewFor(month); err != nil {
		return model.Checklist{}, nil, err
	} else if ok {
		return model.Checklist{}, nil, model.Invalid("month", month, fmt.Sprintf("already has a review (checklist %d): opsdeck review steps %s", id, month))
	}
	in, err := t.ReviewInputs()
	if err != nil {
		return model.Checklist{}, nil, err
	}
	items := model.ReviewItems(in)
	params := map[string]string{}
	steps := make([]model.ChecklistStep, len(items))
	for i, it := range items {
		id := it.RefID
		steps[i] = model.ChecklistStep{Kind: it.Kind, RefKind: it.RefKind, RefID: &id, Title: it.Title, Detail: it.Detail,
			Input: "decision", Default: model.DecisionFixed,
			Procedure: `Decide: fixed · accepted: REASON until YYYY-MM-DD · finding (opens a finding for it)`}
		if it.Severity == "critical" || it.Severity == "high" {
			steps[i].Warn = it.Severity
		}
		params["severity."+strconv.Itoa(i+1)] = it.Severity
	}
	return model.Checklist{Title: "Monthly security review " + month, SubjectKind: "month", SubjectName: month, Params: params}, steps, nil
}

// reviewUndo is what undo puts back: the finding's state before the
// decision moved it.
type reviewUndo struct {
	Finding int64  `json:"finding,omitempty"`
	State   string `json:"state,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Expires string `json:"expires,omitempty"`
	Made    int64  `json:"made,omitempty"` // a finding the decision opened
}

// decideReviewItem records the decision of one item. On a finding item,
// fixed resolves the finding and accepted accepts its risk; on any other
// item, finding opens a finding linked to the item's record.
func decideReviewItem(t *store.Tx, c model.Checklist, s model.ChecklistStep, m model.ChecklistMark) (store.StepOutcome, error) {
	v := m.Value
	if strings.TrimSpace(v) == "" {
		v = s.Default
	}
	d, err := model.ParseReviewDecision(v, t.At().In(time.Local))
	if err != nil {
		return store.StepOutcome{}, err
	}
	out := store.StepOutcome{Value: v}
	var undo reviewUndo
	isFinding := s.RefKind == "finding" && s.RefID != nil
	switch {
	case isFinding && d.Kind == model.DecisionFinding:
		return out, model.Invalid("decision", v, "this item is already a finding: decide fixed or accepted")
	case isFinding:
		before, after, err := t.UpdateFinding(*s.RefID, func(f *model.Finding) error {
			if d.Kind == model.DecisionFixed {
				if f.State != model.FindingClosed {
					f.State = model.FindingResolved
				}
				return nil
			}
			f.State, f.AcceptReason, f.AcceptExpires = model.FindingAccepted, d.Reason, d.Expires
			return nil
		})
		if err != nil {
			return out, err
		}
		undo = reviewUndo{Finding: before.ID, State: before.State, Reason: before.AcceptReason, Expires: before.AcceptExpires}
		out.Effect = fmt.Sprintf("finding #%d %s → %s", after.ID, before.State, after.State)
	case d.Kind == model.DecisionFinding:
		sev := c.Param("severity." + strconv.Itoa(s.N))
		if sev == "" {
			sev = "medium"
		}
		f := model.Finding{Title: strings.TrimPrefix(s.Title, "Risk "), Severity: sev, Source: "monthly review " + c.SubjectName, Notes: s.Detail}
		var links []model.FindingLink
		switch s.RefKind {
		case "service", "device", "person", "account":
			links = append(links, model.FindingLink{Kind: s.RefKind, ID: *s.RefID})
		}
		if err := t.AddFinding(&f, links); err != nil {
			return out, err
		}
		undo.Made = f.ID
		out.Effect = fmt.Sprintf("opened finding #%d (due %s)", f.ID, f.Due)
	case d.Kind == model.DecisionAccepted:
		out.Effect = "accepted until " + d.Expires + ": " + d.Reason
	default:
		out.Effect = "fixed"
	}
	b, err := json.Marshal(undo)
	if err != nil {
		return out, err
	}
	out.Undo = string(b)
	return out, nil
}

func undoReviewItem(t *store.Tx, c model.Checklist, s model.ChecklistStep, data string) error {
	var u reviewUndo
	if data != "" {
		if err := json.Unmarshal([]byte(data), &u); err != nil {
			return fmt.Errorf("undo review step %d: %w", s.N, err)
		}
	}
	if u.Made != 0 {
		return model.Invalid("step", strconv.Itoa(s.N), fmt.Sprintf("opened finding #%d, which stays (findings are not deleted): close or edit it instead", u.Made))
	}
	if u.Finding == 0 {
		return nil
	}
	_, _, err := t.UpdateFinding(u.Finding, func(f *model.Finding) error {
		f.State, f.AcceptReason, f.AcceptExpires = u.State, u.Reason, u.Expires
		return nil
	})
	return err
}

// reviewKeys maps a review's items to their titles, by key.
func reviewKeys(c model.Checklist) map[string]string {
	out := map[string]string{}
	for _, s := range c.Steps {
		var id int64
		if s.RefID != nil {
			id = *s.RefID
		}
		out[model.ReviewKey(s.Kind, s.RefKind, id)] = s.Title
	}
	return out
}

// signOffReview freezes the report: each decision and what changed since
// the last signed-off review.
func signOffReview(t *store.Tx, c model.Checklist) (string, error) {
	c, err := t.GetChecklist(c.ID)
	if err != nil {
		return "", err
	}
	prev, ok, err := t.PreviousReview(c.SubjectName)
	if err != nil {
		return "", err
	}
	prevKeys, prevMonth := map[string]string{}, ""
	if ok {
		prevKeys, prevMonth = reviewKeys(prev), prev.SubjectName
	}
	cmp := model.CompareReviews(prevMonth, prevKeys, reviewKeys(c))
	secs := reviewSections(c, cmp)
	if err := t.FreezeReview(c.ID, store.FrozenReview{Month: c.SubjectName, Comparison: cmp, Sections: secs}); err != nil {
		return "", err
	}
	counts := map[string]int{}
	for _, s := range c.Steps {
		d, _ := model.ParseReviewDecision(s.Value, t.At().In(time.Local).AddDate(-10, 0, 0))
		counts[d.Kind]++
	}
	sum := fmt.Sprintf("signed off: %d items (%d fixed, %d accepted, %d findings)", len(c.Steps), counts[model.DecisionFixed], counts[model.DecisionAccepted], counts[model.DecisionFinding])
	if prevMonth != "" {
		sum += fmt.Sprintf("; since %s: %d new, %d fixed, %d still open", prevMonth, len(cmp.New), len(cmp.Fixed), len(cmp.StillOpen))
	} else {
		sum += "; no earlier signed-off review to compare with"
	}
	return sum, nil
}

// reviewSections words the report: what changed since last month, each
// decision, and what could not be evaluated.
func reviewSections(c model.Checklist, cmp model.ReviewComparison) []model.ReportSection {
	lines := func(cs []model.ReviewChange) []string {
		out := make([]string, len(cs))
		for i, x := range cs {
			out[i] = x.Title
		}
		return out
	}
	title := "Changed since last month"
	if cmp.Previous != "" {
		title += " (" + cmp.Previous + ")"
	} else {
		title += " (no earlier signed-off review: everything is new)"
	}
	var secs []model.ReportSection
	secs = append(secs, model.ReportSection{Title: title, Lines: []string{fmt.Sprintf("%d new, %d fixed, %d still open", len(cmp.New), len(cmp.Fixed), len(cmp.StillOpen))}},
		model.ReportSection{Title: "New", Lines: lines(cmp.New)},
		model.ReportSection{Title: "Fixed since last month", Lines: lines(cmp.Fixed)},
		model.ReportSection{Title: "Still open", Lines: lines(cmp.StillOpen)})
	dec := model.ReportSection{Title: "Decisions"}
	for _, s := range c.Steps {
		d := s.State
		if s.State == model.StateDone {
			d = s.Value
			if s.Effect != "" && s.Effect != s.Value {
				d += " — " + s.Effect
			}
		} else if s.Reason != "" {
			d += ": " + s.Reason
		}
		dec.Lines = append(dec.Lines, fmt.Sprintf("%d. %s: %s", s.N, s.Title, d))
	}
	secs = append(secs, dec)
	return secs
}

// reviewReport is the frozen report once signed off; before that, the
// same sections worked out live, marked as a draft.
func reviewReport(ctx context.Context, s *store.Store, c model.Checklist) ([]model.ReportSection, error) {
	f, ok, err := s.FrozenReview(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if ok {
		return append([]model.ReportSection{{Title: "Signed off", Lines: []string{f.SignedBy + " at " + f.SignedAt.Local().Format("2006-01-02 15:04")}}}, f.Sections...), nil
	}
	prev, ok, err := s.PreviousReview(ctx, c.SubjectName)
	if err != nil {
		return nil, err
	}
	prevKeys, prevMonth := map[string]string{}, ""
	if ok {
		prevKeys, prevMonth = reviewKeys(prev), prev.SubjectName
	}
	cmp := model.CompareReviews(prevMonth, prevKeys, reviewKeys(c))
	return append([]model.ReportSection{{Title: "Draft", Lines: []string{"not signed off yet: complete the review to freeze this report"}}}, reviewSections(c, cmp)...), nil
}
