package ops

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// ChecklistKind is one kind of generic checklist (onboarding, access
// review, monthly review). A kind registers once, from an init(), and the
// generic operations below, the CLI verbs (cli/checklist.go) and the
// console component (ui/components/checklist) work for it. See
// docs/dev/checklists.md.
type ChecklistKind struct {
	// Name is stored on every checklist of the kind ("onboarding").
	Name string
	// Plan generates a new checklist from the company's state, read in t,
	// and the start request: its title, subject, params and steps. It may
	// write (an onboarding adds the new hire) — the same transaction
	// stores the checklist, and a dry run rolls all of it back.
	Plan func(t *store.Tx, req StartRequest) (model.Checklist, []model.ChecklistStep, error)
	// OnDone runs when a step is marked done, in the same transaction; it
	// may change the inventory (create an account) or refuse with a
	// model.Invalid that says why. nil: done changes nothing.
	OnDone func(t *store.Tx, c model.Checklist, s model.ChecklistStep, m model.ChecklistMark) (store.StepOutcome, error)
	// OnUndo puts back what OnDone changed, from the Undo data it left.
	OnUndo func(t *store.Tx, c model.Checklist, s model.ChecklistStep, undo string) error
	// OnComplete runs when the checklist completes (after the open-steps
	// rule) and returns its outcome in words; it may refuse.
	OnComplete func(t *store.Tx, c model.Checklist) (string, error)
	// Report adds the kind's sections to the report ("Accounts created").
	Report func(ctx context.Context, s *store.Store, c model.Checklist) ([]model.ReportSection, error)
	// Find resolves what a user typed (an email, a month) to a checklist
	// of this kind: the open one, else the latest. nil: ids only.
	Find func(ctx context.Context, s *store.Store, ref string) (int64, error)
}

// errDryRun rolls back a transaction that only computed a preview.
var errDryRun = errors.New("dry run")

// Step actions.
const (
	StepDone  = "done"
	StepSkip  = "skip"
	StepBlock = "block"
	StepUndo  = "undo"
	StepNote  = "note"
)

var stepStates = map[string]string{StepDone: model.StateDone, StepSkip: model.StateSkipped, StepBlock: model.StateBlocked}

// StepChange is one action on checklist step N.
type StepChange struct {
	N      int
	Action string // StepDone, StepSkip, StepBlock, StepUndo or StepNote
	// Reason (skip, block), Note (note, or alongside any action) and
	// DeviceStatus (done on an offboarding's device step: spare, repair or
	// lost).
	Reason, Note, DeviceStatus string
	// Successor hands an offboarding's service step to this person instead
	// of the offboarding's successor ("" keeps it).
	Successor string
	// Value answers a step's Input (a username, an asset tag, where a
	// device goes); "" takes the step's default.
	Value string
}

// StartRequest is a checklist's start input: Subject is what it is about
// as the user typed it (an email, a service, a month), Params the kind's
// own inputs (profile, start date...).
type StartRequest struct {
	Subject string
	Params  map[string]string
	Due     string
}

// Param is one of the request's params ("" when absent).
func (r StartRequest) Param(name string) string { return r.Params[name] }

var (
	kindsMu sync.RWMutex
	kinds   = map[string]ChecklistKind{}
)

// RegisterChecklistKind adds a kind; a second kind of the same name panics
// (at start-up, so every test catches it).
func RegisterChecklistKind(k ChecklistKind) {
	kindsMu.Lock()
	defer kindsMu.Unlock()
	if k.Name == "" || k.Plan == nil {
		panic("checklist kind needs a name and a Plan")
	}
	if _, dup := kinds[k.Name]; dup {
		panic("checklist kind registered twice: " + k.Name)
	}
	kinds[k.Name] = k
}

