package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// gadget is a record kind that exists only in this test: it shows that a
// kind's store code is its field table and nothing else, and that a field
// added to the table reaches the schema, insert, update and reads.
type gadget struct {
	ID        int64
	Name      string
	Warranty  string     // added field: a date
	Insured   *bool      // added field: yes/no/unknown
	KeeperID  *int64     // added field: a person
	SeenAt    *time.Time // added field: an instant
	Every     int        // added field: a duration
	Loaned    bool       // added field: yes/no
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (g *gadget) Normalize() { g.Name = model.Sanitize(g.Name) }
func (g *gadget) Validate() error {
	if g.Name == "" {
		return model.Invalid("name", g.Name, "is required")
	}
	return nil
}

var gadgetV1 = model.Fields[gadget]{
	model.Text("name", "gadget name", func(g *gadget) *string { return &g.Name }).Must(),
}

// gadgetV2 is gadgetV1 with one line per new field: nothing else changes.
var gadgetV2 = append(append(model.Fields[gadget]{}, gadgetV1...),
	model.Date("warranty_until", "warranty end", func(g *gadget) *string { return &g.Warranty }),
	model.Bool("insured", "insured", func(g *gadget) **bool { return &g.Insured }),
	model.RefOpt("keeper", "person", "who keeps it", func(g *gadget) **int64 { return &g.KeeperID }),
	model.Time("seen_at", "last seen", func(g *gadget) **time.Time { return &g.SeenAt }),
	model.Seconds("every_s", "every", "how often", 60, func(g *gadget) *int { return &g.Every }),
	model.Toggle("loaned", "on loan", func(g *gadget) *bool { return &g.Loaned }),
)

func gadgetTable(fs model.Fields[gadget]) *table[gadget] {
	// Built directly (not newTable): the test kind stays out of the
	// schema every other test opens.
	return &table[gadget]{name: "gadgets", entity: "gadget", fields: fs,
		meta: func(g *gadget) (*int64, *time.Time, *time.Time) { return &g.ID, &g.CreatedAt, &g.UpdatedAt }}
}

func columnsOf(t *testing.T, db *sql.DB, table string) map[string]bool {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		out[n] = true
	}
	return out
}

