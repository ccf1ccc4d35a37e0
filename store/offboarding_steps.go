package store

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/opsdeck/opsdeck/model"
)

// openOffboarding reads an offboarding that steps may still change.
func (t *Tx) openOffboarding(offID int64) (model.Offboarding, error) {
	o, err := getOffboarding(t.ctx, t.tx, offID)
	if err != nil {
		return o, err
	}
	if o.Status != "open" {
		return o, stepsFrozen("offboarding", offID)
	}
	return o, nil
}

// step reads step n of an open offboarding with its undo data.
func (t *Tx) step(o model.Offboarding, n int) (model.OffboardingStep, string, error) {
	st, undo, err := scanStep(t.queryRow(stepSelect+` WHERE offboarding_id = ? AND n = ?`, o.ID, n))
	if isNoRows(err) {
		return st, "", notAStep("offboarding", n, len(o.Steps))
	}
	return st, undo, err
}

// stepUndo holds the inventory records as they were before a step was
// marked done, so undo can put them back.
type stepUndo struct {
	Account *model.Account `json:"account,omitempty"`
	Device  *model.Device  `json:"device,omitempty"`
	Service *model.Service `json:"service,omitempty"`
	Secret  *model.Secret  `json:"secret,omitempty"`
}

// MarkStep moves step n of offboarding offID to m.State. Marking done acts
// on the inventory in the same transaction: an account is revoked, a device
// goes to spare/repair/lost with its holder cleared, a service gets the
// successor as owner, a secret's rotation is recorded and the leaver
// removed from its holders. Each of those is audited by the inventory
// method that does it (so role rules apply: devices and services need an
// admin), and the step records what changed.
func (t *Tx) MarkStep(offID int64, n int, m model.StepMark) (model.OffboardingStep, error) {
	m.Normalize()
	o, err := t.openOffboarding(offID)
	if err != nil {
		return model.OffboardingStep{}, err
	}
	before, _, err := t.step(o, n)
	if err != nil {
		return before, err
	}
	if err := m.Transition(before.State); err != nil {
		return before, err
	}
	effect, undo := "", stepUndo{}
	if m.State == model.StateDone && before.RefID != nil {
		if effect, undo, err = t.applyStep(o, before, m); err != nil {
			return before, err
		}
	}
	undoJSON := ""
	if undo != (stepUndo{}) {
		b, err := json.Marshal(undo)
		if err != nil {
			return before, err
		}
		undoJSON = string(b)
	}
	if _, err := t.exec(`UPDATE offboarding_steps SET state = ?, reason = ?, effect = ?, undo_data = ?, by = ?, at = ? WHERE id = ?`,
		m.State, m.Reason, effect, undoJSON, t.actor.String(), fmtTime(t.at), before.ID); err != nil {
		return before, fmt.Errorf("mark step: %w", err)
	}
	if m.Note != "" {
		if err := t.insertStepNote("offboarding_notes", before.ID, m.Note); err != nil {
			return before, err
		}
	}
	return t.auditStep(o, n, markAction(m.State), before)
}

func (t *Tx) auditStep(o model.Offboarding, n int, action string, before model.OffboardingStep) (model.OffboardingStep, error) {
	o, err := getOffboarding(t.ctx, t.tx, o.ID)
	if err != nil {
		return before, err
	}
	after := o.Steps[n-1]
	return after, t.Audit(action, "offboarding_step", after.ID, before, after)
}

// applyStep performs a done step's inventory change and describes it.
func (t *Tx) applyStep(o model.Offboarding, st model.OffboardingStep, m model.StepMark) (string, stepUndo, error) {
	id := *st.RefID
	switch st.Kind {
	case model.StepAccount:
		b, a, err := t.UpdateAccount(id, func(a *model.Account) error { a.Status = "revoked"; return nil })
		if err != nil {
			return "", stepUndo{}, err
		}
		if b.Status == a.Status {
			return fmt.Sprintf("account %s:%s was already revoked", a.ServiceName, a.Username), stepUndo{}, nil
		}
		return fmt.Sprintf("account %s:%s %s → revoked", a.ServiceName, a.Username, b.Status), stepUndo{Account: &b}, nil
	case model.StepDevice:
		b, a, err := t.UpdateDevice(id, func(d *model.Device) error {
			d.Status, d.HolderID = m.DeviceStatus, nil
			return nil
		})
		if err != nil {
			return "", stepUndo{}, err
		}
		return fmt.Sprintf("device %s %s → %s, holder cleared", a.AssetTag, b.Status, a.Status), stepUndo{Device: &b}, nil
	case model.StepService:
		succ := o.SuccessorID
		if m.SuccessorID != nil {
			succ = m.SuccessorID
		}
		if succ == nil {
			return "", stepUndo{}, model.Invalid("successor", "", "is required to hand over a service (give --successor)")
		}
		sp, err := t.GetPerson(*succ)
		if err != nil || sp.Status != "active" || sp.ID == o.PersonID {
			return "", stepUndo{}, model.Invalid("successor", strconv.FormatInt(*succ, 10), "is not an active person other than the leaver")
		}
		b, a, err := t.UpdateService(id, func(s *model.Service) error { s.OwnerID = &sp.ID; return nil })
		if err != nil {
			return "", stepUndo{}, err
		}
		return fmt.Sprintf("service %s owner %s → %s", a.Name, o.PersonName, sp.Name), stepUndo{Service: &b}, nil
	case model.StepSecret:
		b, _, err := t.RotateSecret(id, t.at, nil, o.PersonID)
		if err != nil {
			return "", stepUndo{}, err
		}
		return fmt.Sprintf("secret %s rotated; %s no longer a holder", b.Name, o.PersonName), stepUndo{Secret: &b}, nil
	}
	return "", stepUndo{}, nil
}

