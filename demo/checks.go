package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

func init() { Register("checks", loadChecks) }

// demoCheck is one check of the demo company. Every target is on
// 127.0.0.1 and every check starts paused: loading the demo never sends a
// packet anywhere. To watch them, start something on the port and
// `opsdeck checks resume NAME` (docs/checks.md walks through it).
type demoCheck struct {
	name, kind, service, device, target, condition string
	interval, grace                                int
	recordType, resolver, expect                   string
}

var demoChecks = []demoCheck{
	{name: "app-web", kind: "http", service: "Production App", target: "http://127.0.0.1:18080/health",
		condition: `status == 200 && latency < 500ms`, interval: 30},
	{name: "app-api", kind: "http", service: "Production App", target: "http://127.0.0.1:18081/api/ping",
		condition: `status == 200 && body contains "pong"`, interval: 30},
	{name: "app-01-up", kind: "tcp", device: "SRV-APP-01", target: "127.0.0.1:18022", interval: 30},
	{name: "db-01-up", kind: "tcp", device: "SRV-DB-01", target: "127.0.0.1:15433", interval: 30},
	{name: "postgres-primary", kind: "tcp", service: "Postgres Primary", target: "127.0.0.1:15432", interval: 30},
	{name: "jenkins-login", kind: "http", service: "Jenkins CI", target: "http://127.0.0.1:18090/login", interval: 60},
	{name: "app-cert", kind: "tls", service: "Production App", target: "127.0.0.1:18443", condition: "cert_days >= 21", interval: 3600},
	{name: "app-dns", kind: "dns", service: "Production App", target: "app.example.com", recordType: "A",
		resolver: "127.0.0.1:15353", expect: "10.0.1.10", interval: 300},
	{name: "ci-01-disk", kind: "exec", service: "Jenkins CI", device: "SRV-CI-01",
		target: "/usr/lib/nagios/plugins/check_disk -w 20% -c 10% -p /", interval: 300},
	{name: "nightly-db-backup", kind: "heartbeat", service: "Postgres Primary", interval: 86400, grace: 3600},
}

func loadChecks(ctx context.Context, s *store.Store, now time.Time) error {
	return s.Write(ctx, Actor, func(t *store.Tx) error {
		for _, d := range demoChecks {
			if _, err := t.FindCheck(d.name); err == nil {
				continue
			}
			c := model.Check{Name: d.name, Kind: d.kind, Target: d.target, Condition: d.condition, IntervalS: d.interval,
				GraceS: d.grace, RecordType: d.recordType, Resolver: d.resolver, Expect: d.expect, Paused: true}
			if d.service != "" {
				sv, err := t.FindService(d.service)
				if err != nil {
					return err
				}
				c.ServiceID = &sv.ID
			}
			if d.device != "" {
				dev, err := t.FindDevice(d.device)
				if err != nil {
					return err
				}
				c.DeviceID = &dev.ID
			}
			if err := t.AddCheck(&c); err != nil {
				return fmt.Errorf("check %s: %w", d.name, err)
			}
		}
		chans, err := existingChannels(ctx, s)
		if err != nil {
			return err
		}
		for _, ch := range []model.Channel{
			{Name: "ops-webhook", Kind: "webhook", URL: "http://127.0.0.1:18099/opsdeck", Enabled: true},
			{Name: "ops-email", Kind: "email", SMTPAddr: "127.0.0.1:2525", SMTPFrom: "opsdeck@example.com", SMTPTLS: "none", Enabled: true},
		} {
			if chans[ch.Name] {
				continue
			}
			if err := t.AddChannel(&ch); err != nil {
				return fmt.Errorf("channel %s: %w", ch.Name, err)
			}
		}
		shifts, err := s.UpcomingOnCall(ctx, time.Time{})
		if err != nil || len(shifts) > 0 {
			return err
		}
		_, err = t.SetOnCall("oscar@example.com", now.Add(-time.Hour), now.AddDate(0, 0, 7))
		return err
	})
}

func existingChannels(ctx context.Context, s *store.Store) (map[string]bool, error) {
	chs, err := s.ListChannels(ctx)
	out := map[string]bool{}
	for _, c := range chs {
		out[c.Name] = true
	}
	return out, err
}
