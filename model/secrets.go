package model

import (
	"strconv"
	"strings"
	"time"
)

// Secret is a shared credential the company must rotate when someone who
// knows it leaves: its name, where it is kept, who knows it and when it was
// last rotated. opsdeck never stores the secret's value.
type Secret struct {
	ID            int64          `json:"id"`
	Name          string         `json:"name"`
	Location      string         `json:"location"`
	ServiceID     *int64         `json:"service_id"`
	ServiceName   string         `json:"service_name"`
	RotationDays  int            `json:"rotation_days"`
	LastRotatedAt *time.Time     `json:"last_rotated_at"`
	LastRotatedBy string         `json:"last_rotated_by"`
	Notes         string         `json:"notes"`
	Holders       []SecretHolder `json:"holders"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
}

// SecretHolder is a person who knows a secret's current value.
type SecretHolder struct {
	PersonID int64  `json:"person_id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Status   string `json:"status"`
}

// Normalize sanitizes untrusted text.
func (s *Secret) Normalize() {
	s.Name = Sanitize(s.Name)
	s.Location = Sanitize(s.Location)
	s.Notes = SanitizeMultiline(s.Notes, 4096)
}

// Validate checks every field; the error names the first bad one.
func (s *Secret) Validate() error {
	var rd error
	if s.RotationDays < 0 || s.RotationDays > 3650 {
		rd = Invalid("rotation_days", strconv.Itoa(s.RotationDays), "is not between 0 (never) and 3650")
	}
	return firstErr(required("name", s.Name), rd)
}

// RotationDue is when the secret should next be rotated; ok is false when
// it has no rotation period. A secret never rotated is due at once.
func (s Secret) RotationDue() (due time.Time, ok bool) { return s.rotationDue(time.Local) }

// rotationDue counts the period in calendar days in loc: rotated at 09:00,
// due at 09:00, across DST switches too.
func (s Secret) rotationDue(loc *time.Location) (due time.Time, ok bool) {
	if s.RotationDays <= 0 {
		return time.Time{}, false
	}
	if s.LastRotatedAt == nil {
		return time.Time{}, true
	}
	return s.LastRotatedAt.In(loc).AddDate(0, 0, s.RotationDays), true
}

// Overdue reports whether the rotation period has passed at now.
// A rotation dated in the future (a wrong clock) is not trusted: the
// secret counts as overdue.
func (s Secret) Overdue(now time.Time) bool {
	due, ok := s.rotationDue(now.Location())
	return ok && (!now.Before(due) || s.rotatedInFuture(now))
}

func (s Secret) rotatedInFuture(now time.Time) bool {
	return s.LastRotatedAt != nil && FromFuture(*s.LastRotatedAt, now)
}

// RotationStatus says in a few words where the secret stands at now:
// "overdue 40d", "due in 12d", "never rotated", "no period".
func (s Secret) RotationStatus(now time.Time) string {
	due, ok := s.rotationDue(now.Location())
	switch {
	case !ok:
		return "no period"
	case s.LastRotatedAt == nil:
		return "overdue (never rotated)"
	case s.rotatedInFuture(now):
		return "overdue (rotation dated " + s.LastRotatedAt.UTC().Format(DateLayout) + ", in the future: not trusted)"
	case !now.Before(due):
		return "overdue " + strconv.Itoa(Days(due, now)) + "d"
	default:
		return "due in " + strconv.Itoa(Days(now, due)) + "d"
	}
}

// HolderNames lists holders as "Name (status)" for anyone not active.
func (s Secret) HolderNames() string {
	parts := make([]string, len(s.Holders))
	for i, h := range s.Holders {
		parts[i] = h.Name
		if h.Status != "active" {
			parts[i] += " (" + h.Status + ")"
		}
	}
	return strings.Join(parts, ", ")
}
