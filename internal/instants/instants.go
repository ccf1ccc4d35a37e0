// Package instants is the date matrix of opsdeck's tests: the instants at
// which the date-sensitive suites (console frames, ledger weeks and
// months, offboarding last days, backup retention, heartbeat lateness,
// rollups) must hold, each in its own time zone. A test that depends on
// today's date is a bug; these are the days that catch one.
//
// In-process tests loop with Each (or pin one instant with At); a subtest
// whose zone is not the process's re-runs itself in a child test process
// with TZ set, so time.Local is never changed under running goroutines.
// End-to-end tests hand Env to the opsdeck binary.
package instants

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, on machines without a zoneinfo database

	"github.com/jonboulle/clockwork"
)

// Instant is a wall-clock time in a zone.
type Instant struct {
	Name  string // subtest name
	Zone  string // IANA zone, set as TZ for the process that runs it
	Local string // "2006-01-02 15:04" in Zone
	Why   string
}

// Pinned is the instant goldens are drawn at and tests run at by default:
// a Friday evening, when the demo's week is complete. (Tests that are not
// about zones use its wall time in the local zone, Wall, so they draw the
// same frame in any TZ.)
var Pinned = Instant{"pinned-friday", "Europe/Berlin", "2026-11-27 18:00", "goldens and end-to-end tests"}

// All is the matrix (Pinned first).
var All = []Instant{
	Pinned,
	{"monday-0030", "Europe/Berlin", "2026-11-30 00:30", "a week 30 minutes old; also the last day of November"},
	{"sunday-2330", "Europe/Berlin", "2026-11-29 23:30", "the last half hour of a week (22:30 UTC)"},
	{"month-end-new-york", "America/New_York", "2027-01-31 21:30", "the last day of a month locally, already February in UTC"},
	{"leap-day-auckland", "Pacific/Auckland", "2028-02-29 08:00", "29 February 2028, still the 28th in UTC"},
	{"berlin-spring-forward", "Europe/Berlin", "2027-03-28 03:30", "just after 02:00 became 03:00 (a 23-hour day)"},
	{"berlin-fall-back", "Europe/Berlin", "2026-10-25 03:30", "just after 03:00 became 02:00 again (a 25-hour day)"},
	{"new-york-spring-forward", "America/New_York", "2027-03-14 03:30", "just after 02:00 became 03:00"},
	{"new-york-fall-back", "America/New_York", "2026-11-01 02:30", "just after 02:00 became 01:00 again"},
}

// Time is the instant.
func (in Instant) Time() time.Time {
	loc, err := time.LoadLocation(in.Zone)
	if err != nil {
		panic(fmt.Sprintf("instants: zone %s: %v", in.Zone, err))
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", in.Local, loc)
	if err != nil {
		panic(fmt.Sprintf("instants: %s: %v", in.Name, err))
	}
	return t
}

// Wall is the instant's wall time in the process's zone (time.Local).
func (in Instant) Wall() time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", in.Local, time.Local)
	if err != nil {
		panic(fmt.Sprintf("instants: %s: %v", in.Name, err))
	}
	return t
}

// Clock is a fake clock standing at the instant.
func (in Instant) Clock() *clockwork.FakeClock { return clockwork.NewFakeClockAt(in.Time()) }

// Env is the environment that runs the opsdeck binary at the instant: its
// zone, and the OPSDECK_NOW hook reading the instant at since (pass the
// same since to every process of one test so they share a timeline).
func (in Instant) Env(since time.Time) []string {
	return []string{"TZ=" + in.Zone, "OPSDECK_NOW=" + in.Time().Format(time.RFC3339),
		"OPSDECK_NOW_SINCE=" + since.Format(time.RFC3339Nano)}
}

const childVar = "OPSDECK_TEST_INSTANT"

// Each runs fn as a subtest at every instant of All, with time.Local in
// the instant's zone.
func Each(t *testing.T, fn func(t *testing.T, in Instant)) {
	t.Helper()
	for _, in := range All {
		At(t, in, fn)
	}
}

// At runs fn as a subtest named after in, with time.Local in in's zone:
// in this process when TZ already names it, else in a child process.
func At(t *testing.T, in Instant, fn func(t *testing.T, in Instant)) {
	t.Helper()
	t.Run(in.Name, func(t *testing.T) {
		if os.Getenv("TZ") == in.Zone {
			fn(t, in)
			return
		}
		runChild(t, in)
	})
}

// runChild runs this one subtest again in a child test process whose TZ
// is the instant's zone.
func runChild(t *testing.T, in Instant) {
	t.Helper()
	var pat []string
	for _, part := range strings.Split(t.Name(), "/") {
		pat = append(pat, "^"+regexp.QuoteMeta(part)+"$")
	}
	cmd := exec.Command(os.Args[0], "-test.run="+strings.Join(pat, "/"), "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "TZ="+in.Zone, childVar+"="+in.Name)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("at %s %s (%s; TZ=%s): %v\n%s", in.Local, in.Zone, in.Why, in.Zone, err, out)
	}
	if testing.Verbose() {
		t.Logf("at %s %s (TZ=%s, child process):\n%s", in.Local, in.Zone, in.Zone, out)
	}
}
