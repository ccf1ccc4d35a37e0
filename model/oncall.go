package model

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Rotation hands the pager from member to member every EveryDays days at a
// wall-clock time (Handoff) in its own zone (TZ), so a 09:00 handoff stays
// 09:00 across a DST change (that shift is an hour shorter or longer).
// Rank orders rotations for escalation: 1 is the primary, 2 the secondary.
type Rotation struct {
	ID        int64            `json:"id"`
	Name      string           `json:"name"`
	Rank      int              `json:"rank"`
	EveryDays int              `json:"every_days"`
	Handoff   string           `json:"handoff"`
	TZ        string           `json:"tz"`
	Anchor    time.Time        `json:"anchor"` // the first handoff
	Offset    int              `json:"offset"` // whose turn shift 0 is
	Members   []RotationMember `json:"members"`
	// Managed: created or adopted by `opsdeck apply`; the checks file is
	// its source (ManagedWarning).
	Managed   bool      `json:"managed"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// RotationMember is one person in a rotation. Members take turns in
// Position order; a shadow takes no turn and is shown beside whoever is on
// call. A member who is not yet joined or already removed at an instant is
// skipped then: the next member takes that turn, so nobody else's turns
// move when someone joins or leaves.
type RotationMember struct {
	PersonID   int64      `json:"person_id"`
	Name       string     `json:"name"`
	Email      string     `json:"email"`
	Role       string     `json:"role"`
	Position   int        `json:"position"`
	Shadow     bool       `json:"shadow"`
	JoinedAt   time.Time  `json:"joined_at"`
	RemovedAt  *time.Time `json:"removed_at,omitempty"`
	RemovedWhy string     `json:"removed_why,omitempty"`
}

// OnCallRoles are the roles that may be on call: a viewer cannot
// acknowledge or change anything, so paging them helps nobody.
var OnCallRoles = []string{RoleAdmin, RoleOperator}

// CanBeOnCall says why a person may not be on call ("" if they may).
func CanBeOnCall(p Person) string {
	if p.Status != "active" {
		return "is " + p.Status + ", not active"
	}
	for _, r := range OnCallRoles {
		if p.Role == r {
			return ""
		}
	}
	return "is a " + p.Role + "; only operators and admins can be on call"
}

// RankName is how a rank is shown.
func RankName(rank int) string {
	switch rank {
	case 1:
		return "primary"
	case 2:
		return "secondary"
	}
	return "tier " + strconv.Itoa(rank)
}

// ParseEvery reads a rotation length: whole days ("7d", "1d", "2w",
// "168h"). Rotations hand off at a wall-clock time, so a length that is not
// whole days would drift against it.
func ParseEvery(v string) (int, error) {
	s := strings.TrimSpace(strings.ToLower(v))
	var days int
	var err error
	switch {
	case strings.HasSuffix(s, "w"):
		days, err = strconv.Atoi(strings.TrimSuffix(s, "w"))
		days *= 7
	case strings.HasSuffix(s, "d"):
		days, err = strconv.Atoi(strings.TrimSuffix(s, "d"))
	default:
		d, perr := time.ParseDuration(s)
		if perr != nil {
			return 0, Invalid("every", v, "is not a length like 7d, 1d or 2w")
		}
		if d%(24*time.Hour) != 0 {
			return 0, Invalid("every", v, "is not a whole number of days (rotations hand off at a wall-clock time)")
		}
		days = int(d / (24 * time.Hour))
	}
	if err != nil {
		return 0, Invalid("every", v, "is not a length like 7d, 1d or 2w")
	}
	if days < 1 || days > 366 {
		return 0, Invalid("every", v, "must be from 1d to 366d")
	}
	return days, nil
}

// Handoff is a parsed handoff time: a weekday (or any day) and a time.
type Handoff struct {
	Weekday      time.Weekday
	AnyDay       bool
	Hour, Minute int
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// ParseHandoff reads "Mon 09:00" (weekly and longer rotations) or "09:00"
// (a rotation of any whole number of days) against the rotation's length.
func ParseHandoff(v string, everyDays int) (Handoff, error) {
	f := strings.Fields(strings.ToLower(v))
	var h Handoff
	clock := ""
	switch len(f) {
	case 1:
		h.AnyDay, clock = true, f[0]
	case 2:
		wd, ok := weekdays[f[0][:min(3, len(f[0]))]]
		if !ok || (len(f[0]) > 3 && !strings.HasPrefix(strings.ToLower(wd.String()), f[0])) {
			return h, Invalid("handoff", v, "does not start with a weekday (Mon 09:00)")
		}
		h.Weekday, clock = wd, f[1]
	default:
		return h, Invalid("handoff", v, `is not a weekday and a time ("Mon 09:00") or a time ("09:00")`)
	}
	t, err := time.Parse("15:04", clock)
	if err != nil {
		return h, Invalid("handoff", v, "does not have a 24-hour time HH:MM (Mon 09:00)")
	}
	h.Hour, h.Minute = t.Hour(), t.Minute()
	if !h.AnyDay && everyDays%7 != 0 {
		return h, Invalid("handoff", v, fmt.Sprintf("names a weekday, but every %dd is not a whole number of weeks (give a time only, e.g. %q)", everyDays, clock))
	}
	return h, nil
}

// LoadZone reads an IANA zone name for a rotation.
func LoadZone(v string) (*time.Location, error) {
	if strings.TrimSpace(v) == "" || v == "Local" {
		return nil, Invalid("tz", v, "is required: an IANA zone like Europe/Berlin")
	}
	loc, err := time.LoadLocation(v)
	if err != nil {
		return nil, Invalid("tz", v, "is not a known time zone (an IANA name like Europe/Berlin)")
	}
	return loc, nil
}

// AnchorFor is the latest handoff at or before at: a new rotation starts
// with its first member on call at once rather than after a gap.
func AnchorFor(h Handoff, loc *time.Location, at time.Time) time.Time {
	l := at.In(loc)
	y, m, d := l.Date()
	for i := 0; i < 8; i++ {
		c := time.Date(y, m, d-i, h.Hour, h.Minute, 0, 0, loc)
		if c.After(at) || (!h.AnyDay && c.Weekday() != h.Weekday) {
			continue
		}
		return c
	}
	return time.Date(y, m, d-7, h.Hour, h.Minute, 0, 0, loc) // unreachable: a week holds every weekday
}

// Validate checks a rotation's settings (not its members).
func (r *Rotation) Validate() error {
	r.Name = Sanitize(strings.TrimSpace(r.Name))
	if r.Name == "" {
		return Invalid("name", r.Name, "is required")
	}
	if r.Rank < 1 {
		return Invalid("rank", strconv.Itoa(r.Rank), "must be 1 (primary) or more")
	}
	if r.EveryDays < 1 {
		return Invalid("every", strconv.Itoa(r.EveryDays), "must be at least 1d")
	}
	if _, err := ParseHandoff(r.Handoff, r.EveryDays); err != nil {
		return err
	}
	_, err := LoadZone(r.TZ)
	return err
}

func (r *Rotation) loc() *time.Location {
	loc, err := time.LoadLocation(r.TZ)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Boundary is the k-th handoff (k = 0 is the anchor), at the handoff's
// wall-clock time in the rotation's zone.
func (r *Rotation) Boundary(k int) time.Time {
	loc := r.loc()
	a := r.Anchor.In(loc)
	y, m, d := a.Date()
	return time.Date(y, m, d+k*r.EveryDays, a.Hour(), a.Minute(), 0, 0, loc)
}

// ShiftIndex is the shift at instant at (-1 before the rotation starts).
func (r *Rotation) ShiftIndex(at time.Time) int {
	if r.EveryDays < 1 || at.Before(r.Anchor) {
		return -1
	}
	k := int(at.Sub(r.Anchor).Hours() / 24 / float64(r.EveryDays))
	for k > 0 && r.Boundary(k).After(at) {
		k--
	}
	for !r.Boundary(k + 1).After(at) {
		k++
	}
	return k
}

// turnTakers are the members who take turns, in order.
func (r *Rotation) turnTakers() []RotationMember {
	var out []RotationMember
	for _, m := range r.Members {
		if !m.Shadow {
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Position < out[j].Position })
	return out
}

func (m RotationMember) activeAt(at time.Time) bool {
	return !m.JoinedAt.After(at) && (m.RemovedAt == nil || m.RemovedAt.After(at))
}

// Scheduled is the member whose turn it is at at (ok false before the
// rotation starts or when no member is left), and the member the turn
// belonged to when that is someone else (left or not yet joined).
func (r *Rotation) Scheduled(at time.Time) (who RotationMember, owner RotationMember, ok bool) {
	k := r.ShiftIndex(at)
	tt := r.turnTakers()
	if k < 0 || len(tt) == 0 {
		return who, owner, false
	}
	n := len(tt)
	i := ((k+r.Offset)%n + n) % n
	owner = tt[i]
	for j := 0; j < n; j++ {
		if m := tt[(i+j)%n]; m.activeAt(at) {
			return m, owner, true
		}
	}
	return who, owner, false
}

// Shadows are the shadow members at at.
func (r *Rotation) Shadows(at time.Time) []string {
	var out []string
	for _, m := range r.Members {
		if m.Shadow && m.activeAt(at) {
			out = append(out, m.Name)
		}
	}
	return out
}

// Shift is who is on call for one rotation (layer) over a window: the
// rotation's member, or an override covering them, or nobody (a gap).
type Shift struct {
	Rotation   string    `json:"rotation"`
	RotationID int64     `json:"rotation_id"`
	Rank       int       `json:"rank"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	PersonID   int64     `json:"person_id"`
	Person     string    `json:"person"`
	Email      string    `json:"email"`
	// Override is the override's id when one covers this window; Covers
	// names the rotation's member it stands in for.
	Override *int64   `json:"override_id,omitempty"`
	Reason   string   `json:"reason,omitempty"`
	Covers   string   `json:"covers,omitempty"`
	Shadows  []string `json:"shadows,omitempty"`
	Gap      bool     `json:"gap"`
}

