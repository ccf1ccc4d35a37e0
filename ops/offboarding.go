package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// Offboarding is a checklist kind: its steps are generated from what the
// leaver holds (accounts, devices, secrets they know, services they own,
// the company's template steps), marking one done revokes, returns,
// rotates or hands over in the inventory, and completing it makes the
// person departed. The generic verbs, screen and report work for it; the
// functions below keep offboarding's own words (a leaver by email, the
// model.Offboarding view) for `opsdeck offboard` and the console.
func init() {
	RegisterChecklistKind(ChecklistKind{Name: model.OffboardingKind, Plan: offboardingPlan, OnDone: offboardingDone,
		OnUndo: offboardingUndo, OnComplete: offboardingComplete, Report: offboardingReport, Find: findOffboarding})
}

// An offboarding's start params.
const (
	ParamPersonID  = "person_id" // the leaver by id (a screen that has it); else the subject is a reference
	ParamLastDay   = "last_day"
	ParamSuccessor = "successor" // a reference to the person who receives their services
)

// offboardingPlan starts the offboarding: the leaver becomes leaving
// (their SSH keys stop working from this transaction on; someone already
// departed stays departed), leaves the on-call rotations, and the steps
// are generated from what they hold now.
func offboardingPlan(t *store.Tx, req StartRequest) (model.Checklist, []model.ChecklistStep, error) {
	if err := t.RequireAdmin("start offboardings"); err != nil {
		return model.Checklist{}, nil, err
	}
	p, err := leaverTx(t, req)
	if err != nil {
		return model.Checklist{}, nil, err
	}
	lastDay, err := model.ParseDate("last_day", req.Param(ParamLastDay))
	if err != nil {
		return model.Checklist{}, nil, err
	}
	open, err := t.ListChecklists(store.ChecklistQuery{Kind: model.OffboardingKind, Status: model.ChecklistOpen, SubjectKind: "person", SubjectID: p.ID})
	if err != nil {
		return model.Checklist{}, nil, err
	}
	if len(open) > 0 {
		return model.Checklist{}, nil, model.Invalid("person", p.Email, fmt.Sprintf("already has an open offboarding (%d)", open[0].ID))
	}
	var succ model.Person
	if id, err := OptPersonTx(t, "successor", req.Param(ParamSuccessor)); err != nil {
		return model.Checklist{}, nil, err
	} else if id != nil {
		if succ, err = t.GetPerson(*id); err != nil {
			return model.Checklist{}, nil, err
		}
		switch {
		case succ.ID == p.ID:
			return model.Checklist{}, nil, model.Invalid("successor", succ.Email, "is the person leaving")
		case succ.Status != "active":
			return model.Checklist{}, nil, model.Invalid("successor", succ.Email, "is "+succ.Status+", not active")
		}
	}
	prior := p.Status
	if _, p, err = t.UpdatePerson(p.ID, func(q *model.Person) error {
		if q.Status == "active" {
			q.Status = "leaving"
		}
		if lastDay != "" {
			q.EndDate = lastDay
		}
		return nil
	}); err != nil {
		return model.Checklist{}, nil, err
	}
	h, err := t.Holdings(p, succ.Name)
	if err != nil {
		return model.Checklist{}, nil, err
	}
	var steps []model.ChecklistStep
	for _, s := range model.PlanOffboarding(h) {
		steps = append(steps, s.ChecklistStep(succ.Email))
	}
	oncall, err := t.LeaveRotations(p, "offboarding of "+p.Name) // their turns go to the next member
	if err != nil {
		return model.Checklist{}, nil, err
	}
	if oncall != nil {
		steps = append(steps, *oncall)
	}
	succID := ""
	if succ.ID != 0 {
		succID = strconv.FormatInt(succ.ID, 10)
	}
	c := model.Checklist{Title: "Offboarding " + p.Name, SubjectKind: "person", SubjectID: &p.ID, SubjectName: p.Name, Due: p.EndDate,
		Params: map[string]string{model.OffParamEmail: p.Email, model.OffParamPrior: prior, model.OffParamSuccessorID: succID, model.OffParamSuccessor: succ.Name}}
	return c, steps, nil
}

// leaverTx is the person a start request names: by id, or by reference.
func leaverTx(t *store.Tx, req StartRequest) (model.Person, error) {
	if id := req.Param(ParamPersonID); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return model.Person{}, model.Invalid("person", id, "is not a person id")
		}
		return t.GetPerson(n)
	}
	return PersonTx(t, "person", req.Subject)
}

// offUndo holds the inventory records as they were before a step was
// marked done, so undo can put them back (the same JSON offboardings
// stored before they moved onto the checklist engine, see migration 0020).
type offUndo struct {
	Account *model.Account `json:"account,omitempty"`
	Device  *model.Device  `json:"device,omitempty"`
	Service *model.Service `json:"service,omitempty"`
	Secret  *model.Secret  `json:"secret,omitempty"`
}

