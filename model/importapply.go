package model

import (
	"time"
)

// The Apply functions copy the fields an import row gives (see
// ColumnMap.Values) onto a record: a new one, or a copy of the stored one
// when updating. References to other records (manager, holder, owner,
// person, service) are resolved by the caller, which knows the database.

// ApplyPerson sets p's fields from vals.
func ApplyPerson(p *Person, vals map[string]string) {
	setStr(vals, "name", &p.Name)
	setStr(vals, "email", &p.Email)
	setStr(vals, "title", &p.Title)
	setStr(vals, "department", &p.Department)
	setStr(vals, "status", &p.Status)
	setStr(vals, "role", &p.Role)
	setStr(vals, "start_date", &p.StartDate)
	setStr(vals, "end_date", &p.EndDate)
	setStr(vals, "notes", &p.Notes)
}

// ApplyDevice sets d's fields from vals.
func ApplyDevice(d *Device, vals map[string]string) {
	setStr(vals, "asset_tag", &d.AssetTag)
	setStr(vals, "name", &d.Name)
	setStr(vals, "kind", &d.Kind)
	setStr(vals, "serial", &d.Serial)
	setStr(vals, "model", &d.Model)
	setStr(vals, "os", &d.OS)
	setStr(vals, "os_version", &d.OSVersion)
	setStr(vals, "location", &d.Location)
	setStr(vals, "status", &d.Status)
	setStr(vals, "endpoint_protection", &d.EndpointProtection)
	setStr(vals, "patch_level", &d.PatchLevel)
	setStr(vals, "purchase_date", &d.PurchaseDate)
	setStr(vals, "notes", &d.Notes)
	if v, ok := vals["disk_encrypted"]; ok {
		d.DiskEncrypted = ParseYesNo(v)
	}
	if v, ok := vals["last_seen_at"]; ok {
		d.LastSeenAt = parseRFC3339(v)
	}
}

// ApplyService sets sv's fields from vals.
func ApplyService(sv *Service, vals map[string]string) {
	setStr(vals, "name", &sv.Name)
	setStr(vals, "kind", &sv.Kind)
	setStr(vals, "criticality", &sv.Criticality)
	setStr(vals, "url", &sv.URL)
	setStr(vals, "runbook_url", &sv.RunbookURL)
	setStr(vals, "status", &sv.Status)
	setStr(vals, "notes", &sv.Notes)
}

// ApplyAccount sets a's fields from vals.
func ApplyAccount(a *Account, vals map[string]string) {
	setStr(vals, "username", &a.Username)
	setStr(vals, "entitlement", &a.Entitlement)
	setStr(vals, "status", &a.Status)
	setStr(vals, "notes", &a.Notes)
	if v, ok := vals["last_verified_at"]; ok {
		a.LastVerifiedAt = parseRFC3339(v)
	}
}

func setStr(vals map[string]string, field string, dst *string) {
	if v, ok := vals[field]; ok {
		*dst = v
	}
}

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
