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
// 127.0.0.1, and the checks that probe anything start paused unless their
// story needs them running (db-01 is down: its checks fail against closed
// loopback ports), so loading the demo never sends a packet off the
// machine. To watch the others, start something on the port and
// `opsdeck checks resume NAME` (docs/checks.md walks through it).
type demoCheck struct {
	name, kind, service, device, target, condition string
	interval, grace                                int
	recordType, resolver, expect                   string
	running                                        bool
}

var demoChecks = []demoCheck{
	{name: "app-web", kind: "http", service: "Production App", target: "http://127.0.0.1:18080/health",
		condition: `status == 200 && latency < 500ms`, interval: 30},
	{name: "app-api", kind: "http", service: "Production App", target: "http://127.0.0.1:18081/api/ping",
		condition: `status == 200 && body contains "pong"`, interval: 30},
	{name: "app-01-up", kind: "tcp", device: "SRV-APP-01", target: "127.0.0.1:18022", interval: 30},
	{name: "db-01-up", kind: "tcp", device: "SRV-DB-01", target: "127.0.0.1:15433", interval: 30, running: true},
	{name: "postgres-primary", kind: "tcp", service: "Postgres Primary", target: "127.0.0.1:15432", interval: 30, running: true},
	{name: "jenkins-login", kind: "http", service: "Jenkins CI", target: "http://127.0.0.1:18090/login", interval: 60},
	{name: "app-cert", kind: "tls", service: "Production App", target: "127.0.0.1:18443", condition: "cert_days >= 21", interval: 3600},
	{name: "app-dns", kind: "dns", service: "Production App", target: "app.example.com", recordType: "A",
		resolver: "127.0.0.1:15353", expect: "10.0.1.10", interval: 300},
	{name: "ci-01-disk", kind: "exec", service: "Jenkins CI", device: "SRV-CI-01",
		target: "/usr/lib/nagios/plugins/check_disk -w 20% -c 10% -p /", interval: 300},
	{name: "analytics-db-backup", kind: "heartbeat", service: "Analytics DB", interval: 86400, grace: 3600, running: true},
}

func loadChecks(ctx context.Context, s *store.Store, now time.Time) error {
	return s.Write(ctx, Actor, func(t *store.Tx) error {
		created := map[string]int64{}
		for _, d := range demoChecks {
			if _, err := t.FindCheck(d.name); err == nil {
				continue
			}
			c := model.Check{Name: d.name, Kind: d.kind, Target: d.target, Condition: d.condition, IntervalS: d.interval,
				GraceS: d.grace, RecordType: d.recordType, Resolver: d.resolver, Expect: d.expect, Paused: !d.running}
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
			created[d.name] = c.ID
		}
		// History only for checks created just now, so a second load adds
		// nothing; written before the channels exist, so it pages nobody.
		if err := demoHistory(t, created, now); err != nil {
			return err
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
		return nil
	})
}

// demoHistory gives the alerts tab something true to show: app-web's last
// half hour (a two-minute outage twenty minutes ago that resolved itself),
// db-01 down for the last two minutes with Postgres Primary's alert under
// it, and a nightly backup that never reported.
func demoHistory(t *store.Tx, created map[string]int64, now time.Time) error {
	np := store.NotifyPolicy{Repeat: 30 * time.Minute}
	result := func(name string, at time.Time, status string, ms float64, msg string) store.Outcome {
		return store.Outcome{Result: model.CheckResult{CheckID: created[name], At: at, Status: status, LatencyMs: ms, Message: msg}}
	}
	var outs []store.Outcome
	if created["analytics-db-backup"] != 0 {
		outs = append(outs, result("analytics-db-backup", now.Add(-5*time.Minute), "down", 0,
			"late: no ping since the check was created (period 24h0m0s + grace 1h0m0s)"))
	}
	if created["app-web"] != 0 {
		start := now.Add(-30 * time.Minute)
		for i := range 60 {
			at := start.Add(time.Duration(i) * 30 * time.Second)
			ms := 40 + float64((i*37)%45)
			if i >= 20 && i < 24 {
				outs = append(outs, result("app-web", at, "down", 2000, "HTTP 502 in 2000ms: condition not met: status == 200 && latency < 500ms"))
				continue
			}
			outs = append(outs, result("app-web", at, "up", ms, ""))
		}
	}
	if created["db-01-up"] != 0 && created["postgres-primary"] != 0 {
		for i := range 4 {
			at := now.Add(time.Duration(i-4) * 30 * time.Second)
			refused := "dial tcp 127.0.0.1:%d: connect: connection refused"
			outs = append(outs, result("db-01-up", at, "down", 0.3, fmt.Sprintf(refused, 15433)),
				result("postgres-primary", at.Add(2*time.Second), "down", 0.3, fmt.Sprintf(refused, 15432)))
		}
	}
	return t.ApplyResults(outs, np)
}

func existingChannels(ctx context.Context, s *store.Store) (map[string]bool, error) {
	chs, err := s.ListChannels(ctx)
	out := map[string]bool{}
	for _, c := range chs {
		out[c.Name] = true
	}
	return out, err
}
