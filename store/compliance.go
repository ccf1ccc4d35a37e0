package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// CompliancePolicy reads the laptop compliance policy: the shipped
// default until someone edits it.
func (s *Store) CompliancePolicy(ctx context.Context) (model.CompliancePolicy, error) {
	return compliancePolicy(ctx, s.r)
}

// CompliancePolicy is the policy inside the transaction (an onboarding's
// build step judges the new laptop by it).
func (t *Tx) CompliancePolicy() (model.CompliancePolicy, error) { return compliancePolicy(t.ctx, t.tx) }

func compliancePolicy(ctx context.Context, db querier) (model.CompliancePolicy, error) {
	p := model.DefaultCompliancePolicy
	var raw string
	err := db.QueryRowContext(ctx, `SELECT policy FROM compliance_policy WHERE id = 1`).Scan(&raw)
	if isNoRows(err) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("read compliance policy: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return p, fmt.Errorf("read compliance policy: %w", err)
	}
	return p, nil
}

// SetCompliancePolicy changes the policy through fn, audited.
func (t *Tx) SetCompliancePolicy(fn func(*model.CompliancePolicy) error) (before, after model.CompliancePolicy, err error) {
	if err := t.requireAdmin("change the compliance policy"); err != nil {
		return before, after, err
	}
	if before, err = compliancePolicy(t.ctx, t.tx); err != nil {
		return before, after, err
	}
	after = before
	if err := fn(&after); err != nil {
		return before, after, err
	}
	after.Normalize()
	if err := after.Validate(); err != nil {
		return before, after, err
	}
	if reflect.DeepEqual(before, after) {
		return before, after, nil
	}
	raw, err := json.Marshal(after)
	if err != nil {
		return before, after, err
	}
	if _, err := t.exec(`INSERT INTO compliance_policy(id, policy) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET policy = excluded.policy`, string(raw)); err != nil {
		return before, after, fmt.Errorf("save compliance policy: %w", err)
	}
	return before, after, t.Audit("update", "compliance_policy", 1, before, after)
}

// Compliance judges every device the policy covers (model.Compliance) and
// tells since when each verdict holds, as last recorded; a verdict that
// changed since the last record is "since now" (Since nil).
func (s *Store) Compliance(ctx context.Context, now time.Time) ([]model.DeviceCompliance, error) {
	db := s.r
	p, err := compliancePolicy(ctx, db)
	if err != nil {
		return nil, err
	}
	devs, err := s.ListDevices(ctx, DeviceQuery{})
	if err != nil {
		return nil, err
	}
	people, err := collectRows(ctx, db, func(sc scanner) ([3]string, error) {
		var r [3]string
		return r, sc.Scan(&r[0], &r[1], &r[2])
	}, `SELECT id, name, status FROM people`)
	if err != nil {
		return nil, fmt.Errorf("compliance: read people: %w", err)
	}
	holder := map[string][2]string{}
	for _, r := range people {
		holder[r[0]] = [2]string{r[1], r[2]}
	}
	var drift []model.DriftRow
	if p.NoToolchainDrift {
		base, err := s.ListBaseline(ctx)
		if err != nil {
			return nil, err
		}
		sw, err := s.AllSoftware(ctx)
		if err != nil {
			return nil, err
		}
		drift = model.Drift(base, sw, now)
	}
	type key struct {
		id   int64
		rule string
	}
	type rec struct {
		status string
		since  *time.Time
	}
	kept := map[key]rec{}
	rows, err := collectRows(ctx, db, func(sc scanner) (struct {
		k key
		r rec
	}, error) {
		var x struct {
			k key
			r rec
		}
		var since sql.NullString
		err := sc.Scan(&x.k.id, &x.k.rule, &x.r.status, &since)
		x.r.since = parseTimePtr(since)
		return x, err
	}, `SELECT device_id, rule, status, since FROM device_compliance`)
	if err != nil {
		return nil, fmt.Errorf("compliance: read verdicts: %w", err)
	}
	for _, r := range rows {
		kept[r.k] = r.r
	}
	out := []model.DeviceCompliance{}
	for _, d := range devs {
		if !p.Applies(&d) {
			continue
		}
		in := model.ComplianceInputs{Drift: drift}
		if d.HolderID != nil {
			h := holder[fmt.Sprint(*d.HolderID)]
			in.HolderName, in.HolderStatus = h[0], h[1]
		}
		vs := model.Compliance(d, in, p, now)
		for i := range vs {
			if r, ok := kept[key{d.ID, vs[i].Rule}]; ok && r.status == vs[i].Status {
				vs[i].Since = r.since
			}
		}
		out = append(out, model.DeviceCompliance{DeviceID: d.ID, AssetTag: d.AssetTag, Name: d.Name, Holder: in.HolderName,
			Passes: model.PassesCompliance(vs), Failing: len(model.Failing(vs)) > 0, Verdicts: vs})
	}
	return out, nil
}

// RecordCompliance stores each verdict of list (Store.Compliance) that
// changed since the last record (Since nil), so "since when" survives;
// each device whose verdicts changed gets one audit row. It returns how
// many devices changed.
func (t *Tx) RecordCompliance(list []model.DeviceCompliance) (int, error) {
	changed := 0
	for _, d := range list {
		var moved []model.Verdict
		for _, v := range d.Verdicts {
			if v.Since != nil {
				continue
			}
			at := t.at
			v.Since = &at
			moved = append(moved, v)
			if _, err := t.exec(`INSERT INTO device_compliance(device_id, rule, status, detail, since) VALUES (?,?,?,?,?)
				ON CONFLICT(device_id, rule) DO UPDATE SET status = excluded.status, detail = excluded.detail, since = excluded.since`,
				d.DeviceID, v.Rule, v.Status, v.Detail, fmtTime(at)); err != nil {
				return changed, fmt.Errorf("record compliance of %s: %w", d.AssetTag, err)
			}
		}
		if len(moved) > 0 {
			changed++
			if err := t.Audit("compliance", "device", d.DeviceID, nil, moved); err != nil {
				return changed, err
			}
		}
	}
	return changed, nil
}
