package demo

import (
	"context"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

func init() { Register("access evidence", loadAccess) }

// evidence is one fact an export told about a demo account, days before
// now: a two-step status (value) or a use (kind, daysAgo).
type evidence struct {
	account, kind, value string
	daysAgo              int
	source               string
	row                  int
	column               string
}

// The demo's exports: Bill's AWS password was used a week after his last
// day (the incident of #17: used_after_departure fires on `opsdeck run`);
// Tammy's break-glass AWS admin has no MFA (no_mfa, high) and has not been
// used in months (dormant_account); the others are enrolled and in use.
var demoEvidence = []evidence{
	{"AWS:bill", model.SignalPassword, "", 21, "aws-credential-report.csv", 5, "password_last_used"},
	{"AWS:bill", model.SignalTwoStep, model.TwoStepOff, 0, "aws-credential-report.csv", 5, "mfa_active"},
	{"AWS:oscar", model.SignalPassword, "", 1, "aws-credential-report.csv", 3, "password_last_used"},
	{"AWS:oscar", model.SignalTwoStep, model.TwoStepEnrolled, 0, "aws-credential-report.csv", 3, "mfa_active"},
	{"AWS:tammy-breakglass", model.SignalPassword, "", 200, "aws-credential-report.csv", 4, "password_last_used"},
	{"AWS:tammy-breakglass", model.SignalTwoStep, model.TwoStepOff, 0, "aws-credential-report.csv", 4, "mfa_active"},
	{"AWS:dave", model.SignalKey, "", 2, "aws-credential-report.csv", 6, "access_key_1_last_used_date"},
	{"AWS:dave", model.SignalTwoStep, model.TwoStepEnrolled, 0, "aws-credential-report.csv", 6, "mfa_active"},
	{"GitHub:davekim", model.SignalSignIn, "", 1, "github-members.csv", 2, "last_active"},
	{"GitHub:davekim", model.SignalTwoStep, model.TwoStepEnrolled, 0, "github-members.csv", 2, "two_factor_enabled"},
	{"GitHub:billc-dev", model.SignalSignIn, "", 30, "github-members.csv", 3, "last_active"},
	{"GitHub:billc-dev", model.SignalTwoStep, model.TwoStepEnrolled, 0, "github-members.csv", 3, "two_factor_enabled"},
	{"GitHub:oscar-ops", model.SignalSignIn, "", 1, "github-members.csv", 4, "last_active"},
	{"GitHub:oscar-ops", model.SignalTwoStep, model.TwoStepEnrolled, 0, "github-members.csv", 4, "two_factor_enabled"},
	{"GitHub:kpark", model.SignalTwoStep, model.TwoStepOff, 0, "github-members.csv", 5, "two_factor_enabled"},
	{"Google Workspace:oscar@example.com", model.SignalSignIn, "", 1, "google-users.csv", 3, "Last Sign In [READ ONLY]"},
	{"Google Workspace:oscar@example.com", model.SignalTwoStep, model.TwoStepEnforced, 0, "google-users.csv", 3, "2sv Enforced [READ ONLY]"},
	{"Google Workspace:tammy@example.com", model.SignalSignIn, "", 2, "google-users.csv", 2, "Last Sign In [READ ONLY]"},
	{"Google Workspace:tammy@example.com", model.SignalTwoStep, model.TwoStepEnforced, 0, "google-users.csv", 2, "2sv Enforced [READ ONLY]"},
}

func loadAccess(ctx context.Context, s *store.Store, now time.Time) error {
	return s.Write(ctx, Actor, func(t *store.Tx) error {
		first, err := t.FindAccount(demoEvidence[0].account)
		if err != nil {
			return err
		}
		if n, err := t.SignalCount(first.ID); err != nil || n > 0 {
			return err // n > 0: loaded before, and running the demo again changes nothing
		}
		for _, e := range demoEvidence {
			a, err := t.FindAccount(e.account)
			if err != nil {
				return err
			}
			sg := model.AccountSignal{AccountID: a.ID, Kind: e.kind, Value: e.value, Source: e.source, Row: e.row, Column: e.column}
			if e.kind != model.SignalTwoStep {
				at := before(now, time.Duration(e.daysAgo)*24*time.Hour).Add(-3 * time.Hour).UTC().Truncate(time.Minute)
				sg.At = &at
			}
			if _, err := t.AddSignal(&sg); err != nil {
				return err
			}
		}
		return nil
	})
}