func (u offUndo) outcome(effect string) (store.StepOutcome, error) {
	b, err := json.Marshal(u)
	return store.StepOutcome{Effect: effect, Undo: string(b)}, err
}

// offboardingDone acts on the inventory, each change audited by the
// inventory method that makes it (so role rules apply: devices and
// services need an admin): an account is revoked; a device goes where
// m.Value says (spare, repair or lost) with its holder cleared; a service
// gets m.Value (else the offboarding's successor) as owner; a secret's
// rotation is recorded and the leaver removed from its holders.
func offboardingDone(t *store.Tx, c model.Checklist, s model.ChecklistStep, m model.ChecklistMark) (store.StepOutcome, error) {
	if s.RefID == nil || c.SubjectID == nil {
		return store.StepOutcome{}, nil
	}
	id, leaver := *s.RefID, *c.SubjectID
	switch s.Kind {
	case model.StepAccount:
		b, a, err := t.UpdateAccount(id, func(a *model.Account) error { a.Status = "revoked"; return nil })
		if err != nil {
			return store.StepOutcome{}, err
		}
		if b.Status == a.Status {
			return store.StepOutcome{Effect: fmt.Sprintf("account %s:%s was already revoked", a.ServiceName, a.Username)}, nil
		}
		return offUndo{Account: &b}.outcome(fmt.Sprintf("account %s:%s %s → revoked", a.ServiceName, a.Username, b.Status))
	case model.StepDevice:
		to := m.Value
		if to == "" {
			to = model.RecoveredDeviceStatuses[0]
		}
		if !slices.Contains(model.RecoveredDeviceStatuses, to) {
			return store.StepOutcome{}, model.Invalid("device_status", to, "is not one of spare, repair, lost")
		}
		b, a, err := t.UpdateDevice(id, func(d *model.Device) error {
			d.Status, d.HolderID = to, nil
			return nil
		})
		if err != nil {
			return store.StepOutcome{}, err
		}
		out, err := offUndo{Device: &b}.outcome(fmt.Sprintf("device %s %s → %s, holder cleared", a.AssetTag, b.Status, a.Status))
		out.Value = to
		return out, err
	case model.StepService:
		succ, err := OptPersonTx(t, "successor", m.Value)
		if err != nil {
			return store.StepOutcome{}, err
		}
		if succ == nil {
			if n, err := strconv.ParseInt(c.Param(model.OffParamSuccessorID), 10, 64); err == nil {
				succ = &n
			}
		}
		if succ == nil {
			return store.StepOutcome{}, model.Invalid("successor", "", "is required to hand over a service (give --successor)")
		}
		sp, err := t.GetPerson(*succ)
		if err != nil || sp.Status != "active" || sp.ID == leaver {
			return store.StepOutcome{}, model.Invalid("successor", strconv.FormatInt(*succ, 10), "is not an active person other than the leaver")
		}
		b, a, err := t.UpdateService(id, func(s *model.Service) error { s.OwnerID = &sp.ID; return nil })
		if err != nil {
			return store.StepOutcome{}, err
		}
		out, err := offUndo{Service: &b}.outcome(fmt.Sprintf("service %s owner %s → %s", a.Name, c.SubjectName, sp.Name))
		out.Value = sp.Email
		return out, err
	case model.StepSecret:
		b, _, err := t.RotateSecret(id, t.At(), nil, leaver)
		if err != nil {
			return store.StepOutcome{}, err
		}
		return offUndo{Secret: &b}.outcome(fmt.Sprintf("secret %s rotated; %s no longer a holder", b.Name, c.SubjectName))
	}
	return store.StepOutcome{}, nil
}

// offboardingUndo puts the records a done step changed back as they were
// (audited by the inventory methods).
func offboardingUndo(t *store.Tx, c model.Checklist, s model.ChecklistStep, data string) error {
	if data == "" {
		return nil
	}
	var u offUndo
	if err := json.Unmarshal([]byte(data), &u); err != nil {
		return fmt.Errorf("step %d undo data: %w", s.N, err)
	}
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
		err = t.RestoreSecret(*u.Secret)
	}
	return err
}

// offboardingComplete makes the leaver departed with the offboarding's
// last day (or today) as end date. Nothing is deleted.
func offboardingComplete(t *store.Tx, c model.Checklist) (string, error) {
	if err := t.RequireAdmin("complete offboardings"); err != nil {
		return "", err
	}
	lastDay := c.Due
	if lastDay == "" {
		lastDay = t.At().Format(model.DateLayout)
	}
	if _, _, err := t.UpdatePerson(*c.SubjectID, func(p *model.Person) error {
		p.Status, p.EndDate = "departed", lastDay
		return nil
	}); err != nil {
		return "", err
	}
	return c.SubjectName + " is departed (last day " + lastDay + ")", nil
}

