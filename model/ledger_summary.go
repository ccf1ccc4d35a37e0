package model

import (
	"container/heap"
	"sort"
	"strconv"
	"time"
)

// Piece is a stretch of time attributed to exactly one entry (an index into
// the slice given to Attribute).
type Piece struct {
	Entry      int
	Start, End time.Time
}

// Attribute turns entries into pieces of time inside [from, to), so that
// every summary adds up:
//
//   - segments are clipped to the range; a running segment ends at now;
//   - one actor's overlapping entries are never double counted: each
//     instant belongs to the entry started most recently (the interruption
//     is what one is doing; ties go to the higher id), so a retroactive
//     entry typed over a running timer takes its time from the timer;
//   - different actors' entries may overlap: two people working at once is
//     two people's hours.
//
// Pieces come back ordered by actor, then time.
func Attribute(entries []WorkEntry, from, to, now time.Time) []Piece {
	byActor := map[string][]interval{}
	var actors []string
	for i := range entries {
		e := &entries[i]
		for _, s := range e.Segments {
			end := now
			if s.End != nil {
				end = *s.End
			}
			start := s.Start
			if start.Before(from) {
				start = from
			}
			if end.After(to) {
				end = to
			}
			if !end.After(start) {
				continue
			}
			if _, ok := byActor[e.Actor]; !ok {
				actors = append(actors, e.Actor)
			}
			byActor[e.Actor] = append(byActor[e.Actor], interval{entry: i, start: start, end: end, prio: e.StartedAt, id: e.ID})
		}
	}
	sort.Strings(actors)
	var out []Piece
	for _, a := range actors {
		out = sweep(byActor[a], out)
	}
	return out
}

type interval struct {
	entry      int
	start, end time.Time
	prio       time.Time // the entry's start: later wins
	id         int64
}

// wins reports whether a owns the time when a and b overlap.
func (a interval) wins(b interval) bool {
	if !a.prio.Equal(b.prio) {
		return a.prio.After(b.prio)
	}
	if a.id != b.id {
		return a.id > b.id
	}
	return a.entry > b.entry
}

type ivHeap []interval

func (h ivHeap) Len() int           { return len(h) }
func (h ivHeap) Less(i, j int) bool { return h[i].wins(h[j]) }
func (h ivHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *ivHeap) Push(x any)        { *h = append(*h, x.(interval)) }
func (h *ivHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// sweep attributes one actor's intervals: between consecutive boundaries
// the winning active interval owns the time. Adjacent pieces of the same
// entry are merged.
func sweep(ivs []interval, out []Piece) []Piece {
	sort.Slice(ivs, func(i, j int) bool { return ivs[i].start.Before(ivs[j].start) })
	bounds := make([]time.Time, 0, 2*len(ivs))
	for _, iv := range ivs {
		bounds = append(bounds, iv.start, iv.end)
	}
	sort.Slice(bounds, func(i, j int) bool { return bounds[i].Before(bounds[j]) })
	var h ivHeap
	next := 0
	for bi := 0; bi+1 < len(bounds); bi++ {
		b, nb := bounds[bi], bounds[bi+1]
		if !nb.After(b) {
			continue
		}
		for next < len(ivs) && !ivs[next].start.After(b) {
			heap.Push(&h, ivs[next])
			next++
		}
		for h.Len() > 0 && !h[0].end.After(b) {
			heap.Pop(&h)
		}
		if h.Len() == 0 {
			continue
		}
		owner := h[0].entry
		if n := len(out); n > 0 && out[n-1].Entry == owner && out[n-1].End.Equal(b) {
			out[n-1].End = nb
			continue
		}
		out = append(out, Piece{Entry: owner, Start: b, End: nb})
	}
	return out
}

// Totals are hours of planned and unplanned work and the unplanned share.
type Totals struct {
	Planned   Hours `json:"planned_hours"`
	Unplanned Hours `json:"unplanned_hours"`
	// Share is unplanned / (planned + unplanned), 0 when nothing was logged.
	Share float64 `json:"unplanned_share"`
}

func (t *Totals) add(kind string, d time.Duration) {
	if kind == "unplanned" {
		t.Unplanned += Hours(d)
	} else {
		t.Planned += Hours(d)
	}
	if sum := t.Planned + t.Unplanned; sum > 0 {
		t.Share = float64(t.Unplanned) / float64(sum)
	}
}

// Total is planned plus unplanned hours.
func (t Totals) Total() Hours { return t.Planned + t.Unplanned }

// Bucket is the totals of one calendar day or week (Start is its first day,
// YYYY-MM-DD in the report's time zone).
type Bucket struct {
	Start string `json:"start"`
	Totals
}

// Summarize totals the pieces by kind.
func Summarize(entries []WorkEntry, pieces []Piece) Totals {
	var t Totals
	for _, p := range pieces {
		t.add(entries[p.Entry].Kind, p.End.Sub(p.Start))
	}
	return t
}

// DayStart is local midnight of t's day in loc (23 or 25 hours before the
// next one across a DST change).
func DayStart(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}

// WeekStart is local midnight of the Monday of t's week in loc.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	d := DayStart(t, loc)
	back := (int(d.Weekday()) + 6) % 7 // Monday → 0, Sunday → 6
	return time.Date(d.Year(), d.Month(), d.Day()-back, 0, 0, 0, 0, loc)
}

func nextDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, t.Location())
}

func nextWeek(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day()+7, 0, 0, 0, 0, t.Location())
}

// Daily totals the pieces per local calendar day from from's day up to to:
// a timer left running over midnight adds to both days, and a day across a
// DST change has 23 or 25 hours. Every day in the range is listed.
func Daily(entries []WorkEntry, pieces []Piece, from, to time.Time, loc *time.Location) []Bucket {
	return buckets(entries, pieces, DayStart(from, loc), to, nextDay)
}

// Weekly totals the pieces per local week (Monday to Monday) covering
// [from, to). Every week in the range is listed.
func Weekly(entries []WorkEntry, pieces []Piece, from, to time.Time, loc *time.Location) []Bucket {
	return buckets(entries, pieces, WeekStart(from, loc), to, nextWeek)
}

// buckets splits pieces at the boundaries first, next(first), ... < to.
func buckets(entries []WorkEntry, pieces []Piece, first, to time.Time, next func(time.Time) time.Time) []Bucket {
	var starts []time.Time
	for b := first; b.Before(to); b = next(b) {
		starts = append(starts, b)
	}
	out := make([]Bucket, len(starts))
	for i, s := range starts {
		out[i].Start = s.Format(DateLayout)
	}
	for _, p := range pieces {
		// First bucket whose end is after the piece's start.
		i := sort.Search(len(starts), func(i int) bool { return next(starts[i]).After(p.Start) })
		for ; i < len(starts) && starts[i].Before(p.End); i++ {
			s, e := p.Start, p.End
			if starts[i].After(s) {
				s = starts[i]
			}
			if n := next(starts[i]); n.Before(e) {
				e = n
			}
			if e.After(s) {
				out[i].add(entries[p.Entry].Kind, e.Sub(s))
			}
		}
	}
	return out
}

// Source is one thing unplanned hours went to: a category, a device, a
// service or a requester, with its share of all unplanned hours.
type Source struct {
	Key     string  `json:"key"`
	ID      *int64  `json:"id"`
	Hours   Hours   `json:"hours"`
	Entries int     `json:"entries"`
	Share   float64 `json:"share"`
}

// Sources ranks where unplanned hours went, per dimension: what to
// automate first. Each list is ordered by hours (then key), at most limit
// long (0: all).
type Sources struct {
	Categories []Source `json:"categories"`
	Devices    []Source `json:"devices"`
	Services   []Source `json:"services"`
	Requesters []Source `json:"requesters"`
}

// TopSources ranks the unplanned pieces by category, device, service and
// requester. Hours are attributed hours, so overlaps are not double counted.
func TopSources(entries []WorkEntry, pieces []Piece, limit int) Sources {
	type acc struct {
		src  Source
		seen map[int]bool
	}
	dims := [4]map[string]*acc{{}, {}, {}, {}}
	var total time.Duration
	for _, p := range pieces {
		e := &entries[p.Entry]
		if e.Kind != "unplanned" {
			continue
		}
		d := p.End.Sub(p.Start)
		total += d
		keys := [4]struct {
			key string
			id  *int64
		}{{e.Category, nil}, {e.DeviceTag, e.DeviceID}, {e.ServiceName, e.ServiceID}, {e.PersonName, e.PersonID}}
		for i, k := range keys {
			if k.key == "" && k.id == nil {
				continue
			}
			if k.key == "" {
				k.key = "#" + strconv.FormatInt(*k.id, 10)
			}
			a := dims[i][k.key]
			if a == nil {
				a = &acc{src: Source{Key: k.key, ID: k.id}, seen: map[int]bool{}}
				dims[i][k.key] = a
			}
			a.src.Hours += Hours(d)
			if !a.seen[p.Entry] {
				a.seen[p.Entry] = true
				a.src.Entries++
			}
		}
	}
	rank := func(m map[string]*acc) []Source {
		out := make([]Source, 0, len(m))
		for _, a := range m {
			if total > 0 {
				a.src.Share = float64(a.src.Hours) / float64(total)
			}
			out = append(out, a.src)
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Hours != out[j].Hours {
				return out[i].Hours > out[j].Hours
			}
			return out[i].Key < out[j].Key
		})
		if limit > 0 && len(out) > limit {
			out = out[:limit]
		}
		return out
	}
	return Sources{Categories: rank(dims[0]), Devices: rank(dims[1]), Services: rank(dims[2]), Requesters: rank(dims[3])}
}
