package checks

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// LeaseName is the scheduler_lease row the schedule of a database hangs on.
const LeaseName = "scheduler"

// Config tunes a Scheduler; zero values take the defaults.
type Config struct {
	Workers   int           // bound on concurrent check runs (default 1024)
	Flush     time.Duration // how long results wait to be written together (default 500 ms)
	LeaseTTL  time.Duration // lease validity; renewed at a third of it (default 30 s)
	Notify    store.NotifyPolicy
	Retention store.Retention
	Holder    string                                    // who holds the lease (default host:pid)
	Logf      func(format string, args ...any)          // progress and problems (default: discard)
	OnResult  func(o store.Outcome, late time.Duration) // observes every finished run (benchmarks)
	// Clock drives the schedule (gocron's jobs, the dispatcher, the
	// writer's flushes, lease waits) and dates what it records; nil: the
	// store's clock. Tests pass a clockwork.FakeClock and advance it.
	Clock clockwork.Clock
	// Jobs are other periodic work that must run in exactly one process
	// per database (backups, restore tests): they run only while this
	// scheduler holds the lease, each on its own beat.
	Jobs []Job
}

// Job is periodic work run under the scheduler's lease; a job is never
// run twice at once. Run must return quickly: it returns its long work (a
// backup command, a restore test), which the scheduler starts each on its
// own goroutine and, when it stops, cancels (through ctx) and waits for, so
// no run is cut off half-recorded when the database closes.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) []func(ctx context.Context)
}

