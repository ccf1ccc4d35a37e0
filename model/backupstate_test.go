package model

import (
	"strings"
	"testing"
	"time"
)

func TestDeriveBackupState(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	h := time.Hour
	day := 24 * h
	run := func(started time.Duration, ok bool, errMsg string) *RunFacts {
		return &RunFacts{StartedAt: now.Add(-started), FinishedAt: ago(started - time.Minute), OK: ok, Error: errMsg}
	}
	tested := func(f BackupFacts, at time.Duration, ok bool) BackupFacts {
		f.RestoreTestedAt, f.RestoreTestOK = ago(at), ok
		return f
	}
	heartbeat := BackupFacts{Kind: "heartbeat", Period: day, Since: now.Add(-100 * day)}
	nightly := BackupFacts{Kind: "command", Schedule: "0 2 * * *", Timeout: h, Since: now.Add(-100 * day)}
	with := func(f BackupFacts, last *RunFacts) BackupFacts { f.Last = last; return f }

	cases := []struct {
		name   string
		f      BackupFacts
		want   BackupState
		reason string
	}{
		{"heartbeat reported an hour ago, tested last week", tested(with(heartbeat, run(h, true, "")), 7*day, true), BackupOK, "last run"},
		{"heartbeat stopped reporting", tested(with(heartbeat, run(2*day, true, "")), 7*day, true), BackupLate, "no run since"},
		{"heartbeat within grace", tested(with(heartbeat, run(day+30*time.Minute, true, "")), day, true), BackupOK, ""},
		{"heartbeat never reported", heartbeat, BackupLate, "never ran"},
		{"new job not yet due", BackupFacts{Kind: "heartbeat", Period: day, Since: now.Add(-h)}, BackupNeverRestoreTested, "never restore-tested"},
		{"failed report", tested(with(heartbeat, run(h, false, "disk full")), day, true), BackupFailed, "failed: disk full"},
		{"failure wins over lateness", tested(with(heartbeat, run(5*day, false, "")), day, true), BackupFailed, "failed"},
		{"command ran at 02:00", tested(with(nightly, run(10*h, true, "")), day, true), BackupOK, ""},
		{"command missed 02:00", tested(with(nightly, run(34*h, true, "")), day, true), BackupLate, "expected by 2026-11-27 02:00"},
		{"command running", tested(with(nightly, &RunFacts{StartedAt: now.Add(-30 * time.Minute)}), day, true), BackupRunning, "running since"},
		{"command running past timeout", tested(with(nightly, &RunFacts{StartedAt: now.Add(-3 * h)}), day, true), BackupLate, "past its 1h0m0s timeout"},
		{"never restore-tested", with(nightly, run(10*h, true, "")), BackupNeverRestoreTested, "never restore-tested"},
		{"restore test stale", tested(with(nightly, run(10*h, true, "")), 31*day, true), BackupRestoreTestStale, "older than 30d"},
		{"restore test failed", tested(with(nightly, run(10*h, true, "")), day, false), BackupFailed, "restore test"},
		{"custom max age", func() BackupFacts {
			f := tested(with(nightly, run(10*h, true, "")), 8*day, true)
			f.RestoreTestMaxAge = 7 * day
			return f
		}(), BackupRestoreTestStale, "older than 7d"},
		{"bad schedule", BackupFacts{Kind: "command", Schedule: "every day"}, BackupFailed, "schedule"},
		{"self daily, fresh", tested(with(BackupFacts{Kind: "self", Period: day}, run(3*h, true, "")), 2*day, true), BackupOK, ""},
		{"self two days old", tested(with(BackupFacts{Kind: "self", Period: day}, run(2*day, true, "")), 2*day, true), BackupLate, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := DeriveBackupState(c.f, now)
			if got.State != c.want || !strings.Contains(got.Reason, c.reason) {
				t.Fatalf("got %s %q, want %s containing %q", got.State, got.Reason, c.want, c.reason)
			}
			if !got.State.Healthy() && got.Reason == "" {
				t.Fatal("an unhealthy state needs a reason")
			}
		})
	}
}

