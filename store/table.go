package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// table binds a record kind's field table (model) to its SQL table, so the
// store reads, inserts and updates every field of the kind from that one
// definition: a new field is a struct field and a line in the model's
// table; its column is added on open (ensureColumns). What is not a user
// field stays explicit here: the id, created_at/updated_at (meta), and the
// kind's own stored columns (extra: a check's paused, a channel's enabled).
type table[T any] struct {
	name   string // SQL table
	entity string // audit entity ("person", "backup_job"), and errors' wording
	fields model.Fields[T]
	meta   func(*T) (id *int64, created, updated *time.Time)
	extra  []stored[T]
}

// stored is a column of a kind's table that is not in its field table:
// val is what insert and update write (nil: written by other code only),
// dest what a read scans it into (nil: not read).
type stored[T any] struct {
	col  string
	val  func(*T) any
	dest func(*T) any
}

// newTable declares a kind's table and registers it for ensureColumns.
func newTable[T any](name, entity string, fields model.Fields[T], meta func(*T) (*int64, *time.Time, *time.Time), extra ...stored[T]) *table[T] {
	tb := &table[T]{name: name, entity: entity, fields: fields, meta: meta, extra: extra}
	schemaTables = append(schemaTables, tb)
	return tb
}

// cols is the select list: id, every field, the read extras, created_at
// and updated_at, each prefixed (prefix "a." for a joined select).
func (tb *table[T]) cols(prefix string) string {
	cs := []string{prefix + "id"}
	for _, f := range tb.fields {
		cs = append(cs, prefix+f.SQLColumn())
	}
	for _, x := range tb.extra {
		if x.dest != nil {
			cs = append(cs, prefix+x.col)
		}
	}
	return strings.Join(append(cs, prefix+"created_at", prefix+"updated_at"), ", ")
}

// scan reads one row selected with cols (then the joined values more)
// into a new record.
func (tb *table[T]) scan(sc scanner, more func(*T) []any) (T, error) {
	var rec T
	id, created, updated := tb.meta(&rec)
	dest := []any{id}
	var fix []func()
	for _, f := range tb.fields {
		switch {
		case f.Ref != nil:
			dest = append(dest, f.Ref(&rec))
		case f.Int != nil:
			dest = append(dest, f.Int(&rec))
		case f.Plain != nil:
			dest = append(dest, f.Plain(&rec))
		case f.Bool != nil:
			var b sql.NullBool
			dest = append(dest, &b)
			fix = append(fix, func() {
				if b.Valid {
					v := b.Bool
					*f.Bool(&rec) = &v
				}
			})
		case f.Dur != nil: // whole seconds
			var n int64
			dest = append(dest, &n)
			fix = append(fix, func() { *f.Dur(&rec) = time.Duration(n) * time.Second })
		case f.Time != nil:
			var s sql.NullString
			dest = append(dest, &s)
			fix = append(fix, func() { *f.Time(&rec) = parseTimePtr(s) })
		case f.SetID != nil:
			var n sql.NullInt64
			dest = append(dest, &n)
			fix = append(fix, func() { f.SetID(&rec, idPtr(n)) })
		default:
			return rec, fmt.Errorf("%s.%s: a field with no value binding (a bug in its field table)", tb.name, f.Name)
		}
	}
	for _, x := range tb.extra {
		if x.dest != nil {
			dest = append(dest, x.dest(&rec))
		}
	}
	var c, u string
	dest = append(dest, &c, &u)
	if more != nil {
		dest = append(dest, more(&rec)...)
	}
	err := sc.Scan(dest...)
	for _, f := range fix {
		f()
	}
	*created, *updated = parseTime(c), parseTime(u)
	return rec, err
}

// get reads the row with id in db; a missing row is the kind's
// not-found error, naming the id.
func (tb *table[T]) get(ctx context.Context, db querier, id int64) (T, error) {
	rec, err := tb.scan(db.QueryRowContext(ctx, `SELECT `+tb.cols("")+` FROM `+tb.name+` WHERE id = ?`, id), nil)
	if isNoRows(err) {
		return rec, notFound(tb.entity, strconv.FormatInt(id, 10))
	}
	return rec, err
}

