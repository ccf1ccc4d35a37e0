package main

// End-to-end tests of laptop compliance through the binary: on the demo,
// `devices compliance --failing` lists exactly the failing laptops with
// their failing rule and exits 1; osquery results imported through
// `import software` change the verdict; the policy is editable.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/opsdeck/opsdeck/model"
)

func TestDemoComplianceFailing(t *testing.T) {
	db := demoDB(t)
	r := run(t, db, "devices", "compliance", "--failing", "--json")
	if r.code != 1 || !strings.Contains(r.stderr, "fail compliance") {
		t.Fatalf("exit %d (want 1), stderr %q", r.code, r.stderr)
	}
	var list []model.DeviceCompliance
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, d := range list {
		for _, v := range model.Failing(d.Verdicts) {
			got[d.AssetTag] = append(got[d.AssetTag], v.Rule)
		}
	}
	want := map[string][]string{
		"LT-006": {"seen_recently", "holder_active"}, // Bill's laptop: he left, it has not reported for a month
		"LT-007": {"toolchain"},                      // Kristen's toolchain drifted
		"LT-014": {"endpoint_protection"},
		"LT-015": {"disk_encrypted", "patch_level"}, // the unencrypted laptop of the audit
		"LT-091": {"toolchain"},                     // the spare laptop with a newer compiler (the onboarding demo)
	}
	if len(got) != len(want) {
		t.Fatalf("failing devices: %v, want %v", got, want)
	}
	for tag, rules := range want {
		sort.Strings(rules)
		g := append([]string(nil), got[tag]...)
		sort.Strings(g)
		if strings.Join(g, ",") != strings.Join(rules, ",") {
			t.Errorf("%s fails %v, want %v", tag, g, rules)
		}
	}
	text := run(t, db, "devices", "compliance", "--failing")
	if text.code != 1 || !strings.Contains(text.stdout, "LT-015") || !strings.Contains(text.stdout, "disk not encrypted") || strings.Contains(text.stdout, "LT-001") {
		t.Fatalf("text list:\n%s", text.stdout)
	}
	// The risk report carries them too.
	if out := mustRun(t, db, "risks"); !strings.Contains(out, "device_noncompliant") {
		t.Errorf("risks lack failing laptops:\n%s", out)
	}
}

func TestComplianceFromOsqueryAndPolicy(t *testing.T) {
	db := demoDB(t)
	file := filepath.Join(t.TempDir(), "osquery.json")
	os.WriteFile(file, []byte(`[{"name":"/dev/disk3s1","encrypted":"0","type":"APFS"},
		{"name":"macOS","version":"15.7","major":"15","platform":"darwin"}]`), 0o600)
	mustRun(t, db, "import", "software", file, "--device", "LT-001")
	var list []model.DeviceCompliance
	r := run(t, db, "devices", "compliance", "--json")
	json.Unmarshal([]byte(r.stdout), &list)
	for _, d := range list {
		if d.AssetTag == "LT-001" && (len(model.Failing(d.Verdicts)) != 1 || model.Failing(d.Verdicts)[0].Rule != "disk_encrypted") {
			t.Fatalf("LT-001 after osquery said unencrypted: %+v", d.Verdicts)
		}
	}
	bad := run(t, db, "devices", "compliance", "policy", "set", "--seen-within-days", "-3")
	if bad.code == 0 || !strings.Contains(bad.stderr, "seen_within_days") {
		t.Fatalf("negative days: exit %d %q", bad.code, bad.stderr)
	}
	mustRun(t, db, "devices", "compliance", "policy", "set", "--disk-encrypted", "no", "--endpoint-protection", "no",
		"--patch-max-age-days", "0", "--seen-within-days", "0", "--no-toolchain-drift", "no", "--not-held-by-leaver", "no")
	if r := run(t, db, "devices", "compliance", "--failing"); r.code != 0 {
		t.Fatalf("every rule off: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