// Who is the person's name or "nobody".
func (s Shift) Who() string {
	if s.Gap {
		return "nobody"
	}
	return s.Person
}

// Same reports whether two windows have the same person for the same reason.
func (s Shift) same(o Shift) bool {
	return s.RotationID == o.RotationID && s.PersonID == o.PersonID && s.Gap == o.Gap && s.Covers == o.Covers &&
		(s.Override == nil) == (o.Override == nil) && (s.Override == nil || *s.Override == *o.Override) &&
		strings.Join(s.Shadows, ",") == strings.Join(o.Shadows, ",")
}

// AdHoc is the layer of overrides when no rotation exists (the old
// one-shift-at-a-time on-call): it has no rotation behind it.
const AdHoc = "on call"

// OnCallPlan is everything the schedule is computed from.
type OnCallPlan struct {
	Rotations []Rotation
	Overrides []OnCall // cancelled ones are ignored
}

// layers are the rotations by rank, or one ad-hoc layer when none exists.
func (p OnCallPlan) layers() []Rotation {
	if len(p.Rotations) == 0 {
		return []Rotation{{Name: AdHoc, Rank: 1}}
	}
	rs := append([]Rotation(nil), p.Rotations...)
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Rank != rs[j].Rank {
			return rs[i].Rank < rs[j].Rank
		}
		return rs[i].ID < rs[j].ID
	})
	return rs
}

