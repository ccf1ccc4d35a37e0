package model

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// oneOf validates an enumeration value, naming the allowed set in the error.
func oneOf(field, value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return Invalid(field, value, "is not one of "+strings.Join(allowed, ", "))
}

// Enumerations. Each has a Values slice so that CLIs, forms and imports can
// offer the same choices the validator accepts.
var (
	PersonStatuses  = []string{"active", "joining", "leaving", "departed"}
	Roles           = []string{"admin", "operator", "viewer"}
	DeviceKinds     = []string{"laptop", "desktop", "server", "vm", "database", "network", "phone", "other"}
	DeviceStatuses  = []string{"in_use", "spare", "repair", "retired", "lost"}
	ServiceKinds    = []string{"saas", "app", "database", "infra", "internal"}
	Criticalities   = []string{"low", "medium", "high", "critical"}
	ServiceStatuses = []string{"active", "retired"}
	Entitlements    = []string{"admin", "member"}
	AccountStatuses = []string{"active", "suspended", "revoked", "unverified"}
)

// DateLayout is the one calendar-date format opsdeck accepts and prints.
const DateLayout = "2006-01-02"

// ParseDate parses an optional YYYY-MM-DD date for the named field.
func ParseDate(field, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	t, err := time.Parse(DateLayout, v)
	if err != nil {
		return "", Invalid(field, v, "is not a date (want YYYY-MM-DD)")
	}
	if err := SaneYear(field, v, t); err != nil {
		return "", err
	}
	return v, nil
}

// ParseTime accepts RFC 3339, "YYYY-MM-DD HH:MM" (local) or a date.
func ParseTime(field, v string, loc *time.Location) (time.Time, error) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", DateLayout} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, SaneYear(field, v, t)
		}
	}
	return time.Time{}, Invalid(field, v, "is not a time (want RFC 3339, YYYY-MM-DD HH:MM or YYYY-MM-DD)")
}

// ValidateEmail checks syntax only: a bare address with a dotted domain.
func ValidateEmail(field, v string) error {
	if v == "" {
		return Invalid(field, v, "is required")
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" {
		return Invalid(field, v, "is not a valid email address (want name@example.com)")
	}
	at := strings.LastIndexByte(v, '@')
	if at < 1 || !strings.Contains(v[at+1:], ".") || strings.HasSuffix(v, ".") {
		return Invalid(field, v, "is not a valid email address (want name@example.com)")
	}
	return nil
}

func required(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return Invalid(field, v, "is required")
	}
	return nil
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// Ago renders how stale a timestamp is, for "last verified N days ago".
func Ago(t *time.Time, now time.Time) string {
	if t == nil || t.IsZero() {
		return "never"
	}
	d := now.Sub(*t)
	switch {
	case d < 0:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd ago", Days(*t, now))
	}
}

// Days is the number of whole calendar days from from to to (to not
// before from), counted in to's zone: the same wall-clock time N dates
// later is N days, even when a DST switch made one of them 23 or 25 hours
// long.
func Days(from, to time.Time) int {
	from = from.In(to.Location())
	date := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	n := int(date(to).Sub(date(from)).Hours() / 24)
	clock := func(t time.Time) time.Duration { // wall clock, not time since midnight
		return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
			time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond())
	}
	if n > 0 && clock(to) < clock(from) {
		n--
	}
	return n
}

// ValidateEnum checks v against an enumeration's values.
func ValidateEnum(field, v string, values []string) error { return oneOf(field, v, values...) }

// Span renders a duration compactly for ages and lengths: 45s, 12m, 3h, 2d.
func Span(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
