package checks

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/instants"
	"github.com/opsdeck/opsdeck/model"
)

// Heartbeat lateness at every instant of the date matrix: a daily job
// pinged 23 h ago is on time, one pinged 26 h ago is late, across midnight,
// month ends and DST switches alike (lateness is elapsed time, not
// calendar arithmetic).
func TestHeartbeatLatenessAtEveryInstant(t *testing.T) {
	instants.Each(t, func(t *testing.T, in instants.Instant) {
		now := in.Time()
		r := NewRunner()
		r.Clock = in.Clock()
		c := check("heartbeat", "", func(c *model.Check) { c.IntervalS, c.GraceS = 86400, 3600 })
		c.CreatedAt = now.AddDate(0, 0, -30)
		ping := now.Add(-23 * time.Hour)
		if res := r.Run(context.Background(), c, &model.CheckState{LastPingAt: &ping}); res.Status != "" {
			t.Fatalf("on-time heartbeat recorded %s %q", res.Status, res.Message)
		}
		ping = now.Add(-26 * time.Hour)
		res := r.Run(context.Background(), c, &model.CheckState{LastPingAt: &ping})
		if res.Status != "down" || !strings.Contains(res.Message, "late: last ping 26h0m0s ago") || !res.At.Equal(now) {
			t.Fatalf("late heartbeat: %s %q at %s", res.Status, res.Message, res.At)
		}
	})
}
