package transfer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdeck/opsdeck/demo"
	"github.com/opsdeck/opsdeck/internal/testenv/storetest"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/transfer"
)

var actor = model.LocalActor("tester")

func openStore(t testing.TB, withDemo bool) *store.Store {
	t.Helper()
	if withDemo {
		return storetest.Open(t, nil, demo.Load)
	}
	return storetest.Open(t, nil)
}

func mark(t *testing.T, s *store.Store) int64 {
	t.Helper()
	m, err := s.ChangeMark(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// copyInput copies a testdata file into a temp dir, so skip-bad's rejects
// file lands there and not in the repository.
func copyInput(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "import", name))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestThousandRowsSevenBad(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, true)
	file := copyInput(t, "people-1000-7bad.csv")
	rep, err := transfer.Plan(ctx, s, "people", file, transfer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var rows []int
	for _, p := range rep.Problems {
		rows = append(rows, p.Row)
	}
	if want := []int{58, 131, 302, 446, 613, 809, 978}; fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Fatalf("dry run lists problems on rows %v, want every one of %v", rows, want)
	}
	if rep.Summary.New != 993 || rep.Summary.Bad != 7 {
		t.Fatalf("summary %+v", rep.Summary)
	}

	before := mark(t, s)
	if err := rep.Commit(ctx, s, actor, nil); err == nil || !strings.Contains(err.Error(), "7 of 1000 rows have problems") {
		t.Fatalf("atomic commit of a file with bad rows: %v", err)
	}
	if mark(t, s) != before {
		t.Fatal("atomic import wrote something")
	}
	if n, _ := s.CountPeople(ctx, ""); n != 20 {
		t.Fatalf("people = %d after a refused atomic import, want the demo's 20", n)
	}

	rep, err = transfer.Plan(ctx, s, "people", file, transfer.Options{Mode: transfer.ModeSkipBad})
	if err != nil {
		t.Fatal(err)
	}
	var calls, last int
	if err := rep.Commit(ctx, s, actor, func(done, total int) { calls, last = calls+1, done }); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountPeople(ctx, ""); n != 20+993 {
		t.Fatalf("people = %d, want 20 + 993", n)
	}
	if calls == 0 || last != 993 {
		t.Errorf("progress called %d times, last done=%d; want the last call at 993", calls, last)
	}
	data, err := os.ReadFile(strings.TrimSuffix(file, ".csv") + ".rejects.csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(recs) != 8 || recs[0][len(recs[0])-1] != "import_problems" {
		t.Fatalf("rejects file: %d records, %v\n%s", len(recs), err, data)
	}
	if !strings.Contains(recs[1][6], "not-an-email") || !strings.Contains(recs[1][6], "row 58") {
		t.Errorf("reject reason %q", recs[1][6])
	}
	runs, err := s.ListImportRuns(ctx, 1)
	if err != nil || len(runs) != 1 || runs[0].Created != 993 || runs[0].Rejected != 7 || runs[0].Actor != "local:tester" || runs[0].RejectFile == "" {
		t.Fatalf("import run %+v, %v", runs, err)
	}
	audits, err := s.ListAudit(ctx, store.AuditQuery{Entity: "person", Actor: "local:tester", Limit: 5000})
	if err != nil || len(audits) != 993 {
		t.Fatalf("%d person audit rows, want one per created person (993): %v", len(audits), err)
	}
}

// TestRoundTrip: export then import of the same file changes nothing, in
// every format; and an export imported into an empty database exports the
// same again.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, true)
	empty := openStore(t, false)
	for _, format := range model.Formats {
		for _, kind := range model.ImportKinds {
			tbl, err := transfer.Export(ctx, s, kind)
			if err != nil {
				t.Fatal(err)
			}
			data, err := model.EncodeTable(tbl, format)
			if err != nil {
				t.Fatal(err)
			}
			name := kind + "." + format
			rep, err := transfer.PlanData(ctx, s, kind, name, data, transfer.Options{UpdateExisting: true})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Summary.Unchanged != len(tbl.Rows) || !rep.OK() || len(rep.Ignored) != 0 {
				t.Errorf("%s: re-import of the export: %+v, problems %v, ignored %v", name, rep.Summary, rep.Problems, rep.Ignored)
			}
			if format != model.FormatYAML {
				continue
			}
			rep, err = transfer.PlanData(ctx, empty, kind, name, data, transfer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := rep.Commit(ctx, empty, actor, nil); err != nil {
				t.Fatalf("%s into an empty database: %v", name, err)
			}
			again, _ := transfer.Export(ctx, empty, kind)
			b1, _ := model.EncodeTable(tbl, model.FormatCSV)
			b2, _ := model.EncodeTable(again, model.FormatCSV)
			if !bytes.Equal(b1, b2) {
				t.Errorf("%s: export → import into an empty database → export differs:\n%s\n---\n%s", kind, b1, b2)
			}
		}
	}
}

