package human

import (
	"testing"
	"time"
)

func TestFormats(t *testing.T) {
	yes, no := true, false
	for _, c := range []struct{ got, want string }{
		{Bytes(0), "0 B"}, {Bytes(512), "512 B"}, {Bytes(1536), "1.5 KiB"}, {Bytes(1258291), "1.2 MiB"}, {Bytes(35 << 30), "35 GiB"},
		{Took(850), "850ms"}, {Took(7340), "7.3s"}, {Took(420000), "7m0s"},
		{Latency(0), "-"}, {Latency(4.24), "4.2ms"}, {Latency(87.4), "87ms"}, {Latency(1234), "1.2s"},
		{Interval(30 * time.Second), "30s"}, {Interval(90 * time.Second), "90s"}, {Interval(90 * time.Minute), "90m"},
		{Interval(2 * time.Hour), "2h"}, {Interval(24 * time.Hour), "1d"},
		{Percent(99.951), "99.95%"}, {Percent(-1), "-"}, {Share(0.424), "42%"},
		{YesNo(true), "yes"}, {YesNo(false), "no"}, {YesNoUnknown(nil), "unknown"}, {YesNoUnknown(&yes), "yes"}, {YesNoUnknown(&no), "no"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
