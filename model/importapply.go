package model

import (
	"time"
)

// The Apply functions copy the fields an import row gives (see
// ColumnMap.Values) onto a record: a new one, or a copy of the stored one
// when updating. References to other records (manager, holder, owner,
// person, service) are resolved by the caller, which knows the database.

// ApplyPerson sets p's fields from vals.
func ApplyPerson(p *Person, vals map[string]string) { PersonFields.Apply(p, vals) }

// ApplyDevice sets d's fields from vals.
func ApplyDevice(d *Device, vals map[string]string) { DeviceFields.Apply(d, vals) }

// ApplyService sets sv's fields from vals.
func ApplyService(sv *Service, vals map[string]string) { ServiceFields.Apply(sv, vals) }

// ApplyAccount sets a's fields from vals.
func ApplyAccount(a *Account, vals map[string]string) { AccountFields.Apply(a, vals) }

// ParseYesNo is the inverse of YesNo: "yes", "no", or "" for unknown.
func ParseYesNo(v string) *bool {
	switch v {
	case "yes":
		b := true
		return &b
	case "no":
		b := false
		return &b
	}
	return nil
}

// YesNo renders an optional boolean the way export writes it.
func YesNo(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "yes"
	}
	return "no"
}

// ExportTime renders an optional instant the way export writes it
// (RFC 3339 UTC with the stored milliseconds: import reads it back unchanged).
func ExportTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func parseRFC3339(v string) *time.Time {
	if v == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil
	}
	return &t
}
