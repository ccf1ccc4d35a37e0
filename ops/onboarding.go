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

// OnboardingKind is the checklist kind of an onboarding.
const OnboardingKind = "onboarding"

// Onboarding start params (StartRequest.Params and Checklist.Params).
const (
	ParamProfile = "profile"
	ParamStart   = "start"
	ParamLaptop  = "laptop"
	ParamManager = "manager"
	ParamName    = "name"
	paramEmail   = "email"
	paramEnt     = "entitlement:" // + service id
	paramTool    = "tool:"        // + tool name: the baseline the build is checked against
)

func init() {
	RegisterChecklistKind(ChecklistKind{
		Name:       OnboardingKind,
		Plan:       planOnboarding,
		OnDone:     onboardingDone,
		OnUndo:     onboardingUndo,
		OnComplete: onboardingComplete,
		Report:     onboardingReport,
		Find:       findOnboarding,
	})
}

// Onboard starts an onboarding: the hire (added as joining when their
// start date is ahead, or found by email), the profile's accounts, the
// device steps and the template steps; the ledger's planned "onboarding"
// timer starts for the hire. dry rolls everything back.
func Onboard(ctx context.Context, e Env, h model.Hire, dry bool) (model.Checklist, error) {
	return StartChecklist(ctx, e, OnboardingKind, hireRequest(h), dry)
}

func hireRequest(h model.Hire) StartRequest {
	return StartRequest{Subject: h.Email, Params: map[string]string{ParamProfile: h.Profile, ParamStart: h.Start,
		ParamLaptop: h.Laptop, ParamManager: h.Manager, ParamName: h.Name}}
}

// BatchResult is one hire of a batch: the checklist it would start (or
// started), or why not.
type BatchResult struct {
	Hire      model.Hire      `json:"hire"`
	Checklist model.Checklist `json:"checklist"`
	Error     string          `json:"error,omitempty"`
}

// OnboardBatch starts every hire in one transaction: all or nothing. With
// dry set (the dry run every import has first) it rolls back and lists what
// each hire would get and every bad row with why; without it, any bad row
// refuses the whole batch.
func OnboardBatch(ctx context.Context, e Env, hires []model.Hire, dry bool) ([]BatchResult, error) {
	out := make([]BatchResult, len(hires))
	bad := 0
	err := e.Store.Write(ctx, e.Actor, func(t *store.Tx) error {
		seen := map[string]int{}
		for i, h := range hires {
			h.Normalize()
			out[i].Hire = h
			err := h.Validate()
			if prev, dup := seen[h.Email]; err == nil && dup {
				err = model.Invalid("email", h.Email, fmt.Sprintf("is also on row %d", prev))
			}
			seen[h.Email] = h.Row
			if err == nil {
				out[i].Checklist, err = StartChecklistTx(t, OnboardingKind, hireRequest(h))
			}
			if err != nil {
				out[i].Error = err.Error()
				bad++
			}
		}
		if dry || bad > 0 {
			return errDryRun
		}
		return nil
	})
	if err == errDryRun {
		err = nil
		if bad > 0 && !dry {
			err = fmt.Errorf("%d of %d hire(s) refused; nothing was started (run with --dry-run to list them)", bad, len(hires))
		}
	}
	return out, err
}

// ActivateJoiners makes every joining person whose start date has come
// active (their SSH keys work from then on); the scheduler runs it, and
// `opsdeck onboard activate` runs it by hand.
func ActivateJoiners(ctx context.Context, e Env) ([]model.Person, error) {
	var done []model.Person
	today := e.Clock.Now().Local().Format(model.DateLayout)
	err := e.Store.Write(ctx, e.Actor, func(t *store.Tx) error {
		due, err := t.DueJoiners(today)
		if err != nil {
			return err
		}
		for _, p := range due {
			_, after, err := t.UpdatePerson(p.ID, func(q *model.Person) error { q.Status = "active"; return nil })
			if err != nil {
				return err
			}
			done = append(done, after)
		}
		return nil
	})
	return done, err
}

