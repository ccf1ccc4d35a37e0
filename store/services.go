package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// servicesTable is the services table, read and written from model.ServiceFields
// (its secret fields sealed on the way in).
var servicesTable = newTable("services", "service", model.ServiceFields, func(s *model.Service) (*int64, *time.Time, *time.Time) {
	return &s.ID, &s.CreatedAt, &s.UpdatedAt
})

var serviceCols = servicesTable.cols("")

func scanService(sc scanner) (model.Service, error) { return servicesTable.scan(sc, nil) }

// ServiceQuery narrows ListServices.
type ServiceQuery struct {
	Kind    string
	Status  string
	OwnerID int64
	Limit   int
}

// ListServices returns services ordered by name.
func (s *Store) ListServices(ctx context.Context, q ServiceQuery) ([]model.Service, error) {
	f := (&filter{}).eq("kind", q.Kind).eq("status", q.Status).eq("owner_id", q.OwnerID)
	return s.servicesWhere(ctx, f.sql(), q.Limit, f.args...)
}

func getService(ctx context.Context, db querier, id int64) (model.Service, error) {
	return servicesTable.get(ctx, db, id)
}

func findService(ctx context.Context, db querier, ref string) (model.Service, error) {
	return servicesTable.find(ctx, db, ref, `name = ? COLLATE NOCASE`)
}

// GetService reads one service by id.
func (s *Store) GetService(ctx context.Context, id int64) (model.Service, error) {
	sv, err := getService(ctx, s.r, id)
	if err != nil {
		return sv, err
	}
	return sv, present(ctx, s, &sv)
}

// FindService resolves an id or a name (case-insensitive).
func (s *Store) FindService(ctx context.Context, ref string) (model.Service, error) {
	sv, err := findService(ctx, s.r, ref)
	if err != nil {
		return sv, err
	}
	return sv, present(ctx, s, &sv)
}

// GetService reads one service inside the transaction.
func (t *Tx) GetService(id int64) (model.Service, error) {
	sv, err := getService(t.ctx, t.tx, id)
	if err != nil {
		return sv, err
	}
	return sv, t.open(&sv)
}

// FindService resolves a service reference inside the transaction.
func (t *Tx) FindService(ref string) (model.Service, error) {
	sv, err := findService(t.ctx, t.tx, ref)
	if err != nil {
		return sv, err
	}
	return sv, t.open(&sv)
}

func (t *Tx) checkService(sv *model.Service) error {
	var id int64
	err := t.queryRow(`SELECT id FROM services WHERE name = ? COLLATE NOCASE AND id <> ?`, sv.Name, sv.ID).Scan(&id)
	if err == nil {
		return model.Invalid("name", sv.Name, fmt.Sprintf("already names service %d", id))
	} else if !isNoRows(err) {
		return err
	}
	return t.checkPersonRef("owner", sv.OwnerID)
}

// AddService inserts sv (setting its ID) and audits it.
func (t *Tx) AddService(sv *model.Service) error {
	return addAdminRow(t, "add services", servicesTable, sv, t.checkService, t.GetService)
}

// UpdateService applies fn to service id and audits the change.
func (t *Tx) UpdateService(id int64, fn func(*model.Service) error) (before, after model.Service, err error) {
	return updateAdminRow(t, "edit services", servicesTable, id, t.GetService, fn, t.checkService)
}

// DeactivateService retires a service; accounts and history stay.
func (t *Tx) DeactivateService(id int64) (before, after model.Service, err error) {
	return t.UpdateService(id, func(sv *model.Service) error { sv.Status = "retired"; return nil })
}