// ChecklistKinds lists the registered kinds' names, sorted.
func ChecklistKinds() []string {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	out := make([]string, 0, len(kinds))
	for n := range kinds {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Kind returns the registered kind called name.
func Kind(name string) (ChecklistKind, error) {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	k, ok := kinds[name]
	if !ok {
		return k, model.Invalid("kind", name, "is not a checklist kind ("+strings.Join(ChecklistKinds(), ", ")+")")
	}
	return k, nil
}

// StartChecklist generates and stores a checklist of kind from req. With
// dry set everything is rolled back: the result is exactly the checklist
// that would be stored, and a refusal exactly the refusal.
func StartChecklist(ctx context.Context, e Env, kind string, req StartRequest, dry bool) (model.Checklist, error) {
	var c model.Checklist
	err := writeOrPreview(ctx, e, dry, func(t *store.Tx) (err error) {
		c, err = StartChecklistTx(t, kind, req)
		return err
	})
	return c, err
}

// writeOrPreview runs fn in a write transaction, rolled back when dry is
// set (a preview: what fn computed, or its refusal, without a trace).
func writeOrPreview(ctx context.Context, e Env, dry bool, fn func(t *store.Tx) error) error {
	err := e.Store.Write(ctx, e.Actor, func(t *store.Tx) error {
		if err := fn(t); err != nil {
			return err
		}
		if dry {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return err
}

// StartChecklistTx is StartChecklist inside a caller's transaction (a
// batch starts several in one).
func StartChecklistTx(t *store.Tx, kind string, req StartRequest) (model.Checklist, error) {
	k, err := Kind(kind)
	if err != nil {
		return model.Checklist{}, err
	}
	c, steps, err := k.Plan(t, req)
	if err != nil {
		return c, err
	}
	c.Kind = k.Name
	if c.Due == "" {
		c.Due = req.Due
	}
	return t.CreateChecklist(c, steps)
}

// ChecklistRef names a checklist: by id, or by what a user typed, which
// the kind's Find resolves (a number is always an id).
type ChecklistRef struct {
	Kind string
	ID   int64
	Ref  string
}

// Resolve returns the checklist id r names.
func (r ChecklistRef) Resolve(ctx context.Context, s *store.Store) (int64, error) {
	if r.ID != 0 {
		return r.ID, nil
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(r.Ref), 10, 64); err == nil && n > 0 {
		return n, nil
	}
	k, err := Kind(r.Kind)
	if err != nil {
		return 0, err
	}
	if k.Find == nil {
		return 0, model.Invalid(r.Kind, r.Ref, "is not a checklist id")
	}
	return k.Find(ctx, s, r.Ref)
}

// kindOf reads the checklist and its kind inside t, checking the kind
// when the ref names one.
func (r ChecklistRef) kindOf(t *store.Tx, id int64) (ChecklistKind, error) {
	kind, err := t.ChecklistKind(id)
	if err != nil {
		return ChecklistKind{}, err
	}
	if r.Kind != "" && kind != r.Kind {
		return ChecklistKind{}, model.Invalid("checklist", strconv.FormatInt(id, 10), "is a "+kind+" checklist, not "+r.Kind)
	}
	return Kind(kind)
}

// GetChecklist reads the checklist r names, with steps.
func GetChecklist(ctx context.Context, s *store.Store, r ChecklistRef) (model.Checklist, error) {
	id, err := r.Resolve(ctx, s)
	if err != nil {
		return model.Checklist{}, err
	}
	c, err := s.Checklist(ctx, id)
	if err == nil && r.Kind != "" && c.Kind != r.Kind {
		return c, model.Invalid("checklist", strconv.FormatInt(id, 10), "is a "+c.Kind+" checklist, not "+r.Kind)
	}
	return c, err
}

// SetChecklistStep applies one action (done, skip, block, undo, note) to
// step ch.N of the checklist r names: done runs the kind's OnDone in the
// same transaction (ch.Value answers the step's Input; "" takes its
// default), undo its OnUndo.
func SetChecklistStep(ctx context.Context, e Env, r ChecklistRef, ch StepChange) (model.ChecklistStep, error) {
	state, marks := stepStates[ch.Action]
	if !marks && ch.Action != StepUndo && ch.Action != StepNote {
		return model.ChecklistStep{}, model.Invalid("action", ch.Action, "is not one of done, skip, block, undo, note")
	}
	id, err := r.Resolve(ctx, e.Store)
	if err != nil {
		return model.ChecklistStep{}, err
	}
	var st model.ChecklistStep
	err = e.Store.Write(ctx, e.Actor, func(t *store.Tx) error {
		k, err := r.kindOf(t, id)
		if err != nil {
			return err
		}
		switch ch.Action {
		case StepUndo:
			var undo func(model.Checklist, model.ChecklistStep, string) error
			if k.OnUndo != nil {
				undo = func(c model.Checklist, s model.ChecklistStep, data string) error { return k.OnUndo(t, c, s, data) }
			}
			st, err = t.UndoChecklistStep(id, ch.N, undo)
			if err == nil && ch.Note != "" {
				st, err = t.AddChecklistNote(id, ch.N, ch.Note)
			}
		case StepNote:
			st, err = t.AddChecklistNote(id, ch.N, ch.Note)
		default:
			var done func(model.Checklist, model.ChecklistStep, model.ChecklistMark) (store.StepOutcome, error)
			if k.OnDone != nil {
				done = func(c model.Checklist, s model.ChecklistStep, m model.ChecklistMark) (store.StepOutcome, error) {
					return k.OnDone(t, c, s, m)
				}
			}
			st, err = t.MarkChecklistStep(id, ch.N, model.ChecklistMark{State: state, Reason: ch.Reason, Note: ch.Note, Value: ch.Value}, done)
		}
		return err
	})
	return st, err
}

// CompleteChecklist closes the checklist r names: refused while steps are
// open unless force is set with a reason; the kind's OnComplete runs in
// the same transaction.
func CompleteChecklist(ctx context.Context, e Env, r ChecklistRef, force bool, reason string) (model.Checklist, error) {
	id, err := r.Resolve(ctx, e.Store)
	if err != nil {
		return model.Checklist{}, err
	}
	var c model.Checklist
	err = e.Store.Write(ctx, e.Actor, func(t *store.Tx) error {
		k, err := r.kindOf(t, id)
		if err != nil {
			return err
		}
		var done func(model.Checklist) (string, error)
		if k.OnComplete != nil {
			done = func(c model.Checklist) (string, error) { return k.OnComplete(t, c) }
		}
		c, err = t.CompleteChecklist(id, force, reason, done)
		return err
	})
	return c, err
}

// ChecklistReport is the record of the checklist r names: every step as it
// stands, the kind's sections and the audit trail; Markdown() renders it
// for people, and it marshals to JSON for scripts.
func ChecklistReport(ctx context.Context, s *store.Store, r ChecklistRef) (model.ChecklistReport, error) {
	c, err := GetChecklist(ctx, s, r)
	if err != nil {
		return model.ChecklistReport{}, err
	}
	k, err := Kind(c.Kind)
	if err != nil {
		return model.ChecklistReport{}, err
	}
	var secs []model.ReportSection
	if k.Report != nil {
		if secs, err = k.Report(ctx, s, c); err != nil {
			return model.ChecklistReport{}, fmt.Errorf("%s report: %w", c.Kind, err)
		}
	}
	trail, err := s.ChecklistTrail(ctx, c.ID)
	if err != nil {
		return model.ChecklistReport{}, err
	}
	return model.BuildChecklistReport(c, secs, trail), nil
}