func planOnboarding(t *store.Tx, req StartRequest) (model.Checklist, []model.ChecklistStep, error) {
	h := model.Hire{Email: req.Subject, Name: req.Param(ParamName), Profile: req.Param(ParamProfile), Start: req.Param(ParamStart),
		Laptop: req.Param(ParamLaptop), Manager: req.Param(ParamManager)}
	h.Normalize()
	if err := h.Validate(); err != nil {
		return model.Checklist{}, nil, err
	}
	chain, err := t.ProfileChain(h.Profile)
	if err != nil {
		return model.Checklist{}, nil, err
	}
	prof := model.Effective(chain)
	hire, err := onboardPerson(t, h)
	if err != nil {
		return model.Checklist{}, nil, err
	}
	open, err := t.ListChecklists(store.ChecklistQuery{Kind: OnboardingKind, Status: model.ChecklistOpen, SubjectKind: "person", SubjectID: hire.ID})
	if err != nil {
		return model.Checklist{}, nil, err
	}
	if len(open) > 0 {
		return model.Checklist{}, nil, model.Invalid("email", h.Email, fmt.Sprintf("already has an open onboarding (%d)", open[0].ID))
	}
	plan := model.OnboardingPlan{Hire: hire, Profile: prof, Services: map[int64]model.Service{}}
	if plan.Procedures, err = t.ProceduresFor(model.Provision); err != nil {
		return model.Checklist{}, nil, err
	}
	for _, s := range prof.Services {
		if plan.Services[s.ServiceID], err = t.GetService(s.ServiceID); err != nil {
			return model.Checklist{}, nil, err
		}
	}
	if h.Laptop != "" {
		d, err := assignable(t, h.Laptop, hire, prof.DeviceKind, "laptop")
		if err != nil {
			return model.Checklist{}, nil, err
		}
		plan.Laptop = &d
	}
	if plan.Baseline, err = buildBaseline(t, prof); err != nil {
		return model.Checklist{}, nil, err
	}
	params := map[string]string{ParamProfile: prof.Name, ParamStart: h.Start, ParamLaptop: h.Laptop, ParamManager: h.Manager, paramEmail: hire.Email}
	for _, s := range prof.Services {
		params[paramEnt+strconv.FormatInt(s.ServiceID, 10)] = s.Entitlement
	}
	for _, b := range plan.Baseline {
		params[paramTool+b.Name] = b.Constraint
	}
	c := model.Checklist{Title: fmt.Sprintf("Onboarding %s (%s)", hire.Name, prof.Name), SubjectKind: "person", SubjectID: &hire.ID,
		SubjectName: hire.Name, Params: params, Due: h.Start}
	return c, model.PlanOnboarding(plan), nil
}

// onboardPerson finds the hire by email or adds them: joining when the
// start date is ahead, else active. A departed person coming back joins
// again; someone leaving cannot be onboarded.
func onboardPerson(t *store.Tx, h model.Hire) (model.Person, error) {
	today := t.At().Local().Format(model.DateLayout)
	status := "active"
	if h.Start > today {
		status = "joining"
	}
	var mgr *int64
	if h.Manager != "" {
		m, err := t.FindPerson(h.Manager)
		if err != nil {
			return model.Person{}, model.Invalid("manager", h.Manager, "is not a known person")
		}
		if m.Status != "active" {
			return model.Person{}, model.Invalid("manager", h.Manager, "is "+m.Status+", not active")
		}
		mgr = &m.ID
	}
	p, err := t.FindPerson(h.Email)
	if err != nil {
		name := h.Name
		if name == "" {
			name = model.NameFromEmail(h.Email)
		}
		p = model.Person{Name: name, Email: h.Email, Status: status, StartDate: h.Start, ManagerID: mgr, Role: "viewer"}
		return p, t.AddPerson(&p)
	}
	if p.Status == "leaving" {
		return p, model.Invalid("email", h.Email, "is leaving (an offboarding is open); finish it before onboarding them again")
	}
	_, p, err = t.UpdatePerson(p.ID, func(q *model.Person) error {
		q.StartDate = h.Start
		if q.Status == "departed" || q.Status == "joining" || (q.Status == "active" && status == "joining" && q.StartDate == "") {
			q.Status = status
		}
		if mgr != nil {
			q.ManagerID = mgr
		}
		if q.Status == "departed" {
			q.EndDate = ""
		}
		return nil
	})
	return p, err
}

