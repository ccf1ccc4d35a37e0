package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/testenv/pg"
	"github.com/opsdeck/opsdeck/model"
)

var admin = model.LocalActor("tester")

// testEngineEnv chooses the engine the store's tests run on: unset or
// "sqlite" a file in t.TempDir(), "postgres" a fresh database on the test
// PostgreSQL server (internal/testenv/pg). `make test` runs the package
// once per engine.
const testEngineEnv = "OPSDECK_TEST_ENGINE"

// testDB is where a test's database lives on the engine under test: a
// file called name, or a PostgreSQL URL.
func testDB(t testing.TB, name string) string {
	t.Helper()
	if os.Getenv(testEngineEnv) == "postgres" {
		return pg.FromTemplate(t, func(u string) error {
			s, err := Open(u)
			if err == nil {
				err = s.Close()
			}
			return err
		})
	}
	return filepath.Join(t.TempDir(), name)
}

// sqliteOnly skips a test of SQLite files (locks, backups of the file,
// pragmas) when the suite runs on PostgreSQL.
func sqliteOnly(t testing.TB) {
	t.Helper()
	if os.Getenv(testEngineEnv) == "postgres" {
		t.Skip("about SQLite files; not run on PostgreSQL")
	}
}

func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(testDB(t, "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func addPerson(t testing.TB, s *Store, name, email string) model.Person {
	t.Helper()
	p := model.Person{Name: name, Email: email}
	if err := s.Write(context.Background(), admin, func(tx *Tx) error { return tx.AddPerson(&p) }); err != nil {
		t.Fatalf("add %s: %v", email, err)
	}
	return p
}

func auditCount(t testing.TB, s *Store) int {
	t.Helper()
	var n int
	if err := s.r.QueryRow(`SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOpenEmptyAppliesAllMigrations(t *testing.T) {
	sqliteOnly(t)
	s := openTest(t)
	v, err := s.SchemaVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v != LatestVersion() || v == 0 {
		t.Fatalf("schema version %d, want %d", v, LatestVersion())
	}
	var mode string
	s.r.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	if mode != "wal" {
		t.Fatalf("journal_mode %q, want wal", mode)
	}
	var fk int
	s.w.QueryRow(`PRAGMA foreign_keys`).Scan(&fk)
	if fk != 1 {
		t.Fatal("foreign keys are off")
	}
}

// A database left by every earlier release must open and migrate, keeping
// its data.
func TestMigrateFromEveryEarlierVersion(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:len(ms)-1] {
		t.Run(m.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "old.db")
			w, err := sql.Open("sqlite", dsn(path, true))
			if err != nil {
				t.Fatal(err)
			}
			old := &Store{path: path, w: w, Now: time.Now}
			if err := old.migrateTo(context.Background(), m.version); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Exec(`INSERT INTO people(name, email, created_at, updated_at) VALUES ('Old Timer', 'old@example.com', '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z')`); err != nil {
				t.Fatal(err)
			}
			w.Close()
			s, err := Open(path)
			if err != nil {
				t.Fatalf("open database at version %d: %v", m.version, err)
			}
			defer s.Close()
			if v, _ := s.SchemaVersion(context.Background()); v != LatestVersion() {
				t.Fatalf("version %d after open, want %d", v, LatestVersion())
			}
			if _, err := s.FindPerson(context.Background(), "old@example.com"); err != nil {
				t.Fatalf("data lost in migration: %v", err)
			}
		})
	}
}

func TestNewerDatabaseIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(`INSERT INTO schema_migrations(version, name, applied_at) VALUES (9999, '9999_future.sql', 'x')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(path)
	if err == nil || !strings.Contains(err.Error(), "newer opsdeck") {
		t.Fatalf("want a 'newer opsdeck' refusal, got %v", err)
	}
}

func TestEveryMutationWritesOneAuditRow(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	p := addPerson(t, s, "Kristen Park", "kristen@example.com")
	rows, _ := s.ListAudit(ctx, AuditQuery{Entity: "person", EntityID: p.ID})
	if len(rows) != 1 || rows[0].Action != "create" || rows[0].Before != "" || rows[0].Actor != "local:tester" {
		t.Fatalf("create audit: %+v", rows)
	}
	var after model.Person
	if err := json.Unmarshal([]byte(rows[0].After), &after); err != nil || after.Email != "kristen@example.com" {
		t.Fatalf("create audit after = %q (%v)", rows[0].After, err)
	}

	err := s.Write(ctx, admin, func(tx *Tx) error {
		_, _, err := tx.UpdatePerson(p.ID, func(p *model.Person) error { p.Title = "Engineer"; return nil })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, _ = s.ListAudit(ctx, AuditQuery{Entity: "person", EntityID: p.ID})
	if len(rows) != 2 || rows[0].Action != "update" {
		t.Fatalf("update audit: %+v", rows)
	}
	var before model.Person
	json.Unmarshal([]byte(rows[0].Before), &before)
	json.Unmarshal([]byte(rows[0].After), &after)
	if before.Title != "" || after.Title != "Engineer" {
		t.Fatalf("update audit before=%q after=%q", before.Title, after.Title)
	}

	// An edit that changes nothing writes nothing.
	n := auditCount(t, s)
	s.Write(ctx, admin, func(tx *Tx) error {
		_, _, err := tx.UpdatePerson(p.ID, func(p *model.Person) error { p.Title = "Engineer"; return nil })
		return err
	})
	if auditCount(t, s) != n {
		t.Fatal("a no-op edit wrote an audit row")
	}

	s.Write(ctx, admin, func(tx *Tx) error { _, _, err := tx.DeactivatePerson(p.ID); return err })
	got, _ := s.GetPerson(ctx, p.ID)
	if got.Status != "departed" || got.EndDate == "" {
		t.Fatalf("deactivated person: status %q end %q", got.Status, got.EndDate)
	}
	if auditCount(t, s) != n+1 {
		t.Fatal("deactivate did not write exactly one audit row")
	}
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	s := openTest(t)
	addPerson(t, s, "A", "a@example.com")
	if _, err := s.w.Exec(`UPDATE audit_log SET actor = 'someone else'`); err == nil {
		t.Fatal("audit_log accepted an UPDATE")
	}
	if _, err := s.w.Exec(`DELETE FROM audit_log`); err == nil {
		t.Fatal("audit_log accepted a DELETE")
	}
}

func TestBadInputLeavesDatabaseUnchanged(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	addPerson(t, s, "Bill Carter", "bill@example.com")
	before := auditCount(t, s)
	cases := []struct {
		p     model.Person
		field string
	}{
		{model.Person{Name: "X", Email: "BILL@example.com"}, "email"},
		{model.Person{Name: "X", Email: "not-an-email"}, "email"},
		{model.Person{Name: "", Email: "x@example.com"}, "name"},
		{model.Person{Name: "X", Email: "x@example.com", Status: "gone"}, "status"},
		{model.Person{Name: "X", Email: "x@example.com", StartDate: "2026-02-30"}, "start_date"},
		{model.Person{Name: "X", Email: "x@example.com", StartDate: "2026-02-01", EndDate: "2026-01-01"}, "end_date"},
	}
	for _, c := range cases {
		p := c.p
		err := s.Write(ctx, admin, func(tx *Tx) error {
			// A first, valid insert in the same transaction must roll back too.
			ok := model.Person{Name: "Fine", Email: "fine@example.com"}
			if err := tx.AddPerson(&ok); err != nil {
				return err
			}
			return tx.AddPerson(&p)
		})
		fe, ok := model.AsFieldError(err)
		if !ok || fe.Field != c.field {
			t.Errorf("%+v: want a %s field error, got %v", c.p, c.field, err)
		}
	}
	if n, _ := s.CountPeople(ctx, ""); n != 1 {
		t.Fatalf("%d people after failed writes, want 1", n)
	}
	if auditCount(t, s) != before {
		t.Fatal("failed writes left audit rows")
	}
}

func TestViewerCannotWriteOperatorCannotAddPeople(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	viewer := model.Actor{Kind: "ssh", Name: "v@example.com", Role: "viewer"}
	err := s.Write(ctx, viewer, func(tx *Tx) error { return nil })
	if !errors.Is(err, model.ErrForbidden) {
		t.Fatalf("viewer write: %v", err)
	}
	op := model.Actor{Kind: "ssh", Name: "o@example.com", Role: "operator"}
	err = s.Write(ctx, op, func(tx *Tx) error { return tx.AddPerson(&model.Person{Name: "X", Email: "x@example.com"}) })
	if !errors.Is(err, model.ErrForbidden) {
		t.Fatalf("operator add person: %v", err)
	}
}

func TestHostileTextIsSanitizedOnEntry(t *testing.T) {
	s := openTest(t)
	p := addPerson(t, s, "\x1b[31mEvil\x1b]8;;http://x\x07link\x1b]8;;\x07\u202e\u200b Name", "evil@example.com")
	if p.Name != "Evillink Name" {
		t.Fatalf("stored name %q", p.Name)
	}
}

// Readers must see whole transactions while a writer commits batches.
func TestConcurrentReaderWhileWriterCommits(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	const batches, per = 30, 10
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for b := 0; b < batches; b++ {
			err := s.Write(ctx, admin, func(tx *Tx) error {
				for i := 0; i < per; i++ {
					p := model.Person{Name: fmt.Sprintf("P %d-%d", b, i), Email: fmt.Sprintf("p%d.%d@example.com", b, i)}
					if err := tx.AddPerson(&p); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				errs <- err
				return
			}
		}
	}()
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := 0
			for {
				select {
				case <-done:
					return
				default:
				}
				ps, err := s.ListPeople(ctx, PeopleQuery{})
				if err != nil {
					errs <- err
					return
				}
				if len(ps)%per != 0 || len(ps) < last {
					errs <- fmt.Errorf("reader saw %d people after %d: a partial or lost transaction", len(ps), last)
					return
				}
				last = len(ps)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n, _ := s.CountPeople(ctx, ""); n != batches*per {
		t.Fatalf("%d people, want %d", n, batches*per)
	}
}

func TestServiceDependencyCycleRefused(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	var a, b model.Service
	err := s.Write(ctx, admin, func(tx *Tx) error {
		a = model.Service{Name: "App"}
		b = model.Service{Name: "DB"}
		if err := tx.AddService(&a); err != nil {
			return err
		}
		if err := tx.AddService(&b); err != nil {
			return err
		}
		return tx.AddServiceDep(a.ID, b.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Write(ctx, admin, func(tx *Tx) error { return tx.AddServiceDep(b.ID, a.ID) })
	if fe, ok := model.AsFieldError(err); !ok || fe.Field != "depends_on" {
		t.Fatalf("cycle: %v", err)
	}
}
