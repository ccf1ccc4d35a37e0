package store

// The PostgreSQL dialect. The store's SQL is written once, in SQLite's
// words; everything PostgreSQL says differently is translated here and only
// here, by a database/sql driver ("opsdeck-postgres") that wraps pgx's and
// rewrites each statement before pgx sees it:
//
//   - placeholders ? become $1, $2, …
//   - INSERT OR IGNORE becomes ON CONFLICT DO NOTHING, INSERT OR REPLACE an
//     upsert on the table's key (pgUpsertKeys)
//   - an INSERT run through Exec into a table with an id column returns it
//     (RETURNING id), so sql.Result.LastInsertId works as on SQLite
//   - INTEGER columns become BIGINT (Go's int64 ids), REAL double
//     precision, BLOB bytea; WITHOUT ROWID goes. An id column left empty
//     gets max(id)+1 from a trigger (pgRowIDs), as SQLite's rowid does:
//     a sequence would skip the ids of rolled-back inserts, and the same
//     commands would number rows differently on the two engines
//   - foreign keys are DEFERRABLE (checked per statement, as on SQLite),
//     so a copy can check them at commit (SET CONSTRAINTS ALL DEFERRED)
//   - COLLATE NOCASE names the ICU collation "nocase" made at open
//   - the append-only triggers (SELECT RAISE(ABORT, …)) become triggers
//     calling opsdeck_abort
//   - PRAGMA user_version reads schema_migrations (PostgreSQL has no header
//     to stamp), other pragmas are no-ops; sqlite_schema and
//     pragma_table_info read the catalog
//   - json_object / json_extract(col, '$.key') become json_build_object / ->>
//   - the in-place CHECK edits a few migrations make through
//     writable_schema are the ALTER TABLEs in pgSchemaEdits
//
// Booleans travel as 0/1 both ways, as SQLite stores them.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgDriverName is the database/sql driver that speaks PostgreSQL in the
// store's SQLite dialect.
const pgDriverName = "opsdeck-postgres"

func init() { sql.Register(pgDriverName, pgDriver{}) }

// IsPostgres reports whether a --db value names a PostgreSQL database
// (postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgres(dbRef string) bool {
	return strings.HasPrefix(dbRef, "postgres://") || strings.HasPrefix(dbRef, "postgresql://")
}

