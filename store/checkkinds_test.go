package store

import (
	"context"
	"strings"
	"testing"
)

// A new check kind is a model table entry and a probe: the database no
// longer keeps its own copy of the kind list (migration 0012), while the
// other constraints of the checks table still hold.
func TestCheckKindListIsNotInTheSchema(t *testing.T) {
	sqliteOnly(t)
	s := openTest(t)
	ctx := context.Background()
	var sqlText string
	if err := s.r.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'checks'`).Scan(&sqlText); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sqlText, "kind IN (") {
		t.Fatalf("checks still lists its kinds:\n%s", sqlText)
	}
	if !strings.Contains(sqlText, "CHECK (service_id IS NOT NULL OR device_id IS NOT NULL") {
		t.Fatalf("the service-or-device rule was lost:\n%s", sqlText)
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO services(name, kind, criticality, created_at, updated_at) VALUES ('svc', 'app', 'low', '2026-01-01', '2026-01-01')`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO checks(name, kind, service_id, interval_s, timeout_s, created_at, updated_at) VALUES ('new-kind', 'grpc', 1, 60, 10, '2026-01-01', '2026-01-01')`); err != nil {
		t.Fatalf("a kind the model knows must not need a migration: %v", err)
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO checks(name, kind, interval_s, timeout_s, created_at, updated_at) VALUES ('orphan', 'http', 60, 10, '2026-01-01', '2026-01-01')`); err == nil {
		t.Fatal("a check with neither service nor device was accepted")
	}
	var ok string
	if err := s.r.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
}
