package model

import (
	"fmt"
	"strings"
	"time"
)

// Alert states: firing → acknowledged → resolved (firing → resolved too).
var AlertStates = []string{"firing", "acknowledged", "resolved"}

// Flap detection looks at the last FlapWindow results: at FlapStart or
// more state changes the check is flapping; it stops flapping at FlapStop
// or fewer (hysteresis, so it does not flap about flapping).
const (
	FlapWindow = 20
	FlapStart  = 8
	FlapStop   = 3
)

// AlertPolicy is a check's thresholds.
type AlertPolicy struct {
	FailThreshold    int // consecutive failures that fire (default 3)
	SuccessThreshold int // consecutive successes that resolve (default 2)
}

func (p AlertPolicy) withDefaults() AlertPolicy {
	if p.FailThreshold <= 0 {
		p.FailThreshold = DefaultFailAfter
	}
	if p.SuccessThreshold <= 0 {
		p.SuccessThreshold = DefaultOKAfter
	}
	return p
}

// CheckState is the latest state of one check, kept so that nothing has to
// scan history to answer "is it up?".
type CheckState struct {
	CheckID     int64      `json:"check_id"`
	Status      string     `json:"status"` // pending, up, warn, down, error
	ConsecOK    int        `json:"consec_ok"`
	ConsecFail  int        `json:"consec_fail"`
	History     string     `json:"history"` // oldest first, '+' ok '-' not ok, at most FlapWindow
	Flapping    bool       `json:"flapping"`
	LastRunAt   *time.Time `json:"last_run_at"`
	LastOKAt    *time.Time `json:"last_ok_at"`
	LastFailAt  *time.Time `json:"last_fail_at"`
	LatencyMs   float64    `json:"latency_ms"`
	Message     string     `json:"message"`
	NextRunAt   time.Time  `json:"next_run_at"`
	LastPingAt  *time.Time `json:"last_ping_at"`
	LastPingBad bool       `json:"last_ping_failed"`
}

// Changes counts state changes in the history.
func (s CheckState) Changes() int {
	n := 0
	for i := 1; i < len(s.History); i++ {
		if s.History[i] != s.History[i-1] {
			n++
		}
	}
	return n
}

// Alert is a problem with one check, from firing to resolved.
type Alert struct {
	ID               int64      `json:"id"`
	CheckID          *int64     `json:"check_id"` // nil once the check is deleted
	CheckName        string     `json:"check"`
	ServiceID        *int64     `json:"service_id"`
	DeviceID         *int64     `json:"device_id"`
	State            string     `json:"state"`
	Severity         string     `json:"severity"` // critical, warning
	Summary          string     `json:"summary"`
	Flapping         bool       `json:"flapping"`
	CausedByDeviceID *int64     `json:"caused_by_device_id"`
	CausedBy         string     `json:"caused_by"` // the device's name, for display
	CausedByAlertID  *int64     `json:"caused_by_alert_id"`
	SilenceID        *int64     `json:"silence_id"`
	OpenedAt         time.Time  `json:"opened_at"`
	AckedAt          *time.Time `json:"acked_at"`
	AckedBy          string     `json:"acked_by"`
	AckReason        string     `json:"ack_reason"`
	SnoozedUntil     *time.Time `json:"snoozed_until"`
	SnoozeReason     string     `json:"snooze_reason"`
	ResolvedAt       *time.Time `json:"resolved_at"`
	ResolvedBy       string     `json:"resolved_by"`
	ResolveNote      string     `json:"resolve_note"`
	LastNotifiedAt   *time.Time `json:"last_notified_at"`
	NotifyCount      int        `json:"notify_count"`
	// PublicNote is what the status page says about the incident; every
	// other note of the alert stays private.
	PublicNote string `json:"public_note"`
}

// Open reports an alert that is not resolved.
func (a *Alert) Open() bool { return a.State != "resolved" }

