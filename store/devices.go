package store

import (
	"context"
	"fmt"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// devicesTable is the devices table, read and written from model.DeviceFields.
var devicesTable = newTable("devices", "device", model.DeviceFields, func(d *model.Device) (*int64, *time.Time, *time.Time) {
	return &d.ID, &d.CreatedAt, &d.UpdatedAt
})

var deviceCols = devicesTable.cols("")

func scanDevice(sc scanner) (model.Device, error) { return devicesTable.scan(sc, nil) }

// DeviceQuery narrows ListDevices.
type DeviceQuery struct {
	Kind     string
	Status   string
	HolderID int64
	Limit    int
}

// ListDevices returns devices ordered by asset tag.
func (s *Store) ListDevices(ctx context.Context, q DeviceQuery) ([]model.Device, error) {
	f := (&filter{}).eq("kind", q.Kind).eq("status", q.Status).eq("holder_id", q.HolderID)
	return s.devicesWhere(ctx, f.sql(), q.Limit, f.args...)
}

// GetDevice reads one device by id.
func (s *Store) GetDevice(ctx context.Context, id int64) (model.Device, error) {
	return getDevice(ctx, s.r, id)
}

func getDevice(ctx context.Context, db querier, id int64) (model.Device, error) {
	return devicesTable.get(ctx, db, id)
}

// FindDevice resolves an id, asset tag, serial or name.
func (s *Store) FindDevice(ctx context.Context, ref string) (model.Device, error) {
	return findDevice(ctx, s.r, ref)
}

// FindDevice resolves a device reference inside the transaction.
func (t *Tx) FindDevice(ref string) (model.Device, error) { return findDevice(t.ctx, t.tx, ref) }

// GetDevice reads one device inside the transaction.
func (t *Tx) GetDevice(id int64) (model.Device, error) { return getDevice(t.ctx, t.tx, id) }

func findDevice(ctx context.Context, db querier, ref string) (model.Device, error) {
	return devicesTable.find(ctx, db, ref, `asset_tag = ? COLLATE NOCASE OR (serial <> '' AND serial = ?) OR name = ? COLLATE NOCASE
		ORDER BY asset_tag = ? COLLATE NOCASE DESC LIMIT 1`)
}

func (t *Tx) checkDevice(d *model.Device) error {
	var id int64
	err := t.queryRow(`SELECT id FROM devices WHERE asset_tag = ? COLLATE NOCASE AND id <> ?`, d.AssetTag, d.ID).Scan(&id)
	if err == nil {
		return model.Invalid("asset_tag", d.AssetTag, fmt.Sprintf("already belongs to device %d", id))
	} else if !isNoRows(err) {
		return err
	}
	if d.Serial != "" {
		var tag string
		err := t.queryRow(`SELECT asset_tag FROM devices WHERE serial <> '' AND serial = ? AND id <> ?`, d.Serial, d.ID).Scan(&tag)
		if err == nil {
			return model.Invalid("serial", d.Serial, "already belongs to device "+tag)
		} else if !isNoRows(err) {
			return err
		}
	}
	return t.checkPersonRef("holder", d.HolderID)
}

// AddDevice inserts d (setting its ID) and audits it.
func (t *Tx) AddDevice(d *model.Device) error {
	return addAdminRow(t, "add devices", devicesTable, d, t.checkDevice, t.GetDevice)
}

// UpdateDevice applies fn to device id and audits the change.
func (t *Tx) UpdateDevice(id int64, fn func(*model.Device) error) (before, after model.Device, err error) {
	return updateAdminRow(t, "edit devices", devicesTable, id, t.GetDevice, fn, t.checkDevice)
}

// DeactivateDevice retires a device; its history stays.
func (t *Tx) DeactivateDevice(id int64) (before, after model.Device, err error) {
	return t.UpdateDevice(id, func(d *model.Device) error {
		d.Status = "retired"
		d.HolderID = nil
		return nil
	})
}

// SetSoftware records the tool versions a device reports (toolchain drift).
// Each changed version is audited.
func (t *Tx) SetSoftware(deviceID int64, obs []model.SWObservation) error {
	for _, o := range obs {
		o.Name, o.Version = model.SanitizeN(o.Name, 128), model.SanitizeN(o.Version, 128)
		if o.Name == "" {
			return model.Invalid("name", o.Name, "is required")
		}
		var prev string
		err := t.queryRow(`SELECT version FROM sw_observations WHERE device_id=? AND name=?`, deviceID, o.Name).Scan(&prev)
		if err != nil && !isNoRows(err) {
			return err
		}
		at := o.ObservedAt
		if at.IsZero() {
			at = t.at
		}
		if _, err := t.exec(`INSERT INTO sw_observations(device_id, name, version, observed_at) VALUES (?,?,?,?)
			ON CONFLICT(device_id, name) DO UPDATE SET version=excluded.version, observed_at=excluded.observed_at`,
			deviceID, o.Name, o.Version, fmtTime(at)); err != nil {
			return fmt.Errorf("record software: %w", err)
		}
		if prev != o.Version {
			var before any
			if prev != "" {
				before = map[string]string{"name": o.Name, "version": prev}
			}
			if err := t.Audit("observe", "software", deviceID, before, map[string]string{"name": o.Name, "version": o.Version}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Software lists a device's reported tool versions by name.
func (s *Store) Software(ctx context.Context, deviceID int64) ([]model.SWObservation, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT device_id, name, version, observed_at FROM sw_observations WHERE device_id=? ORDER BY name`, deviceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.SWObservation
	for rows.Next() {
		var o model.SWObservation
		var at string
		if err := rows.Scan(&o.DeviceID, &o.Name, &o.Version, &at); err != nil {
			return nil, err
		}
		o.ObservedAt = parseTime(at)
		out = append(out, o)
	}
	return out, rows.Err()
}
