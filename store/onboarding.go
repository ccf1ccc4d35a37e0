package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/opsdeck/opsdeck/model"
)

// Role profiles, service procedures and the reads onboarding needs
// (migration 0014). The onboarding checklist itself is a generic checklist
// of kind "onboarding" (ops/onboarding.go).

const profileSelect = `SELECT p.id, p.name, p.description, coalesce(x.name, ''), p.extends_id, p.device_kind, p.tools, p.steps, p.created_at, p.updated_at
	FROM role_profiles p LEFT JOIN role_profiles x ON x.id = p.extends_id`

func scanProfile(sc scanner) (model.RoleProfile, error) {
	var p model.RoleProfile
	var ext sql.NullInt64
	var tools, steps, created, updated string
	if err := sc.Scan(&p.ID, &p.Name, &p.Description, &p.Extends, &ext, &p.DeviceKind, &tools, &steps, &created, &updated); err != nil {
		return p, err
	}
	p.ExtendsID = idPtr(ext)
	p.CreatedAt, p.UpdatedAt = parseTime(created), parseTime(updated)
	if err := json.Unmarshal([]byte(tools), &p.Tools); err != nil {
		return p, fmt.Errorf("profile %s tools: %w", p.Name, err)
	}
	if err := json.Unmarshal([]byte(steps), &p.Steps); err != nil {
		return p, fmt.Errorf("profile %s steps: %w", p.Name, err)
	}
	return p, nil
}

func profileServices(ctx context.Context, db querier, p *model.RoleProfile) error {
	var err error
	p.Services, err = collectRows(ctx, db, func(sc scanner) (model.ProfileService, error) {
		var s model.ProfileService
		return s, sc.Scan(&s.ServiceID, &s.ServiceName, &s.Entitlement)
	}, `SELECT ps.service_id, s.name, ps.entitlement FROM profile_services ps JOIN services s ON s.id = ps.service_id
		WHERE ps.profile_id = ? ORDER BY s.name COLLATE NOCASE`, p.ID)
	if p.Services == nil {
		p.Services = []model.ProfileService{}
	}
	return err
}

func findProfile(ctx context.Context, db querier, ref string) (model.RoleProfile, error) {
	p, err := scanProfile(db.QueryRowContext(ctx, profileSelect+` WHERE p.name = ? OR CAST(p.id AS TEXT) = ?`, ref, ref))
	if isNoRows(err) {
		return p, model.Invalid("profile", ref, "is not a role profile (see 'opsdeck profiles list')")
	}
	if err != nil {
		return p, fmt.Errorf("read profile: %w", err)
	}
	return p, profileServices(ctx, db, &p)
}

// FindProfile reads a role profile by name or id, with its services.
func (s *Store) FindProfile(ctx context.Context, ref string) (model.RoleProfile, error) {
	return findProfile(ctx, s.r, ref)
}

// FindProfile reads a role profile inside the transaction.
func (t *Tx) FindProfile(ref string) (model.RoleProfile, error) { return findProfile(t.ctx, t.tx, ref) }

