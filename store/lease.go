package store

import (
	"context"
	"fmt"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// Lease is who runs the schedule of this database, until when.
type Lease struct {
	Name      string    `json:"name"`
	Holder    string    `json:"holder"`
	ExpiresAt time.Time `json:"expires_at"`
	RenewedAt time.Time `json:"renewed_at"`
	// Distrusted, set on the lease AcquireLease returns after taking over
	// a row a wrong clock wrote, says what that row claimed, so the new
	// holder can report it once.
	Distrusted string `json:"-"`
}

// MaxLeaseTerm bounds how far ahead any holder renews a lease, whatever
// TTL it was configured with (the default is 30 s): a row expiring later
// than that was not written by a correct clock.
const MaxLeaseTerm = 10 * time.Minute

// distrusted says why a lease row cannot be believed at now: its expiry
// lies further ahead than any holder renews it (the longer of ttl and
// MaxLeaseTerm, plus the clock skew model.FutureTolerance allows), or it
// claims a renewal in the future.
func (l Lease) distrusted(now time.Time, ttl time.Duration) string {
	term := max(ttl, MaxLeaseTerm)
	switch {
	case l.ExpiresAt.After(now.Add(term + model.FutureTolerance)):
		return fmt.Sprintf("lease of %s expires at %s, further ahead than any lease is renewed (%s): written by a wrong clock", l.Holder, l.ExpiresAt.Format(time.RFC3339), term)
	case model.FromFuture(l.RenewedAt, now):
		return fmt.Sprintf("lease of %s claims a renewal at %s, in the future: written by a wrong clock", l.Holder, l.RenewedAt.Format(time.RFC3339))
	}
	return ""
}

// AcquireLease takes or renews the named lease for holder until now+ttl.
// It succeeds when nobody holds it, holder already does, the previous
// holder let it expire (crashed), or the row cannot be believed (dated by
// a wrong clock: see Lease.distrusted); otherwise it returns the current
// lease.
// Leases are not audited: renewals are routine, not changes by a person.
func (t *Tx) AcquireLease(name, holder string, ttl time.Duration) (ok bool, next Lease, err error) {
	var cur Lease
	var exp, ren, why string
	err = t.queryRow(`SELECT name, holder, expires_at, renewed_at FROM scheduler_lease WHERE name = ?`, name).Scan(&cur.Name, &cur.Holder, &exp, &ren)
	switch {
	case err == nil:
		cur.ExpiresAt, cur.RenewedAt = parseTime(exp), parseTime(ren)
		why = cur.distrusted(t.at, ttl)
		if cur.Holder != holder && t.at.Before(cur.ExpiresAt) && why == "" {
			return false, cur, nil
		}
	case !isNoRows(err):
		return false, cur, err
	}
	next = Lease{Name: name, Holder: holder, ExpiresAt: t.at.Add(ttl), RenewedAt: t.at, Distrusted: why}
	_, err = t.exec(`INSERT INTO scheduler_lease(name, holder, expires_at, renewed_at) VALUES (?,?,?,?)
		ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, renewed_at = excluded.renewed_at`,
		name, holder, fmtTime(next.ExpiresAt), fmtTime(next.RenewedAt))
	return err == nil, next, err
}

// ReleaseLease gives the lease up (clean shutdown) so another process can
// take over at once instead of waiting for it to expire.
func (t *Tx) ReleaseLease(name, holder string) error {
	_, err := t.exec(`DELETE FROM scheduler_lease WHERE name = ? AND holder = ?`, name, holder)
	return err
}

// GetLease reads the named lease (zero Lease when nobody ever held it).
func (s *Store) GetLease(ctx context.Context, name string) (Lease, error) {
	var l Lease
	var exp, ren string
	err := s.r.QueryRowContext(ctx, `SELECT name, holder, expires_at, renewed_at FROM scheduler_lease WHERE name = ?`, name).Scan(&l.Name, &l.Holder, &exp, &ren)
	if isNoRows(err) {
		return Lease{}, nil
	}
	l.ExpiresAt, l.RenewedAt = parseTime(exp), parseTime(ren)
	return l, err
}
