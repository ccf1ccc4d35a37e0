package checks

import (
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
	Workers   int           // concurrent check runs (default 256)
	Tick      time.Duration // how often the dispatcher looks for due checks (default 250 ms)
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
		c.Workers = 256
	}
	if c.Tick <= 0 {
		c.Tick = 250 * time.Millisecond
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

// entry is one check as the dispatcher tracks it in memory; SQLite keeps
// next_run_at so a restart resumes on the same beat.
type entry struct {
	check   model.Check
	next    time.Time
	running bool
}

// Scheduler runs the checks of one database. A few gocron jobs drive it:
// a dispatcher that starts due checks on a bounded pool (one goroutine per
// running check, at most Workers), a writer that stores results in
// batches, a notifier that drains the queue on its own goroutines, plus
// lease renewal, reload, repeats and rollups. A check's run never waits for
// another check, a write or a notification.
type Scheduler struct {
	s   *store.Store
	r   *Runner
	n   *Notifier
	cfg Config

	mu       sync.Mutex
	entries  map[int64]*entry
	mark     string // checks' change mark at the last reload
	sem      chan struct{}
	results  chan store.Outcome
	inflight sync.WaitGroup
	sending  sync.Map // queue id → true while being delivered
	sendSem  chan struct{}

	workMu   sync.Mutex     // guards stopping against a late job starting work
	stopping bool           // no more long work starts
	work     sync.WaitGroup // the Jobs' long work

	// Counters for `opsdeck run` status lines and the benchmark.
	Runs, Writes, Batches, Skipped atomic.Int64
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
	return &Scheduler{s: s, r: r, n: NewNotifier(), cfg: cfg, entries: map[int64]*entry{},
		sem: make(chan struct{}, cfg.Workers), results: make(chan store.Outcome, 4096), sendSem: make(chan struct{}, 8)}
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
		every(sc.cfg.Tick, "dispatch", func() { sc.dispatch(ctx) }),
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
		every(5*time.Minute, "maintenance", func() { sc.maintain(ctx) }),
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
	g.Start()
	sc.cfg.Logf("scheduling %d checks as %s", sc.count(), sc.cfg.Holder)
	<-ctx.Done()
	g.Shutdown()
	sc.workMu.Lock()
	sc.stopping = true
	sc.workMu.Unlock()
	sc.work.Wait()
	sc.inflight.Wait()
	close(sc.results)
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
	for _, c := range cs {
		seen[c.ID] = true
		e, ok := sc.entries[c.ID]
		if !ok {
			e = &entry{next: sc.trustedNext(c, states[c.ID].NextRunAt, now)}
			sc.entries[c.ID] = e
		} else if e.check.IntervalS != c.IntervalS {
			e.next = sc.trustedNext(c, states[c.ID].NextRunAt, now)
		}
		e.check = c
	}
	for id := range sc.entries {
		if !seen[id] {
			delete(sc.entries, id)
		}
	}
	sc.mark = mark
	return nil
}

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

// dispatch starts every due check that is not already running, as long as
// the pool has room; a check that finds the pool full stays due and starts
// on a later tick (that is lateness, and it is measured).
func (sc *Scheduler) dispatch(ctx context.Context) {
	now := sc.cfg.Clock.Now()
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for _, e := range sc.entries {
		if e.running || e.next.After(now) || ctx.Err() != nil {
			continue
		}
		select {
		case sc.sem <- struct{}{}:
		default:
			sc.Skipped.Add(1)
			return
		}
		e.running = true
		late := now.Sub(e.next)
		iv := e.check.RunEvery()
		next := model.NextRun(now, iv, model.Offset(e.check.ID, iv))
		c := e.check
		sc.inflight.Add(1)
		go sc.runOne(ctx, e, c, next, late)
	}
}

func (sc *Scheduler) runOne(ctx context.Context, e *entry, c model.Check, next time.Time, late time.Duration) {
	defer sc.inflight.Done()
	defer func() { <-sc.sem }()
	var st *model.CheckState
	if c.Kind == "heartbeat" {
		if s, err := sc.s.CheckState(ctx, c.ID); err == nil {
			st = &s
		}
	}
	res := sc.r.Run(ctx, &c, st)
	sc.mu.Lock()
	e.running = false
	e.next = next
	sc.mu.Unlock()
	if ctx.Err() != nil {
		return // shutting down: a cancelled probe says nothing about the target
	}
	sc.Runs.Add(1)
	o := store.Outcome{Result: res, NextRun: next}
	if sc.cfg.OnResult != nil {
		sc.cfg.OnResult(o, late)
	}
	sc.results <- o
}

// writer stores results in batches: everything that arrived within Flush,
// in one transaction. A batch that fails to commit (the database busy past
// store.BusyWait under a long import, a full disk) is kept and tried again
// with the next flush, never dropped; while it waits, new results queue
// behind it and, once the queue is full, checks wait to hand theirs over
// (they run late, which is measured) rather than lose them. At shutdown
// the writer keeps trying for up to shutdownRetry, then names what it
// could not write.
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
	for {
		// While a failed batch waits, take no more than a full batch's
		// worth: the rest stays queued in the channel.
		in := sc.results
		if failures > 0 && len(batch) >= maxBatch {
			in = nil
		}
		select {
		case o, ok := <-in:
			if !ok {
				deadline := time.Now().Add(shutdownRetry)
				for !flush() && time.Now().Before(deadline) {
					time.Sleep(sc.cfg.Flush)
				}
				if len(batch) > 0 {
					sc.cfg.Logf("stopping with %d results not written (database unwritable for %s): %s", len(batch), shutdownRetry, outcomeList(batch))
				}
				return
			}
			batch = append(batch, o)
			if len(batch) >= maxBatch && failures == 0 {
				flush()
			}
		case <-tick.Chan():
			flush()
		}
	}
}

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
	sc.cfg.Logf("%d checks scheduled; %d runs, %d results written in %d transactions, %d dispatches deferred (pool full) so far",
		sc.count(), sc.Runs.Load(), sc.Writes.Load(), sc.Batches.Load(), sc.Skipped.Load())
	var err error
	for more := true; more && err == nil; {
		err = sc.s.Write(ctx, system, func(t *store.Tx) error {
			var e error
			more, e = t.Rollup(now, 1)
			return e
		})
	}
	if err == nil {
		err = sc.s.Write(ctx, system, func(t *store.Tx) error { _, err := t.Prune(now, sc.cfg.Retention); return err })
	}
	if err != nil && ctx.Err() == nil {
		sc.cfg.Logf("rollups and retention: %v", err)
	}
}
