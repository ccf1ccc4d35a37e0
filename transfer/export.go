package transfer

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// ExportKinds are what export writes: the inventory and the audit log.
var ExportKinds = append(append([]string(nil), model.ImportKinds...), "audit")

// Export builds kind's table in opsdeck's own columns, references written
// as natural keys (a manager's email, a service's name) so the file
// imports into this or another database. Importing it back changes nothing.
func Export(ctx context.Context, s *store.Store, kind string) (model.Table, error) {
	t := model.Table{Header: model.ExportColumns(kind)}
	if kind == "audit" {
		t.Header = []string{"id", "at", "actor", "action", "entity", "entity_id", "before", "after"}
		rows, err := s.ListAudit(ctx, store.AuditQuery{Limit: 1 << 30})
		if err != nil {
			return t, err
		}
		for i := len(rows) - 1; i >= 0; i-- { // oldest first, as a log reads
			e := rows[i]
			t.Rows = append(t.Rows, model.TableRow{Cells: []string{strconv.FormatInt(e.ID, 10), model.ExportTime(&e.At), e.Actor,
				e.Action, e.Entity, strconv.FormatInt(e.EntityID, 10), e.Before, e.After}})
		}
		return t, nil
	}
	ix, err := loadPeople(ctx, s)
	if err != nil {
		return t, err
	}
	add := func(cells ...string) { t.Rows = append(t.Rows, model.TableRow{Cells: cells}) }
	switch kind {
	case "people":
		ps, err := s.ListPeople(ctx, store.PeopleQuery{})
		if err != nil {
			return t, err
		}
		for _, p := range ps {
			add(p.Name, p.Email, p.Title, p.Department, ix.email(p.ManagerID), p.Status, p.Role, p.StartDate, p.EndDate, p.Notes)
		}
	case "devices":
		ds, err := s.ListDevices(ctx, store.DeviceQuery{})
		if err != nil {
			return t, err
		}
		for _, d := range ds {
			add(d.AssetTag, d.Name, d.Kind, d.Serial, d.Model, d.OS, d.OSVersion, ix.email(d.HolderID), d.Location, d.Status,
				model.YesNo(d.DiskEncrypted), d.EndpointProtection, d.PatchLevel, model.ExportTime(d.LastSeenAt), d.PurchaseDate, d.Notes)
		}
	case "services":
		ss, err := s.ListServices(ctx, store.ServiceQuery{})
		if err != nil {
			return t, err
		}
		for _, sv := range ss {
			add(sv.Name, sv.Kind, sv.Criticality, ix.email(sv.OwnerID), sv.URL, sv.RunbookURL, sv.Status, sv.Notes)
		}
	case "accounts":
		as, err := s.ListAccounts(ctx, store.AccountQuery{})
		if err != nil {
			return t, err
		}
		for _, a := range as {
			add(a.ServiceName, a.Username, a.PersonEmail, a.Entitlement, a.Status, model.ExportTime(a.LastVerifiedAt), a.Notes)
		}
	default:
		return t, model.Invalid("kind", kind, "is not one of "+strings.Join(ExportKinds, ", "))
	}
	if len(t.Header) != 0 && len(t.Rows) > 0 && len(t.Rows[0].Cells) != len(t.Header) {
		return t, fmt.Errorf("export %s: %d columns but %d cells (a bug)", kind, len(t.Header), len(t.Rows[0].Cells))
	}
	return t, nil
}
