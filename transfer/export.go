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
	// References are written as natural keys; only people are referred to
	// by id (accounts carry their service's name and person's email).
	ref := func(_ string, id *int64) string { return ix.email(id) }
	switch kind {
	case "people":
		ps, err := s.ListPeople(ctx, store.PeopleQuery{})
		if err != nil {
			return t, err
		}
		t.Rows = rowsOf(model.PersonFields, ps, ref)
	case "devices":
		ds, err := s.ListDevices(ctx, store.DeviceQuery{})
		if err != nil {
			return t, err
		}
		t.Rows = rowsOf(model.DeviceFields, ds, ref)
	case "services":
		ss, err := s.ListServices(ctx, store.ServiceQuery{})
		if err != nil {
			return t, err
		}
		t.Rows = rowsOf(model.ServiceFields, ss, ref)
	case "accounts":
		as, err := s.ListAccounts(ctx, store.AccountQuery{})
		if err != nil {
			return t, err
		}
		t.Rows = rowsOf(model.AccountFields, as, ref)
	case "findings":
		fs, err := s.ListFindings(ctx, store.FindingQuery{})
		if err != nil {
			return t, err
		}
		t.Rows = rowsOf(model.FindingFields, fs, ref)
	default:
		return t, model.Invalid("kind", kind, "is not one of "+strings.Join(ExportKinds, ", "))
	}
	if len(t.Header) != 0 && len(t.Rows) > 0 && len(t.Rows[0].Cells) != len(t.Header) {
		return t, fmt.Errorf("export %s: %d columns but %d cells (a bug)", kind, len(t.Header), len(t.Rows[0].Cells))
	}
	return t, nil
}

// rowsOf is recs as export rows, one cell per field of the kind's table.
func rowsOf[T any](fs model.Fields[T], recs []T, ref func(string, *int64) string) []model.TableRow {
	out := make([]model.TableRow, len(recs))
	for i := range recs {
		out[i] = model.TableRow{Cells: fs.Cells(&recs[i], ref)}
	}
	return out
}