// AddServiceHost records that service runs on device.
func (t *Tx) AddServiceHost(serviceID, deviceID int64) error {
	if err := t.requireAdmin("change service hosts"); err != nil {
		return err
	}
	res, err := t.exec(`INSERT OR IGNORE INTO service_hosts(service_id, device_id) VALUES (?,?)`, serviceID, deviceID)
	if err != nil {
		return constraintError("add service host", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return t.Audit("link", "service_host", serviceID, nil, map[string]int64{"service_id": serviceID, "device_id": deviceID})
}

// RemoveServiceHost undoes AddServiceHost.
func (t *Tx) RemoveServiceHost(serviceID, deviceID int64) error {
	if err := t.requireAdmin("change service hosts"); err != nil {
		return err
	}
	res, err := t.exec(`DELETE FROM service_hosts WHERE service_id=? AND device_id=?`, serviceID, deviceID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return t.Audit("unlink", "service_host", serviceID, map[string]int64{"service_id": serviceID, "device_id": deviceID}, nil)
}

// AddServiceDep records that service depends on another; cycles are refused.
func (t *Tx) AddServiceDep(serviceID, dependsOnID int64) error {
	if err := t.requireAdmin("change service dependencies"); err != nil {
		return err
	}
	if serviceID == dependsOnID {
		return model.Invalid("depends_on", strconv.FormatInt(dependsOnID, 10), "is the service itself")
	}
	var cyc int
	err := t.queryRow(`WITH RECURSIVE up(id) AS (SELECT CAST(? AS INTEGER) UNION SELECT d.depends_on_id FROM service_deps d JOIN up ON d.service_id = up.id)
		SELECT count(*) FROM up WHERE id = ?`, dependsOnID, serviceID).Scan(&cyc)
	if err != nil {
		return err
	}
	if cyc > 0 {
		return model.Invalid("depends_on", strconv.FormatInt(dependsOnID, 10), "already depends on this service (a cycle)")
	}
	res, err := t.exec(`INSERT OR IGNORE INTO service_deps(service_id, depends_on_id) VALUES (?,?)`, serviceID, dependsOnID)
	if err != nil {
		return constraintError("add service dependency", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return t.Audit("link", "service_dep", serviceID, nil, map[string]int64{"service_id": serviceID, "depends_on_id": dependsOnID})
}

// ServiceHosts lists the devices a service runs on.
func (s *Store) ServiceHosts(ctx context.Context, serviceID int64) ([]model.Device, error) {
	return s.devicesWhere(ctx, `id IN (SELECT device_id FROM service_hosts WHERE service_id = ?)`, 0, serviceID)
}

// HostedServices lists the services that run on a device.
func (s *Store) HostedServices(ctx context.Context, deviceID int64) ([]model.Service, error) {
	return s.servicesWhere(ctx, `id IN (SELECT service_id FROM service_hosts WHERE device_id = ?)`, 0, deviceID)
}

// ServiceDeps lists what a service depends on.
func (s *Store) ServiceDeps(ctx context.Context, serviceID int64) ([]model.Service, error) {
	return s.servicesWhere(ctx, `id IN (SELECT depends_on_id FROM service_deps WHERE service_id = ?)`, 0, serviceID)
}

// ServiceDependents lists the services that depend on this one.
func (s *Store) ServiceDependents(ctx context.Context, serviceID int64) ([]model.Service, error) {
	return s.servicesWhere(ctx, `id IN (SELECT service_id FROM service_deps WHERE depends_on_id = ?)`, 0, serviceID)
}

func (s *Store) servicesWhere(ctx context.Context, where string, lim int, args ...any) ([]model.Service, error) {
	out, err := servicesTable.list(ctx, s.r, where, "name COLLATE NOCASE", lim, args...)
	if err != nil {
		return nil, err
	}
	return out, presentAll(ctx, s, out)
}

func (s *Store) devicesWhere(ctx context.Context, where string, lim int, args ...any) ([]model.Device, error) {
	return devicesTable.list(ctx, s.r, where, "asset_tag COLLATE NOCASE", lim, args...)
}

// limitClause renders an optional LIMIT (0: none).
func limitClause(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" LIMIT %d", n)
}