// UndoStep puts step n back to open and, if marking it done changed the
// inventory, puts those records back as they were (audited).
func (t *Tx) UndoStep(offID int64, n int) (model.OffboardingStep, error) {
	o, err := t.openOffboarding(offID)
	if err != nil {
		return model.OffboardingStep{}, err
	}
	before, undoJSON, err := t.step(o, n)
	if err != nil {
		return before, err
	}
	if err := model.CanUndo(n, before.State); err != nil {
		return before, err
	}
	if undoJSON != "" {
		var u stepUndo
		if err := json.Unmarshal([]byte(undoJSON), &u); err != nil {
			return before, fmt.Errorf("step %d undo data: %w", n, err)
		}
		if err := t.restore(u); err != nil {
			return before, err
		}
	}
	if _, err := t.exec(`UPDATE offboarding_steps SET state = 'open', reason = '', effect = '', undo_data = '', by = ?, at = ? WHERE id = ?`,
		t.actor.String(), fmtTime(t.at), before.ID); err != nil {
		return before, fmt.Errorf("undo step: %w", err)
	}
	return t.auditStep(o, n, "undo", before)
}

func (t *Tx) restore(u stepUndo) error {
	var err error
	switch {
	case u.Account != nil:
		_, _, err = t.UpdateAccount(u.Account.ID, func(a *model.Account) error { a.Status = u.Account.Status; return nil })
	case u.Device != nil:
		_, _, err = t.UpdateDevice(u.Device.ID, func(d *model.Device) error {
			d.Status, d.HolderID = u.Device.Status, u.Device.HolderID
			return nil
		})
	case u.Service != nil:
		_, _, err = t.UpdateService(u.Service.ID, func(s *model.Service) error { s.OwnerID = u.Service.OwnerID; return nil })
	case u.Secret != nil:
		err = t.restoreSecret(*u.Secret)
	}
	return err
}

// AddStepNote appends a note or evidence (a ticket link) to step n.
func (t *Tx) AddStepNote(offID int64, n int, text string) (model.OffboardingStep, error) {
	text = model.SanitizeMultiline(text, 4096)
	if text == "" {
		return model.OffboardingStep{}, model.Invalid("note", "", "is required")
	}
	o, err := t.openOffboarding(offID)
	if err != nil {
		return model.OffboardingStep{}, err
	}
	before, _, err := t.step(o, n)
	if err != nil {
		return before, err
	}
	if err := t.insertStepNote("offboarding_notes", before.ID, text); err != nil {
		return before, err
	}
	return t.auditStep(o, n, "note", before)
}

// CompleteOffboarding closes offboarding offID: refused while any step is
// open or blocked unless force is set with a reason, which is recorded.
// The person becomes departed with the offboarding's last day (or today) as
// end date. Nothing is deleted.
func (t *Tx) CompleteOffboarding(offID int64, force bool, reason string) (model.Offboarding, error) {
	if err := t.requireAdmin("complete offboardings"); err != nil {
		return model.Offboarding{}, err
	}
	reason = model.Sanitize(reason)
	before, err := t.openOffboarding(offID)
	if err != nil {
		return before, err
	}
	first, _ := model.FirstUnfinished(before.Steps)
	if err := refuseCompletion("offboarding", offID, force, reason, before.Progress, first.N, first.Title, first.State); err != nil {
		return before, err
	}
	unfinished := before.Progress.Open + before.Progress.Blocked
	lastDay := before.LastDay
	if lastDay == "" {
		lastDay = t.at.Format(model.DateLayout)
	}
	if _, _, err := t.UpdatePerson(before.PersonID, func(p *model.Person) error {
		p.Status, p.EndDate = "departed", lastDay
		return nil
	}); err != nil {
		return before, err
	}
	if _, err := t.exec(`UPDATE offboardings SET status = 'completed', last_day = ?, completed_at = ?, completed_by = ?, forced = ?, force_reason = ? WHERE id = ?`,
		lastDay, fmtTime(t.at), t.actor.String(), force && unfinished > 0, reason, offID); err != nil {
		return before, fmt.Errorf("complete offboarding: %w", err)
	}
	after, err := getOffboarding(t.ctx, t.tx, offID)
	if err != nil {
		return after, err
	}
	return after, t.Audit("complete", "offboarding", offID, before, after)
}

// OpenOffboardingFor returns the person's open offboarding, with steps.
func (t *Tx) OpenOffboardingFor(personID int64) (model.Offboarding, error) {
	var id int64
	err := t.queryRow(`SELECT id FROM offboardings WHERE person_id = ? AND status = 'open'`, personID).Scan(&id)
	if isNoRows(err) {
		p, _ := t.GetPerson(personID)
		return model.Offboarding{}, model.Invalid("person", p.Email, "has no open offboarding (start one with 'opsdeck offboard start EMAIL')")
	}
	if err != nil {
		return model.Offboarding{}, err
	}
	return getOffboarding(t.ctx, t.tx, id)
}
