package store

import (
	"context"
	"errors"
	"testing"

	"github.com/opsdeck/opsdeck/model"
)

func TestBaselineAudited(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	admin := model.LocalActor("oscar")
	set := func(name, c string) error {
		return s.Write(ctx, admin, func(t *Tx) error { return t.SetBaseline(&model.Baseline{Name: name, Constraint: c}) })
	}
	if err := set("golang-go", ">=1.25  <1.27"); err != nil {
		t.Fatal(err)
	}
	if err := set("go", ">=1.25 <1.27"); err != nil { // same range: no change, no audit row
		t.Fatal(err)
	}
	if err := set("gcc", "twelve"); err == nil {
		t.Fatal("a constraint that is not a range was accepted")
	} else if fe, ok := model.AsFieldError(err); !ok || fe.Field != "constraint" {
		t.Fatalf("err = %v", err)
	}
	bs, _ := s.ListBaseline(ctx)
	if len(bs) != 1 || bs[0].Name != "go" || bs[0].Constraint != ">=1.25 <1.27" {
		t.Fatalf("baseline %+v", bs)
	}
	operator := model.Actor{Kind: "ssh", Name: "kristen@example.com", Role: "operator"}
	if err := s.Write(ctx, operator, func(t *Tx) error { return t.UnsetBaseline("go") }); !errors.Is(err, model.ErrForbidden) {
		t.Fatalf("operator unset: %v", err)
	}
	if err := s.Write(ctx, admin, func(t *Tx) error { return t.UnsetBaseline("go") }); err != nil {
		t.Fatal(err)
	}
	rows, _ := s.ListAudit(ctx, AuditQuery{Entity: "sw_baseline"})
	if len(rows) != 2 || rows[0].Action != "unset" || rows[1].Action != "set" {
		t.Fatalf("audit %+v", rows)
	}
}

func TestSavepointUndoesOnlyItsPart(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	err := s.Write(ctx, model.LocalActor("oscar"), func(t *Tx) error {
		if err := t.AddPerson(&model.Person{Name: "Ann Lee", Email: "ann@example.com"}); err != nil {
			return err
		}
		err := t.Savepoint(func() error {
			if err := t.AddPerson(&model.Person{Name: "Bo Chan", Email: "bo@example.com"}); err != nil {
				return err
			}
			return t.AddPerson(&model.Person{Name: "Ann again", Email: "ann@example.com"})
		})
		if err == nil {
			return errors.New("duplicate email accepted")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountPeople(ctx, ""); n != 1 {
		t.Fatalf("people = %d, want only Ann (Bo was in the failed savepoint)", n)
	}
	if rows, _ := s.ListAudit(ctx, AuditQuery{}); len(rows) != 1 {
		t.Fatalf("%d audit rows, want 1: the savepoint's audit rows go with it", len(rows))
	}
}
