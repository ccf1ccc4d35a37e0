package model

import (
	"os"
	"testing"
	"time"
)

func TestDriftStatus(t *testing.T) {
	for _, c := range []struct{ constraint, version, want string }{
		{">=1.25 <1.27", "1.25.4", DriftOK},
		{">=1.25 <1.27", "1.26.9", DriftOK},
		{">=1.25 <1.27", "1.27.1", DriftAhead},
		{">=1.25 <1.27", "go1.24.3", DriftOutdated},
		{"12.*", "12.2.0", DriftOK},
		{"12.*", "14.2.0", DriftAhead},
		{"12.*", "4:11.3.0-1", DriftOutdated},
		{"~22", "22.11.0", DriftOK},
		{"~22", "v24.1.0", DriftAhead},
		{"^3.11", "3.13.2", DriftOK},
		{">=3.11 <3.13", "3.13.2", DriftAhead},
		{">=17", "1.8.0_412", DriftOutdated},
		{"!=1.26.0", "1.26.0", DriftOutdated},
		{">=1.25", "unknown", DriftUnknown},
		{"not a range", "1.0.0", DriftUnknown},
	} {
		if got := DriftStatus(c.constraint, c.version); got != c.want {
			t.Errorf("DriftStatus(%q, %q) = %s, want %s", c.constraint, c.version, got, c.want)
		}
	}
}

func TestCanonicalTool(t *testing.T) {
	for in, want := range map[string]string{
		"golang-1.24-go": "go", "golang-go": "go", "Go Programming Language amd64 go1.22.1": "go", "go": "go",
		"gcc-12": "gcc", "python3": "python", "python@3.13": "python", "Python 3.12.1 (64-bit)": "python", "python3-pip": "python3-pip",
		"nodejs": "node", "node@22": "node", "rustc": "rustc", "openjdk-17-jdk-headless": "java", "jq": "jq",
	} {
		if got := CanonicalTool(in); got != want {
			t.Errorf("CanonicalTool(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseSoftwareOsquery(t *testing.T) {
	data, err := os.ReadFile("../testdata/import/osquery-deb_packages.json")
	if err != nil {
		t.Fatal(err)
	}
	reps, err := ParseSoftware(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range reps[0].Tools {
		got[o.Name] = o.Version
	}
	want := map[string]string{"gcc": "4:12.2.0-3", "go": "1.24.4-1~bpo12+1", "node": "22.11.0-1nodesource1", "python": "3.11.2-1+b1"}
	if len(got) != len(want) || reps[0].Ignored != 3 {
		t.Fatalf("tools %v (ignored %d), want %v and 3 ignored", got, reps[0].Ignored, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (gcc and gcc-12 are both 12.2.0: the first stays)", k, got[k], v)
		}
	}
}

func TestDriftRows(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	seen := now.Add(-26 * time.Hour)
	rows := Drift([]Baseline{{Name: "go", Constraint: ">=1.25 <1.27"}, {Name: "gcc", Constraint: "12.*"}},
		[]DeviceSoftware{
			{DeviceID: 7, AssetTag: "LT-007", Tools: []SWObservation{{Name: "go", Version: "1.27.1", ObservedAt: seen}}},
			{DeviceID: 9, AssetTag: "LT-009"}, // never reported: left out
		}, now)
	if len(rows) != 2 || rows[0].Status != DriftAhead || rows[1].Tool != "gcc" || rows[1].Status != DriftMissing || rows[0].Reported != "26h ago" {
		t.Errorf("rows %+v", rows)
	}
}
