package model

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// Every field table is well formed: snake_case names given once, exactly
// one accessor of the right kind, a vocabulary for an enum, a kind for a
// reference, an import alias claimed by one field only.
func TestFieldTablesAreWellFormed(t *testing.T) {
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	check := func(kind string, specs []FieldSpec, accessors []int) {
		seen := map[string]string{}
		for i, f := range specs {
			if !snake.MatchString(f.Name) {
				t.Errorf("%s.%s: name is not snake_case", kind, f.Name)
			}
			if accessors[i] != 1 {
				t.Errorf("%s.%s: %d accessors, want 1", kind, f.Name, accessors[i])
			}
			if f.Type == TypeEnum && len(f.Values) == 0 {
				t.Errorf("%s.%s: enum without values", kind, f.Name)
			}
			if f.Type == TypeRef && refKeys[f.Refers] == "" {
				t.Errorf("%s.%s: refers to unknown kind %q", kind, f.Name, f.Refers)
			}
			for _, h := range append([]string{f.Name}, f.Aliases...) {
				if prev, dup := seen[h]; dup {
					t.Errorf("%s: header %q means both %s and %s", kind, h, prev, f.Name)
				}
				seen[h] = f.Name
			}
		}
	}
	check("people", PersonFields.Specs(), accessorCount(PersonFields))
	check("devices", DeviceFields.Specs(), accessorCount(DeviceFields))
	check("services", ServiceFields.Specs(), accessorCount(ServiceFields))
	check("accounts", AccountFields.Specs(), accessorCount(AccountFields))
	check("checks", CheckFields.Specs(), accessorCount(CheckFields))
	check("channels", ChannelFields.Specs(), accessorCount(ChannelFields))
	check("secrets", SharedSecretFields.Specs(), accessorCount(SharedSecretFields))
}

func accessorCount[T any](fs Fields[T]) []int {
	out := make([]int, len(fs))
	for i, f := range fs {
		for _, set := range []bool{f.Ref != nil, f.Bool != nil, f.Time != nil, f.Int != nil, f.Plain != nil, f.ID != nil && f.SetID != nil} {
			if set {
				out[i]++
			}
		}
	}
	return out
}

// Import columns and export headers are the table: every field is
// exported, in table order, and matched by its name and its aliases.
func TestColumnsComeFromTheFieldTable(t *testing.T) {
	for _, kind := range ImportKinds {
		var names []string
		for _, f := range ImportSpecs[kind] {
			names = append(names, f.Name)
			for _, h := range append([]string{f.Name}, f.Aliases...) {
				m, _ := MapColumns(kind, []string{strings.ToUpper(h)})
				if !m.Has(f.Name) {
					t.Errorf("%s: header %q does not match field %s", kind, h, f.Name)
				}
			}
		}
		if got := ExportColumns(kind); !slices.Equal(got, names) {
			t.Errorf("%s: export columns %v, want the table's %v", kind, got, names)
		}
	}
}

// Set checks what a user typed by the field's type and empty rule; Get
// writes what Set and Apply read back.
func TestFieldSetAndGet(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	var d Device
	field := func(name string) Field[Device] {
		f, ok := DeviceFields.Field(name)
		if !ok {
			t.Fatalf("no device field %s", name)
		}
		return f
	}
	for _, c := range []struct{ field, in, want, err string }{
		{"disk_encrypted", "yes", "yes", ""},
		{"disk_encrypted", "unknown", "", ""},
		{"disk_encrypted", "maybe", "", `disk_encrypted: "maybe" is not yes, no or unknown`},
		{"last_seen_at", "now", "2026-03-01T09:30:00Z", ""},
		{"last_seen_at", "2026-02-01 08:00", "2026-02-01T08:00:00Z", ""},
		{"last_seen_at", "", "", ""},
		{"last_seen_at", "yesterday", "", "last_seen_at: \"yesterday\" is not a time"},
		{"purchase_date", "2024-13-01", "", `purchase_date: "2024-13-01" is not a date`},
		{"kind", "", "", "kind: \"\" cannot be empty"},
		{"kind", "server", "server", ""},
		{"notes", "", "", ""},
	} {
		f := field(c.field)
		err := f.Set(&d, c.in, now)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Set(%s, %q) = %v, want %q", c.field, c.in, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Set(%s, %q): %v", c.field, c.in, err)
			continue
		}
		if got := f.Get(&d); got != c.want {
			t.Errorf("Set(%s, %q) then Get = %q, want %q", c.field, c.in, got, c.want)
		}
		var back Device
		DeviceFields.Apply(&back, map[string]string{c.field: f.Get(&d)})
		if got := f.Get(&back); got != c.want {
			t.Errorf("%s: Apply(Get()) = %q, want %q", c.field, got, c.want)
		}
	}
}

// A reference is the caller's to resolve; export names it through ref
// unless the record carries the key joined.
func TestCellsNameReferences(t *testing.T) {
	holder := int64(7)
	d := Device{AssetTag: "LT-1", Name: "x", HolderID: &holder}
	cells := DeviceFields.Cells(&d, func(refers string, id *int64) string {
		if refers != "person" || id == nil || *id != 7 {
			t.Errorf("ref(%q, %v)", refers, id)
		}
		return "p7@example.com"
	})
	if i := slices.Index(ExportColumns("devices"), "holder"); cells[i] != "p7@example.com" {
		t.Errorf("holder cell %q", cells[i])
	}
	a := Account{ServiceName: "GitHub", PersonEmail: "bill@example.com", Username: "bill"}
	cells = AccountFields.Cells(&a, func(string, *int64) string { t.Error("account refs are joined"); return "" })
	if !slices.Equal(cells[:3], []string{"GitHub", "bill", "bill@example.com"}) {
		t.Errorf("account cells %v", cells)
	}
}

// A check's durations read as the CLI and the form write them; a flag
// renamed from its JSON key (interval_s → --interval) says so.
func TestCheckFields(t *testing.T) {
	f, _ := CheckFields.Field("interval_s")
	if f.FlagName() != "interval" || f.OldFlagName() != "interval_s" {
		t.Errorf("interval flag %q old %q", f.FlagName(), f.OldFlagName())
	}
	var c Check
	for in, want := range map[string]int{"90": 90, "30s": 30, "5m": 300, "1h30m": 5400, "1d": 86400} {
		if err := f.Set(&c, in, time.Time{}); err != nil || c.IntervalS != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, c.IntervalS, err, want)
		}
		if back := FormatSeconds(c.IntervalS); back != in && in != "90" && in != "1h30m" {
			t.Errorf("FormatSeconds(%d) = %q", c.IntervalS, back)
		}
	}
	for in, why := range map[string]string{"0": "must be at least 1s", "": "is not a duration", "1.5s": "whole seconds"} {
		if err := f.Set(&c, in, time.Time{}); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("Set(%q) = %v, want %q", in, err, why)
		}
	}
	tls, _ := CheckFields.Field("tls_skip_verify")
	if err := tls.Set(&c, "", time.Time{}); err == nil || !strings.Contains(err.Error(), "is not yes or no") {
		t.Errorf("tls_skip_verify empty: %v", err)
	}
	if got := len(c.SecretFields()); got != 5 {
		t.Errorf("check has %d secret fields, want 5 (target, headers, body, env, ping_token)", got)
	}
}
