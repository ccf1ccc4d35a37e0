package model

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"golang.org/x/text/encoding/charmap"
)

// Table is an import or export file decoded into text cells: what CSV,
// JSON and YAML have in common. Import maps its columns to record fields;
// export builds one and encodes it. Decoding is pure (bytes in, table out)
// so it can be fuzzed and so the console can decode a file it already read.
type Table struct {
	Header []string
	Rows   []TableRow
	// Problems found while decoding (a row with more cells than the
	// header); they belong to the dry-run report like any other.
	Problems []ImportProblem
}

// TableRow is one record of a Table.
type TableRow struct {
	// Row locates the record for a human: in CSV the line where it starts
	// (the header is row 1, as a spreadsheet numbers it); in JSON and YAML
	// the 1-based position of the item in the list.
	Row   int
	Cells []string // aligned with Table.Header; missing cells are ""
	// Absent marks the columns a JSON or YAML item has no key for (nil in
	// CSV): an absent key leaves a field alone, an empty value clears it.
	Absent []bool
}

// ImportProblem is one thing wrong with an import file: where, which
// column as the file names it, the value and why. Row 0 is the header or
// the file as a whole.
type ImportProblem struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

func (p ImportProblem) Error() string {
	var b strings.Builder
	if p.Row > 0 {
		fmt.Fprintf(&b, "row %d: ", p.Row)
	}
	if p.Column != "" {
		fmt.Fprintf(&b, "%s: ", Excerpt(p.Column))
	}
	if p.Value != "" || (p.Column != "" && p.Row > 0) {
		fmt.Fprintf(&b, "%q ", Excerpt(p.Value))
	}
	b.WriteString(p.Reason)
	return b.String()
}

// File formats.
const (
	FormatCSV  = "csv"
	FormatJSON = "json"
	FormatYAML = "yaml"
)

// Formats lists the formats import and export accept.
var Formats = []string{FormatCSV, FormatJSON, FormatYAML}

// DetectFormat picks the format from the file name's extension, else from
// the first significant byte: '[' or '{' is JSON, "- " or "key:" is YAML,
// anything else CSV.
func DetectFormat(name string, data []byte) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".tsv", ".txt":
		return FormatCSV
	case ".json":
		return FormatJSON
	case ".yaml", ".yml":
		return FormatYAML
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(data, utf8BOM), " \t\r\n")
	switch {
	case len(t) == 0:
		return FormatCSV
	case t[0] == '[' || t[0] == '{':
		return FormatJSON
	case bytes.HasPrefix(t, []byte("- ")) || bytes.HasPrefix(t, []byte("---")):
		return FormatYAML
	}
	return FormatCSV
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Encodings import accepts with --encoding.
var Encodings = []string{"utf-8", "latin1"}

// DecodeText returns data as UTF-8 without a byte-order mark. encoding is
// "utf-8" (or empty) or "latin1" (ISO 8859-1 / Windows-1252, what older
// Excel saves as "CSV"). A file that is not valid UTF-8 is refused with the
// line and byte where it goes wrong, rather than imported garbled.
func DecodeText(data []byte, encoding string) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return nil, ImportProblem{Reason: "file is UTF-16; save it as UTF-8 (in Excel: CSV UTF-8)"}
	}
	switch strings.ToLower(strings.ReplaceAll(encoding, "-", "")) {
	case "", "utf8":
	case "latin1", "iso88591", "windows1252", "cp1252":
		out, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return nil, ImportProblem{Reason: "cannot decode as Latin-1: " + err.Error()}
		}
		return out, nil
	default:
		return nil, ImportProblem{Column: "encoding", Value: encoding, Reason: "is not one of " + strings.Join(Encodings, ", ")}
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if utf8.Valid(data) {
		return data, nil
	}
	bad := 0
	for bad < len(data) {
		r, n := utf8.DecodeRune(data[bad:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		bad += n
	}
	line := 1 + bytes.Count(data[:bad], []byte{'\n'})
	guess := ""
	if s, err := charmap.Windows1252.NewDecoder().Bytes(data[bad : bad+1]); err == nil {
		guess = fmt.Sprintf(" (%q in Latin-1)", s)
	}
	return nil, ImportProblem{Row: line, Reason: fmt.Sprintf(
		"file is not UTF-8: byte 0x%02X%s; it looks like Latin-1 / Windows-1252. Save it as UTF-8, or import it with --encoding latin1",
		data[bad], guess)}
}

// DecodeTable parses UTF-8 data (see DecodeText) in the given format.
func DecodeTable(data []byte, format string) (Table, error) {
	switch format {
	case FormatCSV:
		return decodeCSV(data)
	case FormatJSON:
		return decodeJSON(data)
	case FormatYAML:
		return decodeYAML(data)
	}
	return Table{}, ImportProblem{Column: "format", Value: format, Reason: "is not one of " + strings.Join(Formats, ", ")}
}

func decodeCSV(data []byte) (Table, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	if bytes.Count(data[:min(len(data), 4096)], []byte{'\t'}) > bytes.Count(data[:min(len(data), 4096)], []byte{','}) {
		r.Comma = '\t' // a TSV saved with a .csv name
	}
	var t Table
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return t, ImportProblem{Row: pe.StartLine, Reason: fmt.Sprintf("CSV syntax error on line %d, column %d: %v (rows after it cannot be read)", pe.Line, pe.Column, pe.Err)}
			}
			return t, ImportProblem{Reason: "read CSV: " + err.Error()}
		}
		line, _ := r.FieldPos(0)
		if blank(rec) {
			continue
		}
		if t.Header == nil {
			t.Header = make([]string, len(rec))
			for i, h := range rec {
				t.Header[i] = Sanitize(h)
			}
			continue
		}
		if len(rec) > len(t.Header) {
			if extra := strings.Join(rec[len(t.Header):], ","); strings.Trim(extra, ", \t") != "" {
				t.Problems = append(t.Problems, ImportProblem{Row: line, Value: Truncate(extra, 40),
					Reason: fmt.Sprintf("row has %d cells but the header has %d columns (a stray comma or an unquoted value?)", len(rec), len(t.Header))})
			}
			rec = rec[:len(t.Header)]
		}
		for len(rec) < len(t.Header) {
			rec = append(rec, "")
		}
		t.Rows = append(t.Rows, TableRow{Row: line, Cells: rec})
	}
	if t.Header == nil {
		return t, ImportProblem{Reason: "file is empty (want a header row, then one row per record)"}
	}
	return t, nil
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// tableBuilder collects keyed items (JSON objects, YAML mappings) into
// columns in order of first appearance.
type tableBuilder struct {
	t     Table
	index map[string]int
}

