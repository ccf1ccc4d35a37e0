package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/opsdeck/opsdeck/model"
)

// TableSum is one table's row count and checksum: the sum of a SHA-256 of
// each row's values, so it does not depend on the order either engine
// returns rows in.
type TableSum struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
	Sum   string `json:"checksum"`
}

// CopyReport is what Copy moved, table by table, as verified on the target.
type CopyReport struct {
	From   string     `json:"from"`
	To     string     `json:"to"`
	Tables []TableSum `json:"tables"`
}

// ErrTargetNotEmpty refuses a copy onto a database that holds data.
var ErrTargetNotEmpty = fmt.Errorf("target is not empty")

// CopyTo copies every table of s into dst (either engine to either engine,
// same schema version) in one transaction of dst, then reads dst back and
// compares each table's row count and checksum with s's. A dst that has
// audit rows (anything was ever changed in it) is refused unless force,
// which replaces everything in it. Foreign keys are checked at commit, so
// tables copy in any order.
func (s *Store) CopyTo(ctx context.Context, dst *Store, force bool) (CopyReport, error) {
	rep := CopyReport{From: s.path, To: dst.path}
	sv, err := s.SchemaVersion(ctx)
	if err != nil {
		return rep, err
	}
	if dv, err := dst.SchemaVersion(ctx); err != nil || dv != sv {
		return rep, fmt.Errorf("schema versions differ: %s has %d, %s has %d (%v)", s.path, sv, dst.path, dv, err)
	}
	tables, err := copyTables(ctx, s.r)
	if err != nil {
		return rep, err
	}
	var n int64
	if err := dst.r.QueryRowContext(ctx, `SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		return rep, err
	}
	if n > 0 && !force {
		return rep, fmt.Errorf("%s holds %d audit rows: %w; nothing was copied (--force replaces everything in it)", dst.path, n, ErrTargetNotEmpty)
	}
	src, err := s.r.BeginTx(ctx, s.snapshot())
	if err != nil {
		return rep, err
	}
	defer src.Rollback()
	want := map[string]TableSum{}
	err = dst.Write(ctx, model.SystemActor("db copy"), func(t *Tx) error {
		if _, err := t.exec(dst.deferForeignKeys()); err != nil {
			return fmt.Errorf("defer foreign keys: %w", err)
		}
		// The append-only log is replaced whole: its trigger steps aside
		// inside this transaction, as seal.go does for one rewrite.
		if _, err := t.exec(`DROP TRIGGER audit_log_no_delete`); err != nil {
			return err
		}
		for _, tb := range tables {
			if _, err := t.exec(`DELETE FROM ` + tb); err != nil {
				return fmt.Errorf("empty %s: %w", tb, err)
			}
		}
		if _, err := t.exec(`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`); err != nil {
			return err
		}
		for _, tb := range tables {
			sum, err := copyTable(ctx, src, t, tb)
			if err != nil {
				return fmt.Errorf("copy %s: %w", tb, err)
			}
			want[tb] = sum
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	for _, tb := range tables {
		got, err := tableSum(ctx, dst.r, tb)
		if err != nil {
			return rep, fmt.Errorf("verify %s: %w", tb, err)
		}
		if got != want[tb] {
			return rep, fmt.Errorf("verify %s: the copy has %d rows (checksum %s), the source %d (checksum %s)", tb, got.Rows, got.Sum, want[tb].Rows, want[tb].Sum)
		}
		rep.Tables = append(rep.Tables, got)
	}
	return rep, nil
}

// snapshot is a read transaction that sees one instant of the source.
func (s *Store) snapshot() *sql.TxOptions {
	if s.pg {
		return &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	return &sql.TxOptions{ReadOnly: true}
}

// deferForeignKeys makes this transaction check foreign keys at commit.
func (s *Store) deferForeignKeys() string {
	if s.pg {
		return `SET CONSTRAINTS ALL DEFERRED`
	}
	return `PRAGMA defer_foreign_keys = ON`
}

// copyTables lists the database's tables.
func copyTables(ctx context.Context, q querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func tableColumns(ctx context.Context, q querier, table string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	sort.Strings(cols)
	return cols, rows.Err()
}

// copyTable copies one table's rows from src into t and sums them.
func copyTable(ctx context.Context, src *sql.Tx, t *Tx, table string) (TableSum, error) {
	cols, err := tableColumns(ctx, src, table)
	if err != nil {
		return TableSum{}, err
	}
	dcols, err := tableColumns(ctx, t.tx, table)
	if err != nil {
		return TableSum{}, err
	}
	if strings.Join(cols, ",") != strings.Join(dcols, ",") {
		return TableSum{}, fmt.Errorf("columns differ: source (%s), target (%s)", strings.Join(cols, ", "), strings.Join(dcols, ", "))
	}
	ins := `INSERT INTO ` + table + `(` + strings.Join(cols, ", ") + `) VALUES (` + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + `)`
	var acc rowSum
	err = eachRow(ctx, src, table, cols, func(vals []any) error {
		acc.add(vals)
		_, err := t.exec(ins, vals...)
		return err
	})
	return acc.sum(table), err
}

func tableSum(ctx context.Context, q querier, table string) (TableSum, error) {
	cols, err := tableColumns(ctx, q, table)
	if err != nil {
		return TableSum{}, err
	}
	var acc rowSum
	err = eachRow(ctx, q, table, cols, func(vals []any) error { acc.add(vals); return nil })
	return acc.sum(table), err
}

func eachRow(ctx context.Context, q querier, table string, cols []string, fn func([]any) error) error {
	rows, err := q.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table)
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		row := append([]any(nil), vals...)
		for i, v := range row {
			if b, ok := v.([]byte); ok {
				row[i] = append([]byte(nil), b...)
			}
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	return rows.Err()
}

// rowSum adds up rows' hashes in four 64-bit lanes.
type rowSum struct {
	n     int64
	lanes [4]uint64
}

func (r *rowSum) add(vals []any) {
	h := sha256.New()
	for _, v := range vals {
		var s string
		switch x := v.(type) {
		case nil:
			s = "N"
		case int64:
			s = "i" + strconv.FormatInt(x, 10)
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1e15 {
				s = "i" + strconv.FormatInt(int64(x), 10)
			} else {
				s = "f" + strconv.FormatFloat(x, 'g', -1, 64)
			}
		case string:
			s = "s" + x
		case []byte:
			s = "b" + string(x)
		default:
			s = fmt.Sprintf("?%v", x)
		}
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
	d := h.Sum(nil)
	for i := range r.lanes {
		r.lanes[i] += binary.BigEndian.Uint64(d[i*8:])
	}
	r.n++
}

func (r *rowSum) sum(table string) TableSum {
	return TableSum{Table: table, Rows: r.n, Sum: fmt.Sprintf("%016x%016x", r.lanes[0], r.lanes[1])}
}
