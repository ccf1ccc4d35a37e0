package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/testenv/storetest"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

// A kind's add and edit flags are its field table: one kebab-case flag per
// field, the table's usage, and the old snake_case spelling still parses.
func TestFlagsComeFromTheFieldTable(t *testing.T) {
	root := NewRoot(&Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, DBPath: filepath.Join(t.TempDir(), "x.db")})
	for noun, specs := range model.ImportSpecs {
		for _, verb := range []string{"add", "edit"} {
			cmd, _, err := root.Find([]string{noun, verb})
			if err != nil {
				t.Fatalf("%s %s: %v", noun, verb, err)
			}
			for _, f := range specs {
				if f.NoFlag { // moved by its own verbs (a finding's state), not a flag
					continue
				}
				fl := cmd.Flags().Lookup(f.FlagName())
				if fl == nil {
					t.Errorf("%s %s: no --%s", noun, verb, f.FlagName())
					continue
				}
				if fl.Name != f.FlagName() || strings.Contains(fl.Name, "_") || fl.Usage != f.Usage() {
					t.Errorf("%s %s --%s: name %q usage %q", noun, verb, f.FlagName(), fl.Name, fl.Usage)
				}
				if strings.Contains(f.Name, "_") {
					if err := cmd.Flags().Parse([]string{"--" + f.Name + "=x"}); err != nil || !cmd.Flags().Changed(f.FlagName()) {
						t.Errorf("%s %s: old spelling --%s not accepted: %v", noun, verb, f.Name, err)
					}
				}
			}
		}
	}
}

// widget is a record kind that exists only in this test. Its table gains
// fields of every type (one line each); their flags, their values from
// flags (a person resolved in the write transaction), export's cells and
// import's Apply all follow with no other edit. The store's half (the
// column added on open, insert, update, read, audit) is
// store.TestNewFieldIsOneTableLine.
type widget struct {
	Name     string
	Until    string
	Insured  *bool
	KeeperID *int64
	SeenAt   *time.Time
	Every    int
	Loaned   bool
}

var widgetFields = model.Fields[widget]{
	model.Text("name", "widget name", func(w *widget) *string { return &w.Name }).Must(),
	model.Date("warranty_until", "warranty end", func(w *widget) *string { return &w.Until }),
	model.Bool("insured", "insured", func(w *widget) **bool { return &w.Insured }),
	model.RefOpt("keeper", "person", "who keeps it", func(w *widget) **int64 { return &w.KeeperID }),
	model.Time("seen_at", "last seen", func(w *widget) **time.Time { return &w.SeenAt }),
	model.Seconds("every_s", "every", "how often", 60, func(w *widget) *int { return &w.Every }),
	model.Toggle("loaned", "on loan", func(w *widget) *bool { return &w.Loaned }),
}

func TestNewFieldReachesFlagsImportAndExport(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, nil)
	keeper := model.Person{Name: "Kim Keeper", Email: "kim@example.com"}
	if err := s.Write(ctx, model.LocalActor("t"), func(tx *store.Tx) error { return tx.AddPerson(&keeper) }); err != nil {
		t.Fatal(err)
	}
	cmd := &cobra.Command{Use: "add"}
	cmd.Flags().SetNormalizeFunc(normalizeFlag) // as the root sets it for every command
	fields := tableFields(widgetFields)
	addFlags(cmd, fields)
	for _, fl := range []string{"name", "warranty-until", "insured", "keeper", "seen-at", "every", "loaned"} {
		if cmd.Flags().Lookup(fl) == nil {
			t.Errorf("no --%s", fl)
		}
	}
	if err := cmd.Flags().Parse([]string{"--name", "w1", "--warranty_until", "2027-01-31", "--insured", "yes",
		"--keeper", "kim@example.com", "--seen-at", "2026-03-01T09:30:00Z", "--every", "5m", "--loaned", "yes"}); err != nil {
		t.Fatal(err)
	}
	var w widget
	if err := s.Write(ctx, model.LocalActor("t"), func(tx *store.Tx) error { return applyFields(cmd, tx, &w, fields) }); err != nil {
		t.Fatal(err)
	}
	if w.Name != "w1" || w.Until != "2027-01-31" || w.Insured == nil || !*w.Insured || w.KeeperID == nil || *w.KeeperID != keeper.ID ||
		w.SeenAt == nil || !w.SeenAt.Equal(time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)) || w.Every != 300 || !w.Loaned {
		t.Fatalf("from flags: %+v", w)
	}
	// Export writes the table's cells; import reads them back.
	cells := widgetFields.Cells(&w, func(refers string, id *int64) string { return "kim@example.com" })
	vals := map[string]string{}
	for i, f := range widgetFields {
		vals[f.Name] = cells[i]
	}
	if vals["every_s"] != "5m" || vals["insured"] != "yes" || vals["keeper"] != "kim@example.com" {
		t.Errorf("export cells: %v", vals)
	}
	var back widget
	widgetFields.Apply(&back, vals)
	back.KeeperID = w.KeeperID // references are resolved by the import's transaction
	if !reflect.DeepEqual(back, w) {
		t.Errorf("import of the export:\n got %+v\nwant %+v", back, w)
	}
	// A bad value names its flag.
	cmd.Flags().Set("every", "soon")
	err := s.Write(ctx, model.LocalActor("t"), func(tx *store.Tx) error { return applyFields(cmd, tx, &w, fields) })
	if err == nil || !strings.Contains(err.Error(), "every") || !strings.Contains(err.Error(), "soon") {
		t.Errorf("bad duration: %v", err)
	}
}
