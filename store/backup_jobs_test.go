package store

import (
	"context"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// A heartbeat job that stops reporting goes late; the state comes with a
// reason the alert engine can show as is.
func TestBackupHealthHeartbeatGoesLate(t *testing.T) {
	s := newTestStore(t, 0)
	ctx := context.Background()
	var job model.BackupJob
	err := s.Write(ctx, admin, func(tx *Tx) error {
		sv := model.Service{Name: "NAS"}
		if err := tx.AddService(&sv); err != nil {
			return err
		}
		job = model.BackupJob{Name: "nas", ServiceID: sv.ID, HeartbeatPeriod: 24 * time.Hour}
		if err := tx.AddBackupJob(&job); err != nil {
			return err
		}
		if _, err := tx.ReportJobRun(job.ID, false, JobOutcome{OK: true}); err != nil {
			return err
		}
		_, err := tx.ReportJobRun(job.ID, true, JobOutcome{OK: true})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, c := range []struct {
		at   time.Time
		want model.BackupState
	}{
		{now, model.BackupOK},
		{now.Add(24*time.Hour + 30*time.Minute), model.BackupOK}, // within the grace
		{now.Add(26 * time.Hour), model.BackupLate},
		{now.Add(40 * 24 * time.Hour), model.BackupLate}, // late wins over a stale restore test
	} {
		h, err := s.BackupHealth(ctx, model.DefaultSelfBackupPolicy, c.at)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 2 || h[1].Key != "job:nas" || h[1].State != c.want || h[1].Reason == "" {
			t.Fatalf("at +%s: %+v", c.at.Sub(now), h)
		}
	}
}

func TestServicesWithoutBackupJob(t *testing.T) {
	s := newTestStore(t, 0)
	ctx := context.Background()
	err := s.Write(ctx, admin, func(tx *Tx) error {
		for _, n := range []string{"Covered", "Bare", "Retired", "OnlyRetiredJob"} {
			sv := model.Service{Name: n}
			if n == "Retired" {
				sv.Status = "retired"
			}
			if err := tx.AddService(&sv); err != nil {
				return err
			}
			if n == "Covered" || n == "OnlyRetiredJob" {
				j := model.BackupJob{Name: "job-" + n, ServiceID: sv.ID, HeartbeatPeriod: time.Hour}
				if err := tx.AddBackupJob(&j); err != nil {
					return err
				}
				if n == "OnlyRetiredJob" {
					if _, err := tx.SetBackupJobStatus(j.ID, "retired"); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	svcs, err := s.ServicesWithoutBackupJob(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, sv := range svcs {
		names = append(names, sv.Name)
	}
	if len(names) != 2 || names[0] != "Bare" || names[1] != "OnlyRetiredJob" {
		t.Fatalf("uncovered %v", names)
	}
}
