package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/opsdeck/opsdeck/model"
)

// OffboardingTemplates lists the company-wide template steps by position
// (inactive ones included, marked).
func (s *Store) OffboardingTemplates(ctx context.Context) ([]model.OffboardingTemplate, error) {
	return listTemplates(ctx, s.r, false)
}

func listTemplates(ctx context.Context, db querier, activeOnly bool) ([]model.OffboardingTemplate, error) {
	q := `SELECT id, position, title, detail, active FROM offboarding_templates`
	if activeOnly {
		q += ` WHERE active = 1`
	}
	return collectRows(ctx, db, func(sc scanner) (model.OffboardingTemplate, error) {
		var o model.OffboardingTemplate
		err := sc.Scan(&o.ID, &o.Position, &o.Title, &o.Detail, &o.Active)
		return o, err
	}, q+` ORDER BY position, id`)
}

// AddOffboardingTemplate appends a template step to every future checklist.
func (t *Tx) AddOffboardingTemplate(o *model.OffboardingTemplate) error {
	if err := t.requireAdmin("change offboarding templates"); err != nil {
		return err
	}
	id, err := addRecord(t, "offboarding_template", o, func(o *model.OffboardingTemplate) (int64, error) {
		res, err := t.exec(`INSERT INTO offboarding_templates(position, title, detail, active)
			VALUES ((SELECT coalesce(max(position), 0) + 1 FROM offboarding_templates), ?, ?, 1)`, o.Title, o.Detail)
		if err != nil {
			return 0, fmt.Errorf("add template: %w", err)
		}
		return res.LastInsertId()
	})
	if err != nil {
		return err
	}
	err = t.queryRow(`SELECT id, position, title, detail, active FROM offboarding_templates WHERE id = ?`, id).
		Scan(&o.ID, &o.Position, &o.Title, &o.Detail, &o.Active)
	if err != nil {
		return err
	}
	return t.Audit("create", "offboarding_template", id, nil, o)
}

// SetOffboardingTemplateActive turns a template step on or off for future
// checklists; existing checklists keep their steps.
func (t *Tx) SetOffboardingTemplateActive(id int64, active bool) error {
	if err := t.requireAdmin("change offboarding templates"); err != nil {
		return err
	}
	var before model.OffboardingTemplate
	err := t.queryRow(`SELECT id, position, title, detail, active FROM offboarding_templates WHERE id = ?`, id).
		Scan(&before.ID, &before.Position, &before.Title, &before.Detail, &before.Active)
	if isNoRows(err) {
		return model.Invalid("template", strconv.FormatInt(id, 10), "is not a template step id")
	} else if err != nil {
		return err
	}
	if before.Active == active {
		return nil
	}
	if _, err := t.exec(`UPDATE offboarding_templates SET active = ? WHERE id = ?`, active, id); err != nil {
		return fmt.Errorf("update template: %w", err)
	}
	after := before
	after.Active = active
	return t.Audit("update", "offboarding_template", id, before, after)
}
