// Package demo loads the demo company: a ~20-person startup whose
// operations person, Oscar, keeps everything running. The data tells the
// stories opsdeck exists for: Bill left but still holds a GitHub admin
// account and an AWS login; Kristen's compiler is newer than everyone
// else's; Jira has a single admin. Loading is idempotent: records are
// matched by natural key (email, asset tag, service name, service:username)
// and existing ones are left alone.
package demo

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// Actor is who the demo's audit rows name.
var Actor = model.SystemActor("demo")

// A step adds one part of the company (inventory, checks, ledger...).
// Feature packages register theirs in init so the demo grows with them.
type step struct {
	name string
	run  func(ctx context.Context, s *store.Store, now time.Time) error
}

var steps = []step{{"inventory", loadInventory}}

// Register adds a step that runs after the inventory.
func Register(name string, run func(ctx context.Context, s *store.Store, now time.Time) error) {
	steps = append(steps, step{name, run})
}

// Load adds the demo company to s; running it again changes nothing.
func Load(ctx context.Context, s *store.Store) error {
	now := s.Now()
	for _, st := range steps {
		if err := st.run(ctx, s, now); err != nil {
			return fmt.Errorf("demo %s: %w", st.name, err)
		}
	}
	return nil
}

// Dates in the demo's data that must move with the clock are written
// relative to now: "-28d" is 28 days before today, "-3m" the month three
// months before this one (patch levels). Everything else is a fixed date
// far enough in the past to be true on any day the demo is loaded.
type person struct {
	name, email, title, dept, manager, status, role, start, end string
}

// before is d before now, its whole days counted on the calendar (in
// now's zone): "45 days ago" reads 45d ago across a DST switch too.
func before(now time.Time, d time.Duration) time.Time {
	const day = 24 * time.Hour
	return now.AddDate(0, 0, -int(d/day)).Add(-(d % day))
}

// rel resolves a relative date ("-28d", "-3m") against now in the local
// zone; other values are returned as they are.
func rel(now time.Time, v string) string {
	n, err := strconv.Atoi(strings.TrimRight(strings.TrimPrefix(v, "-"), "dm"))
	if !strings.HasPrefix(v, "-") || err != nil {
		return v
	}
	now = now.In(time.Local)
	if strings.HasSuffix(v, "m") {
		return time.Date(now.Year(), now.Month()-time.Month(n), 1, 0, 0, 0, 0, time.Local).Format("2006-01")
	}
	return time.Date(now.Year(), now.Month(), now.Day()-n, 0, 0, 0, 0, time.Local).Format(model.DateLayout)
}

