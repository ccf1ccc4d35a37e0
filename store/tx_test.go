package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// A function that panics inside Write must not leave the single writer
// connection inside its transaction: the panic reaches the caller, the
// next Write works, and nothing the panicking function wrote is visible.
func TestWriteRollsBackWhenTheFunctionPanics(t *testing.T) {
	s := newTestStore(t, 0)
	ctx := context.Background()
	recovered := func() (r any) {
		defer func() { r = recover() }()
		s.Write(ctx, admin, func(tx *Tx) error {
			if err := tx.AddPerson(&model.Person{Name: "Half Written", Email: "half@example.com"}); err != nil {
				t.Fatal(err)
			}
			panic("boom")
		})
		return nil
	}()
	if recovered != "boom" {
		t.Fatalf("the panic did not reach the caller: recovered %v", recovered)
	}
	// Before the fix this waited forever for the writer connection.
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Write(wctx, admin, func(tx *Tx) error {
		return tx.AddPerson(&model.Person{Name: "Next Write", Email: "next@example.com"})
	}); err != nil {
		t.Fatalf("the next write after a panic: %v", err)
	}
	if _, err := s.FindPerson(ctx, "half@example.com"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("the panicking transaction's person is visible (err %v)", err)
	}
	if _, err := s.FindPerson(ctx, "next@example.com"); err != nil {
		t.Fatalf("the next write is not visible: %v", err)
	}
}
