package model

import (
	"strconv"
	"time"
)

// FutureTolerance is how far ahead of this host's clock a recorded instant
// may be (another host's clock running a little fast) before it counts as
// written by a wrong clock. Beyond it an instant is refused on input and,
// found in the database, is reported and ignored: a lease, backup run or
// ping dated 2035 must not stop scheduling, backups or lateness forever.
const FutureTolerance = 5 * time.Minute

// FromFuture reports whether t lies beyond now + FutureTolerance.
func FromFuture(t, now time.Time) bool { return t.After(now.Add(FutureTolerance)) }

// NotFuture refuses an input instant that claims something already
// happened (a rotation, a verification, a sighting) later than now.
func NotFuture(field string, t, now time.Time) error {
	if FromFuture(t, now) {
		return Invalid(field, t.Format(time.RFC3339), "is in the future (it records something that already happened; now is "+now.Format(time.RFC3339)+")")
	}
	return nil
}

// Years a date or time may name: anything outside is a typo or a
// placeholder (9999-12-31), never a real plan or record.
const (
	MinYear = 1970
	MaxYear = 2100
)

// SaneYear refuses an instant outside MinYear..MaxYear.
func SaneYear(field, v string, t time.Time) error {
	if y := t.Year(); y < MinYear || y > MaxYear {
		return Invalid(field, v, "is outside the years "+strconv.Itoa(MinYear)+"–"+strconv.Itoa(MaxYear))
	}
	return nil
}

func notFuturePtr(field string, t *time.Time, now time.Time) error {
	if t == nil {
		return nil
	}
	return firstErr(SaneYear(field, t.Format(time.RFC3339), *t), NotFuture(field, *t, now))
}

// ValidateAt refuses a last-seen time in the future of now.
func (d *Device) ValidateAt(now time.Time) error {
	return notFuturePtr("last_seen_at", d.LastSeenAt, now)
}

// ValidateAt refuses a verification time in the future of now.
func (a *Account) ValidateAt(now time.Time) error {
	return notFuturePtr("last_verified_at", a.LastVerifiedAt, now)
}

// ValidateAt refuses a rotation time in the future of now.
func (s *Secret) ValidateAt(now time.Time) error {
	return notFuturePtr("last_rotated_at", s.LastRotatedAt, now)
}

// TrustedRuns splits backup runs into those a correct clock can have
// written and those dated in the future of now (a wrong clock): a 2035 run
// must neither count as the latest backup nor hold the next one back. A
// restore test dated in the future is dropped from the run it belongs to.
func TrustedRuns(runs []BackupRun, now time.Time) (kept, future []BackupRun) {
	for _, r := range runs {
		if FromFuture(r.StartedAt, now) {
			future = append(future, r)
			continue
		}
		if r.RestoreTestedAt != nil && FromFuture(*r.RestoreTestedAt, now) {
			r.RestoreTestedAt, r.RestoreTestOK, r.RestoreTestError = nil, nil, ""
		}
		kept = append(kept, r)
	}
	return kept, future
}
