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
// memory to ~300 MB. With it the collector works harder when memory
// nears the limit instead. The live heap at 50,000 checks is ~40 MB, so
// 80 MiB leaves it room to work in (at 100 MiB the 50,000-check soak
// peaked at 147 MiB resident). It is soft: live memory above it is never
// refused (the runtime caps the collector's share of CPU instead).
// SQLite's page caches are outside it (the writer keeps 16 MB).
const MemoryLimit = 80 << 20

// SetMemoryLimit applies MemoryLimit unless the environment sets
// GOMEMLIMIT, and returns the limit in force.
func SetMemoryLimit() int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	debug.SetMemoryLimit(MemoryLimit)
	return MemoryLimit
}
