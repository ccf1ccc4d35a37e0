// Package human formats numbers for people, the same way in the CLI and
// the console: sizes, durations, latencies, percentages and yes/no.
//
// Ages ("3d ago") stay model.Ago: the domain rules word their reasons with
// it ("restore-tested 40d ago"), and model imports nothing of ours, so the
// one implementation lives there and the front ends call it directly.
package human

import (
	"fmt"
	"strconv"
	"time"

	"github.com/dustin/go-humanize"
)

// Bytes is a size in binary units: "512 B", "1.2 MiB", "35 GiB".
func Bytes(n int64) string {
	if n < 0 {
		return "-" + humanize.IBytes(uint64(-n))
	}
	return humanize.IBytes(uint64(n))
}

// Took is how long a run took, from milliseconds: "850ms", "7.3s",
// "7m0s" (to a tenth of a second).
func Took(ms int64) string {
	if ms < 1000 {
		return strconv.FormatInt(ms, 10) + "ms"
	}
	return (time.Duration(ms) * time.Millisecond).Round(100 * time.Millisecond).String()
}

// Latency is a measured latency in milliseconds: "-" when none, "4.2ms",
// "87ms", "1.2s".
func Latency(ms float64) string {
	switch {
	case ms <= 0:
		return "-"
	case ms >= 1000:
		return fmt.Sprintf("%.1fs", ms/1000)
	case ms < 10:
		return fmt.Sprintf("%.1fms", ms)
	}
	return fmt.Sprintf("%.0fms", ms)
}

// Interval is a period in the largest unit that divides it, the way the
// duration inputs read it back: "30s", "5m", "2h", "1d", "90m".
func Interval(d time.Duration) string {
	s := int64(d / time.Second)
	for _, u := range []struct {
		n    int64
		unit string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}} {
		if s >= u.n && s%u.n == 0 {
			return strconv.FormatInt(s/u.n, 10) + u.unit
		}
	}
	return strconv.FormatInt(s, 10) + "s"
}

// Percent is a percentage given from 0 to 100, to two decimals (uptime:
// "99.95%"); negative means unknown and prints "-".
func Percent(v float64) string {
	if v < 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f%%", v)
}

// Share is a fraction from 0 to 1 as a whole percentage: "42%".
func Share(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }

// YesNo is "yes" or "no".
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// YesNoUnknown is "yes", "no", or "unknown" when nobody has said.
func YesNoUnknown(b *bool) string {
	if b == nil {
		return "unknown"
	}
	return YesNo(*b)
}
