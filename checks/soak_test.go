package checks

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/testenv/pg"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// TestSoak5000Checks is the scheduler benchmark of issues 5 and 24: HTTP
// checks every 30 s against one loopback HTTP server that counts hits,
// running in a separate process (its CPU is not billed to the scheduler),
// for OPSDECK_SOAK (e.g. 90s) after a first interval; OPSDECK_SOAK_CHECKS
// sets the number of checks (default 5,000; make bench: 5k, 20k, 50k). It
// reports checks/s achieved vs wanted, the share of checks started within
// the first interval, p50/p99/max dispatch lateness, CPU (share of one
// core, per check, and as a ratio to a bare Go HTTP request loop against
// the same server measured in the same run), RSS, database growth and the
// projected size of a year. Skipped unless OPSDECK_SOAK is set: it is a
// measurement, not a test; only runs that are not up fail it.
func TestSoak5000Checks(t *testing.T) {
	dur, err := time.ParseDuration(os.Getenv("OPSDECK_SOAK"))
	if err != nil {
		t.Skip("set OPSDECK_SOAK=90s to run the scheduler soak benchmark (OPSDECK_SOAK_CHECKS=50000 for the large one)")
	}
	const interval = 30 * time.Second
	nChecks := 5000
	if n, err := strconv.Atoi(os.Getenv("OPSDECK_SOAK_CHECKS")); err == nil && n > 0 {
		nChecks = n
	}
	// As `opsdeck run` does (restored after: this is the test process).
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	t.Logf("memory soft limit: %d MiB", SetMemoryLimit()>>20)
	addr := startServerProcess(t, 1)[0]
	ref := filepath.Join(t.TempDir(), "t.db")
	if os.Getenv("OPSDECK_SOAK_ENGINE") == "postgres" {
		// The same soak on PostgreSQL (make bench): a database on the
		// test server (internal/testenv/pg, or OPSDECK_TEST_PG).
		ref = pg.URL(t)
		t.Logf("engine: PostgreSQL")
	}
	s, svc := testDBAt(t, ref)
	for from := 0; from < nChecks; from += 5000 {
		err = s.Write(context.Background(), admin, func(tx *store.Tx) error {
			for i := from; i < min(nChecks, from+5000); i++ {
				c := model.Check{Name: fmt.Sprintf("soak-%05d", i), Kind: "http", ServiceID: &svc.ID, IntervalS: int(interval.Seconds()), TimeoutS: 5,
					Target: fmt.Sprintf("http://%s/health/%d", addr, i), Condition: `status == 200 && latency < 1s`}
				if err := tx.AddCheck(&c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	bareBefore := bareRequestCPU(t, addr, 3*time.Second, 0)
	var mu sync.Mutex
	var late, firstLate []time.Duration
	var down int
	started := map[int64]bool{} // checks that started within the first interval
	t0 := time.Now()
	measureFrom := t0.Add(interval)
	sc := NewScheduler(s, Config{Logf: t.Logf, OnResult: func(o store.Outcome, l time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if o.Result.At.Before(measureFrom) {
			started[o.Result.CheckID] = true
			firstLate = append(firstLate, l)
			return
		}
		late = append(late, l)
		if o.Check.Kind == model.SourceScheduler {
			return // opsdeck's own check: down says the pool saturated (counted below), not the server
		}
		if !o.Result.OK() {
			if down < 3 {
				t.Logf("not up: %s: %s %s", o.Result.CheckName, o.Result.Status, o.Result.Message)
			}
			down++
		}
	}})
	stop := runScheduler(t, sc)

	time.Sleep(time.Until(measureFrom))
	cpu0, wall0, hits0, db0 := cpuTime(), time.Now(), serverHits(t, addr), dbBytes(t, s)
	runs0, writes0, batches0, sat0 := sc.Runs.Load(), sc.Writes.Load(), sc.Batches.Load(), sc.Saturated.Load()
	if f := os.Getenv("OPSDECK_SOAK_CPUPROFILE"); f != "" {
		// The measured window only (go test -cpuprofile would also take
		// in creating the checks and the size projection).
		out, err := os.Create(f)
		if err != nil {
			t.Fatal(err)
		}
		pprof.StartCPUProfile(out)
		defer out.Close()
	}
	time.Sleep(dur)
	pprof.StopCPUProfile()
	cpu1, wall1, hits1, db1 := cpuTime(), time.Now(), serverHits(t, addr), dbBytes(t, s)
	runs1, writes1, batches1 := sc.Runs.Load(), sc.Writes.Load(), sc.Batches.Load()
	rss, hwm := memStatus()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if f := os.Getenv("OPSDECK_SOAK_MEMPROFILE"); f != "" {
		if out, err := os.Create(f); err == nil {
			pprof.WriteHeapProfile(out)
			out.Close()
		}
	}
	stop()
	bareAfter := bareRequestCPU(t, addr, 3*time.Second, 0)
	bare := (bareBefore + bareAfter) / 2
	paced := bareRequestCPU(t, addr, 3*time.Second, interval/time.Duration(nChecks))
	mu.Lock()
	p50, p99, maxL := Lateness(late)
	_, fp99, fmax := Lateness(firstLate)
	n, nDown, nStarted := len(late), down, len(started)
	mu.Unlock()
	secs := wall1.Sub(wall0).Seconds()
	runs := float64(runs1 - runs0)
	perCheck := (cpu1 - cpu0) / time.Duration(max(1, runs1-runs0))
	t.Logf("load average before/after: %s", loadAvg())
	t.Logf("checks: %d every %s; runs measured: %d (%d not up) over %.0fs", nChecks, interval, n, nDown, secs)
	t.Logf("rate: %.0f checks/s achieved of %.0f wanted (%.1f%%); server counted %.0f hits/s", runs/secs, float64(nChecks)/interval.Seconds(),
		100*runs/secs/(float64(nChecks)/interval.Seconds()), float64(hits1-hits0)/secs)
	t.Logf("first interval: %.1f%% of checks started within %s of the scheduler starting (lateness there p99 %v, max %v)",
		100*float64(nStarted)/float64(nChecks), interval, fp99, fmax)
	t.Logf("dispatch lateness: p50 %v  p99 %v  max %v (target p99 < 25ms)", p50, p99, maxL)
	t.Logf("CPU: %.1f%% of one core; %v per check (scheduler, probe, condition, writes)", 100*(cpu1-cpu0).Seconds()/secs, perCheck.Round(time.Microsecond/10))
	t.Logf("bare request: %v CPU per request (sequential keep-alive Go client, same server, same run: %v before the scheduler, %v after); ratio %.2f× (target ≤ 2.5×)",
		bare.Round(time.Microsecond/10), bareBefore.Round(time.Microsecond/10), bareAfter.Round(time.Microsecond/10), float64(perCheck)/float64(bare))
	t.Logf("paced bare request: %v CPU per request at the soak's rate (one every %v, idling between as the scheduler does); ratio %.2f×",
		paced.Round(time.Microsecond/10), interval/time.Duration(nChecks), float64(perCheck)/float64(paced))
	t.Logf("RSS: %d MB now, %d MB peak (target < 150 MB); Go heap in use %d MB, goroutine stacks %d MB, Go runtime total %d MB (the rest: SQLite's page caches and allocations)",
		rss>>20, hwm>>20, ms.HeapInuse>>20, ms.StackInuse>>20, ms.Sys>>20)
	t.Logf("saturation: %d dispatches waited for a worker (%d before the measured window)", sc.Saturated.Load(), sat0)
	t.Logf("writes: %.0f results/s in %.1f transactions/s; database grew %.1f MB/hour while filling (raw results not yet at their count)",
		float64(writes1-writes0)/secs, float64(batches1-batches0)/secs, float64(db1-db0)/secs*3600/1e6)
	if nDown > 0 {
		t.Errorf("%d runs were not up against a healthy loopback server", nDown)
	}
	if s.Postgres() {
		return // the size projection reads SQLite's dbstat
	}
	projectSize(t, s, nChecks)
}

// bareRequestCPU is the CPU one plain Go HTTP GET costs this process on
// the soak's server: a sequential keep-alive client loop for d.
//
// every > 0 paces the loop at one request per every (the soak's rate):
// then the process idles between requests as the scheduler does, and
// each request pays for waking the runtime's threads, which a tight loop
// never does. The ratio target uses the tight loop (every 0).
func bareRequestCPU(t *testing.T, addr string, d, every time.Duration) time.Duration {
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	defer c.CloseIdleConnections()
	n := 0
	var tick <-chan time.Time
	if every > 0 {
		tk := time.NewTicker(every)
		defer tk.Stop()
		tick = tk.C
	}
	cpu0, end := cpuTime(), time.Now().Add(d)
	for time.Now().Before(end) {
		if tick != nil {
			<-tick
		}
		resp, err := c.Get(fmt.Sprintf("http://%s/health/%d", addr, n))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		n++
	}
	return (cpuTime() - cpu0) / time.Duration(n)
}

func serverHits(t *testing.T, addr string) int64 {
	resp, err := http.Get("http://" + addr + "/hits")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	n, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return n
}

// dbBytes is the database's size in use (pages minus free pages),
// including what still sits in the WAL.
func dbBytes(t *testing.T, s *store.Store) int64 {
	var pages, free, size int64
	db := s.ReadDB()
	if s.Postgres() {
		db.QueryRow(`SELECT pg_database_size(current_database())`).Scan(&size)
		return size
	}
	db.QueryRow(`PRAGMA page_count`).Scan(&pages)
	db.QueryRow(`PRAGMA freelist_count`).Scan(&free)
	db.QueryRow(`PRAGMA page_size`).Scan(&size)
	return (pages - free) * size
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// projectSize measures the bytes per row of each history table in a
// database written the way a year of running leaves it (rows interleaved
// in time across checks, dbstat), then projects 50,000 checks every 30 s
// for a year under DefaultRetention:
//
//	year = C × (rawRows × raw + 24 × HourlyDays × hourly + 365 × daily + perCheck)
//
// rawRows = 130: RawKeep (100) or, when more, the results since the last
// rolled-up hour (≤ 65 min at 30 s; rollups run every 5 minutes), plus
// state changes (worst case ChangeKeep more, for a check that flaps all
// year). perCheck is the checks and check_state rows, from the soak.
func projectSize(t *testing.T, soak *store.Store, nChecks int) {
	ctx := context.Background()
	per := func(s *store.Store, names ...string) (bytes int64) {
		for _, n := range names {
			var b int64
			if err := s.ReadDB().QueryRowContext(ctx, `SELECT coalesce(sum(pgsize),0) FROM dbstat WHERE name = ?`, n).Scan(&b); err != nil {
				t.Fatalf("dbstat: %v", err)
			}
			bytes += b
		}
		return bytes
	}
	fixed := float64(per(soak, "checks", "check_state", "sqlite_autoindex_checks_1")) / float64(nChecks)

	const sim, rawRows = 1000, 130
	s, svc := testDB(t)
	err := s.Write(ctx, admin, func(tx *store.Tx) error {
		for i := range sim {
			c := model.Check{Name: fmt.Sprintf("size-%04d", i), Kind: "http", ServiceID: &svc.ID, IntervalS: 30, Target: "http://127.0.0.1:1/"}
			if err := tx.AddCheck(&c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-400 * 24 * time.Hour).UTC().Truncate(24 * time.Hour)
	write := func(b store.HistoryBatch) {
		if err := s.Write(ctx, admin, func(tx *store.Tx) error { return tx.InsertHistory(b) }); err != nil {
			t.Fatal(err)
		}
	}
	for d := range 30 { // days, then hours, then raw rounds: each across all checks, in time order
		var b store.HistoryBatch
		for c := range sim {
			b.Daily = append(b.Daily, store.RollupRow{CheckID: int64(c + 1), Rollup: store.Rollup{Bucket: at.Add(time.Duration(d) * 24 * time.Hour), N: 2880, OK: 2875, P50: 0.4 + float64(c%7)/10, P95: 1.3, Max: 17.2}})
		}
		write(b)
	}
	for h := range 48 {
		var b store.HistoryBatch
		for c := range sim {
			b.Hourly = append(b.Hourly, store.RollupRow{CheckID: int64(c + 1), Rollup: store.Rollup{Bucket: at.Add(time.Duration(h) * time.Hour), N: 120, OK: 120, P50: 0.4 + float64(c%7)/10, P95: 1.3, Max: 4.2}})
		}
		write(b)
	}
	for r := range rawRows {
		var b store.HistoryBatch
		for c := range sim {
			res := store.RawResult{CheckID: int64(c + 1), At: at.Add(time.Duration(r)*30*time.Second + time.Duration(c)*time.Millisecond), Status: "up", LatencyMs: 0.3 + float64((r*c)%40)/10}
			if (r+c)%97 == 0 {
				res.Status, res.Message = "down", fmt.Sprintf("Get \"http://10.0.%d.%d/health\": dial tcp: connection refused", c/250, c%250)
			}
			b.Results = append(b.Results, res)
		}
		write(b)
	}
	raw := float64(per(s, "check_results", "check_results_changes")) / (sim * rawRows)
	hourly := float64(per(s, "check_rollups_hourly")) / (sim * 48)
	daily := float64(per(s, "check_rollups_daily")) / (sim * 30)
	t.Logf("bytes per row (1,000 checks written in time order): raw result %.1f, hourly rollup %.1f, daily rollup %.1f; per check (checks, check_state) %.0f",
		raw, hourly, daily, fixed)
	r := store.DefaultRetention
	const C = 50000
	rawMB := C * rawRows * raw / 1e6
	hourlyMB := C * 24 * float64(r.HourlyDays) * hourly / 1e6
	dailyMB := C * 365 * daily / 1e6
	fixedMB := C * fixed / 1e6
	t.Logf("projected 50,000 checks × 30 s × 1 year (raw %d/check, hourly %dd, daily 1y): raw %.0f MB + hourly %.0f MB + daily %.0f MB + checks %.0f MB = %.0f MB (target < 2 GB); a check flapping all year adds %.0f MB per 50,000",
		rawRows, r.HourlyDays, rawMB, hourlyMB, dailyMB, fixedMB, rawMB+hourlyMB+dailyMB+fixedMB, C*float64(r.ChangeKeep)*raw/1e6)
	t.Logf("steady-state growth, 50,000 checks: %.1f MB/hour for the first %d days (hourly and daily rollups), then %.2f MB/hour (daily rollups) until day %d",
		C*(hourly+daily/24)/1e6, r.HourlyDays, C*daily/24/1e6, r.DailyDays)
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// memStatus reads VmRSS and VmHWM (peak) from /proc/self/status, in bytes.
func memStatus() (rss, hwm int64) {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			switch f[0] {
			case "VmRSS:":
				rss = kb << 10
			case "VmHWM:":
				hwm = kb << 10
			}
		}
	}
	return rss, hwm
}

// startServerProcess re-runs this test binary as n loopback HTTP servers
// (TestHelperServers) and returns their addresses.
func startServerProcess(t *testing.T, n int) []string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServers$")
	cmd.Env = append(os.Environ(), "OPSDECK_HELPER_SERVERS="+strconv.Itoa(n))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(out)
	var addrs []string
	for len(addrs) < n && sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "LISTEN "); ok {
			addrs = append(addrs, a)
		}
	}
	if len(addrs) < n {
		t.Fatalf("helper servers: got %v", addrs)
	}
	go func() {
		for sc.Scan() {
		}
	}()
	return addrs
}

// TestHelperServers is not a test: it is the server process of the soak.
func TestHelperServers(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("OPSDECK_HELPER_SERVERS"))
	if n == 0 {
		t.Skip("helper process for TestSoak5000Checks")
	}
	var hits atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hits" {
			fmt.Fprint(w, hits.Load())
			return
		}
		hits.Add(1)
		fmt.Fprint(w, "ok")
	})
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go http.Serve(ln, h)
		fmt.Printf("LISTEN %s\n", ln.Addr())
	}
	select {}
}

// Lateness summarizes dispatch delays.
func Lateness(samples []time.Duration) (p50, p99, maxD time.Duration) {
	if len(samples) == 0 {
		return 0, 0, 0
	}
	s := append([]time.Duration(nil), samples...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	q := func(f float64) time.Duration { return s[min(len(s)-1, int(f*float64(len(s))))] }
	return q(0.5), q(0.99), s[len(s)-1]
}