func (c *Config) defaults() {
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.Flush <= 0 {
		c.Flush = 500 * time.Millisecond
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 30 * time.Second
	}
	if c.Notify == (store.NotifyPolicy{}) {
		c.Notify = store.DefaultNotifyPolicy
	}
	if c.Retention == (store.Retention{}) {
		c.Retention = store.DefaultRetention
	}
	if c.Holder == "" {
		host, _ := os.Hostname()
		c.Holder = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
}

// DefaultWorkers bounds the checks running at once. A run on a healthy
// target takes about a millisecond, so 50,000 checks every 30 s keep a
// handful busy; the bound is for hung targets, each of which holds its
// slot for its timeout.
const DefaultWorkers = 1024

// Scheduler runs the checks of one database. A dispatcher goroutine sleeps
// on a timer until the earliest due check (a heap ordered by next run, on
// the injected clock: no polling) and hands each due check (and those due
// within coalesce) to a parked worker goroutine, or a new one, at most
// Workers at once: the pool grows with demand up to that bound, and when it is full the dispatcher waits for a slot and says
// so (Saturated, a log line, and the scheduler-saturated alert). A writer
// stores results in batches, a notifier drains the queue on its own
// goroutines, and a few gocron jobs do lease renewal, reload, repeats and
// rollups. A check's run never waits for another check, a write or a
// notification.
type Scheduler struct {
	s   *store.Store
	r   *Runner
	n   *Notifier
	cfg Config

	mu       sync.Mutex
	entries  map[int64]*entry
	due      dueHeap       // entries not running, earliest next run first
	wake     chan struct{} // tells the dispatcher the heap changed
	pool     pool
	mark     string     // checks' change mark at the last reload (under reloadMu)
	reloadMu sync.Mutex // one reload at a time (the reload job, the scheduler check)
	self     *entry     // the scheduler check (model.SourceScheduler), if scheduled
	sem      chan struct{}
	runs     chan run      // hands a run to a parked worker
	retire   chan struct{} // lets a parked worker go (retireIdle)
	workers  atomic.Int64  // worker goroutines, busy or parked
	results  chan store.Outcome
	// stopWriter wakes the writer at shutdown (it sleeps on its ticker).
	stopWriter chan struct{}
	inflight   sync.WaitGroup
	sending    sync.Map // queue id → true while being delivered
	sendSem    chan struct{}

	workMu   sync.Mutex     // guards stopping against a late job starting work
	stopping bool           // no more long work starts
	work     sync.WaitGroup // the Jobs' long work

	// Counters for `opsdeck run` status lines and the benchmark.
	// Saturated counts the dispatches that found every worker busy and
	// waited for one (that wait is lateness, and it is measured).
	Runs, Writes, Batches, Saturated atomic.Int64
}

// NewScheduler prepares a scheduler for s.
func NewScheduler(s *store.Store, cfg Config) *Scheduler {
	cfg.defaults()
	// The scheduler runs probes with their credentials (headers, env).
	s = s.WithCredentials()
	if cfg.Clock == nil {
		cfg.Clock = s.Clock()
	}
	r := NewRunner()
	r.Sources, r.Clock = s, cfg.Clock
	r.SizePools(cfg.Workers)
	sc := &Scheduler{s: s, r: r, n: NewNotifier(), cfg: cfg, entries: map[int64]*entry{}, wake: make(chan struct{}, 1),
		sem: make(chan struct{}, cfg.Workers), runs: make(chan run), retire: make(chan struct{}), results: make(chan store.Outcome, resultsQueue), stopWriter: make(chan struct{}), sendSem: make(chan struct{}, 8)}
	r.Pool = sc.poolLoad
	return sc
}

// poolLoad is what the scheduler check judges (model.SchedulerResult).
func (sc *Scheduler) poolLoad() model.PoolLoad {
	busy, lastFull := sc.pool.now()
	return model.PoolLoad{Workers: sc.cfg.Workers, Busy: busy, Waited: sc.Saturated.Load(), LastFull: lastFull}
}

var system = model.SystemActor("scheduler")

// ErrLeaseLost stops Run when another process took the schedule over.
var ErrLeaseLost = errors.New("scheduler lease lost to another process")

// Run takes the lease (waiting while another live process holds it) and
// runs the schedule until ctx is done, then shuts down cleanly: no new
// runs, in-flight runs and the Jobs' long work cancelled and waited for,
// pending results written, lease released.
func (sc *Scheduler) Run(ctx context.Context) error {
	if err := sc.waitLease(ctx); err != nil || ctx.Err() != nil {
		return err
	}
	defer sc.s.Write(context.Background(), system, func(t *store.Tx) error { return t.ReleaseLease(LeaseName, sc.cfg.Holder) })
	if err := sc.reload(ctx, true); err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	writerDone := make(chan struct{})
	go func() { sc.writer(); close(writerDone) }()

	g, err := gocron.NewScheduler(gocron.WithClock(sc.cfg.Clock))
	if err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	every := func(d time.Duration, name string, fn func()) error {
		_, err := g.NewJob(gocron.DurationJob(d), gocron.NewTask(fn), gocron.WithName(name),
			gocron.WithSingletonMode(gocron.LimitModeReschedule), gocron.WithStartAt(gocron.WithStartImmediately()))
		return err
	}
	errs := []error{
		every(5*time.Second, "reload", func() {
			if err := sc.reload(ctx, false); err != nil && ctx.Err() == nil {
				sc.cfg.Logf("reload checks: %v", err)
			}
		}),
		every(sc.cfg.LeaseTTL/3, "lease", func() {
			if ok, cur, err := sc.acquire(ctx); err == nil && !ok {
				sc.cfg.Logf("lease taken by %s; stopping", cur.Holder)
				cancel(ErrLeaseLost)
			}
		}),
		every(time.Second, "notify", func() { sc.deliver(ctx) }),
		every(30*time.Second, "repeat", func() { sc.repeat(ctx) }),
		every(15*time.Second, "escalate", func() { sc.escalate(ctx) }),
		every(time.Minute, "handover", func() { sc.handovers(ctx) }),
		every(5*time.Minute, "maintenance", func() { sc.maintain(ctx) }),
		every(selfCheckEvery, "scheduler-check", func() { sc.syncSelfCheck(ctx) }),
		every(retireEvery, "retire-workers", sc.retireIdle),
	}
	for _, j := range sc.cfg.Jobs {
		errs = append(errs, every(j.Every, j.Name, func() {
			for _, w := range j.Run(ctx) {
				sc.startWork(ctx, w)
			}
		}))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("scheduler jobs: %w", err)
	}
	dispatcherDone := make(chan struct{})
	go func() { sc.dispatcher(ctx); close(dispatcherDone) }()
	g.Start()
	sc.cfg.Logf("scheduling %d checks as %s", sc.count(), sc.cfg.Holder)
	<-ctx.Done()
	<-dispatcherDone
	g.Shutdown()
	sc.workMu.Lock()
	sc.stopping = true
	sc.workMu.Unlock()
	sc.work.Wait()
	sc.inflight.Wait()
	close(sc.results)
	close(sc.stopWriter)
	<-writerDone
	sc.r.Close()
	if cause := context.Cause(ctx); errors.Is(cause, ErrLeaseLost) {
		return cause
	}
	return nil
}

// startWork runs a Job's long work on its own goroutine unless the
// scheduler is stopping.
func (sc *Scheduler) startWork(ctx context.Context, w func(context.Context)) {
	sc.workMu.Lock()
	defer sc.workMu.Unlock()
	if sc.stopping || ctx.Err() != nil {
		return
	}
	sc.work.Add(1)
	go func() {
		defer sc.work.Done()
		w(ctx)
	}()
}

func (sc *Scheduler) acquire(ctx context.Context) (ok bool, cur store.Lease, err error) {
	err = sc.s.Write(ctx, system, func(t *store.Tx) error {
		ok, cur, err = t.AcquireLease(LeaseName, sc.cfg.Holder, sc.cfg.LeaseTTL)
		return err
	})
	return ok, cur, err
}

func (sc *Scheduler) waitLease(ctx context.Context) error {
	told := false
	for {
		ok, cur, err := sc.acquire(ctx)
		if err != nil {
			return fmt.Errorf("scheduler lease: %w", err)
		}
		if ok {
			if cur.Distrusted != "" {
				sc.cfg.Logf("took the schedule over: the %s", cur.Distrusted)
			}
			return nil
		}
		if !told {
			sc.cfg.Logf("another process (%s) runs the schedule until %s; waiting to take over", cur.Holder, cur.ExpiresAt.Format(time.RFC3339))
			told = true
		}
		select {
		case <-ctx.Done():
			return nil
		case <-sc.cfg.Clock.After(sc.cfg.LeaseTTL / 3):
		}
	}
}

func (sc *Scheduler) count() int {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return len(sc.entries)
}

// reload reads the checks when they changed (or when forced): new checks
// start on their stored next run, edited ones keep their place, deleted and
// paused ones leave the schedule.
func (sc *Scheduler) reload(ctx context.Context, force bool) error {
	sc.reloadMu.Lock()
	defer sc.reloadMu.Unlock()
	return sc.reloadLocked(ctx, force)
}

// reloadLocked is reload with sc.reloadMu held.
func (sc *Scheduler) reloadLocked(ctx context.Context, force bool) error {
	mark, err := sc.s.ChecksMark(ctx)
	if err != nil {
		return err
	}
	if !force && mark == sc.mark {
		return nil
	}
	paused := false
	cs, err := sc.s.ListChecks(ctx, store.CheckQuery{Paused: &paused})
	if err != nil {
		return err
	}
	states, err := sc.s.CheckStates(ctx)
	if err != nil {
		return err
	}
	now := sc.r.Clock.Now()
	sc.mu.Lock()
	defer sc.mu.Unlock()
	seen := map[int64]bool{}
	sc.self = nil
	var selfID int64
	in := interner{}
	for i := range cs {
		c := in.check(&cs[i])
		seen[c.ID] = true
		if c.Kind == model.SourceScheduler {
			selfID = c.ID
		}
		e, ok := sc.entries[c.ID]
		if !ok {
			e = &entry{next: sc.trustedNext(*c, states[c.ID].NextRunAt, now), idx: -1}
			if force {
				e.next = catchUp(*c, e.next, now)
			}
			sc.entries[c.ID] = e
			e.check = c
			heap.Push(&sc.due, e)
			continue
		}
		if e.check.IntervalS != c.IntervalS {
			e.next = sc.trustedNext(*c, states[c.ID].NextRunAt, now)
			if e.idx >= 0 {
				heap.Fix(&sc.due, e.idx)
			}
		}
		e.check = c
	}
	for id, e := range sc.entries {
		if !seen[id] {
			delete(sc.entries, id)
			e.gone = true
			if e.idx >= 0 {
				heap.Remove(&sc.due, e.idx)
			}
		}
	}
	sc.self = sc.entries[selfID]
	sc.mark = mark
	sc.poke()
	return nil
}

// catchUp spreads the checks found overdue when the schedule starts (it
// was stopped, or thousands of checks were added just before) over up to
// catchUpWindow by their stable offsets, instead of starting them all in
// the same instant: 50,000 checks overdue after a restart would otherwise
// fill every worker, open as many connections at once and delay each
// other. Checks added while the schedule runs (a new source check, due
// at once) still run as soon as they are loaded.
func catchUp(c model.Check, next, now time.Time) time.Time {
	if !next.Before(now) {
		return next
	}
	return now.Add(model.Offset(c.ID, min(c.RunEvery(), catchUpWindow)))
}

const catchUpWindow = 30 * time.Second

// trustedNext is a check's stored next run, unless it lies further ahead
// than one interval (plus clock skew): a wrong clock wrote it, and obeyed
// the check would not run for years. Then it runs now, and that is said.
func (sc *Scheduler) trustedNext(c model.Check, next, now time.Time) time.Time {
	if next.After(now.Add(c.RunEvery() + model.FutureTolerance)) {
		sc.cfg.Logf("check %s: next run dated %s is further ahead than its interval (a wrong clock wrote it); running it now", c.Name, next.UTC().Format(time.RFC3339))
		return now
	}
	return next
}

// poke wakes the dispatcher to look at the heap again.
func (sc *Scheduler) poke() {
	select {
	case sc.wake <- struct{}{}:
	default:
	}
}

// dispatcher starts due checks until ctx is done: it sleeps on one timer
// of the injected clock until the earliest next run, or until the heap
// changes (reload, a run finished), and never scans the checks.
func (sc *Scheduler) dispatcher(ctx context.Context) {
	timer := sc.cfg.Clock.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wait, ok := sc.startDue(ctx)
		if !ok {
			return
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-timer.Chan():
		case <-sc.wake:
		}
	}
}

