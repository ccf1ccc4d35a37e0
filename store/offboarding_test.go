package store

import (
	"context"
	"errors"
	"testing"

	"github.com/opsdeck/opsdeck/model"
)

var offboardActor = model.LocalActor("test")

// offboardFixture is a small company: Lea (leaving soon) holds a GitHub admin
// account, a laptop, a shared secret and owns a service; Max is her successor.
type offboardFixture struct {
	s        *Store
	lea, max model.Person
	github   model.Service
	account  model.Account
	laptop   model.Device
	secret   model.Secret
}

func newOffboardFixture(t *testing.T) offboardFixture {
	t.Helper()
	s, err := Open(testDB(t, "o.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var f offboardFixture
	f.s = s
	err = s.Write(context.Background(), offboardActor, func(t *Tx) error {
		f.lea = model.Person{Name: "Lea", Email: "lea@example.com", StartDate: "2024-01-01"}
		f.max = model.Person{Name: "Max", Email: "max@example.com"}
		if err := t.AddPerson(&f.lea); err != nil {
			return err
		}
		if err := t.AddPerson(&f.max); err != nil {
			return err
		}
		f.github = model.Service{Name: "GitHub", OwnerID: &f.lea.ID, Criticality: "critical"}
		if err := t.AddService(&f.github); err != nil {
			return err
		}
		f.account = model.Account{PersonID: f.lea.ID, ServiceID: f.github.ID, Username: "lea", Entitlement: "admin"}
		if err := t.AddAccount(&f.account); err != nil {
			return err
		}
		f.laptop = model.Device{AssetTag: "LT-1", Name: "lea-laptop", HolderID: &f.lea.ID, Serial: "SN1"}
		if err := t.AddDevice(&f.laptop); err != nil {
			return err
		}
		f.secret = model.Secret{Name: "Deploy key", RotationDays: 90}
		if err := t.AddSecret(&f.secret, []int64{f.lea.ID, f.max.ID}); err != nil {
			return err
		}
		_, err := t.exec(`INSERT INTO ssh_keys(person_id, fingerprint, public_key, added_at) VALUES (?, 'SHA256:lea', 'ssh-ed25519 AAAA', ?)`, f.lea.ID, fmtTime(t.at))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLeaverKeyRefusedOnceOffboardingStarts(t *testing.T) {
	ctx := context.Background()
	f := newOffboardFixture(t)
	p, err := f.s.ActivePersonForKey(ctx, "SHA256:lea")
	if err != nil || p.ID != f.lea.ID {
		t.Fatalf("active Lea's key: %v %v", p.Email, err)
	}
	if _, err := f.s.ActivePersonForKey(ctx, "SHA256:nobody"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
	err = f.s.Write(ctx, offboardActor, func(t *Tx) error {
		_, err := t.StartOffboarding(f.lea.ID, "2026-12-31", &f.max.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := f.s.ActivePersonForKey(ctx, "SHA256:lea"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("leaving Lea's key still returns %s (err %v)", p.Email, err)
	}
	found, err := f.s.AccessStillPresent(ctx)
	if err != nil || len(found) != 1 || found[0].Message != "access still present for Lea on GitHub" {
		t.Fatalf("access still present: %+v %v", found, err)
	}
}

func TestMarkAndUndoRestoreInventory(t *testing.T) {
	ctx := context.Background()
	f := newOffboardFixture(t)
	var off model.Offboarding
	write := func(fn func(t *Tx) error) {
		t.Helper()
		if err := f.s.Write(ctx, offboardActor, fn); err != nil {
			t.Fatal(err)
		}
	}
	write(func(t *Tx) error {
		var err error
		off, err = t.StartOffboarding(f.lea.ID, "", &f.max.ID)
		return err
	})
	kinds := ""
	for _, st := range off.Steps[:4] {
		kinds += st.Kind + " "
	}
	if kinds != "account device secret service " || !off.Steps[0].BusFactorOne || !off.Steps[3].BusFactorOne {
		t.Fatalf("steps: %s bus=%v,%v", kinds, off.Steps[0].BusFactorOne, off.Steps[3].BusFactorOne)
	}
	write(func(t *Tx) error {
		for n := 1; n <= 4; n++ {
			if _, err := t.MarkStep(off.ID, n, model.StepMark{State: "done", DeviceStatus: "repair", Note: "ticket OPS-1"}); err != nil {
				return err
			}
		}
		return nil
	})
	a, _ := f.s.GetAccount(ctx, f.account.ID)
	d, _ := f.s.GetDevice(ctx, f.laptop.ID)
	sv, _ := f.s.GetService(ctx, f.github.ID)
	sc, _ := f.s.FindSecret(ctx, "Deploy key")
	if a.Status != "revoked" || d.Status != "repair" || d.HolderID != nil || *sv.OwnerID != f.max.ID ||
		sc.LastRotatedAt == nil || len(sc.Holders) != 1 || sc.Holders[0].PersonID != f.max.ID {
		t.Fatalf("after done: account %s, device %s holder %v, owner %v, secret %+v", a.Status, d.Status, d.HolderID, *sv.OwnerID, sc)
	}
	write(func(t *Tx) error {
		for n := 1; n <= 4; n++ {
			if _, err := t.UndoStep(off.ID, n); err != nil {
				return err
			}
		}
		return nil
	})
	a, _ = f.s.GetAccount(ctx, f.account.ID)
	d, _ = f.s.GetDevice(ctx, f.laptop.ID)
	sv, _ = f.s.GetService(ctx, f.github.ID)
	sc, _ = f.s.FindSecret(ctx, "Deploy key")
	if a.Status != "active" || d.Status != "in_use" || d.HolderID == nil || *sv.OwnerID != f.lea.ID || sc.LastRotatedAt != nil || len(sc.Holders) != 2 {
		t.Fatalf("after undo: account %s, device %s holder %v, owner %v, secret %+v", a.Status, d.Status, d.HolderID, *sv.OwnerID, sc)
	}
	got, err := f.s.Offboarding(ctx, f.lea.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Progress.Open != got.Progress.Total || len(got.Steps[0].Notes) != 1 || got.Steps[0].By != "local:test" {
		t.Fatalf("after undo: progress %+v notes %v by %q", got.Progress, got.Steps[0].Notes, got.Steps[0].By)
	}
}

func TestCompleteRefusedWhileOpen(t *testing.T) {
	ctx := context.Background()
	f := newOffboardFixture(t)
	var off model.Offboarding
	if err := f.s.Write(ctx, offboardActor, func(t *Tx) error {
		var err error
		off, err = t.StartOffboarding(f.lea.ID, "2026-12-31", nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	mark, _ := f.s.ChangeMark(ctx)
	err := f.s.Write(ctx, offboardActor, func(t *Tx) error { _, err := t.CompleteOffboarding(off.ID, false, ""); return err })
	if fe, ok := model.AsFieldError(err); !ok || fe.Field != "offboarding" {
		t.Fatalf("complete with open steps: %v", err)
	}
	err = f.s.Write(ctx, offboardActor, func(t *Tx) error { _, err := t.CompleteOffboarding(off.ID, true, ""); return err })
	if fe, ok := model.AsFieldError(err); !ok || fe.Field != "reason" {
		t.Fatalf("force without reason: %v", err)
	}
	if m, _ := f.s.ChangeMark(ctx); m != mark {
		t.Fatalf("refused completion wrote audit rows")
	}
	if err := f.s.Write(ctx, offboardActor, func(t *Tx) error {
		off, err = t.CompleteOffboarding(off.ID, true, "contractor gone; HR confirms")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	p, _ := f.s.GetPerson(ctx, f.lea.ID)
	if !off.Forced || off.ForceReason != "contractor gone; HR confirms" || p.Status != "departed" || p.EndDate != "2026-12-31" {
		t.Fatalf("forced completion: %+v person %s %s", off, p.Status, p.EndDate)
	}
	err = f.s.Write(ctx, offboardActor, func(t *Tx) error { _, err := t.MarkStep(off.ID, 1, model.StepMark{State: "done"}); return err })
	if fe, ok := model.AsFieldError(err); !ok || fe.Field != "offboarding" {
		t.Fatalf("mark after completion: %v", err)
	}
}