// find resolves a reference a user typed: an id, else the row pick
// selects (a condition, with its order when several may match; each ? in
// it stands for the reference). Not found names the reference.
func (tb *table[T]) find(ctx context.Context, db querier, ref, pick string) (T, error) {
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		if rec, err := tb.get(ctx, db, id); err == nil {
			return rec, nil
		}
	}
	args := make([]any, strings.Count(pick, "?"))
	for i := range args {
		args[i] = ref
	}
	rec, err := tb.scan(db.QueryRowContext(ctx, `SELECT `+tb.cols("")+` FROM `+tb.name+` WHERE `+pick, args...), nil)
	if isNoRows(err) {
		return rec, notFound(tb.entity, ref)
	}
	return rec, err
}

// list reads the rows matching where (args fill its placeholders) sorted
// by order, at most lim of them (0: all): the one row loop of the kinds
// whose lists select only their own table.
func (tb *table[T]) list(ctx context.Context, db querier, where, order string, lim int, args ...any) ([]T, error) {
	out, err := collectRows(ctx, db, func(sc scanner) (T, error) { return tb.scan(sc, nil) },
		`SELECT `+tb.cols("")+` FROM `+tb.name+` WHERE `+where+` ORDER BY `+order+limitClause(lim), args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", strings.ReplaceAll(tb.name, "_", " "), err)
	}
	return out, nil
}

// values is what insert and update write: every field, then the extras
// that have a value, by column.
func (tb *table[T]) values(rec *T) (cols []string, args []any) {
	for _, f := range tb.fields {
		cols = append(cols, f.SQLColumn())
		switch {
		case f.Ref != nil:
			args = append(args, *f.Ref(rec))
		case f.Int != nil:
			args = append(args, *f.Int(rec))
		case f.Plain != nil:
			args = append(args, *f.Plain(rec))
		case f.Bool != nil:
			args = append(args, nullBool(*f.Bool(rec)))
		case f.Time != nil:
			args = append(args, fmtTimePtr(*f.Time(rec)))
		case f.Dur != nil:
			args = append(args, int64(*f.Dur(rec)/time.Second))
		case f.ID != nil:
			args = append(args, nullID(f.ID(rec)))
		}
	}
	for _, x := range tb.extra {
		if x.val != nil {
			cols, args = append(cols, x.col), append(args, x.val(rec))
		}
	}
	return cols, args
}

// set is one more column an insert writes (computed by the kind's code,
// such as a ping token's hash).
type set struct {
	col string
	val any
}

// insert writes rec as a new row, its credentials sealed first, and
// returns its id. Validation and audit are the caller's (addRecord, Audit).
func (tb *table[T]) insert(t *Tx, rec *T, more ...set) (int64, error) {
	if err := tb.seal(t, rec); err != nil {
		return 0, err
	}
	cols, args := tb.values(rec)
	for _, m := range more {
		cols, args = append(cols, m.col), append(args, m.val)
	}
	now := fmtTime(t.at)
	cols, args = append(cols, "created_at", "updated_at"), append(args, now, now)
	res, err := t.exec(`INSERT INTO `+tb.name+`(`+strings.Join(cols, ", ")+`) VALUES (?`+strings.Repeat(",?", len(cols)-1)+`)`, args...)
	if err != nil {
		return 0, constraintError("add "+strings.ReplaceAll(tb.entity, "_", " "), err)
	}
	return res.LastInsertId()
}

// update writes every field of rec (its credentials sealed first) to its
// row and stamps updated_at.
func (tb *table[T]) update(t *Tx, rec *T) error {
	if err := tb.seal(t, rec); err != nil {
		return err
	}
	cols, args := tb.values(rec)
	id, _, _ := tb.meta(rec)
	args = append(args, fmtTime(t.at), *id)
	_, err := t.exec(`UPDATE `+tb.name+` SET `+strings.Join(cols, "=?, ")+`=?, updated_at=? WHERE id=?`, args...)
	return constraintError("update "+strings.ReplaceAll(tb.entity, "_", " "), err)
}

