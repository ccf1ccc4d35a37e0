package main

import "testing"

// TestCLIStoriesOnPostgres runs the command-line stories that matter
// (writes and bad input, import, offboarding, ledger, the scheduler and
// its alerts) again on PostgreSQL: newDB hands each a fresh database on
// the test server (internal/testenv/pg), and the binary gets --db
// postgres://…. They run inside this test rather than in a second
// 'go test' so the binary is built once.
func TestCLIStoriesOnPostgres(t *testing.T) {
	t.Setenv(engineEnv, "postgres")
	for _, s := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"writes", TestAddEditDeactivateAreAudited},
		{"bad input", TestBadInputExitsNonZeroAndWritesNothing},
		{"import", TestImportGolden},
		{"import bad rows", TestImportSevenBadOfThousand},
		{"offboarding", TestOffboardBill},
		{"offboarding undo", TestOffboardUndo},
		{"ledger", TestLedgerInterruptAndResume},
		{"checks and alerts", TestChecksDoneMeans},
		{"checks bad input", TestChecksBadInputRefused},
		{"heartbeat and run once", TestHeartbeatPingAndRunOnce},
	} {
		t.Run(s.name, s.fn)
	}
}