func TestAccountsReimport(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, true)
	rep, err := transfer.Plan(ctx, s, "accounts", copyInput(t, "github-members.csv"), transfer.Options{Service: "GitHub"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Leavers) != 1 || !strings.Contains(rep.Leavers[0], "Bill Carter") || !strings.Contains(rep.Leavers[0], "billc-dev") {
		t.Errorf("leavers %q: Bill (departed) still holds the GitHub admin account", rep.Leavers)
	}
	if fmt.Sprint(rep.Unverify) != "[GitHub:chenwei-contractor (chen@example.com)]" {
		t.Errorf("unverify %q", rep.Unverify)
	}
	if rep.Summary.New != 1 || rep.Summary.Verified != 7 {
		t.Errorf("summary %+v", rep.Summary)
	}
	if err := rep.Commit(ctx, s, actor, nil); err != nil {
		t.Fatal(err)
	}
	a, err := s.FindAccount(ctx, "GitHub:chenwei-contractor")
	if err != nil || a.Status != "unverified" {
		t.Errorf("absent account: %+v %v", a, err)
	}
	a, err = s.FindAccount(ctx, "GitHub:priya-design")
	if err != nil || a.PersonEmail != "priya@example.com" || a.LastVerifiedAt == nil {
		t.Errorf("new account: %+v %v", a, err)
	}
	// AWS credential report: no person column; logins match existing accounts.
	rep, err = transfer.Plan(ctx, s, "accounts", copyInput(t, "aws-iam-credential-report.csv"), transfer.Options{Service: "AWS"})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Dialect != "aws-iam" || len(rep.Leavers) != 1 || fmt.Sprint(rep.Unverify) != "[AWS:dave (dave@example.com)]" {
		t.Errorf("aws: ok=%v dialect=%s leavers=%q unverify=%q problems=%v", rep.OK(), rep.Dialect, rep.Leavers, rep.Unverify, rep.Problems)
	}
}

func TestGoogleWorkspace(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, true)
	rep, err := transfer.Plan(ctx, s, "people", copyInput(t, "google-workspace-users.csv"), transfer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Dialect != "google-workspace" || !rep.OK() || rep.Summary.New != 3 || rep.Summary.Unchanged != 5 {
		t.Fatalf("dialect %s summary %+v problems %v", rep.Dialect, rep.Summary, rep.Problems)
	}
	if err := rep.Commit(ctx, s, actor, nil); err != nil {
		t.Fatal(err)
	}
	maya, err := s.FindPerson(ctx, "maya@example.com")
	if err != nil || maya.ManagerID == nil || maya.Department != "Platform" {
		t.Fatalf("maya %+v %v: her manager Sam is a later row of the same file", maya, err)
	}
	sam, _ := s.GetPerson(ctx, *maya.ManagerID)
	lucia, _ := s.FindPerson(ctx, "lucia@example.com")
	if sam.Email != "sam@example.com" || lucia.Name != "Lucía Fernández" {
		t.Errorf("sam %q, lucia %q", sam.Email, lucia.Name)
	}
}

func TestSoftwareAndDrift(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, true)
	rep, err := transfer.Plan(ctx, s, "software", copyInput(t, "osquery-deb_packages.json"), transfer.Options{Device: "LT-002"})
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Commit(ctx, s, actor, nil); err != nil {
		t.Fatal(err)
	}
	base, _ := s.ListBaseline(ctx)
	devs, _ := s.AllSoftware(ctx)
	status := map[string]string{}
	for _, r := range model.Drift(base, devs, s.Now()) {
		status[r.AssetTag+" "+r.Tool] = r.Status
	}
	for k, want := range map[string]string{
		"LT-007 go": "ahead", "LT-007 gcc": "ahead", // Kristen
		"LT-002 go": "outdated", "LT-002 gcc": "ok", "LT-002 node": "ok", // Oscar's Debian laptop via osquery
		"LT-001 go": "ok",
	} {
		if status[k] != want {
			t.Errorf("%s = %q, want %s", k, status[k], want)
		}
	}
	_, err = transfer.Plan(ctx, s, "software", copyInput(t, "osquery-homebrew_packages.json"), transfer.Options{})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNotUTF8(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, false)
	file := copyInput(t, "latin1-people.csv")
	_, err := transfer.Plan(ctx, s, "people", file, transfer.Options{})
	if err == nil || !strings.Contains(err.Error(), "not UTF-8") {
		t.Fatalf("err = %v", err)
	}
	rep, err := transfer.Plan(ctx, s, "people", file, transfer.Options{Encoding: "latin1"})
	if err != nil || !rep.OK() {
		t.Fatalf("--encoding latin1: %v %v", err, rep.Problems)
	}
	if err := rep.Commit(ctx, s, actor, nil); err != nil {
		t.Fatal(err)
	}
	if p, err := s.FindPerson(ctx, "jose@example.com"); err != nil || p.Name != "José Müller" {
		t.Errorf("%+v %v", p, err)
	}
}

