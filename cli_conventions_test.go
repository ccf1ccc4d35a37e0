package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// nouns are the commands that hold verbs, nested ones included: each
// lists when given bare, lists its verbs on --help and refuses a verb it
// does not have.
var nouns = [][]string{
	{"people"}, {"devices"}, {"services"}, {"accounts"}, {"checks"}, {"alerts"}, {"silences"}, {"oncall"},
	{"backup"}, {"backups"}, {"offboard"}, {"secrets"}, {"ledger"}, {"audit"}, {"channels"},
	{"devices", "baseline"}, {"offboard", "templates"}, {"ledger", "categories"},
}

func TestCLIConventionsNouns(t *testing.T) {
	db := demoDB(t)
	for _, n := range nouns {
		name := strings.Join(n, " ")
		// A bare noun lists: --json prints an array.
		var arr []json.RawMessage
		runJSON(t, db, &arr, append(append([]string{}, n...), "--json")...)
		if bare := mustRun(t, db, n...); bare != mustRun(t, db, append(append([]string{}, n...), "list")...) {
			t.Errorf("%s: bare noun does not print what %s list prints", name, name)
		}
		// --help lists the verbs, and succeeds.
		help := mustRun(t, db, append(append([]string{}, n...), "--help")...)
		if !strings.Contains(help, "Available Commands:") || !strings.Contains(help, "  list ") {
			t.Errorf("%s --help does not list the verbs:\n%s", name, help)
		}
		// An unknown verb fails, on one line that names the verbs.
		r := run(t, db, append(append([]string{}, n...), "frobnicate")...)
		if r.code != 1 || r.stdout != "" || !strings.HasPrefix(r.stderr, `opsdeck: unknown command "frobnicate" for "opsdeck `+name+`"`) ||
			!strings.Contains(r.stderr, "list") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%s frobnicate: exit %d, stdout %q, stderr %q", name, r.code, r.stdout, r.stderr)
		}
	}
	r := run(t, db, "secrets", "rotate", "AWS root credentials")
	if r.code != 1 || !strings.Contains(r.stderr, `did you mean "rotated"?`) {
		t.Errorf("secrets rotate: exit %d, stderr %q", r.code, r.stderr)
	}
	r = run(t, db, "alerts", "ack", "1")
	if r.code != 1 || !strings.Contains(r.stderr, "--reason") {
		t.Errorf("alerts ack without a reason: exit %d, stderr %q, want it to name --reason", r.code, r.stderr)
	}
	r = run(t, db, "peple")
	if r.code != 1 || !strings.Contains(r.stderr, `did you mean "people"?`) {
		t.Errorf("peple: exit %d, stderr %q", r.code, r.stderr)
	}
	r = run(t, db, "checks", "add", "--intervl", "30s")
	if r.code != 1 || !strings.Contains(r.stderr, "did you mean --interval?") {
		t.Errorf("--intervl: exit %d, stderr %q", r.code, r.stderr)
	}
	r = run(t, db, "secrets", "rotated")
	if r.code != 1 || !strings.Contains(r.stderr, "usage: opsdeck secrets rotated NAME") {
		t.Errorf("secrets rotated without NAME: exit %d, stderr %q", r.code, r.stderr)
	}
	r = run(t, db, "checks", "add", "--kind", "http", "--service", "GitHub")
	if r.code != 1 || !strings.Contains(r.stderr, "--name") {
		t.Errorf("checks add without a name: exit %d, stderr %q, want it to name --name", r.code, r.stderr)
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		if out := mustRun(t, db, "completion", sh); !strings.Contains(out, "opsdeck") || len(out) < 500 {
			t.Errorf("completion %s: %q", sh, out)
		}
	}
}

