package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// Tx is a write transaction with an actor. Mutations happen only through a
// Tx, and a Tx writes its audit rows itself, so a change and the record of
// who made it commit or roll back together.
type Tx struct {
	s     *Store
	tx    *sql.Tx
	ctx   context.Context
	actor model.Actor
	at    time.Time
	stmts map[string]*sql.Stmt // prepared once per transaction: see stmt.go
	// hosts caches each service's hosts during ApplyResults, which does not
	// change service_hosts: thousands of results share a few services.
	hosts map[int64][]int64
	// openChecks, during ApplyResults, holds the checks with an open
	// alert (read once per batch, kept up to date by saveAlert): most
	// results belong to checks with none, and asking SQLite for each was
	// a query per result for nothing.
	openChecks map[int64]bool
}

// Actor is who this transaction acts for.
func (t *Tx) Actor() model.Actor { return t.actor }

// At is the transaction's timestamp, shared by every row it writes.
func (t *Tx) At() time.Time { return t.at }

func (t *Tx) exec(q string, args ...any) (sql.Result, error) {
	if st := t.stmt(q); st != nil {
		return st.ExecContext(t.ctx, args...)
	}
	return t.tx.ExecContext(t.ctx, q, args...)
}

func (t *Tx) query(q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(t.ctx, q, args...)
}

func (t *Tx) queryRow(q string, args ...any) *sql.Row {
	if st := t.stmt(q); st != nil {
		return st.QueryRowContext(t.ctx, args...)
	}
	return t.tx.QueryRowContext(t.ctx, q, args...)
}

// Audit appends one audit row. before and after are marshalled to JSON
// (nil becomes empty: nothing before a create, nothing after a delete).
//
// Credentials never reach the log: records whose field table marks secrets
// are stored masked, with a fingerprint so a change still shows.
func (t *Tx) Audit(action, entity string, id int64, before, after any) error {
	b, err := auditJSON(t.maskForAudit(before))
	if err != nil {
		return err
	}
	a, err := auditJSON(t.maskForAudit(after))
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO audit_log(at, actor, action, entity, entity_id, before, after) VALUES (?,?,?,?,?,?,?)`,
		fmtTime(t.at), t.actor.String(), action, entity, id, b, a)
	if err != nil {
		return fmt.Errorf("write audit row: %w", err)
	}
	return nil
}

func auditJSON(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("audit: %w", err)
	}
	return string(b), nil
}

// Write runs fn in one write transaction on behalf of actor. Read-only
// actors (role viewer) are refused here, in the store, whatever the UI shows.
// If fn returns an error (or panics: the panic goes on to the caller)
// nothing is written.
func (s *Store) Write(ctx context.Context, actor model.Actor, fn func(*Tx) error) error {
	if !actor.CanWrite() {
		return fmt.Errorf("%s may not change anything (role %s): %w", actor, actor.Role, model.ErrForbidden)
	}
	if s.readOnly {
		return fmt.Errorf("%s is %w (its directory or file may not be written here): nothing was written", s.path, ErrReadOnly)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", Friendly(s.path, err))
	}
	// Always roll back on the way out (a no-op after Commit): a panic or
	// runtime.Goexit in fn would otherwise keep the one writer connection
	// inside this transaction and every later Write would wait forever.
	defer tx.Rollback()
	if s.pg {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, pgLockKey); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
	}
	t := &Tx{s: s, tx: tx, ctx: ctx, actor: actor, at: s.now()}
	if err := fn(t); err != nil {
		return Friendly(s.path, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", Friendly(s.path, err))
	}
	return nil
}

// requireAdmin refuses non-admin actors for inventory and people changes.
func (t *Tx) requireAdmin(what string) error {
	if !t.actor.IsAdmin() {
		return fmt.Errorf("%s may not %s (role %s, needs admin): %w", t.actor, what, t.actor.Role, model.ErrForbidden)
	}
	return nil
}

// constraintError turns a SQLite constraint failure into a field error
// when the message names a column; other errors pass through wrapped.
func constraintError(op string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if i := strings.Index(msg, "UNIQUE constraint failed: "); i >= 0 {
		col := msg[i+len("UNIQUE constraint failed: "):]
		if _, c, ok := strings.Cut(col, "."); ok {
			col = c
		}
		col, _, _ = strings.Cut(col, " ")
		col = strings.TrimRight(col, ",)")
		return model.Invalid(col, "", "is already taken")
	}
	return fmt.Errorf("%s: %w", op, err)
}

// nullID maps an optional id to a SQL value.
func nullID(p *int64) any {
	if p == nil || *p == 0 {
		return nil
	}
	return *p
}

func idPtr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

var errNoRows = sql.ErrNoRows

func notFound(entity, ref string) error {
	return fmt.Errorf("%s %q: %w", entity, ref, model.ErrNotFound)
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
