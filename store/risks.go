package store

import (
	"context"
	"fmt"

	"github.com/opsdeck/opsdeck/model"
)

// coverageSource is a table owned by another feature that links rows to
// services (checks watching a service, backup jobs saving it). The risk
// report flags critical services missing from it. A source whose table or
// column does not exist in this database is reported as not evaluated, so
// the rules light up by themselves once that feature's migration is in.
// To add a source, append one line here.
type coverageSource struct {
	Rule, What, Table, Column string
	Where                     string // extra condition on the rows that count, optional
}

var coverageSources = []coverageSource{
	// A backup or access check says nothing about whether the service is
	// up, so it does not count as the service being watched.
	{Rule: "no_check", What: "check", Table: "checks", Column: "service_id", Where: "kind NOT IN (" + sourceKindsSQL + ")"},
	{Rule: "no_backup", What: "backup job", Table: "backup_jobs", Column: "service_id"},
}

// RiskReport is the bus-factor and single-point-of-failure report.
type RiskReport struct {
	Risks []model.Risk `json:"risks"`
	// NotEvaluated names rules whose data does not exist yet, with why.
	NotEvaluated []string `json:"not_evaluated"`
}

// Risks evaluates the risk rules over the whole inventory.
func (s *Store) Risks(ctx context.Context) (RiskReport, error) {
	var rep RiskReport
	in := model.RiskInputs{Now: s.now(), Hosts: map[int64][]model.Device{}}
	var err error
	if in.Services, err = s.ListServices(ctx, ServiceQuery{}); err != nil {
		return rep, err
	}
	if in.Accounts, err = s.ListAccounts(ctx, AccountQuery{}); err != nil {
		return rep, err
	}
	if in.Secrets, err = s.ListSecrets(ctx); err != nil {
		return rep, err
	}
	devs, err := s.ListDevices(ctx, DeviceQuery{})
	if err != nil {
		return rep, err
	}
	byID := make(map[int64]model.Device, len(devs))
	for _, d := range devs {
		byID[d.ID] = d
	}
	links, err := collectRows(ctx, s.r, func(sc scanner) ([2]int64, error) {
		var l [2]int64
		return l, sc.Scan(&l[0], &l[1])
	}, `SELECT service_id, device_id FROM service_hosts`)
	if err != nil {
		return rep, fmt.Errorf("read service hosts: %w", err)
	}
	for _, l := range links {
		in.Hosts[l[0]] = append(in.Hosts[l[0]], byID[l[1]])
	}
	for _, src := range coverageSources {
		cov, ok, err := s.coverage(ctx, src)
		if err != nil {
			return rep, err
		}
		if !ok {
			rep.NotEvaluated = append(rep.NotEvaluated, fmt.Sprintf("%s (no %s.%s in this database)", src.Rule, src.Table, src.Column))
			continue
		}
		in.Coverage = append(in.Coverage, cov)
	}
	if in.Onboarding, err = s.onboardingRiskInputs(ctx); err != nil {
		return rep, err
	}
	if in.Compliance, err = s.Compliance(ctx, in.Now); err != nil {
		return rep, err
	}
	if in.ReviewsStarted, in.ReviewsSigned, err = s.ReviewMonths(ctx); err != nil {
		return rep, err
	}
	if in.Extra, err = s.accessRisks(ctx); err != nil {
		return rep, err
	}
	if in.OnCallGaps, err = s.OnCallGaps(ctx, in.Now); err != nil {
		return rep, err
	}
	rep.Risks = model.Risks(in)
	return rep, nil
}

// coverage reads which services src covers; ok is false when its table or
// column does not exist.
func (s *Store) coverage(ctx context.Context, src coverageSource) (model.Coverage, bool, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, src.Table, src.Column).Scan(&n); err != nil {
		return model.Coverage{}, false, fmt.Errorf("inspect %s: %w", src.Table, err)
	}
	if n == 0 {
		return model.Coverage{}, false, nil
	}
	// Table, column and condition come from coverageSources, never from input.
	where := src.Column + " IS NOT NULL"
	if src.Where != "" {
		where += " AND " + src.Where
	}
	ids, err := collectRows(ctx, s.r, func(sc scanner) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	}, fmt.Sprintf(`SELECT DISTINCT %s FROM %s WHERE %s`, src.Column, src.Table, where))
	if err != nil {
		return model.Coverage{}, false, fmt.Errorf("read %s: %w", src.Table, err)
	}
	cov := model.Coverage{Rule: src.Rule, What: src.What, Covered: map[int64]bool{}}
	for _, id := range ids {
		cov.Covered[id] = true
	}
	return cov, true, nil
}
