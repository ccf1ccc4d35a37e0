package model

import (
	"reflect"
	"strings"
	"testing"
)

func TestDecodeCSVRealWorld(t *testing.T) {
	// Excel on Windows: BOM, CRLF, a quoted cell over two lines, blank rows.
	data := "\xef\xbb\xbfName,Email Address [Required],Notes\r\n" +
		"Ann Lee,ann@example.com,\"first line\r\nsecond, with comma\"\r\n" +
		",,\r\n" +
		"\r\n" +
		"\"Bo \"\"B\"\" Chan\",bo@example.com,\r\n"
	text, err := DecodeText([]byte(data), "")
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := DecodeTable(text, DetectFormat("x.csv", text))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Name", "Email Address [Required]", "Notes"}; !reflect.DeepEqual(tbl.Header, want) {
		t.Fatalf("header %q, want %q", tbl.Header, want)
	}
	if len(tbl.Rows) != 2 {
		t.Fatalf("rows %d, want 2 (blank rows skipped): %+v", len(tbl.Rows), tbl.Rows)
	}
	if r := tbl.Rows[0]; r.Row != 2 || r.Cells[2] != "first line\nsecond, with comma" {
		t.Errorf("row 0 = %d %q", r.Row, r.Cells)
	}
	// The second record starts on line 6 of the file: row numbers are lines.
	if r := tbl.Rows[1]; r.Row != 6 || r.Cells[0] != "Bo \"B\" Chan" {
		t.Errorf("row 1 = %d %q", r.Row, r.Cells)
	}
}

func TestDecodeTextLatin1(t *testing.T) {
	data := []byte("name,email\nJos\xe9 M\xfcller,jose@example.com\n")
	_, err := DecodeText(data, "")
	p, ok := err.(ImportProblem)
	if !ok || p.Row != 2 || !strings.Contains(p.Reason, "not UTF-8") || !strings.Contains(p.Reason, "--encoding latin1") {
		t.Fatalf("err = %v, want a not-UTF-8 problem on row 2", err)
	}
	text, err := DecodeText(data, "latin1")
	if err != nil || !strings.Contains(string(text), "José Müller") {
		t.Fatalf("latin1 decode = %q, %v", text, err)
	}
	if _, err := DecodeText([]byte{0xFF, 0xFE, 'a', 0}, ""); err == nil || !strings.Contains(err.Error(), "UTF-16") {
		t.Errorf("UTF-16 err = %v", err)
	}
}

func TestTableRoundTrip(t *testing.T) {
	tbl := Table{Header: []string{"name", "notes", "version", "flag"}, Rows: []TableRow{
		{Cells: []string{"Zoë \"Z\" O'Neil", "line one\nline two, with comma", "1.20", "yes"}},
		{Cells: []string{"- dash", "", "0123", "true"}},
		{Cells: []string{"key: value", "# not a comment", "null", "~"}},
	}}
	for _, f := range Formats {
		t.Run(f, func(t *testing.T) {
			b, err := EncodeTable(tbl, f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeTable(b, f)
			if err != nil {
				t.Fatalf("decode: %v\n%s", err, b)
			}
			if !reflect.DeepEqual(got.Header, tbl.Header) {
				t.Fatalf("header %q", got.Header)
			}
			for i, r := range got.Rows {
				if !reflect.DeepEqual(r.Cells, tbl.Rows[i].Cells) {
					t.Errorf("row %d = %q, want %q\n%s", i, r.Cells, tbl.Rows[i].Cells, b)
				}
			}
		})
	}
}

func TestJSONAbsentKeys(t *testing.T) {
	tbl, err := DecodeTable([]byte(`[{"email":"a@example.com","title":"Dev"},{"email":"b@example.com","title":""}]`), FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	cm, probs := MapColumns("people", append(tbl.Header, "name"))
	if len(probs) != 0 {
		t.Fatal(probs)
	}
	if _, ok := cm.Raw(tbl.Rows[0], "title"); !ok {
		t.Error("row 1 gives title")
	}
	tbl, _ = DecodeTable([]byte(`[{"email":"a@example.com","title":"Dev"},{"email":"b@example.com"}]`), FormatJSON)
	if _, ok := cm.Raw(tbl.Rows[1], "title"); ok {
		t.Error("row 2 has no title key: absent, not empty")
	}
}

func TestNormalizeHeader(t *testing.T) {
	for in, want := range map[string]string{
		"Email Address [Required]": "email_address",
		"  First Name [Required] ": "first_name",
		"Status [READ ONLY]":       "status",
		"asset_tag":                "asset_tag",
		"Asset Tag":                "asset_tag",
		"Model No.":                "model_no",
		"Recovery Phone [MUST BE IN THE E.164 FORMAT]": "recovery_phone",
		"last-verified-at": "last_verified_at",
	} {
		if got := NormalizeHeader(in); got != want {
			t.Errorf("NormalizeHeader(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGoogleWorkspaceValues(t *testing.T) {
	header := []string{"First Name [Required]", "Last Name [Required]", "Email Address [Required]", "Org Unit Path [Required]",
		"Employee Title", "Department", "Manager Email", "Status [READ ONLY]", "Password [Required]"}
	cm, probs := MapColumns("people", header)
	if len(probs) != 0 || cm.Dialect != "google-workspace" {
		t.Fatalf("dialect %q, problems %v", cm.Dialect, probs)
	}
	if !reflect.DeepEqual(cm.Ignored, []string{"Password [Required]"}) {
		t.Errorf("ignored %q: unknown columns must be reported", cm.Ignored)
	}
	vals, probs := cm.Values(TableRow{Row: 2, Cells: []string{"Bill", "Carter", "Bill@Example.com", "/Engineering/Backend", "Senior Developer", "", "dave@example.com", "Suspended", "secret"}})
	want := map[string]string{"name": "Bill Carter", "email": "bill@example.com", "title": "Senior Developer", "department": "Backend",
		"manager": "dave@example.com", "status": "departed"}
	if len(probs) != 0 || !reflect.DeepEqual(vals, want) {
		t.Errorf("values %v, problems %v; want %v", vals, probs, want)
	}
	_, probs = cm.Values(TableRow{Row: 3, Cells: []string{"A", "B", "not-an-email", "/", "", "", "", "On leave", ""}})
	if len(probs) != 2 || probs[0].Column != "Email Address [Required]" || probs[1].Column != "Status [READ ONLY]" {
		t.Errorf("every bad cell of a row is reported, by its column as the file names it: %v", probs)
	}
}