var people = []person{
	{"Tammy Reyes", "tammy@example.com", "CEO & Head of Product", "Leadership", "", "active", "admin", "2021-03-01", ""},
	{"Oscar Lindqvist", "oscar@example.com", "Operations Engineer", "Operations", "tammy@example.com", "active", "admin", "2021-06-14", ""},
	{"Bob Okafor", "bob@example.com", "HR Manager", "People", "tammy@example.com", "active", "viewer", "2021-09-01", ""},
	{"Jenny Alvarez", "jenny@example.com", "Project Manager", "Engineering", "tammy@example.com", "active", "operator", "2022-01-10", ""},
	{"Dave Kim", "dave@example.com", "Lead Developer", "Engineering", "tammy@example.com", "active", "operator", "2021-04-19", ""},
	{"Bill Carter", "bill@example.com", "Senior Developer", "Engineering", "dave@example.com", "departed", "operator", "2021-05-03", "-28d"},
	{"Kristen Park", "kristen@example.com", "Developer", "Engineering", "dave@example.com", "active", "viewer", "-87d", ""},
	{"Leo Tanaka", "leo@example.com", "Developer", "Engineering", "dave@example.com", "active", "viewer", "2023-02-06", ""},
	{"Ahmed Hassan", "ahmed@example.com", "Developer", "Engineering", "dave@example.com", "active", "viewer", "2024-07-15", ""},
	{"Grace Liu", "grace@example.com", "QA Engineer", "Engineering", "jenny@example.com", "active", "viewer", "2023-05-22", ""},
	{"Chen Wei", "chen@example.com", "DevOps Contractor", "Operations", "oscar@example.com", "active", "operator", "2025-11-03", ""},
	{"Priya Nair", "priya@example.com", "Product Designer", "Product", "tammy@example.com", "active", "viewer", "2022-08-29", ""},
	{"Raj Patel", "raj@example.com", "Data Analyst", "Product", "tammy@example.com", "active", "viewer", "2024-01-08", ""},
	{"Marcus Webb", "marcus@example.com", "Account Executive", "Sales", "tammy@example.com", "active", "viewer", "2022-04-04", ""},
	{"Tom O'Brien", "tom@example.com", "Sales Development Rep", "Sales", "marcus@example.com", "active", "viewer", "2025-03-17", ""},
	{"Emma Wilson", "emma@example.com", "Support Lead", "Support", "tammy@example.com", "active", "viewer", "2022-02-14", ""},
	{"Sofia Rossi", "sofia@example.com", "Support Engineer", "Support", "emma@example.com", "active", "viewer", "2024-10-01", ""},
	{"Hannah Schmidt", "hannah@example.com", "Finance Manager", "Finance", "tammy@example.com", "active", "viewer", "2022-11-07", ""},
	{"Nina Petrova", "nina@example.com", "Marketing Manager", "Marketing", "tammy@example.com", "active", "viewer", "2023-09-11", ""},
	{"Olivia Brown", "olivia@example.com", "Office Manager", "People", "bob@example.com", "active", "viewer", "2023-03-20", ""},
}

type device struct {
	tag, name, kind, serial, model, os, osv, holder, location, status string
	encrypted                                                         bool
	protection, patch                                                 string
	seenHoursAgo                                                      int
	tools                                                             map[string]string
}

// The team's toolchain baseline; Kristen's laptop is ahead of it.
var teamTools = map[string]string{"go": "1.25.4", "gcc": "12.2.0", "node": "22.11.0", "python": "3.11.9"}

func laptops() []device {
	var out []device
	for i, p := range people {
		tools := teamTools
		osName, osv, model := "macOS", "15.6.1", "MacBook Pro 14\" M3"
		switch p.email {
		case "kristen@example.com":
			tools = map[string]string{"go": "1.27.1", "gcc": "14.2.0", "node": "24.1.0", "python": "3.13.2"}
			osv = "26.1"
		case "leo@example.com", "chen@example.com":
			osName, osv, model = "Ubuntu", "24.04.3 LTS", "ThinkPad X1 Carbon Gen 12"
		case "bob@example.com", "hannah@example.com", "olivia@example.com", "marcus@example.com", "tom@example.com", "nina@example.com":
			tools = nil
			model = "MacBook Air 13\" M2"
		case "oscar@example.com":
			osName, osv, model = "Debian", "13.2", "Framework Laptop 13"
		}
		d := device{
			tag: fmt.Sprintf("LT-%03d", i+1), name: firstName(p.name) + "-laptop", kind: "laptop",
			serial: fmt.Sprintf("SN%07d", 4200311+i*977), model: model, os: osName, osv: osv,
			holder: p.email, location: "Office", status: "in_use", encrypted: true,
			protection: "CrowdStrike Falcon", patch: "-0m", seenHoursAgo: 2 + i*3, tools: tools,
		}
		switch p.email {
		case "bill@example.com": // left a month ago; laptop never came back
			d.seenHoursAgo = 24 * 29
			d.location = "Remote (not returned)"
		case "tom@example.com":
			d.encrypted = false
			d.patch = "-3m"
		case "marcus@example.com":
			d.protection = ""
		}
		out = append(out, d)
	}
	return out
}

func firstName(n string) string { return strings.ToLower(strings.Fields(n)[0]) }

