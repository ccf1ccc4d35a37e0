package ops_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
)

// The engine's test kind: "spares" generates one step per asset tag named
// in its params; done adds the device (a real inventory change in the
// step's transaction), undo retires it again, a tag starting with "BAD"
// is refused, and completion summarises.
func init() {
	ops.RegisterChecklistKind(ops.ChecklistKind{
		Name: "test_spares",
		Plan: func(t *store.Tx, req ops.StartRequest) (model.Checklist, []model.ChecklistStep, error) {
			if req.Subject == "" {
				return model.Checklist{}, nil, model.Invalid("subject", "", "is required")
			}
			var steps []model.ChecklistStep
			for _, tag := range strings.Split(req.Param("tags"), ",") {
				steps = append(steps, model.ChecklistStep{Kind: "device", Title: "Register " + tag, Input: "asset tag", Default: tag,
					Procedure: "label it and add it", Due: "2026-12-01"})
			}
			return model.Checklist{Title: "Spares for " + req.Subject, SubjectKind: "shelf", SubjectName: req.Subject, Params: req.Params}, steps, nil
		},
		OnDone: func(t *store.Tx, c model.Checklist, s model.ChecklistStep, m model.ChecklistMark) (store.StepOutcome, error) {
			if strings.HasPrefix(m.Value, "BAD") {
				return store.StepOutcome{}, model.Invalid("asset_tag", m.Value, "is on the broken shelf")
			}
			d := model.Device{AssetTag: m.Value, Name: m.Value, Kind: "laptop", Status: "spare"}
			if err := t.AddDevice(&d); err != nil {
				return store.StepOutcome{}, err
			}
			undo, _ := json.Marshal(d.ID)
			return store.StepOutcome{Effect: "device " + d.AssetTag + " added", Value: d.AssetTag, Undo: string(undo)}, nil
		},
		OnUndo: func(t *store.Tx, c model.Checklist, s model.ChecklistStep, undo string) error {
			var id int64
			if err := json.Unmarshal([]byte(undo), &id); err != nil {
				return err
			}
			_, _, err := t.DeactivateDevice(id)
			return err
		},
		OnComplete: func(t *store.Tx, c model.Checklist) (string, error) {
			return c.Param("tags") + " shelved", nil
		},
		Report: func(ctx context.Context, s *store.Store, c model.Checklist) ([]model.ReportSection, error) {
			return []model.ReportSection{{Title: "Shelf", Lines: []string{c.SubjectName}}}, nil
		},
	})
}

func TestChecklistEngine(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, false)
	req := ops.StartRequest{Subject: "shelf A", Params: map[string]string{"tags": "SP-1,SP-2,SP-3"}}

	if _, err := ops.StartChecklist(ctx, e, "nope", req, false); err == nil {
		t.Fatal("unknown kind accepted")
	}
	dry, err := ops.StartChecklist(ctx, e, "test_spares", req, true)
	if err != nil || len(dry.Steps) != 3 {
		t.Fatalf("dry run: %v %+v", err, dry)
	}
	if list, _ := e.Store.ListChecklists(ctx, store.ChecklistQuery{Kind: "test_spares"}); len(list) != 0 {
		t.Fatalf("dry run stored %d checklists", len(list))
	}
	c, err := ops.StartChecklist(ctx, e, "test_spares", req, false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Steps[0].Default != "SP-1" || c.Steps[0].Procedure == "" || c.Steps[0].Due != "2026-12-01" || c.Param("tags") != "SP-1,SP-2,SP-3" {
		t.Fatalf("stored step %+v params %v", c.Steps[0], c.Params)
	}
	ref := ops.ChecklistRef{Kind: "test_spares", ID: c.ID}

	// done with the default value runs the hook: the device exists.
	st, err := ops.SetChecklistStep(ctx, e, ref, ops.StepChange{N: 1, Action: ops.StepDone, Note: "on shelf"})
	if err != nil || st.State != model.StateDone || st.Value != "SP-1" || st.Effect != "device SP-1 added" || len(st.Notes) != 1 {
		t.Fatalf("done: %v %+v", err, st)
	}
	if d, err := e.Store.FindDevice(ctx, "SP-1"); err != nil || d.Status != "spare" {
		t.Fatalf("device after done: %+v %v", d, err)
	}
	// A refusing hook changes nothing: the step stays open.
	_, err = ops.SetChecklistStep(ctx, e, ref, ops.StepChange{N: 2, Action: ops.StepDone, Value: "BAD-2"})
	wantField(t, err, "asset_tag", "broken shelf")
	if got, _ := e.Store.Checklist(ctx, c.ID); got.Steps[1].State != model.StateOpen {
		t.Fatalf("refused step moved to %s", got.Steps[1].State)
	}
	// Shared transition rules.
	_, err = ops.SetChecklistStep(ctx, e, ref, ops.StepChange{N: 2, Action: ops.StepSkip})
	wantField(t, err, "reason", "required")
	_, err = ops.SetChecklistStep(ctx, e, ref, ops.StepChange{N: 1, Action: ops.StepDone})
	wantField(t, err, "state", "undo the step first")
	_, err = ops.SetChecklistStep(ctx, e, ref, ops.StepChange{N: 9, Action: ops.StepDone})
	wantField(t, err, "step", "1-3")
	// Undo runs the kind's undo.
	if _, err := ops.SetChecklistStep(ctx, e, ref, ops.StepChange{N: 1, Action: ops.StepUndo}); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.Store.FindDevice(ctx, "SP-1"); d.Status != "retired" {
		t.Fatalf("undo left device %s", d.Status)
	}
	// Completion refused while open; forced needs a reason; kind summary kept.
	_, err = ops.CompleteChecklist(ctx, e, ref, false, "")
	wantField(t, err, "checklist", "unfinished")
	if _, err := ops.SetChecklistStep(ctx, e, ref, ops.StepChange{N: 2, Action: ops.StepBlock, Reason: "no label printer"}); err != nil {
		t.Fatal(err)
	}
	done, err := ops.CompleteChecklist(ctx, e, ref, true, "printer broken, tracked in OPS-2")
	if err != nil || done.Status != model.ChecklistCompleted || !done.Forced || done.Summary != "SP-1,SP-2,SP-3 shelved" {
		t.Fatalf("complete: %v %+v", err, done)
	}
	_, err = ops.SetChecklistStep(ctx, e, ref, ops.StepChange{N: 3, Action: ops.StepDone})
	wantField(t, err, "checklist", "completed")

	rep, err := ops.ChecklistReport(ctx, e.Store, ref)
	if err != nil {
		t.Fatal(err)
	}
	md := rep.Markdown()
	for _, want := range []string{"# Spares for shelf A", "no label printer", "FORCED", "## Shelf", "step 1 done: Register SP-1", "step 1 undo"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	b, _ := json.Marshal(rep)
	if !strings.Contains(string(b), `"trail"`) || !strings.Contains(string(b), `"sections"`) {
		t.Errorf("report JSON %s", b)
	}
	// Every change is audited.
	trail, _ := e.Store.ChecklistTrail(ctx, c.ID)
	var actions []string
	for _, a := range trail {
		actions = append(actions, a.Action)
	}
	if got := strings.Join(actions, ","); got != "start,done,undo,block,complete" {
		t.Errorf("audit %s", got)
	}
	// The wrong kind is refused by name.
	_, err = ops.GetChecklist(ctx, e.Store, ops.ChecklistRef{Kind: "onboarding", ID: c.ID})
	if err == nil || !strings.Contains(err.Error(), "not onboarding") {
		t.Errorf("wrong kind: %v", err)
	}
}
