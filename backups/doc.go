// Package backups runs opsdeck's backup work: the company's backup jobs
// (a shell command with a timeout and exit-code semantics), opsdeck's own
// scheduled backups, restore tests and pruning, and Due, the entry point
// the scheduler calls to learn what work is due.
//
// It is its own package rather than part of checks/ because a backup job
// is not a check: it has side effects, runs for minutes or hours, records
// runs (running → ok/failed) and restore tests, and must never share the
// check worker pool's short timeouts. The scheduler in checks/ only needs
// Due and Work.Run; alerts come from store.BackupHealth.
package backups