// RedactURL is a PostgreSQL URL without its password, for messages.
func RedactURL(dbRef string) string {
	u, err := url.Parse(dbRef)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// pgLockKey is the advisory lock every write transaction takes: PostgreSQL
// lets writers run side by side, the store's transactions are written for
// SQLite's one writer at a time (read, decide, write), so writers queue on
// this lock across every process that uses the database.
const pgLockKey = 0x4f505344 // "OPSD", as SQLite's application_id

// pgSetup runs at every open, before the migrations: the pieces the
// translated SQL relies on. Idempotent.
var pgSetup = []string{
	`DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'nocase' AND collnamespace = current_schema()::regnamespace) THEN
			CREATE COLLATION nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
		END IF;
	END $$`,
	`CREATE OR REPLACE FUNCTION opsdeck_abort() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'raise_exception'; END $$`,
	`CREATE OR REPLACE FUNCTION opsdeck_rowid() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		EXECUTE format('SELECT coalesce(max(id), 0) + 1 FROM %I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO NEW.id;
		RETURN NEW;
	END $$`,
	// SQLite sums comparisons (sum(status = 'ok')): true counts 1.
	`CREATE OR REPLACE FUNCTION opsdeck_sum_bool(n bigint, b boolean) RETURNS bigint LANGUAGE sql IMMUTABLE AS
	$$ SELECT coalesce(n, 0) + CASE WHEN b THEN 1 ELSE 0 END $$`,
	`CREATE OR REPLACE AGGREGATE sum(boolean) (SFUNC = opsdeck_sum_bool, STYPE = int8)`,
	// SQLite's instr, case-blind collation or not (PostgreSQL refuses
	// substring searches under a nondeterministic collation).
	`CREATE OR REPLACE FUNCTION instr(s text, sub text) RETURNS int4 LANGUAGE sql IMMUTABLE AS
	$$ SELECT strpos(s COLLATE "C", sub COLLATE "C") $$`,
	`CREATE OR REPLACE FUNCTION hex(b bytea) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(encode(b, 'hex')) $$`,
	`CREATE OR REPLACE FUNCTION randomblob(n int4) RETURNS bytea LANGUAGE sql VOLATILE AS
	$$ SELECT substring(decode(md5(random()::text) || md5(random()::text), 'hex') from 1 for n) $$`,
}

// pgRowIDs gives every table with an id column the trigger that numbers
// new rows as SQLite numbers its rowids (writers are serialised, so max+1
// is race-free). It runs after each migration, which may add tables.
const pgRowIDs = `DO $$ DECLARE t text; BEGIN
	FOR t IN SELECT c.table_name FROM information_schema.columns c
		WHERE c.table_schema = current_schema() AND c.column_name = 'id'
		AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgname = 'opsdeck_rowid'
			AND g.tgrelid = (quote_ident(current_schema()) || '.' || quote_ident(c.table_name))::regclass)
		AND EXISTS (SELECT 1 FROM pg_tables p WHERE p.schemaname = current_schema() AND p.tablename = c.table_name)
	LOOP
		EXECUTE format('CREATE TRIGGER opsdeck_rowid BEFORE INSERT ON %I FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION opsdeck_rowid()', t);
	END LOOP;
END $$`

// pgSchemaEdits replaces, per migration version, the writable_schema block
// SQLite uses to change a CHECK constraint in place.
var pgSchemaEdits = map[int]string{
	7: `ALTER TABLE checks DROP CONSTRAINT checks_kind_check;
ALTER TABLE checks ADD CONSTRAINT checks_kind_check CHECK (kind IN ('http','tcp','dns','tls','exec','heartbeat','backup','access'));
ALTER TABLE checks DROP CONSTRAINT checks_check;
ALTER TABLE checks ADD CONSTRAINT checks_check CHECK (service_id IS NOT NULL OR device_id IS NOT NULL OR (kind = 'backup' AND target = 'self'));`,
	12: `ALTER TABLE checks DROP CONSTRAINT checks_kind_check;`,
	14: `ALTER TABLE people DROP CONSTRAINT people_status_check;
ALTER TABLE people ADD CONSTRAINT people_status_check CHECK (status IN ('joining','active','leaving','departed'));`,
	16: `ALTER TABLE checks DROP CONSTRAINT checks_check;
ALTER TABLE checks ADD CONSTRAINT checks_check CHECK (service_id IS NOT NULL OR device_id IS NOT NULL OR (kind = 'backup' AND target = 'self') OR kind = 'finding');`,
	22: `ALTER TABLE checks DROP CONSTRAINT checks_check;
ALTER TABLE checks ADD CONSTRAINT checks_check CHECK (service_id IS NOT NULL OR device_id IS NOT NULL OR (kind = 'backup' AND target = 'self') OR kind = 'finding' OR (kind = 'scheduler' AND target = 'self'));`,
}

// pgUpsertKeys is the key INSERT OR REPLACE replaces on, per table.
var pgUpsertKeys = map[string]string{
	"check_results":        "check_id, at_ms",
	"check_rollups_hourly": "check_id, bucket",
	"check_rollups_daily":  "check_id, bucket",
}

var (
	reWritableSchema = regexp.MustCompile(`(?s)PRAGMA writable_schema = ON;.*?PRAGMA writable_schema = RESET;`)
	reTrigger        = regexp.MustCompile(`(?is)CREATE TRIGGER (\w+) BEFORE (UPDATE|DELETE) ON (\w+)\s+BEGIN SELECT RAISE\(ABORT, '([^']*)'\); END`)
	reDropTrigger    = regexp.MustCompile(`(?i)DROP TRIGGER (\w+)_(no_\w+)`)
	reIntPK          = regexp.MustCompile(`(?i)\bINTEGER PRIMARY KEY( AUTOINCREMENT)?`)
	reInteger        = regexp.MustCompile(`(?i)\bINTEGER\b`)
	reReal           = regexp.MustCompile(`\bREAL\b`)
	reBlob           = regexp.MustCompile(`\bBLOB\b`)
	reWithoutRowid   = regexp.MustCompile(`(?i)\)\s*WITHOUT ROWID`)
	reInsertOr       = regexp.MustCompile(`(?i)^\s*INSERT OR (IGNORE|REPLACE) INTO\s+(\w+)\s*\(([^)]*)\)`)
	reReferences     = regexp.MustCompile(`(?i)\bREFERENCES\s+\w+\s*\([^)]*\)(\s+ON\s+(DELETE|UPDATE)\s+(CASCADE|SET NULL|SET DEFAULT|RESTRICT|NO ACTION))*`)
	reSeed           = regexp.MustCompile(`(?m)^INSERT INTO`)
	reInsertInto     = regexp.MustCompile(`(?i)^\s*INSERT INTO\s+(\w+)`)
	rePragmaSet      = regexp.MustCompile(`(?im)^\s*PRAGMA\s+\w+\s*=\s*[^;]*;?`)
	reStrftimeNow    = regexp.MustCompile(`strftime\('%Y-%m-%dT%H:%M:%fZ', 'now'\)`)
	reJSONObject     = regexp.MustCompile(`\bjson_object\(`)
	reJSONExtract    = regexp.MustCompile(`\bjson_extract\((\w+), '\$\.(\w+)'\)`)
	reCollateUnique  = regexp.MustCompile(`(?i),\s*UNIQUE \((\w+), (\w+) COLLATE NOCASE\)\s*\n\);`)
)

// pgMigration is migration m's SQL as PostgreSQL runs it.
func pgMigration(version int, text string) string {
	if edit, ok := pgSchemaEdits[version]; ok {
		text = reWritableSchema.ReplaceAllLiteralString(text, edit)
	}
	// A migration that seeds a table it made numbers the rows through
	// the trigger, so the trigger goes in before the first insert.
	return reSeed.ReplaceAllLiteralString(text, pgRowIDs+";\nINSERT INTO")
}

// pgRewrites caches translated statements: the store runs a few hundred
// distinct statements, thousands of times. Statements with values written
// into their text (a LIMIT, an IN list) could fill it without end, so it
// stops growing at pgRewritesMax.
var (
	pgRewrites  sync.Map // string → pgStatement
	pgRewritesN atomic.Int64
)

const pgRewritesMax = 10000

type pgStatement struct {
	sql string
	// table is the table an INSERT writes ("" for anything else): Exec
	// asks whether it has an id to return.
	table string
}

// pgRewrite translates one statement (or a script of several) from the
// store's SQLite dialect to PostgreSQL's.
func pgRewrite(q string) pgStatement {
	if v, ok := pgRewrites.Load(q); ok {
		return v.(pgStatement)
	}
	st := pgTranslate(q)
	if pgRewritesN.Add(1) <= pgRewritesMax {
		pgRewrites.Store(q, st)
	}
	return st
}

func pgTranslate(q string) pgStatement {
	trimmed := strings.TrimSpace(q)
	upper := strings.ToUpper(trimmed)
	switch {
	case upper == "PRAGMA USER_VERSION":
		return pgStatement{sql: `SELECT coalesce(max(version), 0) FROM schema_migrations`}
	case strings.HasPrefix(upper, "PRAGMA ") && !strings.Contains(upper, ";"):
		return pgStatement{sql: `SELECT 1 WHERE false`}
	case upper == "VACUUM":
		return pgStatement{sql: `SELECT 1 WHERE false`}
	}
	s := reTrigger.ReplaceAllString(q, `CREATE TRIGGER $1 BEFORE $2 ON $3 FOR EACH ROW EXECUTE FUNCTION opsdeck_abort('$4')`)
	s = reDropTrigger.ReplaceAllString(s, `DROP TRIGGER ${1}_$2 ON $1`)
	s = rePragmaSet.ReplaceAllString(s, "")
	s = reStrftimeNow.ReplaceAllLiteralString(s, `to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)
	s = reJSONObject.ReplaceAllString(s, "json_build_object(")
	s = reJSONExtract.ReplaceAllString(s, "($1::json ->> '$2')")
	s = reCollateUnique.ReplaceAllString(s, "\n);\nCREATE UNIQUE INDEX ${1}_${2}_nocase ON accounts($1, $2 COLLATE nocase);")
	var st pgStatement
	if m := reInsertOr.FindStringSubmatch(s); m != nil {
		table, cols := m[2], m[3]
		head := "INSERT INTO " + table + "(" + cols + ")"
		s = head + s[len(m[0]):]
		if strings.EqualFold(m[1], "IGNORE") {
			s = strings.TrimRight(strings.TrimSpace(s), ";") + " ON CONFLICT DO NOTHING"
		} else {
			key := pgUpsertKeys[table]
			var set []string
			for _, c := range strings.Split(cols, ",") {
				c = strings.TrimSpace(c)
				if !strings.Contains(", "+key+",", ", "+c+",") {
					set = append(set, c+" = excluded."+c)
				}
			}
			s = strings.TrimRight(strings.TrimSpace(s), ";") + " ON CONFLICT (" + key + ") DO UPDATE SET " + strings.Join(set, ", ")
		}
	}
	if strings.Contains(upper, "CREATE TABLE") {
		s = strings.TrimRight(strings.TrimSpace(s), ";") + ";\n" + pgRowIDs
	}
	if m := reInsertInto.FindStringSubmatch(s); m != nil && !strings.Contains(strings.ToUpper(s), "RETURNING") && !strings.Contains(strings.TrimRight(strings.TrimSpace(s), ";"), ";") {
		st.table = m[1]
	}
	st.sql = pgCode(s)
	return st
}

// pgCode rewrites the code outside string literals, quoted names and
// comments: placeholders, types and the sqlite catalog.
func pgCode(s string) string {
	var b strings.Builder
	n := 0
	code := func(c string) {
		c = reIntPK.ReplaceAllString(c, "BIGINT PRIMARY KEY")
		c = reInteger.ReplaceAllString(c, "BIGINT")
		c = reReal.ReplaceAllString(c, "DOUBLE PRECISION")
		c = reBlob.ReplaceAllString(c, "BYTEA")
		c = reWithoutRowid.ReplaceAllString(c, ")")
		c = reReferences.ReplaceAllString(c, "$0 DEFERRABLE INITIALLY IMMEDIATE")
		c = strings.ReplaceAll(c, "pragma_table_info(?)", `(SELECT attname::text AS name FROM pg_attribute WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped) AS table_info`)
		c = strings.ReplaceAll(c, "sqlite_schema", `(SELECT 'table'::text AS type, tablename::text AS name FROM pg_tables WHERE schemaname = current_schema()) AS sqlite_schema`)
		for {
			i := strings.IndexByte(c, '?')
			if i < 0 {
				break
			}
			b.WriteString(c[:i])
			c = c[i+1:]
			if len(c) > 0 && c[0] >= '1' && c[0] <= '9' {
				b.WriteByte('$') // ?NNN: numbered already
				continue
			}
			n++
			fmt.Fprintf(&b, "$%d", n)
		}
		b.WriteString(c)
	}
	for len(s) > 0 {
		i := strings.IndexAny(s, `'"-$`)
		if i < 0 {
			code(s)
			break
		}
		switch {
		case s[i] == '-' && !strings.HasPrefix(s[i:], "--"):
			code(s[:i+1])
			s = s[i+1:]
			continue
		case s[i] == '$':
			// A dollar-quoted body ($$ … $$) passes untouched.
			if !strings.HasPrefix(s[i:], "$$") {
				code(s[:i+1])
				s = s[i+1:]
				continue
			}
			code(s[:i])
			end := strings.Index(s[i+2:], "$$")
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			b.WriteString(s[i : i+2+end+2])
			s = s[i+2+end+2:]
			continue
		}
		code(s[:i])
		s = s[i:]
		var end int
		if s[0] == '-' {
			end = strings.IndexByte(s, '\n')
			if end < 0 {
				end = len(s)
			}
		} else {
			end = 1
			for end < len(s) {
				if s[end] == s[0] {
					if end+1 < len(s) && s[end+1] == s[0] {
						end += 2
						continue
					}
					end++
					break
				}
				end++
			}
		}
		b.WriteString(s[:end])
		s = s[end:]
	}
	return b.String()
}

// pgDriver opens pgx connections that speak the store's dialect.
type pgDriver struct{}

func (pgDriver) Open(name string) (driver.Conn, error) {
	c, err := stdlib.GetDefaultDriver().Open(name)
	if err != nil {
		return nil, err
	}
	return &pgConn{c: c.(*stdlib.Conn)}, nil
}

type pgConn struct {
	c *stdlib.Conn
	// hasID caches, per table, whether an INSERT into it returns an id.
	hasID map[string]bool
}

func (c *pgConn) Prepare(q string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), q)
}

