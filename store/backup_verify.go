package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// VerifyReport is what verifying a backup file found. OK means: it opens
// read-only, PRAGMA integrity_check says ok, every table has the expected
// row count, and (when a manifest exists) its bytes hash to the recorded
// SHA-256. Problems lists each failure in one line.
type VerifyReport struct {
	File          string           `json:"file"`
	OK            bool             `json:"ok"`
	Integrity     string           `json:"integrity"`
	SchemaVersion int              `json:"schema_version"`
	RowCounts     map[string]int64 `json:"row_counts"`
	Expected      map[string]int64 `json:"expected_row_counts"`
	SHA256        string           `json:"sha256"`
	SizeBytes     int64            `json:"size_bytes"`
	Manifest      bool             `json:"manifest"`
	Problems      []string         `json:"problems"`
}

// roDSN opens a backup file read-only and immutable: nothing writes a
// backup, so SQLite needs no locks, no -shm and no write access.
func roDSN(path string) string {
	return "file:" + path + "?" + url.Values{"mode": {"ro"}, "immutable": {"1"}}.Encode()
}

// verifyCopy opens path read-only, runs PRAGMA integrity_check and
// compares row counts with expected (nil: no comparison).
func verifyCopy(ctx context.Context, path string, expected map[string]int64) (v VerifyReport) {
	v = VerifyReport{File: path, Expected: expected}
	fail := func(format string, a ...any) { v.Problems = append(v.Problems, fmt.Sprintf(format, a...)) }
	defer func() { v.OK = len(v.Problems) == 0 }()
	if _, err := os.Stat(path); err != nil {
		fail("open: %v", err)
		return v
	}
	db, err := sql.Open("sqlite", roDSN(path))
	if err != nil {
		fail("open: %v", err)
		return v
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check(20)`)
	if err != nil {
		fail("integrity check: %v", err)
		return v
	}
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			fail("integrity check: %v", err)
			break
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		fail("integrity check: %v", err)
	}
	rows.Close()
	v.Integrity = strings.Join(msgs, "; ")
	if v.Integrity != "ok" {
		if v.Integrity == "" {
			v.Integrity = "failed"
		}
		fail("integrity check: %s", v.Integrity)
	}
	v.SchemaVersion, _ = schemaVersionOf(ctx, db)
	if v.RowCounts, err = rowCounts(ctx, db); err != nil {
		fail("count rows: %v", err)
		return v
	}
	v.compareCounts(expected)
	return v
}

// compareCounts adds a problem for every table whose count differs from
// expected (nil: nothing to compare) and updates OK.
func (v *VerifyReport) compareCounts(expected map[string]int64) {
	if expected == nil || v.RowCounts == nil {
		return
	}
	v.Expected = expected
	for _, t := range sortedKeys(expected) {
		if got, ok := v.RowCounts[t]; !ok {
			v.Problems = append(v.Problems, fmt.Sprintf("table %s is missing (expected %d rows)", t, expected[t]))
		} else if got != expected[t] {
			v.Problems = append(v.Problems, fmt.Sprintf("table %s has %d rows, expected %d", t, got, expected[t]))
		}
	}
	for _, t := range sortedKeys(v.RowCounts) {
		if _, ok := expected[t]; !ok {
			v.Problems = append(v.Problems, fmt.Sprintf("table %s was not in the source", t))
		}
	}
	v.OK = len(v.Problems) == 0
}

// VerifyBackup checks a backup file on its own: its manifest's SHA-256 and
// size (catching any flipped byte, which integrity_check alone can miss in
// row payloads), integrity_check, row counts against the manifest, and a
// schema this opsdeck can open. A file without a manifest is checked for
// integrity only, and the report says the counts were not compared.
//
// A PostgreSQL dump (.pgdump) is checked the same way but for the middle:
// its table of contents must hold every counted table's data (counting
// rows needs a server: the restore test does it), and its schema version
// is the manifest's.
func VerifyBackup(ctx context.Context, path string) VerifyReport {
	m, merr := ReadManifest(path)
	var expected map[string]int64
	if merr == nil {
		expected = m.RowCounts
	}
	dump := strings.HasSuffix(path, pgDumpExt)
	var v VerifyReport
	if dump {
		v = verifyDumpTOC(ctx, path, expected)
		v.SchemaVersion = m.SchemaVersion
	} else {
		v = verifyCopy(ctx, path, expected)
	}
	v.Manifest = merr == nil
	if merr != nil {
		if errors.Is(merr, os.ErrNotExist) {
			v.Problems = append(v.Problems, "no manifest ("+ManifestPath(path)+"): not a complete opsdeck backup; checksum and row counts not compared")
		} else {
			v.Problems = append(v.Problems, merr.Error())
		}
	}
	if sum, size, err := hashFile(ctx, path); err == nil {
		v.SHA256, v.SizeBytes = sum, size
		if merr == nil && (sum != m.SHA256 || size != m.SizeBytes) {
			v.Problems = append(v.Problems, fmt.Sprintf("checksum mismatch: the file's SHA-256 is %s (%d bytes), its manifest says %s (%d bytes): the file changed after the backup", short(sum), size, short(m.SHA256), m.SizeBytes))
		}
	} else if dump { // a file that cannot be read already failed verifyCopy
		v.Problems = append(v.Problems, err.Error())
	}
	if latest := LatestVersion(); v.SchemaVersion > latest {
		v.Problems = append(v.Problems, fmt.Sprintf("schema version %d is newer than this opsdeck knows (%d)", v.SchemaVersion, latest))
	}
	v.OK = len(v.Problems) == 0
	return v
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}
