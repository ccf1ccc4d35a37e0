package store

import (
	"strings"
	"testing"
)

// TestPostgresTranslation pins the SQLite-to-PostgreSQL rewrites one by
// one (the suites on a real server prove them together).
func TestPostgresTranslation(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT id FROM people WHERE name = ? AND note = 'a?b' AND email = ?`,
			`SELECT id FROM people WHERE name = $1 AND note = 'a?b' AND email = $2`},
		{`DELETE FROM r WHERE check_id = ?1 AND at < ?2 OR check_id = ?1`,
			`DELETE FROM r WHERE check_id = $1 AND at < $2 OR check_id = $1`},
		{`INSERT OR IGNORE INTO finding_links(finding_id, kind, ref_id) VALUES (?,?,?)`,
			`INSERT INTO finding_links(finding_id, kind, ref_id) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING`},
		{`INSERT OR REPLACE INTO check_rollups_daily(check_id, bucket, n) VALUES (?,?,?)`,
			`INSERT INTO check_rollups_daily(check_id, bucket, n) VALUES ($1,$2,$3) ON CONFLICT (check_id, bucket) DO UPDATE SET n = excluded.n`},
		{`PRAGMA user_version`, `SELECT coalesce(max(version), 0) FROM schema_migrations`},
		{`PRAGMA secure_delete = ON`, `SELECT 1 WHERE false`},
		{`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`,
			`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION opsdeck_abort('audit_log is append-only')`},
		{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_update ON audit_log`},
		{`ALTER TABLE oncall ADD COLUMN rotation_id INTEGER REFERENCES oncall_rotations(id) ON DELETE CASCADE`,
			`ALTER TABLE oncall ADD COLUMN rotation_id BIGINT REFERENCES oncall_rotations(id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE`},
		{`SELECT json_object('a', x) FROM t WHERE CAST(json_extract(params, '$.offboarding_id') AS INTEGER) = ?`,
			`SELECT json_build_object('a', x) FROM t WHERE CAST((params::json ->> 'offboarding_id') AS BIGINT) = $1`},
		{`SELECT name FROM people ORDER BY name COLLATE NOCASE -- a comment's ? stays`,
			`SELECT name FROM people ORDER BY name COLLATE NOCASE -- a comment's ? stays`},
	} {
		if got := pgRewrite(c.in).sql; got != c.want {
			t.Errorf("%s\n got  %s\n want %s", c.in, got, c.want)
		}
	}
	ddl := pgRewrite("CREATE TABLE x (\n id INTEGER PRIMARY KEY,\n v REAL NOT NULL,\n b BLOB\n) WITHOUT ROWID;").sql
	for _, want := range []string{"id BIGINT PRIMARY KEY", "v DOUBLE PRECISION NOT NULL", "b BYTEA", "\n)", "opsdeck_rowid"} {
		if !strings.Contains(ddl, want) {
			t.Errorf("CREATE TABLE translated to\n%s\nlacks %q", ddl, want)
		}
	}
	if strings.Contains(ddl, "WITHOUT ROWID") {
		t.Errorf("WITHOUT ROWID kept:\n%s", ddl)
	}
	if st := pgRewrite(`INSERT INTO people(name) VALUES (?)`); st.table != "people" {
		t.Errorf("an INSERT's table %q, want people (Exec returns its id)", st.table)
	}
	m := pgMigration(12, "PRAGMA writable_schema = ON;\nUPDATE sqlite_schema SET sql = 'x';\nPRAGMA writable_schema = RESET;\nCREATE INDEX i ON checks(kind);")
	if !strings.Contains(m, "ALTER TABLE checks DROP CONSTRAINT checks_kind_check") || strings.Contains(m, "writable_schema") {
		t.Errorf("migration 12 on PostgreSQL:\n%s", m)
	}
}
