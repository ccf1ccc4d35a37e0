package model

import (
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, _ := time.ParseInLocation("2006-01-02 15:04", s, time.UTC)
	return t
}

func TestDefaultDueFromSeverity(t *testing.T) {
	now := day("2026-12-07 10:00")
	for sev, want := range map[string]string{"critical": "2026-12-14", "high": "2027-01-06", "medium": "2027-03-07", "low": "2027-06-05", "info": "2027-06-05"} {
		if got := DefaultDue(sev, now); got != want {
			t.Errorf("DefaultDue(%s) = %s, want %s", sev, got, want)
		}
	}
}

func TestFindingOverdueAndWorkflow(t *testing.T) {
	now := day("2026-12-07 10:00")
	f := Finding{Title: "x", Severity: "high", State: FindingOpen, Due: "2026-12-07"}
	if f.Overdue(now) {
		t.Fatal("due today is not overdue yet")
	}
	f.Due = "2026-12-06"
	if !f.Overdue(now) || f.DaysOverdue(now) != 1 {
		t.Fatalf("due yesterday: overdue %v by %d", f.Overdue(now), f.DaysOverdue(now))
	}
	closed := f
	closed.State = FindingClosed
	if err := CheckFindingMove(&f, &closed, now); err == nil || !strings.Contains(err.Error(), "resolved first") {
		t.Fatalf("open → closed: %v", err)
	}
	acc := f
	acc.State = FindingAccepted
	if err := CheckFindingMove(&f, &acc, now); err == nil || !strings.Contains(err.Error(), "reason") {
		t.Fatalf("accept without reason: %v", err)
	}
	acc.AcceptReason, acc.AcceptExpires = "budget", "2026-12-01"
	if err := CheckFindingMove(&f, &acc, now); err == nil || !strings.Contains(err.Error(), "future") {
		t.Fatalf("accept expiring in the past: %v", err)
	}
	acc.AcceptExpires = "2027-01-31"
	if err := CheckFindingMove(&f, &acc, now); err != nil {
		t.Fatal(err)
	}
	if acc.Overdue(now) || !acc.Overdue(day("2027-02-01 09:00")) {
		t.Fatal("an accepted risk is overdue only once its acceptance expired")
	}
	reopened := closed
	reopened.State = FindingOpen
	if err := CheckFindingMove(&closed, &reopened, now); err == nil {
		t.Fatal("a closed finding stays closed")
	}
}

