# opsdeck — the two commands a new machine needs are `make run` and `make test`.
GO      ?= go
BIN     ?= opsdeck
DEMO_DB ?= $(CURDIR)/demo.db
export CGO_ENABLED = 0

.PHONY: build run test test-postgres test-race bench lint soak clean

build:
	$(GO) build -trimpath -ldflags "-s -w -X github.com/opsdeck/opsdeck/cli.Version=$$(git describe --always --dirty 2>/dev/null || echo dev)" -o $(BIN) .

# Opens the console on the demo company (loaded on first run; loading is idempotent).
run: build
	./$(BIN) --db $(DEMO_DB) demo >/dev/null
	./$(BIN) --db $(DEMO_DB)

# A test that needs a tool the machine lacks (tmux, the OpenSSH client)
# fails under CI=true and is skipped elsewhere; the run then ends with one
# line naming the skipped tests and how to install what they need
# (internal/testenv).
test:
	$(GO) vet ./...
	@log=$$(mktemp); echo "$(GO) test -count=1 -timeout 15m ./..."; \
	OPSDECK_SKIP_LOG=$$log $(GO) test -count=1 -timeout 15m ./...; rc=$$?; \
	$(GO) run ./internal/testenv/skipreport $$log; rm -f $$log; exit $$rc
	# The import-vs-writers race at the issue's full size (200,000 rows).
	OPSDECK_RACE_ROWS=200000 $(GO) test -count=1 -timeout 10m -run 'TestImportBesideSchedulerAndWriters$$' .
	$(MAKE) test-postgres

# The store's tests again on PostgreSQL: a server the tests start themselves
# from the machine's PostgreSQL binaries (internal/testenv/pg;
# OPSDECK_TEST_PG=postgres://… uses another). The date-matrix sweeps run on
# SQLite only: they test dates, not the engine. The CLI stories run on
# PostgreSQL inside the main run (TestCLIStoriesOnPostgres), as do db copy
# and the active/standby pair.
test-postgres:
	OPSDECK_TEST_ENGINE=postgres $(GO) test -count=1 -timeout 10m -skip 'AtEveryInstant' ./store

# The packages that start goroutines (transfer starts none; it runs under
# the console's Cmds in ./ui), under the race detector (needs cgo and
# gcc), and the end-to-end tests that drive the console, the SSH server and
# the scheduler in a binary built with -race (RACE_E2E: the root package's
# TestMain builds it and runs only those; any race report fails the run).
# In ./ui only the tests that run a real tea.Program (RACE_UI) start
# goroutines; the rest drive the model synchronously and cost ten times
# their time under -race for nothing.
RACE_PKGS ?= ./ui/components/... ./sshd ./checks ./store ./backups ./cli ./internal/...
RACE_UI   ?= InRealProgram|ZeroSizeDoesNotFlood|RemoteImport
# One test per concurrent path of the console under a -race binary: the shell and its reloads,
# alert triage, import, Home with the side pane, a checklist walk (the engine onboarding and the
# access review share), offboarding, SSH and the scheduler's HTTP sources. The other console
# tests drive the same paths and run without -race in `make test`. The race run is at the pinned
# instant only: the date matrix is about calendars, not goroutines, and `make test` covers it.
RACE_E2E  ?= ConsoleEndToEnd$$|AlertsConsoleEndToEnd|ConsoleImportEndToEnd|HomeConsoleWide|ReviewInTheConsole|OffboardBillInTheConsole|OnCallOverSSH|HostileInputEndToEnd|BackupJobReportsOverHTTP
test-race:
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 20m -run '$(RACE_UI)' ./ui
	CGO_ENABLED=1 OPSDECK_DATE_MATRIX= OPSDECK_E2E_RACE='$(RACE_E2E)' $(GO) test -race -count=1 -timeout 20m -skip 'AtEveryInstant' $(RACE_PKGS) .

# Regenerates BENCHMARKS.md (~10 min; long versions via env vars, see the file).
bench:
	GO=$(GO) ./scripts/bench.sh

# The long version of the fault suites: 100 SIGKILL trials, the 5,000-check
# scheduler soak for 3 minutes, the hostile-input and fault suites 5 times.
soak:
	OPSDECK_CRASH_TRIALS=100 $(GO) test -count=1 -timeout 30m -run 'TestCrashSafety' -v . | tail -n 5
	OPSDECK_SOAK=3m $(GO) test -count=1 -timeout 30m -run 'TestSoak5000Checks$$' -v ./checks | grep -E '^(---|ok|FAIL)|soak_test'
	$(GO) test -count=5 -timeout 30m -run 'TestHostile' -v . | grep -E '^(---|ok|FAIL)'
	$(GO) test -count=5 -timeout 30m -run 'TestDNSServerStopsAnswering|TestSMTPDownThenBack|TestHungTarget|TestSlowNotifier' -v ./checks | grep -E '^(---|ok|FAIL)'

lint:
	@test -z "$$(gofmt -l .)" || { gofmt -l .; exit 1; }
	$(GO) vet ./...

clean:
	rm -f $(BIN) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
