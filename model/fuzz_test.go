package model

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzz targets cover every parser an import file reaches. Seeds: the
// realistic files in ../testdata/import plus the corpus committed under
// testdata/fuzz/<target>. CI runs the seeds; `go test -fuzz FuzzX ./model`
// explores.

func addImportFiles(f *testing.F, pattern string, add func(data []byte)) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "import", pattern))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil && len(data) < 8192 {
			add(data)
		}
	}
}

func FuzzDecodeText(f *testing.F) {
	addImportFiles(f, "*", func(d []byte) { f.Add(d, false); f.Add(d, true) })
	f.Fuzz(func(t *testing.T, data []byte, latin1 bool) {
		enc := ""
		if latin1 {
			enc = "latin1"
		}
		out, err := DecodeText(data, enc)
		if err != nil {
			if _, ok := err.(ImportProblem); !ok {
				t.Fatalf("error %T %v is not an ImportProblem", err, err)
			}
			return
		}
		if !utf8.Valid(out) {
			t.Fatalf("DecodeText returned invalid UTF-8: %q", out)
		}
	})
}

func FuzzDecodeTable(f *testing.F) {
	addImportFiles(f, "*", func(d []byte) {
		for i := range Formats {
			f.Add(d, uint8(i))
		}
	})
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		format := Formats[int(which)%len(Formats)]
		tbl, err := DecodeTable(data, format)
		if err != nil {
			return
		}
		for _, r := range tbl.Rows {
			if len(r.Cells) != len(tbl.Header) || (r.Absent != nil && len(r.Absent) != len(tbl.Header)) {
				t.Fatalf("row %d has %d cells (%d absent flags) for %d columns", r.Row, len(r.Cells), len(r.Absent), len(tbl.Header))
			}
			if r.Row <= 0 {
				t.Fatalf("row number %d", r.Row)
			}
		}
		for _, kind := range ImportKinds {
			cm, _ := MapColumns(kind, tbl.Header)
			for _, r := range tbl.Rows {
				vals, probs := cm.Values(r)
				for _, p := range probs {
					if p.Row != r.Row || p.Reason == "" {
						t.Fatalf("problem %+v for row %d", p, r.Row)
					}
				}
				if v, ok := vals["email"]; ok && v != "" && ValidateEmail("email", v) != nil {
					t.Fatalf("accepted email %q", v)
				}
			}
		}
	})
}

func FuzzImportRow(f *testing.F) {
	f.Add("First Name [Required],Last Name [Required],Email Address [Required],Status [READ ONLY]", "Bill,Carter,bill@example.com,Suspended")
	f.Add("Asset Tag,Asset Name,Category,Status,Purchased,Checked Out To", "LT-1,,Laptops,Lost/Stolen,2024-01-15 00:00:00,kristen")
	f.Add("service,login,role,last_verified_at", "GitHub,octocat,Owner,2026-11-27T10:00:00Z")
	f.Add("asset_tag,disk_encrypted,last_seen_at,warranty", "X,maybe,yesterday,36 months")
	f.Fuzz(func(t *testing.T, header, row string) {
		tbl, err := DecodeTable([]byte(header+"\n"+row+"\n"), FormatCSV)
		if err != nil {
			return
		}
		for _, kind := range ImportKinds {
			cm, _ := MapColumns(kind, tbl.Header)
			for _, r := range tbl.Rows {
				vals, _ := cm.Values(r)
				p, d, sv, a := Person{}, Device{}, Service{}, Account{}
				ApplyPerson(&p, vals)
				ApplyDevice(&d, vals)
				ApplyService(&sv, vals)
				ApplyAccount(&a, vals)
				for _, n := range []interface{ Normalize() }{&p, &d, &sv, &a} {
					n.Normalize()
				}
				if s := vals["status"]; kind == "people" && s != "" && oneOf("status", s, PersonStatuses...) != nil {
					t.Fatalf("status %q passed conversion", s)
				}
			}
		}
	})
}

func FuzzParseSoftware(f *testing.F) {
	addImportFiles(f, "*.json", func(d []byte) { f.Add(d) })
	f.Add([]byte(`{"asset_tag":"LT-1","tools":[{"name":"go","version":1.25}]}`))
	f.Add([]byte(`[{"name":"python@3.12","version":"3.12.1_1"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		reps, err := ParseSoftware(data, func(string) bool { return true })
		if err != nil {
			return
		}
		for _, r := range reps {
			for _, o := range r.Tools {
				if o.Name == "" {
					t.Fatalf("empty tool name from %q", data)
				}
			}
		}
	})
}

func FuzzDriftStatus(f *testing.F) {
	for _, s := range [][2]string{{">=1.25 <1.27", "1.27.1"}, {"12.*", "4:12.2.0-3"}, {"~22 || ^24", "v23.0.0"}, {"!=1.0.0", "1.0.0"}, {"<0.0.1", "0.0.0"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, constraint, version string) {
		switch s := DriftStatus(constraint, version); s {
		case DriftOK, DriftOutdated, DriftAhead, DriftUnknown:
		default:
			t.Fatalf("DriftStatus(%q, %q) = %q", constraint, version, s)
		}
		b := Baseline{Name: "go", Constraint: constraint}
		b.Normalize()
		_ = b.Validate()
	})
}

// FuzzTableRoundTrip: whatever opsdeck stores (sanitized text), export
// writes so that import reads the same cells back, in every format.
func FuzzTableRoundTrip(f *testing.F) {
	f.Add("Zoë O'Neil", "line one\nline two, \"quoted\"", "1.20")
	f.Add("- dash", "key: value", "null")
	f.Add("yes", "", "0x1F")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		cells := []string{Sanitize(a), SanitizeMultiline(b, 4096), Sanitize(c)}
		if strings.TrimSpace(strings.Join(cells, "")) == "" {
			return // a blank CSV row is skipped by design
		}
		tbl := Table{Header: []string{"name", "notes", "version"}, Rows: []TableRow{{Cells: cells}}}
		for _, format := range Formats {
			data, err := EncodeTable(tbl, format)
			if err != nil {
				t.Fatalf("%s encode %q: %v", format, cells, err)
			}
			got, err := DecodeTable(data, format)
			if err != nil {
				t.Fatalf("%s decode %q: %v\n%s", format, cells, err, data)
			}
			if len(got.Rows) != 1 || !reflect.DeepEqual(got.Rows[0].Cells, cells) {
				t.Fatalf("%s round trip %q → %+v\n%s", format, cells, got.Rows, data)
			}
		}
	})
}
