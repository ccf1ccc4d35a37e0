package store

import (
	"context"
	"fmt"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// ImportRun is the record of one committed import: which file, in which
// format, by whom, and what it did. Dry runs write nothing, not even this.
type ImportRun struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Kind       string    `json:"kind"`
	File       string    `json:"file"`
	Format     string    `json:"format"`
	Mode       string    `json:"mode"`
	Total      int       `json:"rows_total"`
	Created    int       `json:"created"`
	Updated    int       `json:"updated"`
	Unchanged  int       `json:"unchanged"`
	Skipped    int       `json:"skipped"`
	Rejected   int       `json:"rejected"`
	Unverified int       `json:"unverified"`
	RejectFile string    `json:"reject_file"`
}

// AddImportRun records a committed import (setting its ID and At) and
// audits it, inside the same transaction as the rows it imported.
func (t *Tx) AddImportRun(r *ImportRun) error {
	r.At, r.Actor = t.at, t.actor.String()
	r.File = model.SanitizeN(r.File, 1024)
	res, err := t.exec(`INSERT INTO import_runs(at, actor, kind, file, format, mode, rows_total, created, updated, unchanged, skipped, rejected, unverified, reject_file)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, fmtTime(r.At), r.Actor, r.Kind, r.File, r.Format, r.Mode, r.Total, r.Created, r.Updated,
		r.Unchanged, r.Skipped, r.Rejected, r.Unverified, r.RejectFile)
	if err != nil {
		return fmt.Errorf("record import run: %w", err)
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	return t.Audit("import", "import_run", r.ID, nil, r)
}

// ListImportRuns returns import runs, newest first.
func (s *Store) ListImportRuns(ctx context.Context, limit int) ([]ImportRun, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, at, actor, kind, file, format, mode, rows_total, created, updated, unchanged, skipped, rejected, unverified, reject_file
		FROM import_runs ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list import runs: %w", err)
	}
	defer rows.Close()
	var out []ImportRun
	for rows.Next() {
		var r ImportRun
		var at string
		if err := rows.Scan(&r.ID, &at, &r.Actor, &r.Kind, &r.File, &r.Format, &r.Mode, &r.Total, &r.Created, &r.Updated,
			&r.Unchanged, &r.Skipped, &r.Rejected, &r.Unverified, &r.RejectFile); err != nil {
			return nil, err
		}
		r.At = parseTime(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Savepoint runs fn so that, if it fails, what it wrote (rows and audit
// rows) is undone while the rest of the transaction stands. Imports in
// skip-bad mode use it so a row that fails on commit leaves no trace.
func (t *Tx) Savepoint(fn func() error) error {
	if _, err := t.exec(`SAVEPOINT row`); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if err := fn(); err != nil {
		if _, rerr := t.exec(`ROLLBACK TO row`); rerr != nil {
			return fmt.Errorf("%w (and undoing it failed: %v)", err, rerr)
		}
		t.exec(`RELEASE row`)
		return err
	}
	if _, err := t.exec(`RELEASE row`); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// ListBaseline returns the toolchain baseline by tool name.
func (s *Store) ListBaseline(ctx context.Context) ([]model.Baseline, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT name, version_constraint, updated_at FROM sw_baseline ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list baseline: %w", err)
	}
	defer rows.Close()
	var out []model.Baseline
	for rows.Next() {
		var b model.Baseline
		var at string
		if err := rows.Scan(&b.Name, &b.Constraint, &at); err != nil {
			return nil, err
		}
		b.UpdatedAt = parseTime(at)
		out = append(out, b)
	}
	return out, rows.Err()
}

func (t *Tx) getBaseline(name string) (*model.Baseline, error) {
	var b model.Baseline
	var at string
	err := t.queryRow(`SELECT name, version_constraint, updated_at FROM sw_baseline WHERE name = ?`, name).Scan(&b.Name, &b.Constraint, &at)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	b.UpdatedAt = parseTime(at)
	return &b, nil
}

// SetBaseline sets (or replaces) the expected version range of one tool.
func (t *Tx) SetBaseline(b *model.Baseline) error {
	if err := t.requireAdmin("change the toolchain baseline"); err != nil {
		return err
	}
	b.Normalize()
	if err := b.Validate(); err != nil {
		return err
	}
	prev, err := t.getBaseline(b.Name)
	if err != nil {
		return err
	}
	if prev != nil && prev.Constraint == b.Constraint {
		*b = *prev
		return nil
	}
	b.UpdatedAt = t.at
	if _, err := t.exec(`INSERT INTO sw_baseline(name, version_constraint, updated_at) VALUES (?,?,?)
		ON CONFLICT(name) DO UPDATE SET version_constraint=excluded.version_constraint, updated_at=excluded.updated_at`,
		b.Name, b.Constraint, fmtTime(t.at)); err != nil {
		return fmt.Errorf("set baseline: %w", err)
	}
	var before any
	if prev != nil {
		before = prev
	}
	return t.Audit("set", "sw_baseline", 0, before, b)
}

// UnsetBaseline stops checking a tool. The audit row keeps what it was.
func (t *Tx) UnsetBaseline(name string) error {
	if err := t.requireAdmin("change the toolchain baseline"); err != nil {
		return err
	}
	name = model.CanonicalTool(name)
	prev, err := t.getBaseline(name)
	if err != nil {
		return err
	}
	if prev == nil {
		return notFound("baseline tool", name)
	}
	if _, err := t.exec(`DELETE FROM sw_baseline WHERE name = ?`, name); err != nil {
		return fmt.Errorf("unset baseline: %w", err)
	}
	return t.Audit("unset", "sw_baseline", 0, prev, nil)
}

// AllSoftware returns every device that is not retired with the tool
// versions it reported (none for devices that never reported), for drift.
func (s *Store) AllSoftware(ctx context.Context) ([]model.DeviceSoftware, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT d.id, d.asset_tag, d.name, coalesce(p.name, ''), o.name, o.version, o.observed_at
		FROM devices d LEFT JOIN people p ON p.id = d.holder_id LEFT JOIN sw_observations o ON o.device_id = d.id
		WHERE d.status NOT IN ('retired', 'lost') ORDER BY d.asset_tag COLLATE NOCASE, o.name`)
	if err != nil {
		return nil, fmt.Errorf("list software: %w", err)
	}
	defer rows.Close()
	var out []model.DeviceSoftware
	for rows.Next() {
		var d model.DeviceSoftware
		var name, version, at *string
		if err := rows.Scan(&d.DeviceID, &d.AssetTag, &d.Device, &d.Holder, &name, &version, &at); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].DeviceID != d.DeviceID {
			out = append(out, d)
		}
		if name != nil {
			o := model.SWObservation{DeviceID: d.DeviceID, Name: *name, Version: *version, ObservedAt: parseTime(*at)}
			last := &out[len(out)-1]
			last.Tools = append(last.Tools, o)
		}
	}
	return out, rows.Err()
}
