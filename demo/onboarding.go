package demo

import (
	"context"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

func init() { Register("onboarding", loadOnboarding) }

// The demo's onboarding: how to add and remove a user on each SaaS service
// (AWS's deprovisioning is deliberately missing: a critical service nobody
// wrote down, a risk), a "developer" profile and an "sre" profile that
// extends it, a spare laptop built to the baseline (LT-090) and one with a
// newer compiler than the team builds with (LT-091).
var demoProcedures = []struct{ service, dir, text, link, command string }{
	{"GitHub", model.Provision, "Org → People → Invite member; add to the 'developers' team", "https://wiki.example.com/runbooks/github-users", "gh api -X PUT orgs/example-co/memberships/{{.Username}} -f role=member"},
	{"GitHub", model.Deprovision, "Org → People → Remove from organization; transfer their repositories first", "https://wiki.example.com/runbooks/github-users", "gh api -X DELETE orgs/example-co/members/{{.Username}}"},
	{"Google Workspace", model.Provision, "Admin console → Users → Add new user; licence Business Standard", "", ""},
	{"Google Workspace", model.Deprovision, "Admin console → Users → Suspend, transfer Drive to the manager, then delete after 20 days", "", ""},
	{"AWS", model.Provision, "IAM Identity Center → Users → Add user, group 'developers'", "https://wiki.example.com/runbooks/aws", "aws identitystore create-user --user-name {{.Username}} --display-name '{{.Name}}'"},
	{"Slack", model.Provision, "Admin → Manage members → Invite {{.Email}}", "", ""},
	{"Slack", model.Deprovision, "Admin → Manage members → Deactivate account", "", ""},
	{"Jira", model.Provision, "admin.atlassian.com → Users → Invite, product access Jira Software", "", ""},
	{"Jira", model.Deprovision, "admin.atlassian.com → Users → Remove access", "", ""},
}

func loadOnboarding(ctx context.Context, s *store.Store, now time.Time) error {
	if p, _ := s.ListProfiles(ctx); len(p) > 0 {
		return nil // loaded before (or the operator has their own)
	}
	return s.Write(ctx, Actor, func(t *store.Tx) error {
		for _, p := range demoProcedures {
			sv, err := t.FindService(p.service)
			if err != nil {
				return err
			}
			pr := model.Procedure{ServiceID: sv.ID, Direction: p.dir, Text: p.text, Link: p.link, Command: p.command}
			if err := t.SetProcedure(&pr); err != nil {
				return err
			}
		}
		svc := func(name, ent string) (model.ProfileService, error) {
			sv, err := t.FindService(name)
			return model.ProfileService{ServiceID: sv.ID, ServiceName: sv.Name, Entitlement: ent}, err
		}
		dev := model.RoleProfile{Name: "developer", Description: "software developer", DeviceKind: "laptop",
			Steps: []model.ProfileStep{{Title: "Issue door badge", Detail: "reception prints it on the first day"},
				{Title: "Welcome session with the manager", Detail: "first morning: team, codebase, how we ship"}}}
		for _, s := range [][2]string{{"GitHub", "member"}, {"AWS", "member"}, {"Google Workspace", "member"}, {"Slack", "member"}, {"Jira", "member"}} {
			ps, err := svc(s[0], s[1])
			if err != nil {
				return err
			}
			dev.Services = append(dev.Services, ps)
		}
		if err := t.SaveProfile(&dev); err != nil {
			return err
		}
		sre := model.RoleProfile{Name: "sre", Description: "site reliability engineer: a developer who is on call", Extends: "developer",
			Steps: []model.ProfileStep{{Title: "On-call shadowing", Detail: "two weeks shadowing the primary before joining the rotation"}}}
		for _, s := range [][2]string{{"AWS", "admin"}, {"Jenkins CI", "member"}} {
			ps, err := svc(s[0], s[1])
			if err != nil {
				return err
			}
			sre.Services = append(sre.Services, ps)
		}
		if err := t.SaveProfile(&sre); err != nil {
			return err
		}
		yes := true
		seen := now.Add(-3 * time.Hour)
		for _, d := range []struct {
			tag, name string
			tools     map[string]string
		}{
			{"LT-090", "spare-laptop-90", map[string]string{"go": "1.26.1", "gcc": "12.2.0", "node": "22.11.0", "python": "3.12.7"}},
			{"LT-091", "spare-laptop-91", map[string]string{"go": "1.27.1", "gcc": "12.2.0", "node": "22.11.0", "python": "3.12.7"}},
		} {
			rec := model.Device{AssetTag: d.tag, Name: d.name, Kind: "laptop", Model: "MacBook Pro 14\" M4", OS: "macOS", OSVersion: "15.2",
				Location: "Office (IT shelf)", Status: "spare", DiskEncrypted: &yes, EndpointProtection: "CrowdStrike Falcon", LastSeenAt: &seen}
			if err := t.AddDevice(&rec); err != nil {
				return err
			}
			var obs []model.SWObservation
			for name, v := range d.tools {
				obs = append(obs, model.SWObservation{Name: name, Version: v, ObservedAt: seen})
			}
			if err := t.SetSoftware(rec.ID, obs); err != nil {
				return err
			}
		}
		return nil
	})
}