// coalesce is how early a check may start: a dispatcher that wakes for
// one check starts every check due within the next coalesce with it. Each
// wake-up of an idle process (the timer, the runtime's parked threads, the
// transport's goroutines) cost more CPU than the request itself at 5,000
// checks every 30 s, one wake-up per check (CPU per check at 5k, same
// machine: 267 µs one wake-up per check, 192 µs with 20 ms, 135 µs with
// 50 ms). A check started at most 50 ms before its slot is not late, stays
// on its beat (its next run follows its slot, not its start) and is
// counted as on time.
const coalesce = 50 * time.Millisecond

// coalesceMax bounds the checks one wake-up starts ahead of their slot.
// Where checks are dense (50,000 every 30 s: 83 within 50 ms) every
// wake-up finds some due anyway, and starting 83 at once opened as many
// connections in one instant: on a loaded machine the target's accept
// queue overflowed (a 1 s SYN retry each), every worker filled and the
// soak fell behind. Eight covers a sparse schedule's window (5,000 checks
// every 30 s: ~8 within 50 ms).
const coalesceMax = 8

// idleWait is how long the dispatcher sleeps with nothing scheduled (a
// reload pokes it sooner).
const idleWait = time.Hour

// startDue starts every check whose next run has come, earliest first,
// and returns how long until the next one. When every worker is busy it
// waits for a slot (the pool is saturated: counted and said, at most once
// a minute); ok is false when ctx ended meanwhile. The scheduler check
// needs no worker (it only reads the pool) and must run while the pool is
// full to say so: it is started whenever it is due, even while the
// dispatcher waits for a worker for an earlier check.
func (sc *Scheduler) startDue(ctx context.Context) (wait time.Duration, ok bool) {
	counted := false // this wait for a worker was counted as saturation
	early := 0       // checks started before their slot (coalesce)
	for {
		if ctx.Err() != nil {
			return 0, false
		}
		sc.mu.Lock()
		if len(sc.due) == 0 {
			sc.mu.Unlock()
			return idleWait, true
		}
		now := sc.cfg.Clock.Now()
		d := sc.due[0].next.Sub(now)
		if d > coalesce || d > 0 && early >= coalesceMax {
			sc.mu.Unlock()
			return d, true
		}
		if d > 0 {
			early++
		}
		slot := sc.due[0] != sc.self
		if slot {
			select {
			case sc.sem <- struct{}{}:
			default:
				if e := sc.self; e != nil && e.idx >= 0 && e.next.Sub(now) <= coalesce {
					heap.Remove(&sc.due, e.idx)
					sc.launch(ctx, e, now, false)
					continue
				}
				var selfAt time.Time
				if e := sc.self; e != nil && e.idx >= 0 {
					selfAt = e.next
				}
				sc.mu.Unlock()
				got, ok := sc.waitForWorker(ctx, !counted, selfAt)
				if !ok {
					return 0, false
				}
				counted = true
				if !got {
					continue // the schedule changed or the scheduler check fell due: look again
				}
				sc.mu.Lock()
				if len(sc.due) == 0 || sc.due[0].next.Sub(sc.cfg.Clock.Now()) > coalesce || sc.due[0] == sc.self {
					<-sc.sem // not needed for the top any more
					sc.mu.Unlock()
					continue
				}
				counted = false
				now = sc.cfg.Clock.Now()
			}
		}
		sc.launch(ctx, heap.Pop(&sc.due).(*entry), now, slot)
	}
}

