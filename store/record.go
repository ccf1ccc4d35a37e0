package store

import (
	"reflect"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// scanner is satisfied by *sql.Row and *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// record is what every inventory type provides: sanitizing where text
// enters, and validation with field-naming errors.
type record[T any] interface {
	*T
	Normalize()
	Validate() error
}

// timed is a record with instants of things that already happened
// (last seen, last verified, last rotated); they must not lie in the
// future of the transaction's clock (model.NotFuture).
type timed interface{ ValidateAt(now time.Time) error }

func validateAt(t *Tx, rec any) error {
	if r, ok := rec.(timed); ok {
		return r.ValidateAt(t.at)
	}
	return nil
}

// addRecord normalizes, validates, inserts and audits one new record.
func addRecord[T any, P record[T]](t *Tx, entity string, rec P, insert func(P) (int64, error)) (int64, error) {
	rec.Normalize()
	if err := rec.Validate(); err != nil {
		return 0, err
	}
	if err := validateAt(t, rec); err != nil {
		return 0, err
	}
	id, err := insert(rec)
	if err != nil {
		return 0, err
	}
	return id, nil
}

// updateRecord is the one path for edits: read the current row, let fn
// change a copy, normalize and validate it, and write it with an audit row
// holding both versions. An edit that changes nothing writes nothing.
func updateRecord[T any, P record[T]](t *Tx, entity string, id int64, get func(int64) (T, error), fn func(P) error, save func(P) error) (before, after T, changed bool, err error) {
	before, err = get(id)
	if err != nil {
		return before, after, false, err
	}
	after = before
	if err = fn(P(&after)); err != nil {
		return before, after, false, err
	}
	if sb, ok := any(P(&before)).(model.Secretive); ok {
		t.keepMasked(sb, any(P(&after)).(model.Secretive))
	}
	P(&after).Normalize()
	if err = P(&after).Validate(); err != nil {
		return before, after, false, err
	}
	// Only a newly given instant is refused: a stored one (from an
	// import, or another clock) does not block editing other fields.
	if err = validateAt(t, P(&after)); err != nil {
		if old := validateAt(t, P(&before)); old == nil || old.Error() != err.Error() {
			return before, after, false, err
		}
	}
	if reflect.DeepEqual(before, after) {
		return before, after, false, nil
	}
	if err = save(P(&after)); err != nil {
		return before, after, false, err
	}
	// Re-read so the audit row shows what was stored (timestamps included).
	if after, err = get(id); err != nil {
		return before, after, false, err
	}
	return before, after, true, t.Audit("update", entity, id, before, after)
}

// addRow is the whole add of a kind with a table: normalize and validate
// (addRecord), the kind's own checks (uniqueness, references), insert,
// re-read through get (so rec holds what was stored) and audit it.
func addRow[T any, P record[T]](t *Tx, tb *table[T], rec P, check func(P) error, get func(int64) (T, error), more ...set) (int64, error) {
	id, err := addRecord(t, tb.entity, rec, func(rec P) (int64, error) {
		if err := check(rec); err != nil {
			return 0, err
		}
		return tb.insert(t, (*T)(rec), more...)
	})
	if err != nil {
		return 0, err
	}
	saved, err := get(id)
	if err != nil {
		return id, err
	}
	*rec = saved
	return id, t.Audit("create", tb.entity, id, nil, saved)
}

// addAdminRow is addRow for a kind only an admin may add; action names
// what is refused ("add devices").
func addAdminRow[T any, P record[T]](t *Tx, action string, tb *table[T], rec P, check func(P) error, get func(int64) (T, error)) error {
	if err := t.requireAdmin(action); err != nil {
		return err
	}
	_, err := addRow(t, tb, rec, check, get)
	return err
}

// updateAdminRow is updateRow for a kind only an admin may edit; action
// names what is refused ("edit devices").
func updateAdminRow[T any, P record[T]](t *Tx, action string, tb *table[T], id int64, get func(int64) (T, error), fn func(P) error, check func(P) error) (before, after T, err error) {
	if err := t.requireAdmin(action); err != nil {
		return before, after, err
	}
	return updateRow(t, tb, id, get, fn, check)
}

// updateRow is the whole edit of a kind with a table: updateRecord with
// the kind's own checks before the row is written.
func updateRow[T any, P record[T]](t *Tx, tb *table[T], id int64, get func(int64) (T, error), fn func(P) error, check func(P) error) (before, after T, err error) {
	before, after, _, err = updateRecord(t, tb.entity, id, get, fn, func(rec P) error {
		if err := check(rec); err != nil {
			return err
		}
		return tb.update(t, (*T)(rec))
	})
	return before, after, err
}
