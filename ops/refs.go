package ops

import (
	"context"
	"errors"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// A reference is what a user types for a record: an id, an email or a
// name for a person, an asset tag, serial or name for a device, a name
// for a service. An unknown one is a model.Invalid naming the field it
// was typed into, so the front end can point at that field or flag.

// Person resolves ref, typed into field, to a person.
func Person(ctx context.Context, s *store.Store, field, ref string) (model.Person, error) {
	p, err := s.FindPerson(ctx, ref)
	return p, refErr(err, field, ref, "person")
}

// PersonTx resolves ref inside a write transaction.
func PersonTx(t *store.Tx, field, ref string) (model.Person, error) {
	p, err := t.FindPerson(ref)
	return p, refErr(err, field, ref, "person")
}

// OptPersonTx resolves an optional person reference: "" or "none" is
// nil (no one).
func OptPersonTx(t *store.Tx, field, ref string) (*int64, error) {
	return optID(t, field, ref, PersonTx, func(p model.Person) int64 { return p.ID })
}

// DeviceTx resolves a device reference inside a write transaction.
func DeviceTx(t *store.Tx, field, ref string) (model.Device, error) {
	d, err := t.FindDevice(ref)
	return d, refErr(err, field, ref, "device")
}

// OptDeviceTx resolves an optional device reference ("" or "none": nil).
func OptDeviceTx(t *store.Tx, field, ref string) (*int64, error) {
	return optID(t, field, ref, DeviceTx, func(d model.Device) int64 { return d.ID })
}

// ServiceTx resolves a service reference inside a write transaction.
func ServiceTx(t *store.Tx, field, ref string) (model.Service, error) {
	sv, err := t.FindService(ref)
	return sv, refErr(err, field, ref, "service")
}

// OptServiceTx resolves an optional service reference ("" or "none": nil).
func OptServiceTx(t *store.Tx, field, ref string) (*int64, error) {
	return optID(t, field, ref, ServiceTx, func(sv model.Service) int64 { return sv.ID })
}

// CheckTx resolves a check reference (a name or an id) inside a write
// transaction.
func CheckTx(t *store.Tx, field, ref string) (model.Check, error) {
	c, err := t.FindCheck(ref)
	return c, refErr(err, field, ref, "check")
}

// OptCheckTx resolves an optional check reference ("" or "none": nil).
func OptCheckTx(t *store.Tx, field, ref string) (*int64, error) {
	return optID(t, field, ref, CheckTx, func(c model.Check) int64 { return c.ID })
}

// optID resolves an optional reference to its record's id; "" or "none"
// names no record (a cleared holder, owner or manager).
func optID[T any](t *store.Tx, field, ref string, find func(*store.Tx, string, string) (T, error), id func(T) int64) (*int64, error) {
	if ref == "" || ref == "none" {
		return nil, nil
	}
	rec, err := find(t, field, ref)
	if err != nil {
		return nil, err
	}
	n := id(rec)
	return &n, nil
}

// refErr words a failed lookup: the store's own reason when it has one
// (a name matching several people), under the field the user typed into.
func refErr(err error, field, ref, kind string) error {
	if err == nil {
		return nil
	}
	if fe, ok := model.AsFieldError(err); ok {
		return model.Invalid(field, ref, fe.Reason)
	}
	if errors.Is(err, model.ErrNotFound) {
		return model.Invalid(field, ref, "is not a known "+kind)
	}
	return err
}

// Device resolves ref, typed into field, to a device.
func Device(ctx context.Context, s *store.Store, field, ref string) (model.Device, error) {
	d, err := s.FindDevice(ctx, ref)
	return d, refErr(err, field, ref, "device")
}

// Service resolves ref, typed into field, to a service.
func Service(ctx context.Context, s *store.Store, field, ref string) (model.Service, error) {
	sv, err := s.FindService(ctx, ref)
	return sv, refErr(err, field, ref, "service")
}
