package ops_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/opsdeck/opsdeck/demo"
	"github.com/opsdeck/opsdeck/internal/testenv/storetest"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
)

var offboardActor = model.LocalActor("test")

// These tests walk the offboarding kind through the store's generic
// checklist engine (they moved here from store when offboarding's own
// store code went).

// offboardFixture is a small company: Lea (leaving soon) holds a GitHub admin
// account, a laptop, a shared secret and owns a service; Max is her successor.
type offboardFixture struct {
	s        *store.Store
	e        ops.Env
	lea, max model.Person
	github   model.Service
	account  model.Account
	laptop   model.Device
	secret   model.Secret
}

func newOffboardFixture(t *testing.T) offboardFixture {
	t.Helper()
	s := storetest.Open(t, nil)
	var f offboardFixture
	f.s = s
	f.e = ops.Env{Store: s, Actor: offboardActor}
	err := s.Write(context.Background(), offboardActor, func(t *store.Tx) error {
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
		return t.AddSSHKey(f.lea.ID, &model.SSHKey{Fingerprint: "SHA256:lea", PublicKey: "ssh-ed25519 AAAA"})
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
	if _, err := ops.StartOffboarding(ctx, f.e, ops.LeaverID(f.lea.ID), "2026-12-31", "max@example.com", false); err != nil {
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
	off, err := ops.StartOffboarding(ctx, f.e, ops.LeaverID(f.lea.ID), "", "max@example.com", false)
	if err != nil {
		t.Fatal(err)
	}
	kinds := ""
	for _, st := range off.Steps[:4] {
		kinds += st.Kind + " "
	}
	if kinds != "account device secret service " || !off.Steps[0].BusFactorOne || !off.Steps[3].BusFactorOne {
		t.Fatalf("steps: %s bus=%v,%v", kinds, off.Steps[0].BusFactorOne, off.Steps[3].BusFactorOne)
	}
	for n := 1; n <= 4; n++ {
		ch := ops.StepChange{N: n, Action: ops.StepDone, DeviceStatus: "repair", Note: "ticket OPS-1"}
		if _, err := ops.AdvanceStep(ctx, f.e, ops.OffboardingID(off.ID), ch); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := f.s.GetAccount(ctx, f.account.ID)
	d, _ := f.s.GetDevice(ctx, f.laptop.ID)
	sv, _ := f.s.GetService(ctx, f.github.ID)
	sc, _ := f.s.FindSecret(ctx, "Deploy key")
	if a.Status != "revoked" || d.Status != "repair" || d.HolderID != nil || *sv.OwnerID != f.max.ID ||
		sc.LastRotatedAt == nil || len(sc.Holders) != 1 || sc.Holders[0].PersonID != f.max.ID {
		t.Fatalf("after done: account %s, device %s holder %v, owner %v, secret %+v", a.Status, d.Status, d.HolderID, *sv.OwnerID, sc)
	}
	for n := 1; n <= 4; n++ {
		if _, err := ops.AdvanceStep(ctx, f.e, ops.OffboardingID(off.ID), ops.StepChange{N: n, Action: ops.StepUndo}); err != nil {
			t.Fatal(err)
		}
	}
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
	off, err := ops.StartOffboarding(ctx, f.e, ops.LeaverID(f.lea.ID), "2026-12-31", "", false)
	if err != nil {
		t.Fatal(err)
	}
	mark, _ := f.s.ChangeMark(ctx)
	_, err = ops.CompleteOffboarding(ctx, f.e, ops.OffboardingID(off.ID), false, "")
	if fe, ok := model.AsFieldError(err); !ok || fe.Field != "offboarding" {
		t.Fatalf("complete with open steps: %v", err)
	}
	_, err = ops.CompleteOffboarding(ctx, f.e, ops.OffboardingID(off.ID), true, "")
	if fe, ok := model.AsFieldError(err); !ok || fe.Field != "reason" {
		t.Fatalf("force without reason: %v", err)
	}
	if m, _ := f.s.ChangeMark(ctx); m != mark {
		t.Fatalf("refused completion wrote audit rows")
	}
	if off, err = ops.CompleteOffboarding(ctx, f.e, ops.OffboardingID(off.ID), true, "contractor gone; HR confirms"); err != nil {
		t.Fatal(err)
	}
	p, _ := f.s.GetPerson(ctx, f.lea.ID)
	if !off.Forced || off.ForceReason != "contractor gone; HR confirms" || p.Status != "departed" || p.EndDate != "2026-12-31" {
		t.Fatalf("forced completion: %+v person %s %s", off, p.Status, p.EndDate)
	}
	_, err = ops.AdvanceStep(ctx, f.e, ops.OffboardingID(off.ID), ops.StepChange{N: 1, Action: ops.StepDone})
	if fe, ok := model.AsFieldError(err); !ok || fe.Field != "offboarding" {
		t.Fatalf("mark after completion: %v", err)
	}
}

// BenchmarkOffboardingWalk measures starting Bill's offboarding, marking
// every step done and completing it: the keyboard walk, one write per key.
func BenchmarkOffboardingWalk(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		s, err := store.Open(filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		if err := demo.Load(ctx, s); err != nil {
			b.Fatal(err)
		}
		e := ops.Env{Store: s, Actor: model.LocalActor("bench")}
		b.StartTimer()
		off, err := ops.StartOffboarding(ctx, e, ops.LeaverRef("bill@example.com"), "", "", false)
		if err != nil {
			b.Fatal(err)
		}
		for n := 1; n <= len(off.Steps); n++ {
			if off.Steps[n-1].State == model.StateDone {
				continue
			}
			if _, err := ops.AdvanceStep(ctx, e, ops.OffboardingID(off.ID), ops.StepChange{N: n, Action: ops.StepDone, Successor: "dave@example.com"}); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := ops.CompleteOffboarding(ctx, e, ops.OffboardingID(off.ID), false, ""); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}
