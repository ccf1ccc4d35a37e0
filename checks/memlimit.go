package checks

import (
	"os"
	"runtime/debug"
)

// MemoryLimit is the soft limit `opsdeck run` puts on the Go runtime's
// memory unless GOMEMLIMIT says otherwise. Without it the heap may grow to
// twice what is live (GOGC=100) before a collection, and a burst (every
// worker busy against a starved target, each with a request, a response
// and a connection's buffers) doubled a 50,000-check scheduler's resident
// memory to ~300 MB. With it the collector works harder when memory nears
// the limit instead. It must stay well above the working set: the live
// heap at 50,000 checks is ~40 MB and the Go runtime held ~110 MB at 50k
// in a healthy run (100 MiB limit: 147 MiB resident at the peak, SQLite's
// caches included); at 80 MiB a burst at start pushed the heap past the
// limit and the collector took half of the CPU (its cap), which kept the
// pool saturated (BENCHMARKS.md). It is soft: live memory above it is
// never refused.
const MemoryLimit = 100 << 20

// SetMemoryLimit applies MemoryLimit unless the environment sets
// GOMEMLIMIT, and returns the limit in force.
func SetMemoryLimit() int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	debug.SetMemoryLimit(MemoryLimit)
	return MemoryLimit
}
