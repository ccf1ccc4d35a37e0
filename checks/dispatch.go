package checks

import (
	"sync"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// entry is one check as the dispatcher tracks it in memory; SQLite keeps
// next_run_at so a restart resumes on the same beat.
type entry struct {
	check   model.Check
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
	if !h[i].next.Equal(h[j].next) {
		return h[i].next.Before(h[j].next)
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
	lastSaid   time.Time // last "saturated" log line
	lastFull   time.Time // last time a due check found every worker busy
}

func (p *pool) started() {
	p.mu.Lock()
	p.busy++
	p.peak = max(p.peak, p.busy)
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