var servers = []device{
	{tag: "SRV-CI-01", name: "ci-01", kind: "server", serial: "DL360-88213", model: "HPE ProLiant DL360 Gen10", os: "Ubuntu", osv: "22.04.5 LTS", location: "Rack A1", status: "in_use", encrypted: true, protection: "CrowdStrike Falcon", patch: "-1m", seenHoursAgo: 0,
		tools: map[string]string{"go": "1.25.4", "gcc": "12.2.0", "node": "22.11.0"}},
	{tag: "SRV-APP-01", name: "app-01", kind: "vm", serial: "i-0a1b2c3d4e5f60001", model: "AWS m7i.large", os: "Debian", osv: "12.12", location: "aws eu-west-1a", status: "in_use", encrypted: true, protection: "CrowdStrike Falcon", patch: "-0m"},
	{tag: "SRV-APP-02", name: "app-02", kind: "vm", serial: "i-0a1b2c3d4e5f60002", model: "AWS m7i.large", os: "Debian", osv: "12.12", location: "aws eu-west-1b", status: "in_use", encrypted: true, protection: "CrowdStrike Falcon", patch: "-0m"},
	{tag: "SRV-APP-03", name: "app-03", kind: "vm", serial: "i-0a1b2c3d4e5f60003", model: "AWS m7i.large", os: "Debian", osv: "12.12", location: "aws eu-west-1a", status: "in_use", encrypted: true, protection: "CrowdStrike Falcon", patch: "-0m"},
	{tag: "SRV-APP-04", name: "app-04", kind: "vm", serial: "i-0a1b2c3d4e5f60004", model: "AWS m7i.large", os: "Debian", osv: "12.10", location: "aws eu-west-1b", status: "in_use", encrypted: true, protection: "", patch: "-5m"},
	{tag: "SRV-DB-01", name: "db-01", kind: "database", serial: "db-prod-primary", model: "AWS RDS db.r7g.xlarge", os: "PostgreSQL", osv: "16.4", location: "aws eu-west-1a", status: "in_use", encrypted: true, patch: "-1m"},
	{tag: "SRV-DB-02", name: "db-02", kind: "database", serial: "db-prod-replica", model: "AWS RDS db.r7g.xlarge", os: "PostgreSQL", osv: "16.4", location: "aws eu-west-1b", status: "in_use", encrypted: true, patch: "-1m"},
	{tag: "SRV-DB-03", name: "db-03", kind: "database", serial: "db-analytics", model: "AWS RDS db.t4g.large", os: "PostgreSQL", osv: "15.8", location: "aws eu-west-1a", status: "in_use", encrypted: false, patch: "-7m"},
}

type service struct {
	name, kind, crit, owner, url, runbook string
	hosts                                 []string
	deps                                  []string
}

var services = []service{
	{"Google Workspace", "saas", "critical", "oscar@example.com", "https://admin.google.com", "", nil, nil},
	{"GitHub", "saas", "critical", "dave@example.com", "https://github.com/example-co", "", nil, nil},
	{"Jira", "saas", "high", "jenny@example.com", "https://example.atlassian.net/jira", "", nil, nil},
	{"Confluence", "saas", "medium", "jenny@example.com", "https://example.atlassian.net/wiki", "", nil, nil},
	{"AWS", "infra", "critical", "oscar@example.com", "https://console.aws.amazon.com", "https://wiki.example.com/runbooks/aws", nil, nil},
	{"Slack", "saas", "high", "oscar@example.com", "https://example.slack.com", "", nil, nil},
	{"Postgres Primary", "database", "critical", "dave@example.com", "postgres://db-01.internal:5432/app", "https://wiki.example.com/runbooks/postgres", []string{"SRV-DB-01"}, []string{"AWS"}},
	{"Postgres Replica", "database", "high", "dave@example.com", "postgres://db-02.internal:5432/app", "https://wiki.example.com/runbooks/postgres", []string{"SRV-DB-02"}, []string{"Postgres Primary"}},
	{"Analytics DB", "database", "medium", "raj@example.com", "postgres://db-03.internal:5432/analytics", "", []string{"SRV-DB-03"}, []string{"AWS"}},
	{"Production App", "app", "critical", "dave@example.com", "https://app.example.com", "https://wiki.example.com/runbooks/app", []string{"SRV-APP-01", "SRV-APP-02", "SRV-APP-03", "SRV-APP-04"}, []string{"Postgres Primary", "AWS"}},
	{"Jenkins CI", "internal", "high", "oscar@example.com", "https://ci.example.com", "", []string{"SRV-CI-01"}, []string{"GitHub"}},
}

