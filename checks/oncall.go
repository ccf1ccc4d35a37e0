package checks

import (
	"context"
	"fmt"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// escalate takes the due escalation steps (store.Tx.Escalate); the pages
// go out through the ordinary queue and notifier.
func (sc *Scheduler) escalate(ctx context.Context) {
	err := sc.s.Write(ctx, system, func(t *store.Tx) error {
		n, err := t.Escalate()
		if n > 0 {
			sc.cfg.Logf("escalated %d alert(s)", n)
		}
		return err
	})
	if err != nil && ctx.Err() == nil {
		sc.cfg.Logf("escalate: %v", err)
	}
}

// handovers records the summary of each shift that just ended and sends
// it to the outgoing person over every global channel, saying on the
// handover row what delivery did.
func (sc *Scheduler) handovers(ctx context.Context) {
	var due []store.HandoverRow
	err := sc.s.Write(ctx, system, func(t *store.Tx) error {
		var err error
		due, err = t.RecordHandovers()
		return err
	})
	if err != nil {
		if ctx.Err() == nil {
			sc.cfg.Logf("handovers: %v", err)
		}
		return
	}
	if len(due) == 0 {
		return
	}
	chans, err := sc.s.ListChannels(ctx)
	if err != nil {
		sc.cfg.Logf("handovers: %v", err)
		return
	}
	for _, h := range due {
		n := model.Notification{Event: "handover", Title: h.Title(), Summary: h.Text(), Recipients: []string{h.Email}, OnCall: []string{h.Email},
			At: sc.cfg.Clock.Now()}
		var said []string
		for _, c := range chans {
			if !c.Enabled || c.ServiceID != nil {
				continue
			}
			// Delivery reads the channel's credentials in clear.
			full, err := sc.s.WithCredentials().GetChannel(ctx, c.ID)
			if err == nil {
				err = sc.n.Send(ctx, store.Queued{Channel: full, Event: "handover", Recipients: n.Recipients, Payload: n})
			}
			if err != nil {
				said = append(said, fmt.Sprintf("%s: %v", c.Name, err))
			} else {
				said = append(said, "sent via "+c.Name)
			}
		}
		if len(said) == 0 {
			said = []string{"no notification channel is configured (opsdeck channels add)"}
		}
		if err := sc.s.Write(context.Background(), system, func(t *store.Tx) error { return t.MarkHandover(h.ID, strings.Join(said, "; ")) }); err != nil {
			sc.cfg.Logf("handover %d: %v", h.ID, err)
		}
		sc.cfg.Logf("handover of %s to %s (%s): %s", h.Person, h.Next, h.Rotation, strings.Join(said, "; "))
	}
}
