package ui

import (
	"fmt"
	"strings"

	"github.com/opsdeck/opsdeck/internal/human"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/ui/components/detail"
)

// detailMsg delivers a loaded detail page.
type detailMsg struct {
	link detail.Link
	data detail.Data
	err  error
}

func init() {
	registerDetail(detailDef{kind: "person", load: personDetail})
	registerDetail(detailDef{kind: "device", load: deviceDetail})
	// A service's page shows its checks' states: it follows the results.
	registerDetail(detailDef{kind: "service", load: serviceDetail, results: true})
}

// loadDetail reads one record and everything linked to it (runs in a Cmd)
// with the loader registered for its kind.
func loadDetail(env TabEnv, l detail.Link) detailMsg {
	d, ok := detailDefs[l.Kind]
	if !ok || d.load == nil {
		return detailMsg{link: l, err: fmt.Errorf("nothing to show for %s", l.Kind)}
	}
	data, err := d.load(env, l.ID)
	return detailMsg{link: l, data: data, err: err}
}

func link(kind string, id int64) *detail.Link { return &detail.Link{Kind: kind, ID: id} }

func personDetail(env TabEnv, id int64) (detail.Data, error) {
	ctx, s := env.Ctx, env.Store
	p, err := s.GetPerson(ctx, id)
	if err != nil {
		return detail.Data{}, err
	}
	now := env.now()
	d := detail.Data{Title: p.Name, Subtitle: "person · " + p.Status + " · " + p.Role, Fields: [][2]string{
		{"email", p.Email}, {"title", dash(p.Title)}, {"department", dash(p.Department)},
		{"start_date", dash(p.StartDate)}, {"end_date", dash(p.EndDate)}, {"notes", dash(firstLine(p.Notes))},
	}}
	mgr := detail.Section{Title: "Manager", Empty: "none"}
	if p.ManagerID != nil {
		if m, err := s.GetPerson(ctx, *p.ManagerID); err == nil {
			mgr.Rows = append(mgr.Rows, detail.Row{Text: m.Name + " · " + dash(m.Title), Link: link("person", m.ID)})
		}
	}
	accts, err := s.AccountsWithAccess(ctx, store.AccountQuery{PersonID: id})
	if err != nil {
		return d, err
	}
	ac := detail.Section{Title: fmt.Sprintf("Accounts (%d)", len(accts)), Empty: "no accounts"}
	for _, a := range accts {
		ac.Rows = append(ac.Rows, detail.Row{Text: fmt.Sprintf("%-16s %-18s %-7s %-9s 2fa %-8s last %s · verified %s",
			a.ServiceName, a.Username, a.Entitlement, a.Status, a.Access.TwoStep, a.Access.ActivityWords(now), model.Ago(a.LastVerifiedAt, now)),
			Link: link("account", a.ID), Warn: p.Status == "departed" && a.Status == "active"})
	}
	devs, err := s.ListDevices(ctx, store.DeviceQuery{HolderID: id})
	if err != nil {
		return d, err
	}
	dv := detail.Section{Title: fmt.Sprintf("Devices held (%d)", len(devs)), Empty: "no devices"}
	for _, x := range devs {
		dv.Rows = append(dv.Rows, detail.Row{Text: fmt.Sprintf("%-10s %-22s %-8s %s", x.AssetTag, x.Name, x.Kind, x.Status), Link: link("device", x.ID)})
	}
	svcs, err := s.ListServices(ctx, store.ServiceQuery{OwnerID: id})
	if err != nil {
		return d, err
	}
	sv := detail.Section{Title: fmt.Sprintf("Services owned (%d)", len(svcs)), Empty: "owns no services"}
	for _, x := range svcs {
		sv.Rows = append(sv.Rows, detail.Row{Text: fmt.Sprintf("%-20s %-9s %s", x.Name, x.Kind, x.Criticality), Link: link("service", x.ID)})
	}
	ob, err := offboardingSection(env, id)
	if err != nil {
		return d, err
	}
	keys, err := sshKeysSection(env, id)
	if err != nil {
		return d, err
	}
	fs, err := findingsSection(env, "person", id) // findings.go
	if err != nil {
		return d, err
	}
	au, err := auditSection(env, "person", id)
	d.Sections = []detail.Section{mgr, ac, dv, sv, ob, keys, fs, au}
	return d, err
}

func deviceDetail(env TabEnv, id int64) (detail.Data, error) {
	ctx, s := env.Ctx, env.Store
	x, err := s.GetDevice(ctx, id)
	if err != nil {
		return detail.Data{}, err
	}
	now := env.now()
	d := detail.Data{Title: x.AssetTag + "  " + x.Name, Subtitle: "device · " + x.Kind + " · " + x.Status, Fields: [][2]string{
		{"serial", dash(x.Serial)}, {"model", dash(x.Model)}, {"os", dash(strings.TrimSpace(x.OS + " " + x.OSVersion))},
		{"disk encrypted", human.YesNoUnknown(x.DiskEncrypted)}, {"endpoint", dash(x.EndpointProtection)}, {"patch level", dash(x.PatchLevel)},
		{"last seen", model.Ago(x.LastSeenAt, now)}, {"location", dash(x.Location)}, {"purchased", dash(x.PurchaseDate)},
		{"notes", dash(firstLine(x.Notes))},
	}}
	holder := detail.Section{Title: "Holder", Empty: "nobody"}
	if x.HolderID != nil {
		if p, err := s.GetPerson(ctx, *x.HolderID); err == nil {
			holder.Rows = append(holder.Rows, detail.Row{Text: p.Name + " · " + p.Email + " · " + p.Status, Link: link("person", p.ID)})
		}
	}
	hosted, err := s.HostedServices(ctx, id)
	if err != nil {
		return d, err
	}
	hs := detail.Section{Title: fmt.Sprintf("Services hosted (%d)", len(hosted)), Empty: "hosts no services"}
	for _, v := range hosted {
		hs.Rows = append(hs.Rows, detail.Row{Text: fmt.Sprintf("%-20s %-9s %s", v.Name, v.Kind, v.Criticality), Link: link("service", v.ID)})
	}
	tc, err := toolchainSection(env, id, now) // drift.go
	if err != nil {
		return d, err
	}
	ck, err := checksSection(env, store.CheckQuery{DeviceID: id})
	if err != nil {
		return d, err
	}
	cp, err := complianceSection(env, id) // findings.go
	if err != nil {
		return d, err
	}
	fs, err := findingsSection(env, "device", id)
	if err != nil {
		return d, err
	}
	au, err := auditSection(env, "device", id)
	d.Sections = []detail.Section{holder, cp, fs, hs, ck, tc, au}
	return d, err
}

