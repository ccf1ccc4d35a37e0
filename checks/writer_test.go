package checks

import (
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/testenv"
	"github.com/opsdeck/opsdeck/model"
)

// A result batch that fails to commit is kept and written later, never
// dropped: here every insert into check_results fails for a while (as a
// full disk or a lock held past the busy wait would make it), then works.
func TestFailedResultBatchIsRetried(t *testing.T) {
	s, svc := testDB(t)
	ln := testenv.TCPUp(t)
	var cs []*model.Check
	for i := range 20 {
		cs = append(cs, &model.Check{Name: fmt.Sprintf("tcp-%d", i), Kind: "tcp", Target: ln.Addr().String(), ServiceID: &svc.ID, IntervalS: 5, TimeoutS: 2})
	}
	addChecks(t, s, cs...)

	// A second connection, as another process would, breaks writes.
	other, err := sql.Open("sqlite", "file:"+s.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Exec(`CREATE TRIGGER break_results BEFORE INSERT ON check_results BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END`); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var logged []string
	sc := NewScheduler(s, Config{Flush: 100 * time.Millisecond, Logf: func(f string, a ...any) {
		mu.Lock()
		logged = append(logged, fmt.Sprintf(f, a...))
		mu.Unlock()
	}})
	stop := runScheduler(t, sc)
	for sc.Runs.Load() < 20 {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // several failed flushes
	if w := sc.Writes.Load(); w != 0 {
		t.Fatalf("%d results written through a failing trigger", w)
	}
	if _, err := other.Exec(`DROP TRIGGER break_results`); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for sc.Writes.Load() < 20 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	var stored int64
	if err := s.ReadDB().QueryRow(`SELECT count(*) FROM check_results`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if runs := sc.Runs.Load(); stored != runs || sc.Writes.Load() != runs {
		t.Fatalf("%d runs, %d written, %d stored: results were dropped", runs, sc.Writes.Load(), stored)
	}
	mu.Lock()
	defer mu.Unlock()
	all := strings.Join(logged, "\n")
	if !strings.Contains(all, "kept, trying again") || !strings.Contains(all, "after") {
		t.Errorf("the failure and the recovery were not reported:\n%s", all)
	}
}
