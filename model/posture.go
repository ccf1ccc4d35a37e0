package model

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Posture is what osquery reports about a device beyond its packages, the
// inputs of laptop compliance: the disk_encryption table, the os_version
// table, an endpoint protection product among programs / deb_packages /
// homebrew_packages, and when the results were taken (a scheduled query's
// unixTime or calendarTime). Unset fields were not reported.
type Posture struct {
	DiskEncrypted *bool
	OSName        string
	OSVersion     string
	// PatchDate is os_version's install_date (when the OS was last
	// installed or updated), YYYY-MM-DD.
	PatchDate string
	Endpoint  string
}

func (r *SoftwareReport) posture() *Posture {
	if r.Posture == nil {
		r.Posture = &Posture{}
	}
	return r.Posture
}

// endpointProducts are names of endpoint protection products as package
// lists spell them (lower case substrings).
var endpointProducts = []struct{ match, name string }{
	{"crowdstrike", "CrowdStrike Falcon"}, {"falcon-sensor", "CrowdStrike Falcon"}, {"sentinelone", "SentinelOne"},
	{"sentinel agent", "SentinelOne"}, {"sophos", "Sophos"}, {"microsoft defender", "Microsoft Defender"},
	{"mdatp", "Microsoft Defender"}, {"carbon black", "Carbon Black"}, {"clamav", "ClamAV"}, {"eset", "ESET"},
	{"bitdefender", "Bitdefender"}, {"malwarebytes", "Malwarebytes"}, {"jamf protect", "Jamf Protect"}, {"kaspersky", "Kaspersky"},
}

// EndpointProduct names the endpoint protection product a package name
// is, or "".
func EndpointProduct(pkg string) string {
	n := strings.ToLower(pkg)
	for _, p := range endpointProducts {
		if strings.Contains(n, p.match) {
			return p.name
		}
	}
	return ""
}

// readPosture takes one osquery row that is not a package: a
// disk_encryption row (encrypted), an os_version row (major and platform),
// and the result time any row of a scheduled query carries. ok reports a
// row fully read here.
func (r *SoftwareReport) readPosture(it map[string]json.RawMessage, row int) (ok bool, err error) {
	if err := r.readTime(it, row); err != nil {
		return false, err
	}
	if _, has := it["encrypted"]; has {
		v, err := jsonText(it, "encrypted", row)
		if err != nil {
			return false, err
		}
		enc := v == "1" || strings.EqualFold(v, "true")
		if v != "0" && v != "1" && !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return false, ImportProblem{Row: row, Column: "encrypted", Value: v, Reason: "is not 0 or 1 (osquery disk_encryption)"}
		}
		p := r.posture()
		// Every disk reported must be encrypted.
		if p.DiskEncrypted == nil || !enc {
			p.DiskEncrypted = &enc
		}
		return true, nil
	}
	_, major := it["major"]
	_, platform := it["platform"]
	if major && platform {
		p := r.posture()
		if p.OSName, err = jsonText(it, "name", row); err != nil {
			return false, err
		}
		if p.OSVersion, err = jsonText(it, "version", row); err != nil {
			return false, err
		}
		inst, err := jsonText(it, "install_date", row)
		if err != nil {
			return false, err
		}
		if sec, perr := strconv.ParseInt(inst, 10, 64); perr == nil && sec > 0 {
			p.PatchDate = time.Unix(sec, 0).UTC().Format(time.DateOnly)
		}
		return true, nil
	}
	return false, nil
}

// osqueryColumns is the row inside a scheduled query's result
// ({"name": query, "unixTime": ..., "columns": {...}}), with its time read.
func (r *SoftwareReport) osqueryColumns(it map[string]json.RawMessage, row int) (map[string]json.RawMessage, error) {
	cols, has := it["columns"]
	if !has {
		return it, nil
	}
	var inner map[string]json.RawMessage
	if err := json.Unmarshal(cols, &inner); err != nil {
		return nil, ImportProblem{Row: row, Column: "columns", Reason: "is not an object (osquery result row)"}
	}
	return inner, r.readTime(it, row)
}

// readTime reads a scheduled query's result time (unixTime, or
// calendarTime "Mon Dec  7 01:20:13 2026 UTC"), keeping the latest.
func (r *SoftwareReport) readTime(it map[string]json.RawMessage, row int) error {
	var at time.Time
	if _, has := it["unixTime"]; has {
		v, err := jsonText(it, "unixTime", row)
		if err != nil {
			return err
		}
		sec, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil || sec <= 0 {
			return ImportProblem{Row: row, Column: "unixTime", Value: v, Reason: "is not a Unix time in seconds"}
		}
		at = time.Unix(sec, 0).UTC()
	} else if _, has := it["calendarTime"]; has {
		v, err := jsonText(it, "calendarTime", row)
		if err != nil {
			return err
		}
		t, perr := time.Parse("Mon Jan _2 15:04:05 2006 MST", v)
		if perr != nil {
			return ImportProblem{Row: row, Column: "calendarTime", Value: v, Reason: "is not osquery's calendarTime (Mon Jan 2 15:04:05 2006 UTC)"}
		}
		at = t.UTC()
	} else {
		return nil
	}
	if r.ReportedAt == nil || at.After(*r.ReportedAt) {
		r.ReportedAt = &at
	}
	return nil
}