// layerOf is the rotation id an override belongs to: its own, or the
// primary's for an override set without one (oncall set).
func (p OnCallPlan) layerOf(o OnCall) int64 {
	if o.RotationID != nil {
		return *o.RotationID
	}
	return p.layers()[0].ID
}

// at computes one layer's shift at an instant.
func (p OnCallPlan) at(r Rotation, at time.Time) Shift {
	s := Shift{Rotation: r.Name, RotationID: r.ID, Rank: r.Rank, Start: at, End: at}
	member, _, ok := r.Scheduled(at)
	if ok {
		s.PersonID, s.Person, s.Email = member.PersonID, member.Name, member.Email
		s.Shadows = r.Shadows(at)
	}
	var best *OnCall
	for i := range p.Overrides {
		o := &p.Overrides[i]
		if o.CancelledAt != nil && !o.CancelledAt.After(at) || p.layerOf(*o) != r.ID || at.Before(o.StartsAt) || !at.Before(o.EndsAt) {
			continue
		}
		if best == nil || o.ID > best.ID { // the latest override wins
			best = o
		}
	}
	if best != nil {
		if ok {
			s.Covers = member.Name
		}
		id := best.ID
		s.Override, s.Reason = &id, best.Reason
		s.PersonID, s.Person, s.Email = best.PersonID, best.PersonName, best.Email
		ok = true
	}
	s.Gap = !ok
	return s
}