func (b *tableBuilder) add(row int, keys []string, vals []any) {
	if b.index == nil {
		b.index = map[string]int{}
	}
	cells := make([]string, len(b.t.Header), len(b.t.Header)+len(keys))
	for i := range cells {
		cells[i] = absentCell
	}
	for i, k := range keys {
		col, ok := b.index[k]
		if !ok {
			col = len(b.t.Header)
			b.index[k] = col
			b.t.Header = append(b.t.Header, k)
			cells = append(cells, absentCell)
		}
		s, ok := scalarText(vals[i])
		if !ok {
			b.t.Problems = append(b.t.Problems, ImportProblem{Row: row, Column: k, Value: Truncate(fmt.Sprint(vals[i]), 40), Reason: "is a list or object; want a single value"})
		}
		cells[col] = s
	}
	b.t.Rows = append(b.t.Rows, TableRow{Row: row, Cells: cells})
}

func (b *tableBuilder) table() Table {
	for i := range b.t.Rows {
		r := &b.t.Rows[i]
		have := len(r.Cells)
		for len(r.Cells) < len(b.t.Header) {
			r.Cells = append(r.Cells, "")
		}
		r.Absent = make([]bool, len(b.t.Header))
		for j := have; j < len(b.t.Header); j++ {
			r.Absent[j] = true
		}
		for j, c := range r.Cells[:have] {
			r.Absent[j] = c == absentCell
			if c == absentCell {
				r.Cells[j] = ""
			}
		}
	}
	return b.t
}

// quoted is s as a JSON string without HTML escaping.
func quoted(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// yamlKey writes a header as a plain key when it is a simple name, else quoted.
func yamlKey(h string) string {
	for _, r := range h {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return quoted(h)
		}
	}
	if h == "" {
		return `""`
	}
	return h
}

// absentCell marks, while building, a column an item has no key for.
const absentCell = "\x00absent"

// scalarText renders a decoded JSON/YAML scalar as the text a CSV cell
// would hold. Lists and objects are refused.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32), true
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x), true
	case time.Time:
		if x.Equal(x.Truncate(24*time.Hour)) && x.Location() == time.UTC {
			return x.Format(DateLayout), true
		}
		return x.Format(time.RFC3339), true
	}
	return "", false
}

// decodeJSON accepts an array of objects, or an object whose only value is
// such an array ({"people": [...]}).
func decodeJSON(data []byte) (Table, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil {
		var wrap map[string]json.RawMessage
		if json.Unmarshal(data, &wrap) != nil || len(wrap) != 1 {
			return Table{}, ImportProblem{Reason: "not a JSON array of objects: " + jsonErr(data, err)}
		}
		for _, v := range wrap {
			if err := json.Unmarshal(v, &items); err != nil {
				return Table{}, ImportProblem{Reason: "not a JSON array of objects: " + err.Error()}
			}
		}
	}
	var b tableBuilder
	for i, raw := range items {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			b.t.Problems = append(b.t.Problems, ImportProblem{Row: i + 1, Value: Truncate(string(raw), 40), Reason: "is not a JSON object"})
			continue
		}
		var keys []string
		var vals []any
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return Table{}, ImportProblem{Row: i + 1, Reason: "bad JSON: " + err.Error()}
			}
			var v any
			if err := dec.Decode(&v); err != nil {
				return Table{}, ImportProblem{Row: i + 1, Reason: "bad JSON: " + err.Error()}
			}
			keys, vals = append(keys, Sanitize(tok.(string))), append(vals, v)
		}
		b.add(i+1, keys, vals)
	}
	if len(items) == 0 {
		return Table{Header: []string{}}, nil
	}
	return b.table(), nil
}

