package store

import (
	"context"
	"database/sql"
	"strings"
)

// stmt returns q prepared within the transaction, preparing it on first
// use. SQLite spends most of a small statement's time parsing it; a bulk
// write (an import of 100,000 people, each AddPerson running four
// statements) would otherwise parse the same four statements 100,000
// times. The statements close with the transaction. Only exec and
// queryRow use it: their statement is done when they return (queryRow's
// on Scan), while t.query's rows stay open and a caller may run the same
// query again inside its loop, which one shared statement cannot do.
// nil means "run q
// directly": a multi-statement string, or a prepare error, which running
// it directly will report the usual way.
func (t *Tx) stmt(q string) *sql.Stmt {
	if st, ok := t.stmts[q]; ok {
		return st
	}
	if strings.Contains(strings.TrimRight(strings.TrimSpace(q), ";"), ";") {
		return nil
	}
	st, err := t.tx.PrepareContext(t.ctx, q)
	if err != nil {
		return nil
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[q] = st
	return st
}

// queryOnce is t.query through the statement cache, for a query whose
// rows the caller reads to the end and closes before running it again
// (the per-result reads of ApplyResults, run thousands of times a minute).
func (t *Tx) queryOnce(q string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(q); st != nil {
		return st.QueryContext(t.ctx, args...)
	}
	return t.tx.QueryContext(t.ctx, q, args...)
}

// cachedTx is the transaction as a querier whose reads go through the
// statement cache: for the helpers shared with Store (getCheck, getState)
// when ApplyResults calls them once per result.
type cachedTx struct{ t *Tx }

func (c cachedTx) QueryRowContext(_ context.Context, q string, args ...any) *sql.Row {
	return c.t.queryRow(q, args...)
}

func (c cachedTx) QueryContext(_ context.Context, q string, args ...any) (*sql.Rows, error) {
	return c.t.queryOnce(q, args...)
}