type account struct {
	service, email, username, entitlement, status string
	verifiedDaysAgo                               int // -1: never
}

func accounts() []account {
	var out []account
	for _, p := range people {
		user := p.email
		ent, status := "member", "active"
		if p.email == "oscar@example.com" || p.email == "tammy@example.com" {
			ent = "admin"
		}
		if p.email == "bill@example.com" {
			status = "suspended"
		}
		out = append(out, account{"Google Workspace", p.email, user, ent, status, 3})
		slack := account{"Slack", p.email, firstName(p.name), "member", "active", 10}
		if p.email == "oscar@example.com" || p.email == "emma@example.com" {
			slack.entitlement = "admin"
		}
		if p.email == "bill@example.com" {
			slack.status = "revoked"
		}
		out = append(out, slack)
	}
	out = append(out,
		// GitHub: Bill left a month ago and is still an org admin.
		account{"GitHub", "dave@example.com", "davekim", "admin", "active", 5},
		account{"GitHub", "bill@example.com", "billc-dev", "admin", "active", 40},
		account{"GitHub", "oscar@example.com", "oscar-ops", "admin", "active", 5},
		account{"GitHub", "kristen@example.com", "kpark", "member", "active", 5},
		account{"GitHub", "leo@example.com", "leotanaka", "member", "active", 5},
		account{"GitHub", "ahmed@example.com", "ahassan", "member", "active", 5},
		account{"GitHub", "grace@example.com", "graceliu-qa", "member", "active", 5},
		account{"GitHub", "chen@example.com", "chenwei-contractor", "member", "active", 5},
		// AWS: Bill's IAM login was never removed.
		account{"AWS", "oscar@example.com", "oscar", "admin", "active", 7},
		account{"AWS", "tammy@example.com", "tammy-breakglass", "admin", "active", 60},
		account{"AWS", "dave@example.com", "dave", "member", "active", 7},
		account{"AWS", "bill@example.com", "bill", "member", "active", 45},
		account{"AWS", "chen@example.com", "chen", "member", "active", 7},
		account{"AWS", "raj@example.com", "raj-readonly", "member", "active", 30},
		// Jira has a single admin: Jenny.
		account{"Jira", "jenny@example.com", "jenny", "admin", "active", 14},
		account{"Jira", "dave@example.com", "dave", "member", "active", 14},
		account{"Jira", "bill@example.com", "bill", "member", "suspended", 35},
		account{"Jira", "kristen@example.com", "kristen", "member", "active", 14},
		account{"Jira", "leo@example.com", "leo", "member", "active", 14},
		account{"Jira", "ahmed@example.com", "ahmed", "member", "active", 14},
		account{"Jira", "grace@example.com", "grace", "member", "active", 14},
		account{"Jira", "priya@example.com", "priya", "member", "active", 14},
		account{"Jira", "tammy@example.com", "tammy", "member", "active", 14},
		account{"Confluence", "jenny@example.com", "jenny", "admin", "active", 14},
		account{"Confluence", "oscar@example.com", "oscar", "admin", "active", 14},
		account{"Confluence", "dave@example.com", "dave", "member", "active", 14},
		account{"Confluence", "priya@example.com", "priya", "member", "active", 14},
		account{"Confluence", "emma@example.com", "emma", "member", "active", 14},
		account{"Jenkins CI", "oscar@example.com", "oscar", "admin", "active", 20},
		account{"Jenkins CI", "dave@example.com", "dave", "admin", "active", 20},
		account{"Jenkins CI", "chen@example.com", "chen", "member", "active", 20},
		account{"Postgres Primary", "dave@example.com", "dave_admin", "admin", "active", 21},
		account{"Postgres Primary", "oscar@example.com", "oscar_dba", "admin", "active", 21},
		account{"Postgres Primary", "raj@example.com", "raj_ro", "member", "active", 21},
		account{"Analytics DB", "raj@example.com", "raj", "admin", "active", 21},
		account{"Analytics DB", "oscar@example.com", "oscar", "admin", "active", 21},
	)
	return out
}