// Suppressed reports why an alert must not page now ("" when it may).
func (a *Alert) Suppressed(now time.Time) string {
	switch {
	case a.CausedByDeviceID != nil:
		return "caused by " + a.CausedBy
	case a.SilenceID != nil:
		return fmt.Sprintf("silenced (silence %d)", *a.SilenceID)
	case a.SnoozedUntil != nil && now.Before(*a.SnoozedUntil):
		return "snoozed until " + a.SnoozedUntil.UTC().Format(time.RFC3339)
	}
	return ""
}

// AlertEvent is one transition or note on an alert's timeline.
type AlertEvent struct {
	ID      int64     `json:"id"`
	AlertID int64     `json:"alert_id"`
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"`
	Actor   string    `json:"actor"`
	Message string    `json:"message"`
}

// EvalContext is what the inventory and silences say about a check at the
// moment a result arrives.
type EvalContext struct {
	Now              time.Time
	CausedByDeviceID *int64 // a device this check's service runs on is down
	CausedBy         string
	CausedByAlertID  *int64
	SilenceID        *int64 // an active silence matching the check, service or device
}

// Evaluation is what one result does to a check and its alert.
type Evaluation struct {
	State CheckState
	// Alert is the open alert after the result (new when ID is 0), the
	// alert this result resolved, or nil when there is none.
	Alert  *Alert
	Events []AlertEvent // transitions, in order, to store as alert events
	// NotifyResolved: the alert resolved and someone was paged about it.
	NotifyResolved bool
}

// Evaluate applies one result to a check's state and open alert. It is the
// whole alert engine and does no I/O, so every transition is table-tested.
// open is the check's unresolved alert, or nil.
func Evaluate(p AlertPolicy, st CheckState, open *Alert, r CheckResult, c EvalContext) Evaluation {
	p = p.withDefaults()
	now := r.At
	ev := Evaluation{}
	add := func(kind, msg string) {
		ev.Events = append(ev.Events, AlertEvent{At: now, Kind: kind, Actor: "system", Message: msg})
	}

	st.CheckID = r.CheckID
	st.Status = r.Status
	st.LatencyMs = r.LatencyMs
	st.Message = r.Message
	st.LastRunAt = &now
	mark := byte('-')
	if r.OK() {
		mark = '+'
		st.ConsecOK++
		st.ConsecFail = 0
		st.LastOKAt = &now
	} else {
		st.ConsecFail++
		st.ConsecOK = 0
		st.LastFailAt = &now
	}
	st.History += string(mark)
	if len(st.History) > FlapWindow {
		st.History = st.History[len(st.History)-FlapWindow:]
	}
	wasFlapping := st.Flapping
	switch changes := st.Changes(); {
	case !wasFlapping && changes >= FlapStart:
		st.Flapping = true
	case wasFlapping && changes <= FlapStop:
		st.Flapping = false
	}
	ev.State = st

	if open == nil {
		startsFlapping := st.Flapping && !wasFlapping
		if st.ConsecFail < p.FailThreshold && !startsFlapping {
			return ev
		}
		a := &Alert{CheckID: &r.CheckID, CheckName: r.CheckName, State: "firing", OpenedAt: now,
			Severity: severity(r), Summary: r.Message, Flapping: st.Flapping}
		if startsFlapping {
			add("flapping", fmt.Sprintf("flapping: %d state changes in the last %d results", st.Changes(), len(st.History)))
		} else {
			add("fired", fmt.Sprintf("%d consecutive failures: %s", st.ConsecFail, r.Message))
		}
		applyContext(a, c, add)
		ev.Alert = a
		return ev
	}

	a := *open
	ev.Alert = &a
	if !r.OK() {
		a.Summary = r.Message
		a.Severity = severity(r)
	}
	if st.Flapping && !wasFlapping {
		a.Flapping = true
		add("flapping", fmt.Sprintf("flapping: %d state changes in the last %d results", st.Changes(), len(st.History)))
	} else if !st.Flapping && wasFlapping {
		a.Flapping = false
		add("flap_ended", "stopped flapping")
	}
	applyContext(&a, c, add)
	if !st.Flapping && st.ConsecOK >= p.SuccessThreshold {
		a.State = "resolved"
		a.ResolvedAt = &now
		a.ResolvedBy = "system"
		a.SnoozedUntil = nil
		add("resolved", fmt.Sprintf("%d consecutive successes", st.ConsecOK))
		ev.NotifyResolved = a.NotifyCount > 0
	}
	return ev
}