// PrepareContext only translates: pgx prepares and caches each statement
// itself on first use, on this connection.
func (c *pgConn) PrepareContext(_ context.Context, q string) (driver.Stmt, error) {
	return &pgStmt{c: c, st: pgRewrite(q)}, nil
}

func (c *pgConn) Close() error { return c.c.Close() }

func (c *pgConn) Begin() (driver.Tx, error) {
	return c.c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.c.BeginTx(ctx, opts)
}

func (c *pgConn) Ping(ctx context.Context) error              { return c.c.Ping(ctx) }
func (c *pgConn) ResetSession(ctx context.Context) error      { return c.c.ResetSession(ctx) }
func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error { return pgArg(nv) }

// pgArg passes a bool as 0/1: the schema's flags are integers, as on SQLite.
func pgArg(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		nv.Value = int64(0)
		if b {
			nv.Value = int64(1)
		}
	}
	return nil
}

func (c *pgConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.exec(ctx, pgRewrite(q), args)
}

func (c *pgConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.query(ctx, pgRewrite(q), args)
}

func (c *pgConn) query(ctx context.Context, st pgStatement, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.c.QueryContext(ctx, st.sql, args)
	if err != nil {
		return nil, pgError(err)
	}
	return &pgRows{Rows: rows.(*stdlib.Rows)}, nil
}