func loadInventory(ctx context.Context, s *store.Store, now time.Time) error {
	return s.Write(ctx, Actor, func(t *store.Tx) error {
		ids := map[string]int64{}
		for _, p := range people {
			if cur, err := t.FindPerson(p.email); err == nil {
				ids[p.email] = cur.ID
				continue
			}
			rec := model.Person{Name: p.name, Email: p.email, Title: p.title, Department: p.dept,
				Status: p.status, Role: p.role, StartDate: rel(now, p.start), EndDate: rel(now, p.end)}
			if p.manager != "" {
				m := ids[p.manager]
				rec.ManagerID = &m
			}
			if err := t.AddPerson(&rec); err != nil {
				return fmt.Errorf("person %s: %w", p.email, err)
			}
			ids[p.email] = rec.ID
		}
		devIDs := map[string]int64{}
		for _, d := range append(laptops(), servers...) {
			if cur, err := t.FindDevice(d.tag); err == nil {
				devIDs[d.tag] = cur.ID
				continue
			}
			enc := d.encrypted
			seen := before(now, time.Duration(d.seenHoursAgo)*time.Hour)
			rec := model.Device{AssetTag: d.tag, Name: d.name, Kind: d.kind, Serial: d.serial, Model: d.model,
				OS: d.os, OSVersion: d.osv, Location: d.location, Status: d.status, DiskEncrypted: &enc,
				EndpointProtection: d.protection, PatchLevel: rel(now, d.patch), LastSeenAt: &seen, PurchaseDate: "2024-01-15"}
			if d.holder != "" {
				h := ids[d.holder]
				rec.HolderID = &h
			}
			if err := t.AddDevice(&rec); err != nil {
				return fmt.Errorf("device %s: %w", d.tag, err)
			}
			devIDs[d.tag] = rec.ID
			var obs []model.SWObservation
			for name, v := range d.tools {
				obs = append(obs, model.SWObservation{Name: name, Version: v, ObservedAt: seen})
			}
			if err := t.SetSoftware(rec.ID, obs); err != nil {
				return err
			}
		}
		svcIDs := map[string]int64{}
		for _, sv := range services {
			if cur, err := t.FindService(sv.name); err == nil {
				svcIDs[sv.name] = cur.ID
				continue
			}
			owner := ids[sv.owner]
			rec := model.Service{Name: sv.name, Kind: sv.kind, Criticality: sv.crit, OwnerID: &owner, URL: sv.url, RunbookURL: sv.runbook}
			if err := t.AddService(&rec); err != nil {
				return fmt.Errorf("service %s: %w", sv.name, err)
			}
			svcIDs[sv.name] = rec.ID
		}
		for _, sv := range services {
			for _, h := range sv.hosts {
				if err := t.AddServiceHost(svcIDs[sv.name], devIDs[h]); err != nil {
					return err
				}
			}
			for _, d := range sv.deps {
				if err := t.AddServiceDep(svcIDs[sv.name], svcIDs[d]); err != nil {
					return err
				}
			}
		}
		for _, a := range accounts() {
			if _, err := t.FindAccount(a.service + ":" + a.username); err == nil {
				continue
			}
			rec := model.Account{PersonID: ids[a.email], ServiceID: svcIDs[a.service], Username: a.username,
				Entitlement: a.entitlement, Status: a.status}
			if a.verifiedDaysAgo >= 0 {
				v := now.AddDate(0, 0, -a.verifiedDaysAgo)
				rec.LastVerifiedAt = &v
			}
			if err := t.AddAccount(&rec); err != nil {
				return fmt.Errorf("account %s:%s: %w", a.service, a.username, err)
			}
		}
		return nil
	})
}
