package model

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// Work kinds: every ledger entry is exactly one of these.
var WorkKinds = []string{"planned", "unplanned"}

// DefaultLedgerCategories is the category list a new database starts with;
// the ledger_categories table makes it configurable.
var DefaultLedgerCategories = []string{"laptop support", "access request", "production incident", "deployment",
	"onboarding", "offboarding", "project", "meeting", "other"}

// IncidentCategory is the category of entries opened by acknowledging an alert.
const IncidentCategory = "production incident"

// Segment is one stretch of time an entry ran. End is nil while it runs.
type Segment struct {
	Start time.Time  `json:"start"`
	End   *time.Time `json:"end"`
}

// WorkEntry is one piece of work in the ledger. Its time is the union of its
// segments: interrupting it closes a segment, resuming opens a new one.
type WorkEntry struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	Category  string     `json:"category"`
	Note      string     `json:"note"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at"`
	// Status is running (one open segment), paused (by an interruption or
	// by hand) or stopped (finished).
	Status       string    `json:"status"`
	PersonID     *int64    `json:"person_id"`
	DeviceID     *int64    `json:"device_id"`
	ServiceID    *int64    `json:"service_id"`
	AlertID      *int64    `json:"alert_id"`
	InterruptsID *int64    `json:"interrupts_id"`
	Actor        string    `json:"actor"`
	Segments     []Segment `json:"segments"`
	// Minutes is the logged time (sum of segments, an open one up to the
	// time it was read), rounded to the minute.
	Minutes   int64     `json:"minutes"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// Joined for display and for ranking sources; not stored in work_entries.
	PersonName  string `json:"person"`
	DeviceTag   string `json:"device"`
	ServiceName string `json:"service"`
}

// Normalize sanitizes text and fills defaults: planned work is a project
// unless said otherwise, unplanned work "other".
func (e *WorkEntry) Normalize() {
	e.Kind = strings.ToLower(strings.TrimSpace(e.Kind))
	e.Category = NormalizeCategory(e.Category)
	e.Note = SanitizeN(e.Note, 1024)
	if e.Category == "" {
		switch e.Kind {
		case "planned":
			e.Category = "project"
		case "unplanned":
			e.Category = "other"
		}
	}
}

// NormalizeCategory is how category names are compared and stored: sanitized,
// lower case, single spaces.
func NormalizeCategory(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(SanitizeN(s, 64))), " ")
}

// Validate checks the fields a caller sets. Links and the category's
// existence are checked by the store, which can see the tables.
func (e *WorkEntry) Validate() error {
	var kind error
	if e.Kind == "" {
		kind = Invalid("kind", "", "is required: say --planned or --unplanned")
	} else {
		kind = oneOf("kind", e.Kind, WorkKinds...)
	}
	var start, end, alert error
	if e.StartedAt.IsZero() {
		start = Invalid("at", "", "is required")
	}
	if e.EndedAt != nil && e.EndedAt.Before(e.StartedAt) {
		end = Invalid("end", e.EndedAt.Format(time.RFC3339), "is before the start "+e.StartedAt.Format(time.RFC3339))
	}
	if e.AlertID != nil && *e.AlertID <= 0 {
		alert = Invalid("alert", fmt.Sprint(*e.AlertID), "is not an alert id (want a positive number)")
	}
	return firstErr(kind, required("category", e.Category), start, end, alert)
}

// Duration is the entry's logged time: its segments summed, an open segment
// counted up to now.
func (e *WorkEntry) Duration(now time.Time) time.Duration {
	var d time.Duration
	for _, s := range e.Segments {
		end := now
		if s.End != nil {
			end = *s.End
		}
		if end.After(s.Start) {
			d += end.Sub(s.Start)
		}
	}
	return d
}

// Link is a short label of what the entry is linked to, for tables.
func (e *WorkEntry) Link() string {
	var parts []string
	if e.DeviceTag != "" {
		parts = append(parts, e.DeviceTag)
	}
	if e.ServiceName != "" {
		parts = append(parts, e.ServiceName)
	}
	if e.PersonName != "" {
		parts = append(parts, "for "+e.PersonName)
	}
	if e.AlertID != nil {
		parts = append(parts, fmt.Sprintf("alert #%d", *e.AlertID))
	}
	return strings.Join(parts, ", ")
}

// ParseMinutes validates a --minutes value: a positive whole number of
// minutes, at most a week.
func ParseMinutes(field string, n int) (time.Duration, error) {
	switch {
	case n <= 0:
		return 0, Invalid(field, fmt.Sprint(n), "must be a positive number of minutes")
	case n > 7*24*60:
		return 0, Invalid(field, fmt.Sprint(n), "is more than a week; split it or use --at and --end")
	}
	return time.Duration(n) * time.Minute, nil
}

// ParseClock parses a ledger time: what ParseTime accepts, or a bare
// "HH:MM" meaning that time on ref's day in loc (ref is now for a start,
// the start for an end: what one types while working).
func ParseClock(field, v string, ref time.Time, loc *time.Location) (time.Time, error) {
	v = strings.TrimSpace(v)
	if c, err := time.ParseInLocation("15:04", v, loc); err == nil {
		n := ref.In(loc)
		return time.Date(n.Year(), n.Month(), n.Day(), c.Hour(), c.Minute(), 0, 0, loc), nil
	}
	return ParseTime(field, v, loc)
}

// Hours is a duration that JSON prints as decimal hours (2 places), the unit
// reports use.
type Hours time.Duration

// Float is the value in hours.
func (h Hours) Float() float64 { return time.Duration(h).Hours() }

// MarshalJSON prints hours rounded to 0.01.
func (h Hours) MarshalJSON() ([]byte, error) {
	return json.Marshal(math.Round(h.Float()*100) / 100)
}

// String prints hours with one decimal, e.g. "12.5 h".
func (h Hours) String() string { return fmt.Sprintf("%.1f h", h.Float()) }

// FormatDuration prints a duration as "1h05m" (or "25m").
func FormatDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	if h == 0 {
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%dh%02dm", h, m)
}