func TestSelectRetention(t *testing.T) {
	base := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC) // a Friday
	daily := func(n int) []RetentionItem {
		var out []RetentionItem
		for i := 0; i < n; i++ {
			at := base.AddDate(0, 0, -i)
			out = append(out, RetentionItem{Key: at.Format("2006-01-02"), At: at})
		}
		return out
	}
	kept := func(ds []RetentionDecision) []string {
		var out []string
		for _, d := range ds {
			if d.Keep {
				out = append(out, d.Key)
			}
		}
		return out
	}
	cases := []struct {
		name  string
		items []RetentionItem
		p     RetentionPolicy
		keep  []string
	}{
		{"empty", nil, DefaultRetention, nil},
		{"three days, keep all", daily(3), DefaultRetention, []string{"2026-11-27", "2026-11-26", "2026-11-25"}},
		{"daily only", daily(10), RetentionPolicy{Daily: 3}, []string{"2026-11-27", "2026-11-26", "2026-11-25"}},
		{"weekly picks newest of each ISO week", daily(15), RetentionPolicy{Weekly: 3},
			[]string{"2026-11-27", "2026-11-22", "2026-11-15"}},
		{"monthly", daily(70), RetentionPolicy{Monthly: 3}, []string{"2026-11-27", "2026-10-31", "2026-09-30"}},
		{"zeros keep the newest", daily(5), RetentionPolicy{}, []string{"2026-11-27"}},
		{"two the same day: newer kept", []RetentionItem{
			{Key: "early", At: base}, {Key: "late", At: base.Add(time.Hour)}, {Key: "yesterday", At: base.AddDate(0, 0, -1)},
		}, RetentionPolicy{Daily: 2}, []string{"late", "yesterday"}},
		{"defaults over 400 days: 7 + 3 more weeks + months", daily(400), DefaultRetention, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := SelectRetention(c.items, c.p)
			if len(got) != len(c.items) {
				t.Fatalf("%d decisions for %d items", len(got), len(c.items))
			}
			k := kept(got)
			if c.name == "defaults over 400 days: 7 + 3 more weeks + months" {
				// 7 days (this week back to Saturday) + 3 earlier Sundays (ISO
				// weeks end Sunday; this week's newest is already a daily) +
				// the month ends not yet kept: 12 months, of which November
				// is today and October 31 may coincide with nothing else.
				if len(k) < 7+3+10 || len(k) > 7+4+12 {
					t.Fatalf("kept %d: %v", len(k), k)
				}
				return
			}
			if strings.Join(k, ",") != strings.Join(c.keep, ",") {
				t.Fatalf("kept %v, want %v", k, c.keep)
			}
			for _, d := range got {
				if d.Keep != (len(d.Reasons) > 0) {
					t.Fatalf("%s keep=%v reasons %v", d.Key, d.Keep, d.Reasons)
				}
			}
		})
	}
}

func TestParsePeriod(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "90m": 90 * time.Minute, "26h": 26 * time.Hour, "2h": 2 * time.Hour, "45s": 45 * time.Second} {
		if got, err := ParsePeriod("p", in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
		if back, _ := ParsePeriod("p", FormatPeriod(want)); back != want {
			t.Errorf("%s does not round-trip via %q", in, FormatPeriod(want))
		}
	}
	for _, bad := range []string{"", "soon", "-1h", "0d", "0"} {
		if _, err := ParsePeriod("heartbeat", bad); err == nil || !strings.HasPrefix(err.Error(), "heartbeat: ") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestBackupJobValidate(t *testing.T) {
	cases := []struct {
		name string
		j    BackupJob
		err  string
	}{
		{"command ok", BackupJob{Name: "pg", ServiceID: 1, Command: "pg_dump", Schedule: "30 2 * * *"}, ""},
		{"heartbeat ok", BackupJob{Name: "nas", ServiceID: 1, HeartbeatPeriod: 26 * time.Hour}, ""},
		{"no schedule", BackupJob{Name: "pg", ServiceID: 1, Command: "pg_dump"}, "schedule: \"\" is required"},
		{"bad cron", BackupJob{Name: "pg", ServiceID: 1, Command: "pg_dump", Schedule: "nightly"}, "schedule: \"nightly\" is not a cron schedule"},
		{"nothing", BackupJob{Name: "x", ServiceID: 1}, "heartbeat: \"0s\" must be at least 1m"},
		{"both", BackupJob{Name: "x", ServiceID: 1, Command: "c", Schedule: "@daily", HeartbeatPeriod: time.Hour}, "command: \"c\" cannot be combined"},
		{"explicit command kind with heartbeat", BackupJob{Name: "x", Kind: "command", ServiceID: 1, Command: "c", Schedule: "@daily", HeartbeatPeriod: time.Hour}, "heartbeat: \"1h0m0s\" cannot be combined"},
		{"no service", BackupJob{Name: "x", HeartbeatPeriod: time.Hour}, "service: \"\" is required"},
		{"no name", BackupJob{ServiceID: 1, HeartbeatPeriod: time.Hour}, "name: \"\" is required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.j.Normalize()
			err := c.j.Validate()
			if (c.err == "") != (err == nil) || (err != nil && !strings.HasPrefix(err.Error(), c.err)) {
				t.Fatalf("err %v, want %q", err, c.err)
			}
		})
	}
}