func TestParseFindingLink(t *testing.T) {
	if k, r, err := ParseFindingLink("account:GitHub:bill"); err != nil || k != "account" || r != "GitHub:bill" {
		t.Fatalf("account link: %s %s %v", k, r, err)
	}
	for _, bad := range []string{"GitHub", "ledger:1", "service:"} {
		if _, _, err := ParseFindingLink(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestComplianceRules(t *testing.T) {
	now := day("2026-12-07 10:00")
	yes, no := true, false
	seen := now.Add(-20 * 24 * time.Hour)
	recent := now.Add(-time.Hour)
	p := DefaultCompliancePolicy
	good := Device{ID: 1, Kind: "laptop", Status: "in_use", DiskEncrypted: &yes, EndpointProtection: "CrowdStrike Falcon", PatchLevel: "2026-11-20", LastSeenAt: &recent}
	in := ComplianceInputs{HolderName: "Ann", HolderStatus: "active", Drift: []DriftRow{{DeviceID: 1, Tool: "go", Status: DriftOK}}}
	vs := Compliance(good, in, p, now)
	if !PassesCompliance(vs) || len(vs) != 6 {
		t.Fatalf("a good laptop: %+v", vs)
	}
	bad := good
	bad.DiskEncrypted, bad.EndpointProtection, bad.PatchLevel, bad.LastSeenAt = &no, "", "2026-09", &seen
	in.HolderStatus = "departed"
	in.Drift[0].Status = DriftOutdated
	fails := Failing(Compliance(bad, in, p, now))
	var rules []string
	for _, v := range fails {
		rules = append(rules, v.Rule)
	}
	if got := strings.Join(rules, ","); got != "disk_encrypted,endpoint_protection,patch_level,seen_recently,toolchain,holder_active" {
		t.Fatalf("failing rules: %s", got)
	}
	p.PatchMaxAgeDays, p.NoToolchainDrift = 0, false
	if vs := Compliance(bad, in, p, now); len(vs) != 4 {
		t.Fatalf("rules off are not judged: %+v", vs)
	}
	unknown := Compliance(Device{ID: 2, Kind: "laptop", LastSeenAt: &recent}, ComplianceInputs{}, DefaultCompliancePolicy, now)
	if PassesCompliance(unknown) || len(Failing(unknown)) != 1 { // no endpoint protection fails; the unknowns do not
		t.Fatalf("unknown inputs: %+v", unknown)
	}
	if !p.Applies(&bad) || p.Applies(&Device{Kind: "server"}) || p.Applies(&Device{Kind: "laptop", Status: "retired"}) {
		t.Fatal("the policy covers in-use laptops and desktops")
	}
}

func TestReviewItemsDecisionsAndComparison(t *testing.T) {
	now := day("2026-12-07 10:00")
	in := ReviewInputs{Now: now,
		Findings: []Finding{{ID: 1, Title: "root creds", Severity: "critical", State: FindingOpen, Due: "2026-12-01"},
			{ID: 2, Title: "done", Severity: "low", State: FindingClosed, Due: "2026-12-01"}},
		Compliance: []DeviceCompliance{{DeviceID: 5, AssetTag: "LT-5", Verdicts: []Verdict{{Rule: RuleDiskEncrypted, Status: VerdictFail, Detail: "disk not encrypted"}}}},
		Risks:      []Risk{{Rule: RuleSingleAdmin, Kind: "service", ID: 3, Name: "AWS"}, {Rule: ComplianceRiskRule, Kind: "device", ID: 5}},
		Backups:    []BackupHealth{{Key: "job:db", Name: "db", ServiceID: 7, BackupStatus: BackupStatus{State: BackupNeverRestoreTested}}},
	}
	items := ReviewItems(in)
	var keys []string
	for _, it := range items {
		keys = append(keys, it.Key())
	}
	want := "finding|finding|1 device|device|5 single_admin|service|3 backup|service|7"
	if got := strings.Join(keys, " "); got != want {
		t.Fatalf("items: %s\nwant   %s", got, want)
	}
	if !strings.Contains(items[0].Detail, "OVERDUE 6d") {
		t.Fatalf("overdue finding detail: %s", items[0].Detail)
	}
	d, err := ParseReviewDecision("accepted: vendor fix pending until 2027-01-31", now)
	if err != nil || d.Reason != "vendor fix pending" || d.Expires != "2027-01-31" {
		t.Fatalf("accepted: %+v %v", d, err)
	}
	for _, bad := range []string{"maybe", "accepted: no expiry", "accepted:  until 2027-01-01", "accepted: old until 2026-01-01"} {
		if _, err := ParseReviewDecision(bad, now); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	cmp := CompareReviews("2026-11", map[string]string{"a": "A", "b": "B"}, map[string]string{"b": "B", "c": "C"})
	if len(cmp.New) != 1 || cmp.New[0].Key != "c" || len(cmp.Fixed) != 1 || cmp.Fixed[0].Key != "a" || len(cmp.StillOpen) != 1 {
		t.Fatalf("comparison: %+v", cmp)
	}
	if r := ReviewMissingRisk(now, nil, nil); r != nil {
		t.Fatal("no review ever started: not a risk yet")
	}
	if r := ReviewMissingRisk(now, []string{"2026-12"}, nil); r == nil || r.Name != "2026-11" {
		t.Fatalf("last month unsigned: %+v", r)
	}
	if r := ReviewMissingRisk(now, []string{"2026-11"}, []string{"2026-11"}); r != nil {
		t.Fatal("last month signed off")
	}
}

func TestPostureFromOsquery(t *testing.T) {
	data := []byte(`[{"name":"q","unixTime":"1796000000","columns":{"name":"/dev/disk3s1","encrypted":"1"}},
		{"name":"/dev/disk4","encrypted":"0"},
		{"name":"macOS","version":"15.1.1","major":"15","platform":"darwin","install_date":"1790000000"},
		{"name":"SentinelOne Agent","version":"24.1"},{"name":"go","version":"1.25.4"}]`)
	reps, err := ParseSoftware(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := reps[0]
	if r.Posture == nil || r.Posture.DiskEncrypted == nil || *r.Posture.DiskEncrypted || r.Posture.OSVersion != "15.1.1" ||
		r.Posture.PatchDate != "2026-09-21" || r.Posture.Endpoint != "SentinelOne" || r.ReportedAt == nil || r.ReportedAt.Unix() != 1796000000 || r.Packages != 2 {
		t.Fatalf("posture: %+v %+v", r, r.Posture)
	}
	if _, err := ParseSoftware([]byte(`[{"name":"/dev/x","encrypted":"maybe"}]`), nil); err == nil || !strings.Contains(err.Error(), "encrypted") {
		t.Fatalf("bad encrypted: %v", err)
	}
}
