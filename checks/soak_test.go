package checks

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// TestSoak5000Checks is the scheduler benchmark: 5,000 HTTP checks at a
// 30 s interval against loopback servers running in a separate process (so
// their CPU is not billed to the scheduler), for OPSDECK_SOAK (e.g. 3m).
// It reports p99 dispatch lateness, CPU share, RSS, write rate and the
// projected database size for 5,000 checks × 1/min × 1 year. Skipped
// unless OPSDECK_SOAK is set: it is a measurement, not a test.
// OPSDECK_SOAK_CHECKS runs another number of checks (make bench: 10000).
func TestSoak5000Checks(t *testing.T) {
	dur, err := time.ParseDuration(os.Getenv("OPSDECK_SOAK"))
	if err != nil {
		t.Skip("set OPSDECK_SOAK=3m to run the 5,000-check soak benchmark")
	}
	const interval = 30
	nChecks := 5000
	if n, err := strconv.Atoi(os.Getenv("OPSDECK_SOAK_CHECKS")); err == nil && n > 0 {
		nChecks = n
	}
	addrs := startServerProcess(t, 10)
	s, svc := testDB(t)
	err = s.Write(context.Background(), admin, func(tx *store.Tx) error {
		for i := range nChecks {
			c := model.Check{Name: fmt.Sprintf("soak-%05d", i), Kind: "http", ServiceID: &svc.ID, IntervalS: interval, TimeoutS: 5,
				Target: fmt.Sprintf("http://%s/health/%d", addrs[i%len(addrs)], i), Condition: `status == 200 && latency < 1s`}
			if err := tx.AddCheck(&c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var late []time.Duration
	measureFrom := time.Now().Add(interval * time.Second) // skip the first round
	var down int
	sc := NewScheduler(s, Config{Logf: t.Logf, OnResult: func(o store.Outcome, l time.Duration) {
		if time.Now().Before(measureFrom) {
			return
		}
		mu.Lock()
		late = append(late, l)
		if !o.Result.OK() {
			down++
		}
		mu.Unlock()
	}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- sc.Run(ctx) }()

	time.Sleep(time.Until(measureFrom))
	cpu0, wall0 := cpuTime(), time.Now()
	writes0, batches0 := sc.Writes.Load(), sc.Batches.Load()
	time.Sleep(dur)
	cpu1, wall1 := cpuTime(), time.Now()
	writes1, batches1 := sc.Writes.Load(), sc.Batches.Load()
	rss, hwm := memStatus()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	p50, p99, maxL := Lateness(late)
	n, nDown := len(late), down
	mu.Unlock()
	secs := wall1.Sub(wall0).Seconds()
	t.Logf("checks: %d every %ds; runs measured: %d (%d not up) over %.0fs", nChecks, interval, n, nDown, secs)
	t.Logf("dispatch lateness: p50 %v  p99 %v  max %v (target p99 < 1s)", p50, p99, maxL)
	t.Logf("CPU: %.1f%% of one core (target < 25%%)", 100*(cpu1-cpu0).Seconds()/secs)
	t.Logf("RSS: %d MB now, %d MB peak (target < 150 MB)", rss>>20, hwm>>20)
	t.Logf("writes: %.0f results/s in %.1f transactions/s", float64(writes1-writes0)/secs, float64(batches1-batches0)/secs)
	if nDown > 0 {
		t.Errorf("%d runs were not up against healthy loopback servers", nDown)
	}
	projectSize(t, s)
}

// projectSize measures bytes per row of raw results and rollups (dbstat)
// and projects 5,000 checks × 1/min × 1 year under DefaultRetention.
func projectSize(t *testing.T, s *store.Store) {
	ctx := context.Background()
	now := time.Now()
	// Roll up what is there into one hourly and one daily row per check.
	if err := s.Write(ctx, system, func(tx *store.Tx) error { _, err := tx.Rollup(now.Add(25*time.Hour), 100); return err }); err != nil {
		t.Fatal(err)
	}
	per := map[string]float64{}
	for _, table := range []string{"check_results", "check_rollups_hourly", "check_rollups_daily"} {
		var bytes, rows int64
		if err := s.ReadDB().QueryRowContext(ctx, `SELECT coalesce(sum(pgsize),0) FROM dbstat WHERE name = ?`, table).Scan(&bytes); err != nil {
			t.Logf("dbstat unavailable: %v", err)
			return
		}
		s.ReadDB().QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&rows)
		if rows > 0 {
			per[table] = float64(bytes) / float64(rows)
		}
		t.Logf("%s: %d rows, %d bytes, %.1f bytes/row", table, rows, bytes, per[table])
	}
	r := store.DefaultRetention
	const checks = 5000
	raw := per["check_results"] * checks * 1440 * float64(r.RawDays)
	hourly := per["check_rollups_hourly"] * checks * 24 * float64(min(r.HourlyDays, 365))
	daily := per["check_rollups_daily"] * checks * 365
	t.Logf("projected 5,000 checks × 1/min × 1 year (raw %dd, hourly %dd, daily 1y): raw %.0f MB + hourly %.0f MB + daily %.0f MB = %.0f MB (target < 1 GB)",
		r.RawDays, r.HourlyDays, raw/1e6, hourly/1e6, daily/1e6, (raw+hourly+daily)/1e6)
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
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
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
