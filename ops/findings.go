package ops

import (
	"context"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// FindingLinksTx resolves "kind:ref" links ("service:GitHub",
// "device:LT-042", "person:bill@example.com", "account:GitHub:bill"),
// comma-separated, to the records a finding affects. field names the flag
// or column they were typed into.
func FindingLinksTx(t *store.Tx, field, list string) ([]model.FindingLink, error) {
	return t.FindingLinks(field, list)
}

// Compliance judges every device against the policy and records the
// verdicts that changed (so "since when" holds), as the system actor
// "compliance". The scheduler's source sync does the same each minute.
func Compliance(ctx context.Context, s *store.Store) ([]model.DeviceCompliance, error) {
	list, err := s.Compliance(ctx, s.Now())
	if err != nil {
		return nil, err
	}
	if s.ReadOnly() {
		return list, nil
	}
	err = s.Write(ctx, model.SystemActor("compliance"), func(t *store.Tx) error {
		_, err := t.RecordCompliance(list)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Compliance(ctx, s.Now())
}

// FindingMove is a change of a finding's state with what it needs: a
// reason and an expiry to accept a risk, a note (how the fix was verified,
// how it was fixed) kept in the finding's log.
type FindingMove struct {
	State   string
	Reason  string // accepted_risk
	Expires string // accepted_risk, YYYY-MM-DD
	Note    string // appended to the log (as evidence when closing)
}

// MoveFinding changes the state of finding ref, in one transaction with
// its note and audit row. Closing needs a note saying how the fix was
// verified; the workflow's own rules are model.CheckFindingMove's.
func MoveFinding(ctx context.Context, e Env, ref string, m FindingMove) (model.Finding, error) {
	var after model.Finding
	err := e.Store.Write(ctx, e.Actor, func(t *store.Tx) (err error) {
		after, err = MoveFindingTx(t, ref, m)
		return err
	})
	return after, err
}

// MoveFindingTx is MoveFinding inside t (the console's forms save in their
// own transaction).
func MoveFindingTx(t *store.Tx, ref string, m FindingMove) (model.Finding, error) {
	var after model.Finding
	if err := model.ValidateEnum("state", m.State, model.FindingStates); err != nil {
		return after, err
	}
	if m.State == model.FindingClosed && m.Note == "" {
		return after, model.Invalid("verified", "", "is required to close a finding: say how the fix was verified")
	}
	if m.State == model.FindingAccepted && m.Expires != "" {
		d, err := model.ParseDate("expires", m.Expires)
		if err != nil {
			return after, err
		}
		m.Expires = d
	}
	cur, err := t.FindFinding(ref)
	if err != nil {
		return after, err
	}
	if _, _, err = t.UpdateFinding(cur.ID, func(f *model.Finding) error {
		f.State = m.State
		if m.State == model.FindingAccepted {
			f.AcceptReason, f.AcceptExpires = m.Reason, m.Expires
		}
		return nil
	}); err != nil {
		return after, err
	}
	if m.Note != "" {
		kind := "note"
		if m.State == model.FindingClosed {
			kind = "evidence"
		}
		if _, err := t.AddFindingEntry(cur.ID, kind, m.Note); err != nil {
			return after, err
		}
	}
	return t.GetFinding(cur.ID)
}

// AddFindingEntry appends a note or an evidence link to finding ref.
func AddFindingEntry(ctx context.Context, e Env, ref, kind, text string) (model.Finding, error) {
	var f model.Finding
	err := e.Store.Write(ctx, e.Actor, func(t *store.Tx) error {
		cur, err := t.FindFinding(ref)
		if err != nil {
			return err
		}
		if _, err := t.AddFindingEntry(cur.ID, kind, text); err != nil {
			return err
		}
		f, err = t.GetFinding(cur.ID)
		return err
	})
	return f, err
}