// changes lists the instants in (from, to) where a layer may change hands.
func (p OnCallPlan) changes(r Rotation, from, to time.Time) []time.Time {
	var ts []time.Time
	add := func(t time.Time) {
		if t.After(from) && t.Before(to) {
			ts = append(ts, t)
		}
	}
	if r.EveryDays > 0 {
		k := max(r.ShiftIndex(from), -1) + 1
		for b := r.Boundary(k); b.Before(to); k, b = k+1, r.Boundary(k+1) {
			add(b)
		}
		for _, m := range r.Members {
			add(m.JoinedAt)
			if m.RemovedAt != nil {
				add(*m.RemovedAt)
			}
		}
	}
	for _, o := range p.Overrides {
		if p.layerOf(o) == r.ID {
			add(o.StartsAt)
			add(o.EndsAt)
			if o.CancelledAt != nil {
				add(*o.CancelledAt)
			}
		}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	return ts
}

// Schedule is who is on call from from to to, per rotation (primary first),
// each rotation's windows in time order with overrides beside the shift
// they cover and gaps marked. A pure function of the plan and the window.
func (p OnCallPlan) Schedule(from, to time.Time) []Shift {
	var out []Shift
	for _, r := range p.layers() {
		points := append([]time.Time{from}, p.changes(r, from, to)...)
		var layer []Shift
		for i, t := range points {
			end := to
			if i+1 < len(points) {
				end = points[i+1]
			}
			if !end.After(t) {
				continue
			}
			s := p.at(r, t)
			s.Start, s.End = t, end
			if n := len(layer); n > 0 && layer[n-1].same(s) {
				layer[n-1].End = end
				continue
			}
			layer = append(layer, s)
		}
		out = append(out, layer...)
	}
	return out
}

// Now is who is on call at at in every rotation (primary first), each
// shift's window being the whole stretch that person holds (up to a
// horizon of 400 days).
func (p OnCallPlan) Now(at time.Time) []Shift {
	var out []Shift
	for _, r := range p.layers() {
		s := p.at(r, at)
		// Walk back and forth to the stretch's edges.
		s.Start, s.End = p.edge(r, at, -1), p.edge(r, at, 1)
		out = append(out, s)
	}
	return out
}

// Next is the next window of the primary rotation after the one at at.
func (p OnCallPlan) Next(at time.Time) (Shift, bool) {
	r := p.layers()[0]
	end := p.edge(r, at, 1)
	if end.IsZero() {
		return Shift{}, false
	}
	s := p.at(r, end)
	s.Start, s.End = end, p.edge(r, end, 1)
	return s, true
}

// edge finds where the stretch at at ends (dir 1; zero when it does not
// within the horizon) or starts (dir -1; zero when it always did).
func (p OnCallPlan) edge(r Rotation, at time.Time, dir int) time.Time {
	const horizon = 400 * 24 * time.Hour
	cur := p.at(r, at)
	if dir > 0 {
		for _, t := range p.changes(r, at, at.Add(horizon)) {
			if !p.at(r, t).same(cur) {
				return t
			}
		}
		return time.Time{}
	}
	ts := p.changes(r, at.Add(-horizon), at.Add(time.Nanosecond)) // all at or before at
	for i := len(ts) - 1; i >= 0; i-- {
		prev := at.Add(-horizon)
		if i > 0 {
			prev = ts[i-1]
		}
		if !p.at(r, prev).same(cur) {
			return ts[i]
		}
	}
	return time.Time{}
}

// Gaps are the windows from from to to where the primary rotation has
// nobody on call. Without rotations only the holes between ad-hoc shifts
// count (after the last one alerts go to owners, as before rotations).
func (p OnCallPlan) Gaps(from, to time.Time) []Shift {
	if len(p.Rotations) == 0 {
		last := time.Time{}
		for _, o := range p.Overrides {
			if o.CancelledAt == nil && o.EndsAt.After(last) {
				last = o.EndsAt
			}
		}
		if last.Before(to) {
			to = last
		}
	}
	if !to.After(from) {
		return nil
	}
	var out []Shift
	primary := p.layers()[0].ID
	for _, s := range p.Schedule(from, to) {
		if s.Gap && s.RotationID == primary {
			out = append(out, s)
		}
	}
	return out
}

// TurnChange is one shift of a person that now goes to someone else.
type TurnChange struct {
	Rotation string    `json:"rotation"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	From     string    `json:"from"`
	To       string    `json:"to"` // "nobody" for a gap
}

// TurnsTaken compares the schedule before and after a change for the
// windows the person held before: who holds them now.
func TurnsTaken(before, after OnCallPlan, personID int64, from, to time.Time) []TurnChange {
	var out []TurnChange
	newer := after.Schedule(from, to)
	for _, s := range before.Schedule(from, to) {
		if s.Gap || s.PersonID != personID {
			continue
		}
		for _, n := range newer {
			if n.RotationID != s.RotationID || !n.End.After(s.Start) || !n.Start.Before(s.End) || (!n.Gap && n.PersonID == personID) {
				continue
			}
			out = append(out, TurnChange{Rotation: s.Rotation, Start: laterOf(s.Start, n.Start), End: earlierOf(s.End, n.End), From: s.Person, To: n.Who()})
		}
	}
	return out
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlierOf(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// DescribeTurns says who takes the turns, one clause per change.
func DescribeTurns(name string, ch []TurnChange, loc *time.Location) string {
	if len(ch) == 0 {
		return name + " had no future on-call turns"
	}
	parts := make([]string, 0, len(ch))
	for _, c := range ch {
		parts = append(parts, fmt.Sprintf("%s %s–%s → %s", c.Rotation, c.Start.In(loc).Format("01-02 15:04"), c.End.In(loc).Format("01-02 15:04"), c.To))
	}
	return name + "'s turns: " + strings.Join(parts, "; ")
}

// Escalation: an alert nobody acknowledges pages further, one step per
// delay (the delay set for its service's criticality).
const (
	EscalateSecondary = 1 // the secondary rotation's person on call
	EscalateOwner     = 2 // the service owner
	EscalateEveryone  = 3 // everyone in the rotations
)

// EscalationSteps names each step, for timelines and help.
var EscalationSteps = map[int]string{EscalateSecondary: "the secondary on call", EscalateOwner: "the service owner", EscalateEveryone: "everyone in the rotations"}

// DefaultEscalation is how long an alert waits, per service criticality,
// before each escalation step (an alert without a service counts as high).
var DefaultEscalation = map[string]time.Duration{"critical": 5 * time.Minute, "high": 15 * time.Minute, "medium": 30 * time.Minute, "low": 60 * time.Minute}

// EscalationDelay is the delay for a criticality given the configured ones.
func EscalationDelay(criticality string, conf map[string]time.Duration) time.Duration {
	if criticality == "" {
		criticality = "high"
	}
	if d, ok := conf[criticality]; ok && d > 0 {
		return d
	}
	return DefaultEscalation[criticality]
}

// NextEscalation is the step an alert is due to take at now (0: none): it
// is firing, nothing suppresses it, and the next step's delay has passed
// since it opened. Acknowledging (state acknowledged) stops it.
func NextEscalation(a *Alert, step int, delay time.Duration, now time.Time, last *time.Time) int {
	if a == nil || a.State != "firing" || a.Suppressed(now) != "" || delay <= 0 || step >= EscalateEveryone {
		return 0
	}
	if last != nil && now.Sub(*last) < delay { // steps stay one delay apart, even for an old alert
		return 0
	}
	next := step + 1
	if now.Sub(a.OpenedAt) >= time.Duration(next)*delay {
		return next
	}
	return 0
}

// Handover is the summary of one finished shift, sent to the outgoing
// person and shown in the console: the input of the ledger's weekly report.
type Handover struct {
	Rotation   string        `json:"rotation"`
	Person     string        `json:"person"`
	Email      string        `json:"email"`
	Next       string        `json:"next"`
	ShiftStart time.Time     `json:"shift_start"`
	ShiftEnd   time.Time     `json:"shift_end"`
	Fired      int           `json:"fired"`
	Acked      int           `json:"acked"`
	Resolved   int           `json:"resolved"`
	StillOpen  []string      `json:"still_open"`
	Unplanned  []PersonHours `json:"unplanned"`
	Delivered  string        `json:"delivered,omitempty"`
}

// PersonHours is unplanned time logged by one person during a shift.
type PersonHours struct {
	Person string  `json:"person"`
	Hours  float64 `json:"hours"`
}

// Title is the handover's one line.
func (h Handover) Title() string {
	return fmt.Sprintf("[HANDOVER] %s: %s hands over to %s", h.Rotation, h.Person, h.Next)
}

// Text is the handover as plain text.
func (h Handover) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nShift %s – %s\n", h.Title(), h.ShiftStart.UTC().Format(time.RFC3339), h.ShiftEnd.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "Alerts: %d fired, %d acknowledged, %d resolved\n", h.Fired, h.Acked, h.Resolved)
	if len(h.StillOpen) == 0 {
		b.WriteString("Still open: none\n")
	} else {
		b.WriteString("Still open: " + strings.Join(h.StillOpen, "; ") + "\n")
	}
	if len(h.Unplanned) == 0 {
		b.WriteString("Unplanned hours: none logged\n")
	}
	for _, u := range h.Unplanned {
		fmt.Fprintf(&b, "Unplanned: %s %.1f h\n", u.Person, u.Hours)
	}
	return b.String()
}

// RuleOnCallGap: a window ahead with nobody on call (a forced change, or a
// rotation whose members all left).
const RuleOnCallGap = "oncall_gap"

// OnCallGapRisks is one high risk per gap, naming its window.
func OnCallGapRisks(gaps []Shift) []Risk {
	var out []Risk
	for _, g := range gaps {
		out = append(out, Risk{Rule: RuleOnCallGap, Severity: "high", Kind: "rotation", ID: g.RotationID, Name: g.Rotation,
			Detail: fmt.Sprintf("nobody on call from %s to %s; alerts page the service owner only", g.Start.UTC().Format("2006-01-02 15:04 UTC"), g.End.UTC().Format("2006-01-02 15:04 UTC"))})
	}
	return out
}
