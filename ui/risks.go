package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/themes"
	"github.com/opsdeck/opsdeck/ui/components/detail"
	"github.com/opsdeck/opsdeck/ui/components/table"
)

func init() {
	registerTab(tabDef{name: "risks", key: "6", help: "bus factors and single points of failure, most severe first",
		new: func(env TabEnv) Tab { return newListTab(env, risksSpec()) }})
	registerTab(tabDef{name: "secrets", key: "7", help: "shared secrets: where kept, who knows them, rotation",
		new: func(env TabEnv) Tab { return newListTab(env, secretsSpec()) }})
	registerDetail(detailDef{kind: "secret", load: secretDetail})
}

// risksSpec lists `opsdeck risks`: the bus-factor and single-point-of-failure
// findings; each row links to the record it names, whatever its kind.
func risksSpec() listSpec {
	return listSpec{
		name: "risks", kind: "risk",
		// "#" is the report's order (most severe first), the default sort.
		cols: []table.Column{
			{Title: "#", Min: 3, Max: 4, Numeric: true},
			{Title: "severity", Min: 8, Max: 10, Domain: themes.DomainSeverity},
			{Title: "rule", Min: 11, Max: 22, Drop: 1},
			{Title: "record", Min: 14, Max: 26},
			{Title: "detail", Min: 20, Max: 120},
		},
		mixed: func(env TabEnv) ([][]string, []detail.Link, error) {
			rep, err := env.Store.Risks(env.Ctx)
			if err != nil {
				return nil, nil, err
			}
			// Account risks jump to the account's service: one query for the
			// leftover-access findings (tens of thousands on a big database)
			// rather than one per row.
			services := map[int64]int64{}
			found, err := env.Store.AccessStillPresent(env.Ctx)
			if err != nil {
				return nil, nil, err
			}
			for _, f := range found {
				services[f.AccountID] = f.ServiceID
			}
			rows, links := make([][]string, 0, len(rep.Risks)), make([]detail.Link, 0, len(rep.Risks))
			for _, r := range rep.Risks {
				kind, id := r.Kind, r.ID
				if kind == "account" {
					sid, ok := services[r.ID]
					if !ok {
						a, err := env.Store.GetAccount(env.Ctx, r.ID)
						if err != nil {
							return nil, nil, fmt.Errorf("risk %s: %w", r.Name, err)
						}
						sid = a.ServiceID
					}
					kind, id = "service", sid
				}
				rows = append(rows, []string{strconv.Itoa(len(rows) + 1), strings.ToUpper(r.Severity), r.Rule, r.Kind + " " + r.Name, r.Detail})
				links = append(links, detail.Link{Kind: kind, ID: id})
			}
			return rows, links, nil
		},
		empty: []string{
			"No risks found: every service has more than one admin, nothing critical runs on one host,",
			"no leaver still holds access and every shared secret is rotated on time.",
			"",
			"  opsdeck risks --json      the same report for scripts",
		},
	}
}

// secretsSpec is the shared-secrets tab: where each secret is kept, who
// knows it and whether its rotation is overdue (never the value).
func secretsSpec() listSpec {
	return listSpec{
		name: "secrets", kind: "secret",
		cols: []table.Column{
			{Title: "name", Min: 12, Max: 32},
			{Title: "rotation", Min: 11, Max: 26, Domain: themes.DomainDue},
			{Title: "service", Min: 8, Max: 18, Drop: 2},
			{Title: "known by", Min: 12, Max: 48, Drop: 1},
			{Title: "rotated", Min: 8, Max: 9, Drop: 3, Age: true},
			{Title: "location", Min: 10, Max: 50, Drop: 4},
		},
		load: func(env TabEnv) ([][]string, []int64, error) {
			ss, err := env.Store.ListSecrets(env.Ctx)
			if err != nil {
				return nil, nil, err
			}
			now := env.now()
			return recordRows(ss, func(x *model.Secret) int64 { return x.ID }, func(x *model.Secret) []string {
				return []string{x.Name, rotation(*x, now), dash(x.ServiceName), dash(x.HolderNames()), model.Ago(x.LastRotatedAt, now), dash(x.Location)}
			})
		},
		empty: []string{
			"No shared secrets recorded.",
			"",
			"  opsdeck secrets add --name … --location … --holders …   record one (never its value)",
		},
	}
}

// rotation is the secret's rotation status, shouting when it is overdue.
func rotation(x model.Secret, now time.Time) string {
	st := x.RotationStatus(now)
	if x.Overdue(now) {
		return "OVERDUE" + strings.TrimPrefix(st, "overdue")
	}
	return st
}

func secretDetail(env TabEnv, id int64) (detail.Data, error) {
	x, err := env.Store.FindSecret(env.Ctx, strconv.FormatInt(id, 10))
	if err != nil {
		return detail.Data{}, err
	}
	now := env.now()
	period := "none"
	if x.RotationDays > 0 {
		period = fmt.Sprintf("every %dd", x.RotationDays)
	}
	rotated := model.Ago(x.LastRotatedAt, now)
	if x.LastRotatedBy != "" {
		rotated += " by " + x.LastRotatedBy
	}
	d := detail.Data{Title: x.Name, States: []detail.State{{Domain: themes.DomainDue, Value: rotation(x, now)}}, Subtitle: "secret", Fields: [][2]string{
		{"kept in", dash(x.Location)}, {"rotation", period}, {"last rotated", rotated}, {"notes", dash(firstLine(x.Notes))},
	}}
	sv := detail.Section{Title: "Service", Empty: "not tied to a service"}
	if x.ServiceID != nil {
		sv.Rows = append(sv.Rows, detail.Row{Text: x.ServiceName, Link: link("service", *x.ServiceID)})
	}
	hs := detail.Section{Title: fmt.Sprintf("Known by (%d)", len(x.Holders)), Empty: "nobody recorded"}
	for _, h := range x.Holders {
		hs.Rows = append(hs.Rows, detail.Row{Text: h.Name + " · " + h.Email + " · " + h.Status, Link: link("person", h.PersonID), Warn: h.Status != "active"})
	}
	au, err := auditSection(env, "secret", id)
	d.Sections = []detail.Section{sv, hs, au}
	return d, err
}
