package checks

import (
	"sync"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// entry is one check as the dispatcher tracks it in memory; SQLite keeps
// next_run_at so a restart resumes on the same beat.
//
// check is shared, never changed: a reload replaces it with the new
// version, and a run hands the same pointer to the runner and the writer
// (a copy per run was 350 bytes of garbage 1,667 times a second at
// 50,000 checks).
type entry struct {
	check   *model.Check
	next    time.Time
	running bool
	gone    bool // deleted or paused while it ran: not rescheduled
	idx     int  // position in the due heap, -1 while running
}

// dueHeap orders the checks waiting for their next run, earliest first
// (container/heap): the dispatcher only ever looks at the top, so 50,000
// checks cost it O(log n) per run instead of a scan per tick.
type dueHeap []*entry

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	if c := h[i].next.Compare(h[j].next); c != 0 {
		return c < 0
	}
	return h[i].check.ID < h[j].check.ID
}
func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx, h[j].idx = i, j
}
func (h *dueHeap) Push(x any) {
	e := x.(*entry)
	e.idx = len(*h)
	*h = append(*h, e)
}
func (h *dueHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	e.idx = -1
	return e
}

// pool tracks how many workers are busy (the peak since the last status
// line) and when the pool was last found full, for the status line, the
// saturation log line and the scheduler-saturated alert.
type pool struct {
	mu         sync.Mutex
	busy, peak int
	peakRetire int       // the peak since the last retireIdle
	lastSaid   time.Time // last "saturated" log line
	lastFull   time.Time // last time a due check found every worker busy
}

func (p *pool) started() {
	p.mu.Lock()
	p.busy++
	p.peak = max(p.peak, p.busy)
	p.peakRetire = max(p.peakRetire, p.busy)
	p.mu.Unlock()
}

func (p *pool) finished() {
	p.mu.Lock()
	p.busy--
	p.mu.Unlock()
}

// saturated records that the pool was found full at now and reports
// whether to say so (at most once a minute).
func (p *pool) saturated(now time.Time) (say bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastFull = now
	if now.Sub(p.lastSaid) < time.Minute {
		return false
	}
	p.lastSaid = now
	return true
}

// load reports the busy workers and the peak since the last call.
func (p *pool) load() (busy, peak int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	busy, peak = p.busy, p.peak
	p.peak = p.busy
	return busy, peak
}

// sincePeak reports the busy workers and their peak since the last call
// (for retireIdle; load keeps its own peak for the status line).
func (p *pool) sincePeak() (busy, peak int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	busy, peak = p.busy, p.peakRetire
	p.peakRetire = p.busy
	return busy, peak
}

// now reports the busy workers and when the pool was last found full.
func (p *pool) now() (busy int, lastFull time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.busy, p.lastFull
}

// fullSince reports whether the pool was found full after t.
func (p *pool) fullSince(t time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastFull.After(t)
}

// interner shares the strings and service ids that many checks repeat (a
// condition, a method, a kind, notes) within one reload: at 50,000 checks
// each copy read from SQLite is its own allocation, kept for as long as
// the check is scheduled.
type interner struct {
	strs map[string]string
	ids  map[int64]*int64
}

func (in *interner) str(s *string) {
	if *s == "" {
		return
	}
	if in.strs == nil {
		in.strs = map[string]string{}
	}
	if v, ok := in.strs[*s]; ok {
		*s = v
		return
	}
	in.strs[*s] = *s
}

func (in *interner) id(p **int64) {
	if *p == nil {
		return
	}
	if in.ids == nil {
		in.ids = map[int64]*int64{}
	}
	if v, ok := in.ids[**p]; ok {
		*p = v
		return
	}
	in.ids[**p] = *p
}

// check interns c's repeated fields in place and returns c. Names,
// targets and secrets are left alone: they are one per check.
func (in *interner) check(c *model.Check) *model.Check {
	for _, s := range []*string{&c.Kind, &c.Method, &c.Headers, &c.Body, &c.RecordType, &c.Resolver, &c.Expect, &c.Condition, &c.Notes} {
		in.str(s)
	}
	in.id(&c.ServiceID)
	in.id(&c.DeviceID)
	return c
}