// launch starts e's run (e taken off the heap, sc.mu held; launch
// unlocks it); slot says the run holds a worker slot.
func (sc *Scheduler) launch(ctx context.Context, e *entry, now time.Time, slot bool) {
	e.running = true
	late := max(0, now.Sub(e.next)) // started early (coalesce): on time
	iv := e.check.RunEvery()
	// The slot after the later of now and the due time: a check started
	// early (coalesce) must not find its own slot next.
	next := model.NextRun(later(now, e.next), iv, model.Offset(e.check.ID, iv))
	c := e.check
	sc.pool.started()
	sc.inflight.Add(1)
	sc.mu.Unlock()
	r := run{e: e, c: c, next: next, late: late, slot: slot}
	select {
	case sc.runs <- r: // a parked worker takes it
	default:
		sc.workers.Add(1)
		go sc.worker(ctx, r)
	}
}

// run is one check run handed to a worker.
type run struct {
	e    *entry
	c    *model.Check
	next time.Time
	late time.Duration
	slot bool
}

// worker does runs until ctx ends or it is retired while idle. Workers
// park on sc.runs between runs instead of a goroutine per run: a parked
// worker keeps the stack an HTTP request grew (a new goroutine grows and
// copies it again on every run), and it costs nothing while it waits.
// The pool grows with demand (launch starts a worker when none is parked)
// up to Workers busy at once, and retireIdle shrinks it after a burst.
func (sc *Scheduler) worker(ctx context.Context, r run) {
	defer sc.workers.Add(-1)
	for {
		sc.runOne(ctx, r.e, r.c, r.next, r.late, r.slot)
		select {
		case r = <-sc.runs:
		case <-sc.retire:
			return
		case <-ctx.Done():
			return
		}
	}
}

