package store

import (
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