func TestNewFieldIsOneTableLine(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	// The kind's table as its first release created it: the id, its one
	// field, the stamps.
	if _, err := s.w.Exec(`CREATE TABLE gadgets (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '',
		created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	v1 := gadgetTable(gadgetV1)
	var id1 int64
	if err := s.Write(ctx, admin, func(tx *Tx) error {
		g := gadget{Name: "old"}
		var err error
		id1, err = addRecord(tx, "gadget", &g, func(g *gadget) (int64, error) { return v1.insert(tx, g) })
		return err
	}); err != nil {
		t.Fatal(err)
	}

	// The release that adds six fields: open adds their columns.
	v2 := gadgetTable(gadgetV2)
	if err := s.ensureColumns(ctx, []schemaTable{v2}); err != nil {
		t.Fatal(err)
	}
	cols := columnsOf(t, s.w, "gadgets")
	for _, c := range []string{"warranty_until", "insured", "keeper_id", "seen_at", "every_s", "loaned"} {
		if !cols[c] {
			t.Errorf("column %s not added: %v", c, cols)
		}
	}
	var recorded int
	s.w.QueryRow(`SELECT count(*) FROM schema_columns WHERE table_name = 'gadgets'`).Scan(&recorded)
	if recorded != 6 {
		t.Errorf("schema_columns records %d columns of gadgets, want 6", recorded)
	}
	// Idempotent: a second open adds and records nothing.
	if err := s.ensureColumns(ctx, []schemaTable{v2}); err != nil {
		t.Fatal(err)
	}
	s.w.QueryRow(`SELECT count(*) FROM schema_columns WHERE table_name = 'gadgets'`).Scan(&recorded)
	if recorded != 6 {
		t.Errorf("a second open recorded again: %d rows", recorded)
	}

	// The old row reads with the new fields at their defaults (a
	// duration at its least value, so it still validates).
	old, err := v2.scan(s.r.QueryRow(`SELECT `+v2.cols("")+` FROM gadgets WHERE id = ?`, id1), nil)
	if err != nil {
		t.Fatal(err)
	}
	if old.Name != "old" || old.Insured != nil || old.KeeperID != nil || old.SeenAt != nil || old.Every != 60 || old.Loaned {
		t.Errorf("old row read as %+v", old)
	}

	// Insert and update every kind of field, and read them back.
	keeper := addPerson(t, s, "Kim Keeper", "kim@example.com")
	yes := true
	seen := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	want := gadget{Name: "new", Warranty: "2027-01-31", Insured: &yes, KeeperID: &keeper.ID, SeenAt: &seen, Every: 300, Loaned: true}
	get := func(tx *Tx) func(int64) (gadget, error) {
		return func(id int64) (gadget, error) {
			return v2.scan(tx.queryRow(`SELECT `+v2.cols("")+` FROM gadgets WHERE id = ?`, id), nil)
		}
	}
	var id2 int64
	if err := s.Write(ctx, admin, func(tx *Tx) error {
		g := want
		if id2, err = addRecord(tx, "gadget", &g, func(g *gadget) (int64, error) { return v2.insert(tx, g) }); err != nil {
			return err
		}
		saved, err := get(tx)(id2)
		if err != nil {
			return err
		}
		return tx.Audit("create", "gadget", id2, nil, saved)
	}); err != nil {
		t.Fatal(err)
	}
	read := func() gadget {
		t.Helper()
		g, err := v2.scan(s.r.QueryRow(`SELECT `+v2.cols("")+` FROM gadgets WHERE id = ?`, id2), nil)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	g := read()
	want.ID, want.CreatedAt, want.UpdatedAt = id2, g.CreatedAt, g.UpdatedAt
	if !reflect.DeepEqual(g, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", g, want)
	}

	// An edit of the new fields goes through updateRecord: audited with
	// before and after.
	before := auditCount(t, s)
	if err := s.Write(ctx, admin, func(tx *Tx) error {
		_, _, _, err := updateRecord(tx, "gadget", id2, get(tx), func(g *gadget) error {
			g.Insured, g.KeeperID, g.SeenAt, g.Every, g.Loaned, g.Warranty = nil, nil, nil, 3600, false, ""
			return nil
		}, func(g *gadget) error { return v2.update(tx, g) })
		return err
	}); err != nil {
		t.Fatal(err)
	}
	g = read()
	if g.Insured != nil || g.KeeperID != nil || g.SeenAt != nil || g.Every != 3600 || g.Loaned || g.Warranty != "" || g.Name != "new" {
		t.Errorf("after update: %+v", g)
	}
	if n := auditCount(t, s); n != before+1 {
		t.Errorf("update wrote %d audit rows, want 1", n-before)
	}
	var audit string
	s.r.QueryRow(`SELECT before || '|' || after FROM audit_log WHERE entity = 'gadget' AND action = 'update'`).Scan(&audit)
	if !strings.Contains(audit, `"Every":300`) || !strings.Contains(audit, `"Every":3600`) {
		t.Errorf("audit row lacks before/after of the new field: %s", audit)
	}
}

// TestMissingFieldColumnIsAdded: a real kind's field whose column an
// older file lacks is added on open, so the field's line in model is the
// whole schema change.
func TestMissingFieldColumnIsAdded(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	// As a file from before patch_level was a device field.
	if _, err := s.w.Exec(`ALTER TABLE devices DROP COLUMN patch_level`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := OpenWith(path, OpenOptions{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "patch_level") {
		t.Errorf("read-only open of a file missing a field's column: %v", err)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !columnsOf(t, s.w, "devices")["patch_level"] {
		t.Fatal("patch_level not added back")
	}
	var decl string
	s.r.QueryRow(`SELECT decl FROM schema_columns WHERE table_name = 'devices' AND column_name = 'patch_level'`).Scan(&decl)
	if decl != "TEXT NOT NULL DEFAULT ''" {
		t.Errorf("schema_columns records %q", decl)
	}
	d := model.Device{AssetTag: "LT-1", Name: "lt1", PatchLevel: "2026-02"}
	if err := s.Write(ctx, admin, func(tx *Tx) error { return tx.AddDevice(&d) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetDevice(ctx, d.ID)
	if err != nil || got.PatchLevel != "2026-02" {
		t.Errorf("device read back: %+v %v", got, err)
	}
}