// assignable finds the device tag names and checks the hire may get it:
// of the profile's kind, not retired, lost or in repair, held by nobody
// else.
func assignable(t *store.Tx, tag string, hire model.Person, kind, field string) (model.Device, error) {
	d, err := t.FindDevice(tag)
	if err != nil {
		return d, model.Invalid(field, tag, "is not a known device (asset tag)")
	}
	switch {
	case kind != "" && d.Kind != kind:
		return d, model.Invalid(field, tag, fmt.Sprintf("is a %s; the profile wants a %s", d.Kind, kind))
	case d.HolderID != nil && *d.HolderID != hire.ID:
		return d, model.Invalid(field, tag, "is held by someone else; choose a spare one")
	case d.Status != "spare" && d.Status != "in_use":
		return d, model.Invalid(field, tag, "is "+d.Status+"; choose a spare one")
	case d.Status == "in_use" && d.HolderID == nil:
		return d, model.Invalid(field, tag, "is in use by nobody; mark it spare first")
	}
	return d, nil
}

// buildBaseline is what the build is checked against: the profile's own
// tools, else the company baseline.
func buildBaseline(t *store.Tx, prof model.RoleProfile) ([]model.Baseline, error) {
	if len(prof.Tools) == 0 {
		return t.Baseline()
	}
	var out []model.Baseline
	for name, c := range prof.Tools {
		out = append(out, model.Baseline{Name: name, Constraint: c})
	}
	sortBaseline(out)
	return out, nil
}

func sortBaseline(b []model.Baseline) {
	for i := 1; i < len(b); i++ {
		for j := i; j > 0 && b[j].Name < b[j-1].Name; j-- {
			b[j], b[j-1] = b[j-1], b[j]
		}
	}
}

// onboardingUndoData is what undo puts back.
type onboardingUndoData struct {
	Account *model.Account `json:"account,omitempty"` // the account before (nil ID: created)
	Created int64          `json:"created,omitempty"` // an account this step created
	Device  *model.Device  `json:"device,omitempty"`
}

func undoJSON(u onboardingUndoData) string {
	b, _ := json.Marshal(u)
	return string(b)
}

func onboardingDone(t *store.Tx, c model.Checklist, s model.ChecklistStep, m model.ChecklistMark) (store.StepOutcome, error) {
	hireID := *c.SubjectID
	switch s.Kind {
	case model.OnbAccount:
		return createAccount(t, c, s, hireID, m.Value)
	case model.OnbLaptop:
		if m.Value == "" {
			return store.StepOutcome{}, model.Invalid("asset_tag", "", "is required: which device does the hire get?")
		}
		hire, err := t.GetPerson(hireID)
		if err != nil {
			return store.StepOutcome{}, err
		}
		prof, _ := t.FindProfile(c.Param(ParamProfile))
		kind := prof.DeviceKind
		if chain, err := t.ProfileChain(c.Param(ParamProfile)); err == nil {
			kind = model.Effective(chain).DeviceKind
		}
		d, err := assignable(t, m.Value, hire, kind, "asset_tag")
		if err != nil {
			return store.StepOutcome{}, err
		}
		before, after, err := t.UpdateDevice(d.ID, func(x *model.Device) error {
			x.HolderID, x.Status = &hireID, "in_use"
			return nil
		})
		if err != nil {
			return store.StepOutcome{}, err
		}
		return store.StepOutcome{Effect: fmt.Sprintf("%s %s (%s) assigned to %s, %s → in_use", after.Kind, after.AssetTag, after.Name, hire.Name, before.Status),
			Value: after.AssetTag, Undo: undoJSON(onboardingUndoData{Device: &before})}, nil
	case model.OnbBuild:
		tag := ""
		for _, st := range c.Steps {
			if st.Kind == model.OnbLaptop && st.State == model.StateDone {
				tag = st.Value
			}
		}
		if tag == "" {
			return store.StepOutcome{}, model.Invalid("step", strconv.Itoa(s.N), "needs the device assigned first (the assign step)")
		}
		d, err := t.FindDevice(tag)
		if err != nil {
			return store.StepOutcome{}, err
		}
		sw, err := t.Software(d.ID)
		if err != nil {
			return store.StepOutcome{}, err
		}
		ok, why := model.BuildVerdict(d, checklistBaseline(c), sw, t.At())
		if !ok {
			return store.StepOutcome{}, model.Invalid("build", d.AssetTag, "is not built to the baseline: "+why)
		}
		hire, err := t.GetPerson(hireID)
		if err != nil {
			return store.StepOutcome{}, err
		}
		if fails, err := buildCompliance(t, d, hire); err != nil {
			return store.StepOutcome{}, err
		} else if fails != "" {
			return store.StepOutcome{}, model.Invalid("build", d.AssetTag, "fails laptop compliance: "+fails)
		}
		return store.StepOutcome{Effect: d.AssetTag + " built: " + why, Value: d.AssetTag}, nil
	}
	return store.StepOutcome{}, nil
}

