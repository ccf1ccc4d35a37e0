package ops

import (
	"context"
	"errors"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// Leaver names whose offboarding: the reference a user typed (email,
// name or id) or, from a screen that has them, the person's id or the
// offboarding's own id (a screen showing a completed offboarding acts on
// that one, and hears the store's refusal).
type Leaver struct {
	Ref           string
	ID            int64
	OffboardingID int64
}

// LeaverID names a person by id.
func LeaverID(id int64) Leaver { return Leaver{ID: id} }

// LeaverRef names a person by what a user typed.
func LeaverRef(ref string) Leaver { return Leaver{Ref: ref} }

// OffboardingID names an offboarding by its id.
func OffboardingID(id int64) Leaver { return Leaver{OffboardingID: id} }

func (l Leaver) personTx(t *store.Tx) (int64, error) {
	if l.Ref == "" {
		return l.ID, nil
	}
	p, err := PersonTx(t, "person", l.Ref)
	return p.ID, err
}

// offboardingTx is the offboarding l names: by id, or the person's open one.
func (l Leaver) offboardingTx(t *store.Tx) (int64, error) {
	if l.OffboardingID != 0 {
		return l.OffboardingID, nil
	}
	id, err := l.personTx(t)
	if err != nil {
		return 0, err
	}
	off, err := t.OpenOffboardingFor(id)
	return off.ID, err
}

// errDryRun rolls back a transaction that only computed a preview.
var errDryRun = errors.New("dry run")

// StartOffboarding starts the leaver's offboarding: they become leaving
// (their SSH keys stop working) and a checklist is generated from what
// they hold. successor ("" for none) receives the services they own.
// With dry set the transaction is rolled back: the result is exactly the
// checklist the store would generate, and the refusal exactly its refusal.
func StartOffboarding(ctx context.Context, e Env, who Leaver, lastDay, successor string, dry bool) (model.Offboarding, error) {
	var o model.Offboarding
	err := e.Store.Write(ctx, e.Actor, func(t *store.Tx) error {
		id, err := who.personTx(t)
		if err != nil {
			return err
		}
		succ, err := OptPersonTx(t, "successor", successor)
		if err != nil {
			return err
		}
		if o, err = t.StartOffboarding(id, lastDay, succ); err != nil {
			return err
		}
		if o, err = t.LeaveRotations(o); err != nil { // on call: their turns go to the next member
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
	return o, err
}

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
	// DeviceStatus (done on a device step: spare, repair or lost).
	Reason, Note, DeviceStatus string
	// Successor hands a service step to this person instead of the
	// offboarding's successor ("" keeps it).
	Successor string
	// Value answers a generic checklist step's Input (a username, an
	// asset tag); "" takes the step's default.
	Value string
}

// AdvanceStep applies ch to the leaver's open offboarding: done acts on
// the inventory (revokes an account, returns a device, hands a service
// over), skip and block record why, undo puts the inventory back, note
// attaches evidence.
func AdvanceStep(ctx context.Context, e Env, who Leaver, ch StepChange) (model.OffboardingStep, error) {
	state, marks := stepStates[ch.Action]
	if !marks && ch.Action != StepUndo && ch.Action != StepNote {
		return model.OffboardingStep{}, model.Invalid("action", ch.Action, "is not one of done, skip, block, undo, note")
	}
	var st model.OffboardingStep
	err := e.Store.Write(ctx, e.Actor, func(t *store.Tx) error {
		off, err := who.offboardingTx(t)
		if err != nil {
			return err
		}
		switch ch.Action {
		case StepUndo:
			st, err = t.UndoStep(off, ch.N)
			if err == nil && ch.Note != "" {
				st, err = t.AddStepNote(off, ch.N, ch.Note)
			}
		case StepNote:
			st, err = t.AddStepNote(off, ch.N, ch.Note)
		default:
			m := model.StepMark{State: state, Reason: ch.Reason, Note: ch.Note, DeviceStatus: ch.DeviceStatus}
			if m.SuccessorID, err = OptPersonTx(t, "successor", ch.Successor); err != nil {
				return err
			}
			st, err = t.MarkStep(off, ch.N, m)
		}
		return err
	})
	return st, err
}

// CompleteOffboarding closes the leaver's open offboarding: the person
// becomes departed. The store refuses while steps are open unless force
// is set with a reason, which is recorded.
func CompleteOffboarding(ctx context.Context, e Env, who Leaver, force bool, reason string) (model.Offboarding, error) {
	var o model.Offboarding
	err := e.Store.Write(ctx, e.Actor, func(t *store.Tx) error {
		off, err := who.offboardingTx(t)
		if err != nil {
			return err
		}
		o, err = t.CompleteOffboarding(off, force, reason)
		return err
	})
	return o, err
}

// OffboardingOf is the leaver's open offboarding, or else their latest;
// one never started is a model.Invalid saying how to start it.
func OffboardingOf(ctx context.Context, s *store.Store, ref string) (model.Offboarding, error) {
	p, err := Person(ctx, s, "person", ref)
	if err != nil {
		return model.Offboarding{}, err
	}
	off, err := s.Offboarding(ctx, p.ID)
	if errors.Is(err, model.ErrNotFound) {
		return off, model.Invalid("person", ref, "has never been offboarded (start with 'opsdeck offboard start EMAIL')")
	}
	return off, err
}