// offboardingReport is the generic report's own section: who left, how
// they stood, who took over.
func offboardingReport(ctx context.Context, s *store.Store, c model.Checklist) ([]model.ReportSection, error) {
	o, err := s.GetOffboarding(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	return []model.ReportSection{{Title: "Leaver", Lines: []string{
		fmt.Sprintf("%s <%s>, %s (was %s when it started)", o.PersonName, o.PersonEmail, o.PersonStatus, o.PriorStatus),
		"successor: " + orNone(o.SuccessorName), "last day: " + orNone(o.LastDay)}}}, nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// findOffboarding resolves an email (or name) to the person's open
// offboarding, else their latest.
func findOffboarding(ctx context.Context, s *store.Store, ref string) (int64, error) {
	o, err := OffboardingOf(ctx, s, ref)
	return o.ID, err
}

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

// checklist is the offboarding l names: by id, or the person's open one.
func (l Leaver) checklist(ctx context.Context, s *store.Store) (ChecklistRef, error) {
	r := ChecklistRef{Kind: model.OffboardingKind, ID: l.OffboardingID}
	if r.ID != 0 {
		return r, nil
	}
	p, err := s.GetPerson(ctx, l.ID)
	if l.Ref != "" {
		p, err = Person(ctx, s, "person", l.Ref)
	}
	if err != nil {
		return r, err
	}
	open, err := s.ListChecklists(ctx, store.ChecklistQuery{Kind: model.OffboardingKind, Status: model.ChecklistOpen, SubjectKind: "person", SubjectID: p.ID})
	if err != nil {
		return r, err
	}
	if len(open) == 0 {
		return r, model.Invalid("person", p.Email, "has no open offboarding (start one with 'opsdeck offboard start EMAIL')")
	}
	r.ID = open[0].ID
	return r, nil
}

// StartOffboarding starts the leaver's offboarding (the kind's Plan): they
// become leaving and a checklist is generated from what they hold.
// successor ("" for none) receives the services they own. With dry set
// the transaction is rolled back: the result is exactly the checklist that
// would be stored, and the refusal exactly its refusal.
func StartOffboarding(ctx context.Context, e Env, who Leaver, lastDay, successor string, dry bool) (model.Offboarding, error) {
	req := StartRequest{Subject: who.Ref, Params: map[string]string{ParamLastDay: lastDay, ParamSuccessor: successor}}
	if who.Ref == "" {
		req.Params[ParamPersonID] = strconv.FormatInt(who.ID, 10)
	}
	var o model.Offboarding
	err := writeOrPreview(ctx, e, dry, func(t *store.Tx) error {
		c, err := StartChecklistTx(t, model.OffboardingKind, req)
		if err == nil {
			o, err = t.OffboardingView(c)
		}
		return err
	})
	return o, err
}

// AdvanceStep applies ch to the leaver's open offboarding (the generic
// SetChecklistStep): done acts on the inventory (revokes an account,
// returns a device to ch.DeviceStatus, hands a service to ch.Successor or
// the offboarding's successor), skip and block record why, undo puts the
// inventory back, note attaches evidence.
func AdvanceStep(ctx context.Context, e Env, who Leaver, ch StepChange) (model.OffboardingStep, error) {
	r, err := who.checklist(ctx, e.Store)
	if err != nil {
		return model.OffboardingStep{}, err
	}
	// A device step's answer is where it goes, a service step's the
	// successor; left to their defaults (spare, the offboarding's
	// successor), the step need not be read first.
	custom := ch.Successor != "" || (ch.DeviceStatus != "" && ch.DeviceStatus != model.RecoveredDeviceStatuses[0])
	if ch.Value == "" && ch.Action == StepDone && custom {
		c, err := GetChecklist(ctx, e.Store, r)
		if err != nil {
			return model.OffboardingStep{}, err
		}
		if ch.N >= 1 && ch.N <= len(c.Steps) {
			switch c.Steps[ch.N-1].Kind {
			case model.StepDevice:
				ch.Value = ch.DeviceStatus
			case model.StepService:
				ch.Value = ch.Successor
			}
		}
	}
	st, err := SetChecklistStep(ctx, e, r, ch)
	return model.OffboardingStepFrom(st), err
}

// CompleteOffboarding closes the leaver's open offboarding (the generic
// CompleteChecklist): the person becomes departed. It is refused while
// steps are open unless force is set with a reason, which is recorded.
func CompleteOffboarding(ctx context.Context, e Env, who Leaver, force bool, reason string) (model.Offboarding, error) {
	r, err := who.checklist(ctx, e.Store)
	if err != nil {
		return model.Offboarding{}, err
	}
	if _, err := CompleteChecklist(ctx, e, r, force, reason); err != nil {
		return model.Offboarding{}, err
	}
	return e.Store.GetOffboarding(ctx, r.ID)
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
