package demo

import (
	"context"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

func init() { Register("backups", loadBackups) }

// demoJob is one of the company's backups with a little history that
// shows each state: the nightly Postgres dump is fine, the analytics dump
// stopped reporting three days ago, the Jenkins config tarball fails (and
// fails again when the scheduler runs it: the secrets directory it names
// is missing), the S3 sync was never restore-tested, and the replica snapshot's last
// restore test is 45 days old. Google Workspace, GitHub, Jira, Slack and
// the Production App have no backup job at all: the risks report names them.
type demoJob struct {
	job      model.BackupJob
	service  string
	runs     []demoRun
	testedAt time.Duration // restore test this long ago; 0: never
}

type demoRun struct {
	ago    time.Duration
	ok     bool
	exit   int
	size   int64
	errMsg string
	output string
}

const day = 24 * time.Hour

var demoJobs = []demoJob{
	{job: model.BackupJob{Name: "postgres-nightly", HeartbeatPeriod: 26 * time.Hour, Notes: "pg_dump -Fc on db-01, pushed to s3://example-backups/pg/ by cron; the script runs 'opsdeck backups report postgres-nightly --ok --size N'"},
		service: "Postgres Primary", testedAt: 12 * day,
		runs: []demoRun{{ago: 2 * day, ok: true, size: 18_400_000_000}, {ago: day, ok: true, size: 18_450_000_000}, {ago: 9 * time.Hour, ok: true, size: 18_470_000_000}}},
	{job: model.BackupJob{Name: "analytics-dump", HeartbeatPeriod: 26 * time.Hour, Notes: "nightly dump of the analytics warehouse (Raj's cron on db-03)"},
		service: "Analytics DB", testedAt: 20 * day,
		runs: []demoRun{{ago: 4 * day, ok: true, size: 3_100_000_000}, {ago: 3 * day, ok: true, size: 3_120_000_000}}},
	{job: model.BackupJob{Name: "jenkins-config", Command: `tar -czf "${TMPDIR:-/tmp}/jenkins-config-demo.tgz" -C / etc/hostname var/lib/jenkins/secrets`, Schedule: "0 3 * * *", Timeout: 10 * time.Minute},
		service: "Jenkins CI", testedAt: 25 * day,
		runs: []demoRun{{ago: 2*day + 9*time.Hour, ok: true, exit: 0, size: 41_000_000}, {ago: day + 9*time.Hour, ok: false, exit: 2, errMsg: "exit status 2",
			output: "tar: var/lib/jenkins/secrets: Cannot open: Permission denied\ntar: Exiting with failure status due to previous errors"}}},
	{job: model.BackupJob{Name: "aws-s3-sync", HeartbeatPeriod: 7 * day, Notes: "weekly aws s3 sync of the assets bucket to the NAS"},
		service: "AWS", runs: []demoRun{{ago: 2 * day, ok: true, size: 260_000_000_000}}},
	{job: model.BackupJob{Name: "replica-snapshot", HeartbeatPeriod: 26 * time.Hour, Notes: "EBS snapshot of db-02"},
		service: "Postgres Replica", testedAt: 45 * day,
		runs: []demoRun{{ago: 20 * time.Hour, ok: true, size: 20_000_000_000}}},
}

func loadBackups(ctx context.Context, s *store.Store, now time.Time) error {
	return s.Write(ctx, Actor, func(t *store.Tx) error {
		for _, dj := range demoJobs {
			if _, err := t.FindBackupJob(dj.job.Name); err == nil {
				continue
			}
			sv, err := t.FindService(dj.service)
			if err != nil {
				return err
			}
			j := dj.job
			j.ServiceID = sv.ID
			if err := t.AddBackupJob(&j); err != nil {
				return err
			}
			for _, r := range dj.runs {
				start := before(now, r.ago)
				end := start.Add(7 * time.Minute)
				run := model.BackupJobRun{JobID: j.ID, Kind: "backup", Source: "report", Status: "ok", StartedAt: start, FinishedAt: &end,
					Output: r.output, Error: r.errMsg}
				if j.Kind == "command" {
					run.Source = "scheduled"
					exit := r.exit
					run.ExitCode = &exit
				}
				if !r.ok {
					run.Status = "failed"
				}
				if r.size > 0 {
					size := r.size
					run.SizeBytes = &size
				}
				if err := t.AddJobRun(&run); err != nil {
					return err
				}
			}
			if dj.testedAt > 0 {
				at := before(now, dj.testedAt)
				end := at.Add(40 * time.Minute)
				test := model.BackupJobRun{JobID: j.ID, Kind: "restore_test", Source: "report", Status: "ok", StartedAt: at, FinishedAt: &end,
					Output: "restored into a scratch instance and ran the smoke queries"}
				if err := t.AddJobRun(&test); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
