package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in version order. Files are
// named NNNN_description.sql; versions are unique and forward-only.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a version number", name)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", prev, name, v)
		}
		seen[v] = name
		b, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// LatestVersion is the schema version this binary writes.
func LatestVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// migrate applies, each in its own transaction, every migration the
// database lacks. Applied versions are recorded in schema_migrations; a
// version this binary does not know means a newer opsdeck wrote the file,
// and opening it is refused rather than risking damage.
// Then the kinds' tables get the columns their field tables name and the
// file lacks (ensureColumns).
func (s *Store) migrate(ctx context.Context) error {
	if err := s.migrateTo(ctx, 0); err != nil {
		return err
	}
	return s.ensureColumns(ctx, schemaTables)
}

// migrateTo applies migrations up to and including version upTo (0: all).
// Tests use it to build databases as earlier releases left them.
func (s *Store) migrateTo(ctx context.Context, upTo int) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("open %s: %w", s.path, Friendly(s.path, err))
	}
	applied := map[int]bool{}
	rows, err := s.w.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("open %s: read schema version: %w", s.path, err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
	}
	rows.Close()
	known := map[int]bool{}
	latest := 0
	for _, m := range ms {
		known[m.version] = true
		latest = m.version
	}
	for v := range applied {
		if !known[v] {
			return fmt.Errorf("open %s: the database has schema version %d but this opsdeck knows versions up to %d: it was written by a newer opsdeck; upgrade opsdeck to open it", s.path, v, latest)
		}
	}
	if err := s.checkUserVersion(ctx); err != nil {
		return err
	}
	pre, err := s.backupBeforeMigrate(ctx, applied, ms, upTo)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if applied[m.version] || (upTo > 0 && m.version > upTo) {
			continue
		}
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate %s to %s: %w", s.path, m.name, err)
		}
		text := m.sql
		if s.pg {
			text = pgMigration(m.version, text)
		}
		if _, err := tx.ExecContext(ctx, text); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s to %s: %w", s.path, m.name, err)
		}
		if s.pg {
			if _, err := tx.ExecContext(ctx, pgRowIDs); err != nil {
				tx.Rollback()
				return fmt.Errorf("migrate %s to %s: %w", s.path, m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, fmtTime(s.now())); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s to %s: %w", s.path, m.name, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, m.version)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate %s to %s: %w", s.path, m.name, Friendly(s.path, err))
		}
	}
	if err := s.recordPreMigrationBackup(ctx, pre); err != nil {
		return err
	}
	s.preMigration = pre
	return nil
}

// SchemaVersion is the highest migration applied to this database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(version),0) FROM schema_migrations`).Scan(&v)
	return v, err
}
