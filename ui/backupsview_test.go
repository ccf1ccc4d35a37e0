package ui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

func TestDevicesShowDriftAndToolchainStatus(t *testing.T) {
	a := testApp(t, openStore(t, true))
	send(t, a, "2")
	mustContain(t, a, "DRIFT")
	var kristen string
	for _, l := range strings.Split(screen(a), "\n") {
		if strings.Contains(l, "LT-007") {
			kristen = l
		}
	}
	if !strings.HasSuffix(strings.TrimSpace(kristen), "AHEAD") {
		t.Fatalf("LT-007 row %q does not end in AHEAD", kristen)
	}
	send(t, a, ":", "dev kristen", "enter", "enter")
	for range 16 { // past the holder, compliance and software sections
		send(t, a, "down")
	}
	mustContain(t, a, "Toolchain (4 reported, 4 in the baseline)", "go         AHEAD     1.27.1", "baseline >=1.25 <1.27", "reported 20h ago")
}

func TestServicePageShowsBackupCoverage(t *testing.T) {
	a := tallApp(t, openStore(t, true))
	send(t, a, ":", "serv github", "enter", "enter")
	mustContain(t, a, "Backups (0 jobs)", "NO BACKUP JOB: nothing backs up this critical service")
	send(t, a, "esc", ":", "serv postgres primary", "enter", "enter")
	mustContain(t, a, "Backups (1 jobs)", "postgres-nightly: ok · last run 9h ago · restore-tested 12d ago")
	send(t, a, "b")
	mustContain(t, a, "services › Postgres Primary › backups", "BACKUP JOBS")
}

func TestBackupsViewBackupNowAndRestoreTest(t *testing.T) {
	s := openStore(t, true)
	a := tallApp(t, s)
	send(t, a, ":", "backups", "enter")
	mustContain(t, a, "people › backups", "never-restore-tested opsdeck (this database)", "no backup yet",
		"late", "analytics-dump · Analytics DB", "failed", "jenkins-config", "exit status 2", "restore-test-stale",
		"SERVICES WITH NO BACKUP JOB (6)", "GitHub", "← nothing backs it up",
		"none yet — b takes one now", "opsdeck restore FILE", "b back up opsdeck now")
	await(t, a, "b")
	mustContain(t, a, "backed up to opsdeck-", "manual", "never restore-tested")
	if v := a.screenOnTop().(*backupsView); !strings.Contains(v.last, "verified (integrity ok, row counts match)") {
		t.Fatalf("outcome %q", v.last)
	}
	await(t, a, "t")
	mustContain(t, a, "restore test passed", "restore test ok 0s ago")
	runs, err := s.ListBackupRuns(context.Background(), store.BackupRunQuery{})
	if err != nil || len(runs) != 1 || runs[0].RestoreTestOK == nil || !*runs[0].RestoreTestOK {
		t.Fatalf("runs %+v %v", runs, err)
	}
	send(t, a, "esc")
	mustNotContain(t, a, "BACKUP JOBS")
	mustContain(t, a, "people 20")
}

// A running job's view shows the bar until its result lands, keys other
// than esc do nothing meanwhile, and esc cancels it.
func TestBackupProgressViewAndCancel(t *testing.T) {
	a := tallApp(t, openStore(t, true))
	send(t, a, ":", "backups", "enter")
	v := a.screenOnTop().(*backupsView)
	// Start the job but hold its Cmd: the view is mid-backup.
	_, cmd := a.Update(keyMsgs("b")[0])
	if v.job == nil {
		t.Fatal("no job started")
	}
	v.job.phase, v.job.done, v.job.total = "copy", 50, 100
	mustContain(t, a, "Backing up opsdeck's database", "50%", "copying pages 50 of 100", "esc cancels")
	for _, k := range []string{"q", "1", "tab", "b"} { // the job has the keys: no quit, no other tab
		if _, c := a.Update(keyMsgs(k)[0]); c != nil {
			t.Fatalf("%s while busy returned a Cmd", k)
		}
	}
	mustContain(t, a, "Backing up opsdeck's database", "people › backups")
	send(t, a, "esc")
	settle(t, a, cmd)
	mustContain(t, a, "backup cancelled: no file written", "context canceled")
}

func TestViewerSeesBackupsButCannotTakeOne(t *testing.T) {
	s := openStore(t, true)
	a := newApp(Options{StartTab: "people", Store: s, Actor: model.Actor{Kind: "ssh", Name: "kristen", Role: "viewer"}, Width: 80, Height: 40, NoColor: true})
	run(t, a, a.load(a.active))
	send(t, a, ":", "backups", "enter")
	mustContain(t, a, "BACKUP JOBS")
	send(t, a, "b")
	mustContain(t, a, "your role (viewer) cannot take or test backups")
	runs, err := s.ListBackupRuns(context.Background(), store.BackupRunQuery{})
	if err != nil || len(runs) != 0 {
		t.Fatalf("runs %v %v", runs, err)
	}
}

// await sends one key and runs what it starts to the end, however long it
// takes (a backup or a dry run under -race on a busy machine can outlast
// run's 3 s); it must only start Cmds that end (no ticks).
func await(t *testing.T, a *app, k string) {
	t.Helper()
	_, cmd := a.Update(keyMsgs(k)[0])
	settle(t, a, cmd)
}

func settle(t *testing.T, a *app, cmd tea.Cmd) {
	t.Helper()
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil, tea.QuitMsg:
	case tea.BatchMsg:
		for _, c := range msg {
			settle(t, a, c)
		}
	default:
		_, next := a.Update(msg)
		settle(t, a, next)
	}
}

func TestBackupsViewListsPausedJobs(t *testing.T) {
	s := openStore(t, true)
	if err := s.Write(context.Background(), model.LocalActor("tester"), func(tx *store.Tx) error {
		j, err := tx.FindBackupJob("jenkins-config")
		if err != nil {
			return err
		}
		_, err = tx.SetBackupJobStatus(j.ID, "paused")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	a := tallApp(t, s)
	send(t, a, ":", "backups", "enter")
	mustContain(t, a, "paused               jenkins-config · Jenkins CI")
	mustNotContain(t, a, "exit status 2") // a paused job has no state to alarm about
}