// BenchmarkImportPeople100k commits a 100,000-row Google Workspace users
// CSV (plan and commit, one transaction, one audit row per person) into a
// fresh database. Everyone but the first ten has a manager who is an
// earlier row of the same file.
func BenchmarkImportPeople100k(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("First Name [Required],Last Name [Required],Email Address [Required],Org Unit Path [Required],Employee Title,Department,Manager Email,Status [READ ONLY]\r\n")
	for i := 0; i < 100_000; i++ {
		mgr := ""
		if i >= 10 {
			mgr = fmt.Sprintf("person%d@example.org", i/10)
		}
		fmt.Fprintf(&buf, "Person%d,Surname%d,person%d@example.org,/Staff/Team%d,Engineer,Team%d,%s,Active\r\n", i, i%977, i, i%40, i%40, mgr)
	}
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		s := openStore(b, false)
		b.StartTimer()
		rep, err := transfer.PlanData(ctx, s, "people", "people.csv", buf.Bytes(), transfer.Options{})
		if err != nil || !rep.OK() {
			b.Fatal(err, rep.Problems)
		}
		if err := rep.Commit(ctx, s, actor, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCommitTimeConflict: someone adds a person between the dry run and the
// commit. Atomic rolls everything back; skip-bad rejects just that row,
// its savepoint leaving no half-written trace.
func TestCommitTimeConflict(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, true)
	data := []byte("name,email\nAnn Lee,ann@example.com\nBo Chan,bo@example.com\nCy Diaz,cy@example.com\n")
	plan := func(mode string) *transfer.Report {
		rep, err := transfer.PlanData(ctx, s, "people", filepath.Join(t.TempDir(), "p.csv"), data, transfer.Options{Mode: mode})
		if err != nil || rep.Summary.New != 3 {
			t.Fatalf("%v %+v", err, rep)
		}
		return rep
	}
	atomic, skip := plan(transfer.ModeAtomic), plan(transfer.ModeSkipBad)
	if err := s.Write(ctx, actor, func(tx *store.Tx) error {
		return tx.AddPerson(&model.Person{Name: "Bo Chan (HR)", Email: "bo@example.com"})
	}); err != nil {
		t.Fatal(err)
	}
	before := mark(t, s)
	if err := atomic.Commit(ctx, s, actor, nil); err == nil || !strings.Contains(err.Error(), "row 3") {
		t.Fatalf("atomic: %v", err)
	}
	if mark(t, s) != before {
		t.Fatal("atomic commit left rows behind")
	}
	if err := skip.Commit(ctx, s, actor, nil); err != nil {
		t.Fatal(err)
	}
	if skip.Summary.New != 2 || skip.Summary.Bad != 1 || skip.RejectFile == "" {
		t.Errorf("skip-bad summary %+v", skip.Summary)
	}
	if n, _ := s.CountPeople(ctx, ""); n != 20+1+2 {
		t.Errorf("people = %d, want 23", n)
	}
	if p, _ := s.FindPerson(ctx, "bo@example.com"); p.Name != "Bo Chan (HR)" {
		t.Errorf("bo = %q: the conflicting row must not overwrite", p.Name)
	}
}

func TestCommitCancelled(t *testing.T) {
	s := openStore(t, true)
	rep, err := transfer.PlanData(context.Background(), s, "people", "p.csv", []byte("name,email\nAnn Lee,ann@example.com\n"), transfer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	before := mark(t, s)
	if err := rep.Commit(ctx, s, actor, nil); err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Fatalf("commit after cancel: %v", err)
	}
	if mark(t, s) != before {
		t.Fatal("a cancelled import wrote something")
	}
}

func TestManagersWithinTheFile(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, true)
	data := []byte("name,email,manager\nA One,a1@example.com,b1@example.com\nB One,b1@example.com,a1@example.com\n" +
		"C One,c1@example.com,c1@example.com\nKristen Park,kristen@example.com,d1@example.com\nD One,d1@example.com,\nE One,e1@example.com,a1@example.com\n")
	rep, err := transfer.PlanData(ctx, s, "people", filepath.Join(t.TempDir(), "m.csv"), data, transfer.Options{UpdateExisting: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range rep.Problems {
		got = append(got, fmt.Sprintf("%d %s %s", p.Row, p.Value, p.Reason))
	}
	want := []string{
		"2 b1@example.com is part of a loop of managers within the file",
		"3 a1@example.com is on row 2, which is rejected",
		"4 c1@example.com is the person themself",
		"7 a1@example.com is on row 2, which is rejected",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rep.Summary.New != 1 || rep.Summary.Updated != 1 || rep.Items[3].Changes[0] != "manager → d1@example.com (row 6 of this file)" {
		t.Fatalf("summary %+v, kristen %q", rep.Summary, rep.Items[3].Changes)
	}
	rep.Mode = transfer.ModeSkipBad
	if err := rep.Commit(ctx, s, actor, nil); err != nil {
		t.Fatal(err)
	}
	k, _ := s.FindPerson(ctx, "kristen@example.com")
	d, _ := s.FindPerson(ctx, "d1@example.com")
	if k.ManagerID == nil || *k.ManagerID != d.ID {
		t.Errorf("kristen's manager %v, want D One (%d), created earlier in the same commit", k.ManagerID, d.ID)
	}
}

// One organisational unit of Google Workspace names managers outside the
// unit: every person imports, the missing managers are warnings with
// their rows, and --strict-refs restores the rejection.
func TestOneOUMissingManagersAreWarnings(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, false)
	path := copyInput(t, "google-workspace-one-ou.csv")
	strict, err := transfer.Plan(ctx, s, "people", path, transfer.Options{StrictRefs: true})
	if err != nil {
		t.Fatal(err)
	}
	// Strict: the three rows whose manager is unknown, and the four whose
	// manager is one of those rows, are rejected; only Ines (no manager) is good.
	if strict.OK() || strict.Summary.Bad != 7 || strict.Summary.Warnings != 0 {
		t.Fatalf("strict: want 7 bad rows, got %+v %v", strict.Summary, strict.Problems)
	}
	rep, err := transfer.Plan(ctx, s, "people", path, transfer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Summary.New != 8 || rep.Summary.Warnings != 3 {
		t.Fatalf("summary %+v problems %v warnings %v", rep.Summary, rep.Problems, rep.Warnings)
	}
	var got []string
	for _, w := range rep.Warnings {
		got = append(got, fmt.Sprintf("%d %s %s", w.Row, w.Column, w.Value))
	}
	want := "[2 Manager Email cto-elsewhere@example.com 5 Manager Email vp-infra@example.com 7 Manager Email ghost.manager@example.com]"
	if fmt.Sprint(got) != want {
		t.Fatalf("warnings %s, want %s", got, want)
	}
	if err := rep.Commit(ctx, s, actor, nil); err != nil {
		t.Fatal(err)
	}
	nadia, _ := s.FindPerson(ctx, "nadia@example.com")
	jon, _ := s.FindPerson(ctx, "jon@example.com")
	kofi, _ := s.FindPerson(ctx, "kofi@example.com")
	ravi, _ := s.FindPerson(ctx, "ravi@example.com")
	if nadia.ManagerID != nil || jon.ManagerID == nil || *jon.ManagerID != nadia.ID || kofi.ManagerID == nil || *kofi.ManagerID != ravi.ID {
		t.Errorf("managers: nadia %v, jon %v (want %d), kofi %v (want %d)", nadia.ManagerID, jon.ManagerID, nadia.ID, kofi.ManagerID, ravi.ID)
	}
}

// Snipe-IT's "Checked Out To" is a full name: a known, unambiguous name
// links the device; an unknown one imports it unassigned, with a warning.
func TestSnipeITCheckedOutToByName(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, true)
	rep, err := transfer.Plan(ctx, s, "devices", copyInput(t, "snipeit-unknown-holders.csv"), transfer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Summary.New != 5 || rep.Summary.Warnings != 2 {
		t.Fatalf("summary %+v problems %v warnings %v", rep.Summary, rep.Problems, rep.Warnings)
	}
	if w := rep.Warnings[0]; w.Row != 3 || w.Column != "Checked Out To" || w.Value != "Dana Whitfield" {
		t.Errorf("first warning %+v", w)
	}
	if err := rep.Commit(ctx, s, actor, nil); err != nil {
		t.Fatal(err)
	}
	kristen, _ := s.FindPerson(ctx, "kristen@example.com")
	d0, _ := s.FindDevice(ctx, "LT-900")
	d1, _ := s.FindDevice(ctx, "LT-901")
	if d0.HolderID == nil || *d0.HolderID != kristen.ID || d1.HolderID != nil {
		t.Errorf("LT-900 holder %v (want kristen %d), LT-901 holder %v (want none)", d0.HolderID, kristen.ID, d1.HolderID)
	}
}