// checklistBaseline is the baseline fixed when the onboarding started.
func checklistBaseline(c model.Checklist) []model.Baseline {
	var out []model.Baseline
	for k, v := range c.Params {
		if name, ok := strings.CutPrefix(k, paramTool); ok {
			out = append(out, model.Baseline{Name: name, Constraint: v})
		}
	}
	sortBaseline(out)
	return out
}

// createAccount records the hire's account on the step's service with the
// username given and the profile's entitlement: added, or an old revoked
// one of theirs reactivated.
func createAccount(t *store.Tx, c model.Checklist, s model.ChecklistStep, hireID int64, username string) (store.StepOutcome, error) {
	if s.RefID == nil {
		return store.StepOutcome{}, nil
	}
	if username == "" {
		return store.StepOutcome{}, model.Invalid("username", "", "is required for the account")
	}
	ent := c.Param(paramEnt + strconv.FormatInt(*s.RefID, 10))
	if ent == "" {
		ent = "member"
	}
	cur, found, err := t.AccountFor(hireID, *s.RefID)
	if err != nil {
		return store.StepOutcome{}, err
	}
	if found {
		before, after, err := t.UpdateAccount(cur.ID, func(a *model.Account) error {
			a.Username, a.Entitlement, a.Status = username, ent, "active"
			now := t.At()
			a.LastVerifiedAt = &now
			return nil
		})
		if err != nil {
			return store.StepOutcome{}, err
		}
		return store.StepOutcome{Effect: fmt.Sprintf("account %s:%s %s (%s → active)", after.ServiceName, after.Username, after.Entitlement, before.Status),
			Value: after.Username, Undo: undoJSON(onboardingUndoData{Account: &before})}, nil
	}
	now := t.At()
	a := model.Account{PersonID: hireID, ServiceID: *s.RefID, Username: username, Entitlement: ent, Status: "active", LastVerifiedAt: &now,
		Notes: "created by onboarding " + strconv.FormatInt(c.ID, 10)}
	if err := t.AddAccount(&a); err != nil {
		return store.StepOutcome{}, err
	}
	return store.StepOutcome{Effect: fmt.Sprintf("account %s:%s %s recorded", a.ServiceName, a.Username, a.Entitlement),
		Value: a.Username, Undo: undoJSON(onboardingUndoData{Created: a.ID})}, nil
}

// onboardingUndo puts back what done changed: an account it created is
// revoked (never deleted: it has history), one it changed gets its old
// values, a device its old holder and status.
func onboardingUndo(t *store.Tx, c model.Checklist, s model.ChecklistStep, data string) error {
	if data == "" {
		return nil
	}
	var u onboardingUndoData
	if err := json.Unmarshal([]byte(data), &u); err != nil {
		return fmt.Errorf("step %d undo data: %w", s.N, err)
	}
	var err error
	switch {
	case u.Created != 0:
		_, _, err = t.UpdateAccount(u.Created, func(a *model.Account) error { a.Status = "revoked"; return nil })
	case u.Account != nil:
		_, _, err = t.UpdateAccount(u.Account.ID, func(a *model.Account) error {
			a.Username, a.Entitlement, a.Status, a.LastVerifiedAt = u.Account.Username, u.Account.Entitlement, u.Account.Status, u.Account.LastVerifiedAt
			return nil
		})
	case u.Device != nil:
		_, _, err = t.UpdateDevice(u.Device.ID, func(d *model.Device) error {
			d.HolderID, d.Status = u.Device.HolderID, u.Device.Status
			return nil
		})
	}
	return err
}