// jsonErr adds the line to a JSON syntax error.
func jsonErr(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset <= int64(len(data)) {
		return fmt.Sprintf("line %d: %v", 1+bytes.Count(data[:se.Offset], []byte{'\n'}), err)
	}
	return err.Error()
}

func decodeYAML(data []byte) (Table, error) {
	var items []yaml.MapSlice
	if err := yamlUnmarshal(data, &items); err != nil {
		var wrap yaml.MapSlice
		if yamlUnmarshal(data, &wrap) != nil || len(wrap) != 1 {
			return Table{}, ImportProblem{Reason: "not a YAML list of mappings: " + yamlErr(err)}
		}
		list, ok := wrap[0].Value.([]any)
		if !ok {
			return Table{}, ImportProblem{Reason: "not a YAML list of mappings"}
		}
		for i, v := range list {
			m, ok := v.(map[string]any)
			if !ok {
				return Table{}, ImportProblem{Row: i + 1, Reason: "is not a YAML mapping"}
			}
			var ms yaml.MapSlice
			for _, k := range sortedKeys(m) {
				ms = append(ms, yaml.MapItem{Key: k, Value: m[k]})
			}
			items = append(items, ms)
		}
	}
	var b tableBuilder
	for i, item := range items {
		keys := make([]string, len(item))
		vals := make([]any, len(item))
		for j, kv := range item {
			keys[j], vals[j] = Sanitize(fmt.Sprint(kv.Key)), kv.Value
		}
		b.add(i+1, keys, vals)
	}
	if len(items) == 0 {
		return Table{Header: []string{}}, nil
	}
	return b.table(), nil
}

// yamlUnmarshal is yaml.Unmarshal that turns a panic into an error:
// go-yaml v1.19.2 dereferences nil on some malformed input (fuzzing found
// "!0 0"), and an import file must not crash opsdeck.
func yamlUnmarshal(data []byte, v any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("malformed YAML (%v)", p)
		}
	}()
	return yaml.Unmarshal(data, v)
}

// yamlErr is a YAML error as its position and message only: go-yaml's
// Error() prints the source lines around the fault, and an import error
// must never show a file's content (a private key read as YAML).
func yamlErr(err error) string {
	var ye yaml.Error
	if errors.As(err, &ye) {
		msg := Truncate(Sanitize(ye.GetMessage()), 80)
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			return fmt.Sprintf("line %d, column %d: %s", tk.Position.Line, tk.Position.Column, msg)
		}
		return msg
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return Truncate(Sanitize(msg), 80)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// EncodeTable renders t in format: CSV with a header row, or a JSON / YAML
// list of objects whose keys are the header, in header order, values as
// text. DecodeTable(EncodeTable(t)) gives t back.
func EncodeTable(t Table, format string) ([]byte, error) {
	var buf bytes.Buffer
	switch format {
	case FormatCSV:
		w := csv.NewWriter(&buf)
		w.Write(t.Header)
		for _, r := range t.Rows {
			w.Write(r.Cells)
		}
		w.Flush()
		return buf.Bytes(), w.Error()
	case FormatJSON:
		buf.WriteString("[")
		for i, r := range t.Rows {
			if i > 0 {
				buf.WriteString(",")
			}
			buf.WriteString("\n  {")
			for j, h := range t.Header {
				if j > 0 {
					buf.WriteString(", ")
				}
				k, _ := json.Marshal(h)
				v, _ := json.Marshal(r.Cells[j])
				buf.Write(k)
				buf.WriteString(": ")
				buf.Write(v)
			}
			buf.WriteString("}")
		}
		if len(t.Rows) > 0 {
			buf.WriteString("\n")
		}
		buf.WriteString("]\n")
		return buf.Bytes(), nil
	case FormatYAML:
		// Written by hand rather than with yaml.Marshal: every value is a
		// double-quoted scalar (JSON string syntax, which YAML 1.2 reads),
		// so no text ("? 0", "yes", "- x", "1.20") can change type or
		// structure when read back. Fuzzed by FuzzTableRoundTrip.
		if len(t.Rows) == 0 {
			return []byte("[]\n"), nil
		}
		for _, r := range t.Rows {
			for j, h := range t.Header {
				if j == 0 {
					buf.WriteString("- ")
				} else {
					buf.WriteString("  ")
				}
				buf.WriteString(yamlKey(h))
				buf.WriteString(": ")
				buf.WriteString(quoted(r.Cells[j]))
				buf.WriteString("\n")
			}
		}
		return buf.Bytes(), nil
	}
	return nil, ImportProblem{Column: "format", Value: format, Reason: "is not one of " + strings.Join(Formats, ", ")}
}