func (tb *table[T]) seal(t *Tx, rec *T) error {
	if s, ok := any(rec).(model.Secretive); ok {
		return t.seal(s)
	}
	return nil
}

func nullBool(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

// Schema that follows the field tables.

// schemaTable is what ensureColumns needs of a table[T].
type schemaTable interface {
	sqlName() string
	columns() []columnDef
}

// columnDef is a field's column: its name and the type and default a
// missing one is added with.
type columnDef struct{ name, decl string }

// schemaTables are the kinds' tables (newTable registers them).
var schemaTables []schemaTable

func (tb *table[T]) sqlName() string { return tb.name }

func (tb *table[T]) columns() []columnDef {
	out := make([]columnDef, len(tb.fields))
	for i, f := range tb.fields {
		out[i] = columnDef{f.SQLColumn(), columnDecl(f.FieldSpec)}
	}
	return out
}

// refTables names the table a reference field points at.
var refTables = map[string]string{"person": "people", "service": "services", "device": "devices", "check": "checks"}

// columnDecl is the SQL type and default a new field's column gets: text
// kinds ” (empty), an instant or a yes/no/unknown NULL (unknown), a
// number its least value, a reference NULL (none).
func columnDecl(f model.FieldSpec) string {
	switch f.Type {
	case model.TypeTime:
		return "TEXT"
	case model.TypeBool:
		return "INTEGER"
	case model.TypeRef:
		if t, ok := refTables[f.Refers]; ok {
			return "INTEGER REFERENCES " + t + "(id)"
		}
		return "INTEGER"
	case model.TypePeriod:
		return "INTEGER NOT NULL DEFAULT 0"
	case model.TypeSeconds, model.TypeInt:
		return fmt.Sprintf("INTEGER NOT NULL DEFAULT %d", f.Min)
	case model.TypeYesNo:
		return "INTEGER NOT NULL DEFAULT 0"
	}
	return "TEXT NOT NULL DEFAULT ''"
}

// missingColumns lists, per table, the field columns the database lacks.
func missingColumns(ctx context.Context, db querier, tables []schemaTable) (map[schemaTable][]columnDef, error) {
	out := map[schemaTable][]columnDef{}
	for _, tb := range tables {
		rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, tb.sqlName())
		if err != nil {
			return nil, fmt.Errorf("read the columns of %s: %w", tb.sqlName(), err)
		}
		have := map[string]bool{}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return nil, err
			}
			have[n] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(have) == 0 {
			continue // not created by this database's migrations (yet)
		}
		for _, c := range tb.columns() {
			if !have[c.name] {
				out[tb] = append(out[tb], c)
			}
		}
	}
	return out, nil
}

// ensureColumns adds, in one transaction, every field-table column the
// database lacks, and records each in schema_columns (when and with what
// declaration), as a migration would be: adding a field to a kind's table
// in model is the whole schema change.
func (s *Store) ensureColumns(ctx context.Context, tables []schemaTable) error {
	missing, err := missingColumns(ctx, s.w, tables)
	if err != nil || len(missing) == 0 {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("open %s: add columns: %w", s.path, err)
	}
	defer tx.Rollback()
	for _, tb := range tables {
		for _, c := range missing[tb] {
			if _, err := tx.ExecContext(ctx, `ALTER TABLE `+tb.sqlName()+` ADD COLUMN `+c.name+` `+c.decl); err != nil {
				return fmt.Errorf("open %s: add column %s.%s: %w", s.path, tb.sqlName(), c.name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_columns(table_name, column_name, decl, added_at) VALUES (?,?,?,?)`,
				tb.sqlName(), c.name, c.decl, fmtTime(s.now())); err != nil {
				return fmt.Errorf("open %s: record column %s.%s: %w", s.path, tb.sqlName(), c.name, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("open %s: add columns: %w", s.path, Friendly(s.path, err))
	}
	return nil
}