// ListProfiles lists the role profiles by name, with their services.
func (s *Store) ListProfiles(ctx context.Context) ([]model.RoleProfile, error) {
	list, err := collectRows(ctx, s.r, scanProfile, profileSelect+` ORDER BY p.name`)
	if err != nil {
		return nil, fmt.Errorf("list profiles: %w", err)
	}
	for i := range list {
		if err := profileServices(ctx, s.r, &list[i]); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// ProfileChain is the profile and its ancestors, root first, as
// model.Effective merges them; a loop is refused.
func (t *Tx) ProfileChain(ref string) ([]model.RoleProfile, error) {
	return profileChain(t.ctx, t.tx, ref)
}

// ProfileChain reads a profile's chain outside a transaction (show).
func (s *Store) ProfileChain(ctx context.Context, ref string) ([]model.RoleProfile, error) {
	return profileChain(ctx, s.r, ref)
}

func profileChain(ctx context.Context, db querier, ref string) ([]model.RoleProfile, error) {
	var chain []model.RoleProfile
	seen := map[int64]bool{}
	for ref != "" {
		p, err := findProfile(ctx, db, ref)
		if err != nil {
			return nil, err
		}
		if seen[p.ID] {
			return nil, model.Invalid("extends", p.Name, "makes a loop of profiles")
		}
		seen[p.ID] = true
		chain = append([]model.RoleProfile{p}, chain...)
		ref = p.Extends
	}
	return chain, nil
}

// SaveProfile adds p (ID 0) or replaces the profile with p's ID, its
// services included; extends is resolved by name and may not loop.
// Admins only; audited.
func (t *Tx) SaveProfile(p *model.RoleProfile) error {
	if err := t.requireAdmin("change role profiles"); err != nil {
		return err
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	var before *model.RoleProfile
	if p.ID != 0 {
		b, err := findProfile(t.ctx, t.tx, strconv.FormatInt(p.ID, 10))
		if err != nil {
			return err
		}
		before = &b
	}
	p.ExtendsID = nil
	if p.Extends != "" {
		parent, err := findProfile(t.ctx, t.tx, p.Extends)
		if err != nil {
			return model.Invalid("extends", p.Extends, "is not a role profile")
		}
		p.ExtendsID, p.Extends = &parent.ID, parent.Name
	}
	tools, _ := json.Marshal(p.Tools)
	steps, _ := json.Marshal(p.Steps)
	if before == nil {
		res, err := t.exec(`INSERT INTO role_profiles(name, description, extends_id, device_kind, tools, steps, created_at, updated_at)
			VALUES (?,?,?,?,?,?,?,?)`, p.Name, p.Description, nullID(p.ExtendsID), p.DeviceKind, string(tools), string(steps), fmtTime(t.at), fmtTime(t.at))
		if err != nil {
			return constraintError("add profile", err)
		}
		if p.ID, err = res.LastInsertId(); err != nil {
			return err
		}
	} else if _, err := t.exec(`UPDATE role_profiles SET name = ?, description = ?, extends_id = ?, device_kind = ?, tools = ?, steps = ?, updated_at = ? WHERE id = ?`,
		p.Name, p.Description, nullID(p.ExtendsID), p.DeviceKind, string(tools), string(steps), fmtTime(t.at), p.ID); err != nil {
		return constraintError("update profile", err)
	}
	if _, err := profileChain(t.ctx, t.tx, p.Name); err != nil {
		return err
	}
	if _, err := t.exec(`DELETE FROM profile_services WHERE profile_id = ?`, p.ID); err != nil {
		return fmt.Errorf("profile services: %w", err)
	}
	for _, s := range p.Services {
		if _, err := t.exec(`INSERT INTO profile_services(profile_id, service_id, entitlement) VALUES (?,?,?)`, p.ID, s.ServiceID, s.Entitlement); err != nil {
			return fmt.Errorf("profile service %s: %w", s.ServiceName, err)
		}
	}
	after, err := findProfile(t.ctx, t.tx, strconv.FormatInt(p.ID, 10))
	if err != nil {
		return err
	}
	*p = after
	if before == nil {
		return t.Audit("create", "role_profile", p.ID, nil, after)
	}
	return t.Audit("update", "role_profile", p.ID, *before, after)
}

const procedureSelect = `SELECT pr.service_id, s.name, pr.direction, pr.text, pr.link, pr.command, pr.updated_at, pr.updated_by
	FROM service_procedures pr JOIN services s ON s.id = pr.service_id`

func scanProcedure(sc scanner) (model.Procedure, error) {
	var p model.Procedure
	var at string
	err := sc.Scan(&p.ServiceID, &p.ServiceName, &p.Direction, &p.Text, &p.Link, &p.Command, &at, &p.UpdatedBy)
	p.UpdatedAt = parseTime(at)
	return p, err
}

// Procedures lists every service procedure by service and direction.
func (s *Store) Procedures(ctx context.Context) ([]model.Procedure, error) {
	return collectRows(ctx, s.r, scanProcedure, procedureSelect+` ORDER BY s.name COLLATE NOCASE, pr.direction DESC`)
}

// ProceduresFor maps service id → procedure for one direction.
func (t *Tx) ProceduresFor(direction string) (map[int64]model.Procedure, error) {
	return proceduresFor(t.ctx, t.tx, direction)
}

func proceduresFor(ctx context.Context, db querier, direction string) (map[int64]model.Procedure, error) {
	list, err := collectRows(ctx, db, scanProcedure, procedureSelect+` WHERE pr.direction = ?`, direction)
	if err != nil {
		return nil, fmt.Errorf("read procedures: %w", err)
	}
	out := make(map[int64]model.Procedure, len(list))
	for _, p := range list {
		out[p.ServiceID] = p
	}
	return out, nil
}

// SetProcedure writes how to provision or deprovision a user on a
// service (replacing the previous text). Admins only; audited.
func (t *Tx) SetProcedure(p *model.Procedure) error {
	if err := t.requireAdmin("change service procedures"); err != nil {
		return err
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	prev, err := proceduresFor(t.ctx, t.tx, p.Direction)
	if err != nil {
		return err
	}
	var before any
	if b, ok := prev[p.ServiceID]; ok {
		before = b
	}
	if _, err := t.exec(`INSERT INTO service_procedures(service_id, direction, text, link, command, updated_at, updated_by) VALUES (?,?,?,?,?,?,?)
		ON CONFLICT(service_id, direction) DO UPDATE SET text = excluded.text, link = excluded.link, command = excluded.command,
		updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		p.ServiceID, p.Direction, p.Text, p.Link, p.Command, fmtTime(t.at), t.actor.String()); err != nil {
		return fmt.Errorf("set procedure: %w", err)
	}
	after, err := scanProcedure(t.queryRow(procedureSelect+` WHERE pr.service_id = ? AND pr.direction = ?`, p.ServiceID, p.Direction))
	if err != nil {
		return err
	}
	*p = after
	return t.Audit("set", "service_procedure", p.ServiceID, before, after)
}

// Baseline is the company toolchain baseline, inside the transaction.
func (t *Tx) Baseline() ([]model.Baseline, error) {
	return collectRows(t.ctx, t.tx, func(sc scanner) (model.Baseline, error) {
		var b model.Baseline
		var at string
		err := sc.Scan(&b.Name, &b.Constraint, &at)
		b.UpdatedAt = parseTime(at)
		return b, err
	}, `SELECT name, version_constraint, updated_at FROM sw_baseline ORDER BY name`)
}

// Software is what a device last reported, inside the transaction.
func (t *Tx) Software(deviceID int64) ([]model.SWObservation, error) {
	return collectRows(t.ctx, t.tx, func(sc scanner) (model.SWObservation, error) {
		var o model.SWObservation
		var at string
		err := sc.Scan(&o.DeviceID, &o.Name, &o.Version, &at)
		o.ObservedAt = parseTime(at)
		return o, err
	}, `SELECT device_id, name, version, observed_at FROM sw_observations WHERE device_id = ? ORDER BY name`, deviceID)
}

// SpareDevices lists spare devices of a kind ("" any) nobody holds, by
// asset tag: what a new hire can be given.
func (s *Store) SpareDevices(ctx context.Context, kind string) ([]model.Device, error) {
	return collectRows(ctx, s.r, scanDevice, `SELECT `+deviceCols+` FROM devices
		WHERE status = 'spare' AND holder_id IS NULL AND (? = '' OR kind = ?) ORDER BY asset_tag`, kind, kind)
}

// AccountFor is the person's account on a service, if any.
func (t *Tx) AccountFor(personID, serviceID int64) (model.Account, bool, error) {
	a, err := scanAccount(t.queryRow(accountSelect+` WHERE a.person_id = ? AND a.service_id = ? ORDER BY a.id DESC LIMIT 1`, personID, serviceID))
	if isNoRows(err) {
		return a, false, nil
	}
	return a, err == nil, err
}

// DueJoiners are joining people whose start date has come.
func (t *Tx) DueJoiners(today string) ([]model.Person, error) {
	return collectRows(t.ctx, t.tx, scanPerson, `SELECT `+personCols+` FROM people
		WHERE status = 'joining' AND start_date <> '' AND start_date <= ? ORDER BY start_date, id`, today)
}

// onboardingRiskInputs reads what the onboarding risk rules need.
func (s *Store) onboardingRiskInputs(ctx context.Context) (model.OnboardingRiskInputs, error) {
	in := model.OnboardingRiskInputs{Deprovision: map[int64]bool{}}
	procs, err := proceduresFor(ctx, s.r, model.Deprovision)
	if err != nil {
		return in, err
	}
	for id := range procs {
		in.Deprovision[id] = true
	}
	open, err := listChecklists(ctx, s.r, ChecklistQuery{Kind: "onboarding", Status: model.ChecklistOpen})
	if err != nil {
		return in, err
	}
	for _, c := range open {
		if c.SubjectID == nil {
			continue
		}
		in.Open = append(in.Open, model.OpenOnboarding{ChecklistID: c.ID, PersonID: *c.SubjectID, Name: c.SubjectName,
			Start: c.Param("start"), Progress: c.Progress})
	}
	return in, nil
}