// TestCLIConventionsFlagSpellings: flags are kebab-case and durations have
// no unit suffix, and the snake_case names scripts used before still work.
func TestCLIConventionsFlagSpellings(t *testing.T) {
	db := demoDB(t)
	help := mustRun(t, db, "checks", "add", "--help")
	for _, want := range []string{"--interval string", "--timeout string", "--grace string", "--fail-threshold", "--tls-skip-verify", "--record-type"} {
		if !strings.Contains(help, want) {
			t.Errorf("checks add --help lacks %s", want)
		}
	}
	for _, old := range []string{"interval_s", "timeout_s", "grace_s", "fail_threshold"} {
		if strings.Contains(flagLines(help), old) {
			t.Errorf("checks add --help shows the old name %s:\n%s", old, help)
		}
	}
	type check struct {
		IntervalS, TimeoutS, GraceS, FailThreshold, SuccessThreshold int
	}
	var newer, older check
	for _, tc := range []struct {
		name string
		into *check
		args []string
	}{
		{"hb-new", &newer, []string{"--interval", "1h", "--timeout", "10s", "--grace", "5m", "--fail-threshold", "4", "--success-threshold", "2"}},
		{"hb-old", &older, []string{"--interval_s", "1h", "--timeout_s", "10s", "--grace_s", "5m", "--fail_threshold", "4", "--success_threshold", "2"}},
	} {
		args := append([]string{"checks", "add", "--name", tc.name, "--kind", "heartbeat", "--service", "GitHub", "--json"}, tc.args...)
		out := mustRun(t, db, args...)
		var got struct {
			IntervalS        int `json:"interval_s"`
			TimeoutS         int `json:"timeout_s"`
			GraceS           int `json:"grace_s"`
			FailThreshold    int `json:"fail_threshold"`
			SuccessThreshold int `json:"success_threshold"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s: %v\n%s", tc.name, err, out)
		}
		*tc.into = check(got)
	}
	if newer != older || newer.IntervalS != 3600 || newer.GraceS != 300 || newer.FailThreshold != 4 {
		t.Errorf("new spellings gave %+v, old ones %+v", newer, older)
	}
	// Old spellings on other commands: devices, people, secrets, services.
	mustRun(t, db, "devices", "add", "--asset_tag", "LT-900", "--name", "old-flags", "--kind", "laptop", "--os_version", "14.2", "--disk_encrypted", "yes")
	mustRun(t, db, "devices", "edit", "LT-900", "--patch-level", "2026-11", "--last_seen_at", "2026-01-02 10:00")
	var dev struct {
		AssetTag      string `json:"asset_tag"`
		OSVersion     string `json:"os_version"`
		DiskEncrypted *bool  `json:"disk_encrypted"`
		PatchLevel    string `json:"patch_level"`
	}
	runJSON(t, db, &dev, "devices", "show", "LT-900", "--json")
	if dev.AssetTag != "LT-900" || dev.OSVersion != "14.2" || dev.DiskEncrypted == nil || !*dev.DiskEncrypted || dev.PatchLevel != "2026-11" {
		t.Errorf("devices with old and new spellings: %+v", dev)
	}
	mustRun(t, db, "people", "edit", "oscar@example.com", "--start_date", "2020-02-03", "--end-date", "")
	var p struct {
		StartDate string `json:"start_date"`
	}
	runJSON(t, db, &p, "people", "show", "oscar@example.com", "--json")
	if p.StartDate != "2020-02-03" {
		t.Errorf("people edit --start_date: start_date %q", p.StartDate)
	}
	mustRun(t, db, "secrets", "add", "--name", "Old flags", "--rotation_days", "30", "--last_rotated_at", "2026-01-01")
	mustRun(t, db, "secrets", "edit", "Old flags", "--rotation-days", "60")
	var x struct {
		RotationDays int `json:"rotation_days"`
	}
	runJSON(t, db, &x, "secrets", "show", "Old flags", "--json")
	if x.RotationDays != 60 {
		t.Errorf("secrets rotation days %d, want 60", x.RotationDays)
	}
	mustRun(t, db, "services", "edit", "GitHub", "--runbook_url", "https://wiki.example.com/github")
	// A bad value given under an old name is reported under the new one.
	r := run(t, db, "checks", "edit", "hb-old", "--timeout_s", "soon")
	if r.code != 1 || !strings.HasPrefix(r.stderr, `opsdeck: timeout: "soon"`) {
		t.Errorf("--timeout_s soon: exit %d, stderr %q", r.code, r.stderr)
	}
}

// flagLines keeps the flag lines of a help text (its examples may quote
// anything).
func flagLines(help string) string {
	var out []string
	for _, l := range strings.Split(help, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "--") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestCLIConventionsShowJSON: show --json carries the linked records the
// text shows, under the same headings.
func TestCLIConventionsShowJSON(t *testing.T) {
	db := demoDB(t)
	mustRun(t, db, "offboard", "start", "dave@example.com")
	var p map[string]json.RawMessage
	runJSON(t, db, &p, "people", "show", "dave@example.com", "--json")
	text := mustRun(t, db, "people", "show", "dave@example.com")
	for key, heading := range map[string]string{"accounts": "Accounts", "devices": "Devices", "services_owned": "Services owned",
		"secrets_known": "Secrets known", "oncall": "On call", "open_checklists": "Open checklists"} {
		var list []json.RawMessage
		if err := json.Unmarshal(p[key], &list); err != nil {
			t.Fatalf("people show --json: %s is not an array: %s", key, p[key])
		}
		if want := heading + " (" + itoa(len(list)) + "):"; !strings.Contains(text, want) {
			t.Errorf("people show: JSON has %d %s, text lacks %q:\n%s", len(list), key, want, text)
		}
	}
	var dave struct {
		Email        string `json:"email"`
		SecretsKnown []struct {
			Name string `json:"name"`
		} `json:"secrets_known"`
		Checklists []struct {
			Status string `json:"status"`
		} `json:"open_checklists"`
	}
	runJSON(t, db, &dave, "people", "show", "dave@example.com", "--json")
	if dave.Email != "dave@example.com" || len(dave.SecretsKnown) == 0 || len(dave.Checklists) != 1 || dave.Checklists[0].Status != "open" {
		t.Errorf("dave: %+v", dave)
	}
	var oscar struct {
		OnCall []struct {
			Email string `json:"email"`
		} `json:"oncall"`
	}
	runJSON(t, db, &oscar, "people", "show", "oscar@example.com", "--json")
	if len(oscar.OnCall) == 0 || oscar.OnCall[0].Email != "oscar@example.com" {
		t.Errorf("oscar's on-call shifts: %+v", oscar.OnCall)
	}
	var sv struct {
		Name      string            `json:"name"`
		Owner     string            `json:"owner"`
		Accounts  []json.RawMessage `json:"accounts"`
		Hosts     []json.RawMessage `json:"hosts"`
		DependsOn []json.RawMessage `json:"depends_on"`
		Checks    []json.RawMessage `json:"checks"`
	}
	runJSON(t, db, &sv, "services", "show", "Production App", "--json")
	if sv.Name != "Production App" || sv.Owner == "" || len(sv.Hosts) == 0 || len(sv.DependsOn) == 0 || len(sv.Checks) == 0 {
		t.Errorf("services show --json: %s owned by %q, %d hosts, %d dependencies, %d checks", sv.Name, sv.Owner, len(sv.Hosts), len(sv.DependsOn), len(sv.Checks))
	}
	runJSON(t, db, &sv, "services", "show", "GitHub", "--json")
	if len(sv.Accounts) == 0 {
		t.Error("services show GitHub --json: no accounts")
	}
	var dev struct {
		Holder   string            `json:"holder"`
		Services []json.RawMessage `json:"services_hosted"`
	}
	runJSON(t, db, &dev, "devices", "show", "LT-002", "--json")
	if dev.Holder != "Oscar Lindqvist" {
		t.Errorf("devices show --json holder %q", dev.Holder)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
