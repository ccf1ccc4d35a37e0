package store

import (
	"context"
	"time"
)

// Lease is who runs the schedule of this database, until when.
type Lease struct {
	Name      string    `json:"name"`
	Holder    string    `json:"holder"`
	ExpiresAt time.Time `json:"expires_at"`
	RenewedAt time.Time `json:"renewed_at"`
}

// AcquireLease takes or renews the named lease for holder until now+ttl.
// It succeeds when nobody holds it, holder already does, or the previous
// holder let it expire (crashed); otherwise it returns the current lease.
// Leases are not audited: renewals are routine, not changes by a person.
func (t *Tx) AcquireLease(name, holder string, ttl time.Duration) (bool, Lease, error) {
	var cur Lease
	var exp, ren string
	err := t.queryRow(`SELECT name, holder, expires_at, renewed_at FROM scheduler_lease WHERE name = ?`, name).Scan(&cur.Name, &cur.Holder, &exp, &ren)
	switch {
	case err == nil:
		cur.ExpiresAt, cur.RenewedAt = parseTime(exp), parseTime(ren)
		if cur.Holder != holder && t.at.Before(cur.ExpiresAt) {
			return false, cur, nil
		}
	case !isNoRows(err):
		return false, cur, err
	}
	next := Lease{Name: name, Holder: holder, ExpiresAt: t.at.Add(ttl), RenewedAt: t.at}
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