// onboardingComplete stops the ledger timer and sums the outcome up.
func onboardingComplete(t *store.Tx, c model.Checklist) (string, error) {
	accounts, device := 0, ""
	for _, s := range c.Steps {
		switch {
		case s.State != model.StateDone:
		case s.Kind == model.OnbAccount:
			accounts++
		case s.Kind == model.OnbLaptop:
			device = s.Value
		}
	}
	sum := fmt.Sprintf("%d account(s) recorded", accounts)
	if device != "" {
		sum += ", device " + device + " assigned"
	}
	e := model.WorkEntry{Kind: "planned", Category: "onboarding", Note: c.Title, PersonID: c.SubjectID}
	e.StartedAt, e.Minutes = model.ChecklistWork(c, t.Actor().String(), t.At(), model.WorkGapCap)
	end := e.StartedAt.Add(time.Duration(e.Minutes) * time.Minute)
	e.EndedAt = &end
	if err := t.AddEntry(&e); err != nil {
		return "", fmt.Errorf("ledger: %w", err)
	}
	sum += fmt.Sprintf("; %d min of planned onboarding work in the ledger (entry %d)", e.Minutes, e.ID)
	return sum, nil
}

func onboardingReport(ctx context.Context, s *store.Store, c model.Checklist) ([]model.ReportSection, error) {
	acc := model.ReportSection{Title: "Accounts", Lines: []string{}}
	dev := model.ReportSection{Title: "Device", Lines: []string{}}
	for _, st := range c.Steps {
		switch {
		case st.Kind == model.OnbAccount && st.State == model.StateDone:
			acc.Lines = append(acc.Lines, st.Effect+" by "+st.By)
		case st.Kind == model.OnbAccount:
			acc.Lines = append(acc.Lines, st.Title+": "+st.State+" "+st.Reason)
		case (st.Kind == model.OnbLaptop || st.Kind == model.OnbBuild) && st.State == model.StateDone:
			dev.Lines = append(dev.Lines, st.Effect)
		case st.Kind == model.OnbLaptop || st.Kind == model.OnbBuild:
			dev.Lines = append(dev.Lines, st.Title+": "+st.State+" "+st.Reason)
		}
	}
	secs := []model.ReportSection{
		{Title: "Hire", Lines: []string{fmt.Sprintf("%s <%s>, profile %s, start %s", c.SubjectName, c.Param(paramEmail), c.Param(ParamProfile), c.Param(ParamStart))}},
		acc, dev,
	}
	if c.SubjectID != nil {
		entries, err := s.LedgerEntries(ctx, store.LedgerQuery{Kind: "planned"})
		if err != nil {
			return nil, err
		}
		led := model.ReportSection{Title: "Ledger", Lines: []string{}}
		for _, e := range entries {
			if e.Category == "onboarding" && e.PersonID != nil && *e.PersonID == *c.SubjectID {
				led.Lines = append(led.Lines, fmt.Sprintf("entry %d: %s %s, %s, %d min, linked to %s", e.ID, e.Kind, e.Category, e.Status, e.Minutes, c.SubjectName))
			}
		}
		if len(led.Lines) == 0 {
			led.Lines = append(led.Lines, "no planned onboarding work logged yet (it is logged when the checklist completes)")
		}
		secs = append(secs, led)
	}
	return secs, nil
}

// findOnboarding resolves an email (or name) to the person's open
// onboarding, else their latest.
func findOnboarding(ctx context.Context, s *store.Store, ref string) (int64, error) {
	p, err := Person(ctx, s, "person", ref)
	if err != nil {
		return 0, err
	}
	list, err := s.ListChecklists(ctx, store.ChecklistQuery{Kind: OnboardingKind, SubjectKind: "person", SubjectID: p.ID})
	if err != nil {
		return 0, err
	}
	if len(list) == 0 {
		return 0, model.Invalid("person", ref, "has never been onboarded (start with 'opsdeck onboard start EMAIL --profile P --start DATE')")
	}
	return list[0].ID, nil
}

// buildCompliance is what the company's laptop compliance policy finds
// wrong with d once it is the hire's: the failing rules, "" when none fails.
// A rule whose input is unknown does not hold the step back, and the
// toolchain rule is left to the profile's baseline (BuildVerdict).
func buildCompliance(t *store.Tx, d model.Device, hire model.Person) (string, error) {
	p, err := t.CompliancePolicy()
	if err != nil {
		return "", err
	}
	if !p.Applies(&d) {
		return "", nil
	}
	var bad []string
	for _, v := range model.Compliance(d, model.ComplianceInputs{HolderName: hire.Name, HolderStatus: hire.Status}, p, t.At()) {
		if v.Status == model.VerdictFail && v.Rule != model.RuleToolchain {
			bad = append(bad, v.Rule+": "+v.Detail)
		}
	}
	return strings.Join(bad, "; "), nil
}