// retireIdle lets the workers that were not needed since the last call
// go (a burst of slow targets can leave hundreds parked, each holding its
// grown stack), keeping as many as were busy at the peak.
func (sc *Scheduler) retireIdle() {
	busy, peak := sc.pool.sincePeak()
	for n := sc.workers.Load() - int64(max(busy, peak)); n > 0; n-- {
		select {
		case sc.retire <- struct{}{}:
		default:
			return // none parked just now
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// waitForWorker blocks until a worker slot is free (got: taken), the
// schedule changes, or the scheduler check falls due at selfAt (unless
// zero); count: count the saturation and say so (at most once a minute).
// ok is false when ctx ended.
func (sc *Scheduler) waitForWorker(ctx context.Context, count bool, selfAt time.Time) (got, ok bool) {
	if count {
		sc.Saturated.Add(1)
		if sc.pool.saturated(sc.cfg.Clock.Now()) {
			sc.cfg.Logf("scheduler saturated: all %d workers busy (slow or hung targets hold them, or more checks fell due at once than the pool holds); due checks wait for a free worker and run late", sc.cfg.Workers)
		}
	}
	var selfDue <-chan time.Time
	if !selfAt.IsZero() {
		selfDue = sc.cfg.Clock.After(max(0, selfAt.Sub(sc.cfg.Clock.Now())))
	}
	select {
	case sc.sem <- struct{}{}:
		return true, true
	case <-sc.wake:
		return false, true
	case <-selfDue:
		return false, true
	case <-ctx.Done():
		return false, false
	}
}

func (sc *Scheduler) runOne(ctx context.Context, e *entry, c *model.Check, next time.Time, late time.Duration, slot bool) {
	defer sc.inflight.Done()
	if slot {
		defer func() { <-sc.sem }()
	}
	var st *model.CheckState
	if c.Kind == "heartbeat" {
		if s, err := sc.s.CheckState(ctx, c.ID); err == nil {
			st = &s
		}
	}
	res := sc.r.Run(ctx, c, st)
	sc.pool.finished()
	sc.mu.Lock()
	e.running = false
	e.next = next
	if !e.gone {
		heap.Push(&sc.due, e)
		if e.idx == 0 {
			sc.poke() // earlier than what the dispatcher sleeps for
		}
	}
	sc.mu.Unlock()
	if ctx.Err() != nil {
		return // shutting down: a cancelled probe says nothing about the target
	}
	sc.Runs.Add(1)
	o := store.Outcome{Result: res, NextRun: next, Check: c}
	if sc.cfg.OnResult != nil {
		sc.cfg.OnResult(o, late)
	}
	sc.results <- o
}

// retireEvery is how often idle workers beyond the recent peak are let go.
const retireEvery = 10 * time.Second

// selfCheckEvery is how often the scheduler looks at its pool to raise
// (or retire) the scheduler check.
const selfCheckEvery = 5 * time.Second

// syncSelfCheck raises the scheduler check (model.SourceScheduler) when
// the pool was found full within the last source interval, and retires it
// once the pool has recovered and its alert resolved. It writes only while
// there is something to raise or retire.
func (sc *Scheduler) syncSelfCheck(ctx context.Context) {
	want := sc.pool.fullSince(sc.cfg.Clock.Now().Add(-model.SourceInterval))
	sc.mu.Lock()
	on := sc.self != nil
	sc.mu.Unlock()
	if !want && !on {
		return
	}
	// Held throughout, so that no reload runs between the write and the
	// comparison of marks below.
	sc.reloadMu.Lock()
	defer sc.reloadMu.Unlock()
	var plan model.SourceSync
	var before, after string
	err := sc.s.Write(ctx, system, func(t *store.Tx) (err error) {
		if before, err = t.ChecksMark(); err != nil {
			return err
		}
		if plan, err = t.SyncSchedulerCheck(want); err != nil {
			return err
		}
		after, err = t.ChecksMark()
		return err
	})
	if err != nil {
		if ctx.Err() == nil {
			sc.cfg.Logf("scheduler check: %v", err)
		}
		return
	}
	if len(plan.Add)+len(plan.Retire) == 0 {
		return
	}
	// When nothing else changed since the last reload, the schedule takes
	// the change as it is: a full reload re-reads every check, and at
	// 50,000 checks held two copies of them at once (+40 MB) just when
	// the pool was saturated.
	sc.mu.Lock()
	if sc.mark == before {
		for i := range plan.Add {
			c := plan.Add[i]
			e := &entry{check: &c, next: sc.cfg.Clock.Now(), idx: -1}
			sc.entries[c.ID] = e
			heap.Push(&sc.due, e)
			sc.self = e
		}
		for _, c := range plan.Retire {
			if e, ok := sc.entries[c.ID]; ok {
				delete(sc.entries, c.ID)
				e.gone = true
				if e.idx >= 0 {
					heap.Remove(&sc.due, e.idx)
				}
			}
		}
		if len(plan.Add) == 0 {
			sc.self = nil
		}
		sc.mark = after
		sc.mu.Unlock()
		sc.poke()
		return
	}
	sc.mu.Unlock()
	if err := sc.reloadLocked(ctx, false); err != nil && ctx.Err() == nil {
		sc.cfg.Logf("reload checks: %v", err)
	}
}

// writer stores results in batches: everything that arrived within Flush,
// in one transaction. It wakes on its ticker only and then drains the
// queue, rather than on every result: a receive that wakes the writer
// costs a goroutine switch per check, 1,667 a second at 50,000 checks.
// A batch that fails to commit (the database busy past store.BusyWait
// under a long import, a full disk) is kept and tried again with the next
// flush, never dropped; while it waits, new results queue behind it and,
// once the queue is full, checks wait to hand theirs over (they run late,
// which is measured) rather than lose them. At shutdown (the queue
// closed) the writer keeps trying for up to shutdownRetry, then names
// what it could not write.
func (sc *Scheduler) writer() {
	var batch []store.Outcome
	tick := sc.cfg.Clock.NewTicker(sc.cfg.Flush)
	defer tick.Stop()
	failures := 0
	flush := func() bool {
		if len(batch) == 0 {
			return true
		}
		err := sc.s.Write(context.Background(), system, func(t *store.Tx) error { return t.ApplyResults(batch, sc.cfg.Notify) })
		if err != nil {
			failures++
			if failures == 1 || failures%20 == 0 {
				sc.cfg.Logf("write %d results failed (attempt %d; kept, trying again): %v", len(batch), failures, err)
			}
			return false
		}
		if failures > 0 {
			sc.cfg.Logf("wrote %d results after %d failed attempts", len(batch), failures)
			failures = 0
		}
		sc.Writes.Add(int64(len(batch)))
		sc.Batches.Add(1)
		batch = batch[:0]
		return true
	}
	// drain takes what is queued and writes it, a full batch at a time;
	// when a batch fails it stops there (the rest stays queued) until the
	// next tick tries again.
	drain := func() {
		for {
			if len(batch) >= maxBatch && !flush() {
				return
			}
			select {
			case o, ok := <-sc.results:
				if !ok {
					return // stopping: the stop below takes over
				}
				batch = append(batch, o)
			default:
				flush()
				return
			}
		}
	}
	for {
		select {
		case <-tick.Chan():
			drain()
			continue
		case <-sc.stopWriter:
		}
		for o := range sc.results { // closed before stopWriter
			batch = append(batch, o)
		}
		deadline := time.Now().Add(shutdownRetry)
		for !flush() && time.Now().Before(deadline) {
			time.Sleep(sc.cfg.Flush)
		}
		if len(batch) > 0 {
			sc.cfg.Logf("stopping with %d results not written (database unwritable for %s): %s", len(batch), shutdownRetry, outcomeList(batch))
		}
		return
	}
}

// resultsQueue is how many finished runs wait for the writer before a
// worker has to wait to hand its result over: a few seconds of 50,000
// checks every 30 s, so an hourly rollup or a long import holding the
// database does not stall the workers.
const resultsQueue = 16384

// pruneChunk is how many checks one retention transaction trims.
const pruneChunk = 2000

// maxBatch is the most results written in one transaction.
const maxBatch = 1000

// shutdownRetry is how long a stopping scheduler keeps trying to write its
// last results.
const shutdownRetry = 30 * time.Second

func outcomeList(os []store.Outcome) string {
	var b strings.Builder
	for i, o := range os {
		if i == 10 {
			fmt.Fprintf(&b, " and %d more", len(os)-10)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "check %d %s at %s", o.Result.CheckID, o.Result.Status, o.Result.At.UTC().Format(time.RFC3339))
	}
	return b.String()
}

// deliver sends due notifications, each on its own goroutine (at most 8
// at once), so a slow receiver delays neither checks nor other channels.
func (sc *Scheduler) deliver(ctx context.Context) {
	due, err := sc.s.DueNotifications(ctx, sc.cfg.Clock.Now(), 100)
	if err != nil {
		if ctx.Err() == nil {
			sc.cfg.Logf("notifications: %v", err)
		}
		return
	}
	for _, q := range due {
		if _, busy := sc.sending.LoadOrStore(q.ID, true); busy {
			continue
		}
		select {
		case sc.sendSem <- struct{}{}:
		default:
			sc.sending.Delete(q.ID)
			return
		}
		sc.inflight.Add(1)
		go func(q store.Queued) {
			defer sc.inflight.Done()
			defer func() { <-sc.sendSem; sc.sending.Delete(q.ID) }()
			DeliverOne(ctx, sc.s, sc.n, q, sc.cfg.Logf)
		}(q)
	}
}

// DeliverOne sends one queued notification (or drops it when the alert no
// longer wants it) and records the outcome, on the store's clock.
func DeliverOne(ctx context.Context, s *store.Store, n *Notifier, q store.Queued, logf func(string, ...any)) {
	now := s.Now()
	outcome, detail := "sent", ""
	if hold := holdFor(ctx, s, q, now); hold {
		if err := s.Write(context.Background(), model.SystemActor("notifier"), func(t *store.Tx) error {
			return t.PostponeNotification(q.ID, now.Add(time.Second))
		}); err != nil {
			logf("postpone notification %d: %v", q.ID, err)
		}
		return
	}
	if why := model.StillWanted(&q.Alert, q.Event, now); why != "" {
		outcome, detail = "dropped", why
	} else if err := n.Send(ctx, q); err != nil {
		if ctx.Err() != nil {
			return // shutting down; it stays pending for the next run
		}
		outcome, detail = "failed", err.Error()
		logf("notify alert %d via %s: %v", q.Alert.ID, q.Channel.Name, err)
	} else {
		detail = "to " + fmt.Sprint(q.Recipients)
	}
	err := s.Write(context.Background(), model.SystemActor("notifier"), func(t *store.Tx) error {
		return t.FinishNotification(q, outcome, detail)
	})
	if err != nil {
		logf("record notification %d: %v", q.ID, err)
	}
}

// maxHold bounds how long a suspect host can hold its services' pages.
const maxHold = 10 * time.Minute

// holdFor reports a first page to keep waiting because a device the
// service runs on is failing and may be about to claim the alert.
func holdFor(ctx context.Context, s *store.Store, q store.Queued, now time.Time) bool {
	if (q.Event != "fired" && q.Event != "flapping") || q.Alert.State != "firing" || now.Sub(q.CreatedAt) > maxHold {
		return false
	}
	host, err := s.SuspectHost(ctx, q.Alert)
	return err == nil && host != ""
}

func (sc *Scheduler) repeat(ctx context.Context) {
	err := sc.s.Write(ctx, system, func(t *store.Tx) error {
		_, err := t.EnqueueRepeats(sc.cfg.Notify.Repeat)
		return err
	})
	if err != nil && ctx.Err() == nil {
		sc.cfg.Logf("repeat notifications: %v", err)
	}
}

func (sc *Scheduler) maintain(ctx context.Context) {
	now := sc.cfg.Clock.Now()
	busy, peak := sc.pool.load()
	sc.cfg.Logf("%d checks scheduled; %d runs, %d results written in %d transactions; workers %d busy, peak %d of %d since the last line; %d dispatches waited for a worker (saturated) so far",
		sc.count(), sc.Runs.Load(), sc.Writes.Load(), sc.Batches.Load(), busy, peak, sc.cfg.Workers, sc.Saturated.Load())
	var err error
	for more := true; more && err == nil; {
		err = sc.s.Write(ctx, system, func(t *store.Tx) error {
			var e error
			more, e = t.Rollup(now, 1)
			return e
		})
	}
	// Prune a few thousand checks per transaction, so 50,000 checks never
	// hold the writer (and the results waiting for it) for long.
	for after := int64(0); err == nil; {
		err = sc.s.Write(ctx, system, func(t *store.Tx) error {
			var e error
			after, _, e = t.PruneStep(now, sc.cfg.Retention, after, pruneChunk)
			return e
		})
		if after == 0 {
			break
		}
	}
	if err != nil && ctx.Err() == nil {
		sc.cfg.Logf("rollups and retention: %v", err)
	}
}