// applyContext records changes in root cause and silencing as events.
func applyContext(a *Alert, c EvalContext, add func(kind, msg string)) {
	switch {
	case c.CausedByDeviceID != nil && !sameID(a.CausedByDeviceID, c.CausedByDeviceID):
		add("caused_by", "caused by "+c.CausedBy+" (device down); not paging separately")
	case c.CausedByDeviceID == nil && a.CausedByDeviceID != nil:
		add("cause_cleared", a.CausedBy+" is up again; this alert stands on its own")
	}
	a.CausedByDeviceID, a.CausedBy, a.CausedByAlertID = c.CausedByDeviceID, c.CausedBy, c.CausedByAlertID
	if c.CausedByDeviceID == nil {
		a.CausedBy = ""
	}
	switch {
	case c.SilenceID != nil && !sameID(a.SilenceID, c.SilenceID):
		add("silenced", fmt.Sprintf("silenced by silence %d", *c.SilenceID))
	case c.SilenceID == nil && a.SilenceID != nil:
		add("unsilenced", fmt.Sprintf("silence %d no longer applies", *a.SilenceID))
	}
	a.SilenceID = c.SilenceID
}

func sameID(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func severity(r CheckResult) string {
	if r.Status == "warn" {
		return "warning"
	}
	return "critical"
}

// DuePage reports whether an alert should page now: it is firing (not
// acknowledged), nothing suppresses it, and either nobody was paged yet or
// the last page is older than repeat. A flapping alert pages once.
func DuePage(a *Alert, now time.Time, repeat time.Duration) bool {
	if a == nil || a.State != "firing" || a.Suppressed(now) != "" {
		return false
	}
	if a.LastNotifiedAt == nil {
		return true
	}
	if a.Flapping || repeat <= 0 {
		return false
	}
	return now.Sub(*a.LastNotifiedAt) >= repeat
}

// Ack acknowledges a firing alert: repeats stop and the actor owns it.
func Ack(a Alert, actor, reason string, now time.Time) (Alert, AlertEvent, error) {
	reason = Sanitize(reason)
	if reason == "" {
		return a, AlertEvent{}, Invalid("reason", reason, "is required: say what you are doing about it")
	}
	if a.State != "firing" {
		return a, AlertEvent{}, Invalid("state", a.State, "cannot be acknowledged (only firing alerts can)")
	}
	a.State, a.AckedAt, a.AckedBy, a.AckReason = "acknowledged", &now, actor, reason
	return a, AlertEvent{AlertID: a.ID, At: now, Kind: "acknowledged", Actor: actor, Message: reason}, nil
}

// Snooze silences one open alert until a time, with a reason.
func Snooze(a Alert, actor, reason string, until, now time.Time) (Alert, AlertEvent, error) {
	reason = Sanitize(reason)
	if reason == "" {
		return a, AlertEvent{}, Invalid("reason", reason, "is required")
	}
	if !until.After(now) {
		return a, AlertEvent{}, Invalid("until", until.UTC().Format(time.RFC3339), "is not in the future")
	}
	if !a.Open() {
		return a, AlertEvent{}, Invalid("state", a.State, "cannot be snoozed (the alert is resolved)")
	}
	a.SnoozedUntil, a.SnoozeReason = &until, reason
	msg := fmt.Sprintf("snoozed until %s: %s", until.UTC().Format(time.RFC3339), reason)
	return a, AlertEvent{AlertID: a.ID, At: now, Kind: "snoozed", Actor: actor, Message: msg}, nil
}

// Resolve closes an open alert by hand, with a note.
func Resolve(a Alert, actor, note string, now time.Time) (Alert, AlertEvent, error) {
	note = Sanitize(note)
	if note == "" {
		return a, AlertEvent{}, Invalid("note", note, "is required: say how it was fixed")
	}
	if !a.Open() {
		return a, AlertEvent{}, Invalid("state", a.State, "is already resolved")
	}
	a.State, a.ResolvedAt, a.ResolvedBy, a.ResolveNote, a.SnoozedUntil = "resolved", &now, actor, note, nil
	return a, AlertEvent{AlertID: a.ID, At: now, Kind: "resolved", Actor: actor, Message: note}, nil
}

// Silence mutes alerts of a check, a service or a device for a window.
type Silence struct {
	ID        int64      `json:"id"`
	CheckID   *int64     `json:"check_id"`
	ServiceID *int64     `json:"service_id"`
	DeviceID  *int64     `json:"device_id"`
	Target    string     `json:"target"` // "check web", "service GitHub", for display
	StartsAt  time.Time  `json:"starts_at"`
	EndsAt    time.Time  `json:"ends_at"`
	Reason    string     `json:"reason"`
	Author    string     `json:"author"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiredAt *time.Time `json:"expired_at"` // ended early by hand
}

func (s *Silence) Normalize() { s.Reason = Sanitize(s.Reason) }

func (s *Silence) Validate() error {
	n := 0
	for _, p := range []*int64{s.CheckID, s.ServiceID, s.DeviceID} {
		if p != nil {
			n++
		}
	}
	if n != 1 {
		return Invalid("target", "", "give exactly one of --check, --service or --device")
	}
	if s.Reason == "" {
		return Invalid("reason", "", "is required")
	}
	if !s.EndsAt.After(s.StartsAt) {
		return Invalid("until", s.EndsAt.UTC().Format(time.RFC3339), "is not after the start "+s.StartsAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// Active reports whether the silence applies at now.
func (s *Silence) Active(now time.Time) bool {
	return s.ExpiredAt == nil && !now.Before(s.StartsAt) && now.Before(s.EndsAt)
}

// Matches reports whether an active silence covers a check, given the
// devices its service runs on (a silenced device mutes its services).
func (s *Silence) Matches(c *Check, hostIDs []int64, now time.Time) bool {
	if !s.Active(now) {
		return false
	}
	switch {
	case s.CheckID != nil:
		return *s.CheckID == c.ID
	case s.ServiceID != nil:
		return c.ServiceID != nil && *s.ServiceID == *c.ServiceID
	case s.DeviceID != nil:
		if c.DeviceID != nil && *c.DeviceID == *s.DeviceID {
			return true
		}
		for _, h := range hostIDs {
			if h == *s.DeviceID {
				return true
			}
		}
	}
	return false
}

// OnCall is an override: a person on call for a window, standing in for
// a rotation (RotationID; nil: the primary, or the whole on-call when no
// rotation exists). It gives the shift back when it ends; cancelling one
// keeps its row (CancelledAt).
type OnCall struct {
	ID          int64      `json:"id"`
	PersonID    int64      `json:"person_id"`
	PersonName  string     `json:"person_name"`
	Email       string     `json:"email"`
	StartsAt    time.Time  `json:"starts_at"`
	EndsAt      time.Time  `json:"ends_at"`
	SetBy       string     `json:"set_by"`
	RotationID  *int64     `json:"rotation_id,omitempty"`
	Rotation    string     `json:"rotation,omitempty"`
	Reason      string     `json:"reason,omitempty"`
	CancelledAt *time.Time `json:"cancelled_at,omitempty"`
}

// AlertTitle is the one line a notification leads with.
func AlertTitle(a *Alert, event string) string {
	var b strings.Builder
	switch event {
	case "resolved":
		b.WriteString("[RESOLVED] ")
	case "repeat":
		b.WriteString("[STILL FIRING] ")
	case "flapping":
		b.WriteString("[FLAPPING] ")
	case "escalated":
		b.WriteString("[ESCALATED] ")
	default:
		b.WriteString("[FIRING] ")
	}
	b.WriteString(a.CheckName)
	if a.Summary != "" {
		b.WriteString(": ")
		b.WriteString(a.Summary)
	}
	return b.String()
}