func serviceDetail(env TabEnv, id int64) (detail.Data, error) {
	ctx, s := env.Ctx, env.Store
	x, err := s.GetService(ctx, id)
	if err != nil {
		return detail.Data{}, err
	}
	now := env.now()
	d := detail.Data{Title: x.Name, Subtitle: "service · " + x.Kind + " · " + x.Criticality + " · " + x.Status, Fields: [][2]string{
		{"url", dash(x.URL)}, {"runbook", dash(x.RunbookURL)}, {"notes", dash(firstLine(x.Notes))},
	}}
	owner := detail.Section{Title: "Owner", Empty: "nobody owns this service"}
	if x.OwnerID != nil {
		if p, err := s.GetPerson(ctx, *x.OwnerID); err == nil {
			owner.Rows = append(owner.Rows, detail.Row{Text: p.Name + " · " + p.Email, Link: link("person", p.ID)})
		}
	}
	accts, err := s.ListAccounts(ctx, store.AccountQuery{ServiceID: id})
	if err != nil {
		return d, err
	}
	ac := detail.Section{Title: fmt.Sprintf("Accounts (%d, admins first)", len(accts)), Empty: "nobody holds an account"}
	for _, a := range accts {
		who := a.PersonName
		if a.PersonStatus != "active" {
			who += " (" + a.PersonStatus + ")"
		}
		ac.Rows = append(ac.Rows, detail.Row{Text: fmt.Sprintf("%-7s %-22s %-18s %-9s verified %s",
			a.Entitlement, who, a.Username, a.Status, model.Ago(a.LastVerifiedAt, now)), Link: link("person", a.PersonID),
			Warn: a.PersonStatus == "departed" && a.Status == "active"})
	}
	hosts, err := s.ServiceHosts(ctx, id)
	if err != nil {
		return d, err
	}
	hs := detail.Section{Title: fmt.Sprintf("Hosts (%d)", len(hosts)), Empty: "runs on no recorded device"}
	for _, h := range hosts {
		hs.Rows = append(hs.Rows, detail.Row{Text: fmt.Sprintf("%-10s %-22s %s", h.AssetTag, h.Name, h.Status), Link: link("device", h.ID)})
	}
	deps, err := s.ServiceDeps(ctx, id)
	if err != nil {
		return d, err
	}
	dp := detail.Section{Title: fmt.Sprintf("Depends on (%d)", len(deps)), Empty: "no dependencies"}
	for _, v := range deps {
		dp.Rows = append(dp.Rows, detail.Row{Text: fmt.Sprintf("%-20s %s", v.Name, v.Criticality), Link: link("service", v.ID)})
	}
	rdeps, err := s.ServiceDependents(ctx, id)
	if err != nil {
		return d, err
	}
	rd := detail.Section{Title: fmt.Sprintf("Needed by (%d)", len(rdeps)), Empty: "nothing depends on it"}
	for _, v := range rdeps {
		rd.Rows = append(rd.Rows, detail.Row{Text: fmt.Sprintf("%-20s %s", v.Name, v.Criticality), Link: link("service", v.ID)})
	}
	ck, err := checksSection(env, store.CheckQuery{ServiceID: id})
	if err != nil {
		return d, err
	}
	bk, err := backupSection(env, x, now) // backupsview.go
	if err != nil {
		return d, err
	}
	fs, err := findingsSection(env, "service", id) // findings.go
	if err != nil {
		return d, err
	}
	au, err := auditSection(env, "service", id)
	d.Sections = []detail.Section{owner, ck, bk, ac, hs, fs, dp, rd, au}
	return d, err
}

// auditSection shows the last changes to a record, newest first.
func auditSection(env TabEnv, entity string, id int64) (detail.Section, error) {
	es, err := env.Store.ListAudit(env.Ctx, store.AuditQuery{Entity: entity, EntityID: id, Limit: 20})
	sec := detail.Section{Title: "History", Empty: "no recorded changes"}
	for _, e := range es {
		what := strings.Join(model.DiffJSON(e.Before, e.After), "; ")
		sec.Rows = append(sec.Rows, detail.Row{Text: fmt.Sprintf("%s  %-16s %-7s %s", e.At.Local().Format("2006-01-02 15:04"), e.Actor, e.Action, what)})
	}
	return sec, err
}

func firstLine(s string) string {
	first, rest, _ := strings.Cut(s, "\n")
	if rest != "" {
		return first + " …"
	}
	return first
}