// exec runs st; an INSERT into a table with an id returns the new row's id
// as LastInsertId.
func (c *pgConn) exec(ctx context.Context, st pgStatement, args []driver.NamedValue) (driver.Result, error) {
	if st.table == "" || !c.tableHasID(ctx, st.table) {
		res, err := c.c.ExecContext(ctx, st.sql, args)
		return res, pgError(err)
	}
	rows, err := c.c.QueryContext(ctx, strings.TrimRight(strings.TrimSpace(st.sql), ";")+" RETURNING id", args)
	if err != nil {
		return nil, pgError(err)
	}
	defer rows.Close()
	var res pgResult
	dest := make([]driver.Value, 1)
	for {
		err := rows.Next(dest)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, pgError(err)
		}
		res.n++
		if id, ok := dest[0].(int64); ok {
			res.id = id
		}
	}
	return res, nil
}

func (c *pgConn) tableHasID(ctx context.Context, table string) bool {
	if has, ok := c.hasID[table]; ok {
		return has
	}
	var has bool
	err := c.c.Conn().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_attribute
		WHERE attrelid = to_regclass($1) AND attname = 'id' AND NOT attisdropped)`, table).Scan(&has)
	if err != nil {
		return false
	}
	if c.hasID == nil {
		c.hasID = map[string]bool{}
	}
	if has {
		c.hasID[table] = true
	}
	return has
}

type pgResult struct{ id, n int64 }

func (r pgResult) LastInsertId() (int64, error) { return r.id, nil }
func (r pgResult) RowsAffected() (int64, error) { return r.n, nil }

type pgStmt struct {
	c  *pgConn
	st pgStatement
}

func (s *pgStmt) Close() error  { return nil }
func (s *pgStmt) NumInput() int { return -1 }
func (s *pgStmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}
func (s *pgStmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}
func (s *pgStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.c.exec(ctx, s.st, args)
}
func (s *pgStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.c.query(ctx, s.st, args)
}
func (s *pgStmt) CheckNamedValue(nv *driver.NamedValue) error { return pgArg(nv) }

func named(args []driver.Value) []driver.NamedValue {
	nv := make([]driver.NamedValue, len(args))
	for i, a := range args {
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return nv
}

// pgRows hands booleans back as 0/1, as SQLite does.
type pgRows struct{ *stdlib.Rows }

func (r *pgRows) Next(dest []driver.Value) error {
	if err := r.Rows.Next(dest); err != nil {
		return err
	}
	for i, v := range dest {
		if b, ok := v.(bool); ok {
			dest[i] = int64(0)
			if b {
				dest[i] = int64(1)
			}
		}
	}
	return nil
}

// pgError words PostgreSQL's constraint errors as SQLite's, which the
// store's callers read (constraintError): "UNIQUE constraint failed:
// table.column".
func pgError(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "23505":
		col := ""
		if i := strings.Index(pe.Detail, "Key ("); i >= 0 {
			col = pe.Detail[i+5:]
			col, _, _ = strings.Cut(col, ")")
			col, _, _ = strings.Cut(col, ",")
			col = strings.TrimPrefix(col, "lower(")
			col = strings.TrimSpace(col)
		}
		return fmt.Errorf("UNIQUE constraint failed: %s.%s (%w)", pe.TableName, col, err)
	case "23503":
		return fmt.Errorf("FOREIGN KEY constraint failed (%w)", err)
	case "23514":
		return fmt.Errorf("CHECK constraint failed: %s (%w)", pe.ConstraintName, err)
	case "23502":
		return fmt.Errorf("NOT NULL constraint failed: %s.%s (%w)", pe.TableName, pe.ColumnName, err)
	}
	return err
}

// openPostgres opens the PostgreSQL database at dbURL as o allows and
// brings its schema up to date: the same migrations as a SQLite file, run
// through the dialect, while a session lock keeps two processes from
// migrating at once. A database with no tables is a new one (created only
// with o.Create or o.ClaimEmpty); one with tables but no schema_migrations
// is someone else's and left alone.
func openPostgres(dbURL string, o OpenOptions) (*Store, error) {
	name := RedactURL(dbURL)
	w, err := sql.Open(pgDriverName, dbURL)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	s := &Store{path: name, dsn: dbURL, w: w, pg: true, readOnly: o.ReadOnly, keys: &keys{path: KeyFilePath()}}
	s.SetClock(o.Clock)
	ctx := context.Background()
	fail := func(err error) (*Store, error) {
		w.Close()
		return nil, err
	}
	var tables int
	var ours bool
	if err := w.QueryRowContext(ctx, `SELECT count(*), coalesce(bool_or(tablename = 'schema_migrations'), false)
		FROM pg_tables WHERE schemaname = current_schema()`).Scan(&tables, &ours); err != nil {
		return fail(fmt.Errorf("open %s: %w", name, err))
	}
	switch {
	case tables > 0 && !ours:
		return fail(refuse(ErrNotOpsdeck, "open %s: holds %d tables of another application, left untouched", name, tables))
	case tables == 0 && !o.Create && !o.ClaimEmpty:
		return fail(refuse(ErrNoDatabase, "no opsdeck database at %s (the database is empty; 'opsdeck --db URL init' makes one)", name))
	}
	s.existed = ours
	if o.ReadOnly {
		s.r = w
		return s, nil
	}
	if _, err := w.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, pgLockKey+1); err != nil {
		return fail(fmt.Errorf("open %s: %w", name, err))
	}
	for _, q := range pgSetup {
		if _, err := w.ExecContext(ctx, q); err != nil {
			w.ExecContext(ctx, `SELECT pg_advisory_unlock(?)`, pgLockKey+1)
			return fail(fmt.Errorf("open %s: prepare the schema: %w", name, err))
		}
	}
	err = s.migrate(ctx)
	if err == nil {
		err = s.sealClearCredentials(ctx)
	}
	w.ExecContext(ctx, `SELECT pg_advisory_unlock(?)`, pgLockKey+1)
	if err != nil {
		return fail(err)
	}
	r, err := sql.Open(pgDriverName, withParam(dbURL, "default_transaction_read_only", "on"))
	if err != nil {
		return fail(fmt.Errorf("open %s: %w", name, err))
	}
	r.SetMaxOpenConns(max(4, runtime.NumCPU()))
	s.r = r
	return s, nil
}

// withParam adds a run-time parameter to a PostgreSQL URL.
func withParam(dbURL, k, v string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL
	}
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres reports whether the store is a PostgreSQL database.
func (s *Store) Postgres() bool { return s.pg }

// Existed reports whether a PostgreSQL database already held opsdeck's
// schema when this store opened it, for init's message (a SQLite file's
// existence init reads from the file system; there it is false).
func (s *Store) Existed() bool { return s.existed }
