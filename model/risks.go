package model

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Risk is one single point of failure or leftover access, naming the record
// it is about (kind + id + name) so a UI can jump to it.
type Risk struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"` // high, medium, low
	Kind     string `json:"kind"`     // service, person, secret, account
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Detail   string `json:"detail"`
}

// Risk rules. The coverage rules (no_check, no_backup) run only when the
// data they need exists; see Coverage.
const (
	RuleSingleAdmin     = "single_admin"
	RuleNoAdmin         = "no_admin"
	RuleSingleHost      = "single_host"
	RuleBusFactorPerson = "bus_factor_person"
	RuleSecretOverdue   = "secret_overdue"
	RuleSecretLeaver    = "secret_known_by_leaver"
	RuleSecretOneHolder = "secret_single_holder"
	RuleAccessPresent   = "access_still_present"
)

// AccessFinding is an account that still grants access to someone who is
// leaving or has left: what the alert "access still present for <person>
// on <service>" is raised from.
type AccessFinding struct {
	AccountID    int64  `json:"account_id"`
	PersonID     int64  `json:"person_id"`
	PersonName   string `json:"person_name"`
	PersonEmail  string `json:"person_email"`
	PersonStatus string `json:"person_status"`
	ServiceID    int64  `json:"service_id"`
	ServiceName  string `json:"service_name"`
	Username     string `json:"username"`
	Entitlement  string `json:"entitlement"`
	Message      string `json:"message"`
}

// AccessStillPresent picks, from accounts, the active ones held by people
// who are leaving or departed, ordered by person then service.
func AccessStillPresent(accounts []Account) []AccessFinding {
	var out []AccessFinding
	for _, a := range accounts {
		if a.Status != "active" || (a.PersonStatus != "leaving" && a.PersonStatus != "departed") {
			continue
		}
		out = append(out, AccessFinding{
			AccountID: a.ID, PersonID: a.PersonID, PersonName: a.PersonName, PersonEmail: a.PersonEmail,
			PersonStatus: a.PersonStatus, ServiceID: a.ServiceID, ServiceName: a.ServiceName,
			Username: a.Username, Entitlement: a.Entitlement,
			Message: fmt.Sprintf("access still present for %s on %s", a.PersonName, a.ServiceName),
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].PersonName != out[j].PersonName {
			return out[i].PersonName < out[j].PersonName
		}
		return strings.ToLower(out[i].ServiceName) < strings.ToLower(out[j].ServiceName)
	})
	return out
}

// Coverage says which services some other feature covers — checks watching
// them, backup jobs saving them. Rules built from it flag critical services
// left uncovered. A feature whose data does not exist contributes no
// Coverage, and its rule is simply not evaluated.
type Coverage struct {
	Rule    string         // e.g. "no_check"
	What    string         // e.g. "check", for "critical service with no check"
	Covered map[int64]bool // service ids that have at least one
}

// RiskInputs is everything the risk rules look at.
type RiskInputs struct {
	Now      time.Time
	Services []Service          // all services; retired ones are ignored
	Accounts []Account          // all accounts, with person status joined
	Hosts    map[int64][]Device // service id → devices it runs on (retired devices are ignored)
	Secrets  []Secret
	Coverage []Coverage
	// Onboarding feeds the onboarding rules (model/onboarding.go).
	Onboarding OnboardingRiskInputs
	// Compliance is each workstation's verdicts (compliance.go).
	Compliance []DeviceCompliance
	// ReviewsStarted and ReviewsSigned are the months with a monthly
	// review started and signed off (review.go).
	ReviewsStarted, ReviewsSigned []string
	Extra                         []Risk  // findings of rules kept in their feature's own file (AccessRisks)
	OnCallGaps                    []Shift // windows ahead with nobody on call (OnCallGapRisks)
}

// Risks evaluates every rule and returns the findings, most severe first.
func Risks(in RiskInputs) []Risk {
	out := OnCallGapRisks(in.OnCallGaps)
	add := func(r Risk) { out = append(out, r) }

	// Admins per service: active admin accounts of active people.
	admins := map[int64][]Account{}
	hadAdmin := map[int64]bool{}
	for _, a := range in.Accounts {
		if a.Entitlement != "admin" {
			continue
		}
		hadAdmin[a.ServiceID] = true
		if a.Status == "active" && a.PersonStatus == "active" {
			admins[a.ServiceID] = append(admins[a.ServiceID], a)
		}
	}
	soleAdminOf := map[int64][]Service{}
	people := map[int64]string{}
	for _, sv := range in.Services {
		if sv.Status != "active" {
			continue
		}
		switch n := len(admins[sv.ID]); {
		case n == 1:
			a := admins[sv.ID][0]
			add(Risk{Rule: RuleSingleAdmin, Severity: critSeverity(sv.Criticality), Kind: "service", ID: sv.ID, Name: sv.Name,
				Detail: fmt.Sprintf("one admin: %s (%s); if they leave or lose access nobody can administer it", a.PersonName, a.Username)})
			soleAdminOf[a.PersonID] = append(soleAdminOf[a.PersonID], sv)
			people[a.PersonID] = a.PersonName
		case n == 0 && hadAdmin[sv.ID]:
			add(Risk{Rule: RuleNoAdmin, Severity: "high", Kind: "service", ID: sv.ID, Name: sv.Name,
				Detail: "no active admin left: every admin account is revoked or belongs to someone leaving or gone"})
		}
		if sv.Criticality == "critical" || sv.Criticality == "high" {
			var hosts []Device
			for _, d := range in.Hosts[sv.ID] {
				if d.Status != "retired" {
					hosts = append(hosts, d)
				}
			}
			if len(hosts) == 1 {
				sev := "medium"
				if sv.Criticality == "critical" {
					sev = "high"
				}
				add(Risk{Rule: RuleSingleHost, Severity: sev, Kind: "service", ID: sv.ID, Name: sv.Name,
					Detail: fmt.Sprintf("%s service runs on one host: %s (%s)", sv.Criticality, hosts[0].AssetTag, hosts[0].Name)})
			}
		}
		if sv.Criticality == "critical" {
			for _, c := range in.Coverage {
				if !c.Covered[sv.ID] {
					add(Risk{Rule: c.Rule, Severity: "high", Kind: "service", ID: sv.ID, Name: sv.Name,
						Detail: "critical service with no " + c.What})
				}
			}
		}
	}
	for pid, svcs := range soleAdminOf {
		names := make([]string, len(svcs))
		sev := "medium"
		for i, sv := range svcs {
			names[i] = sv.Name
			if critSeverity(sv.Criticality) == "high" {
				sev = "high"
			}
		}
		sort.Strings(names)
		add(Risk{Rule: RuleBusFactorPerson, Severity: sev, Kind: "person", ID: pid, Name: people[pid],
			Detail: "bus factor 1: their departure would orphan " + strings.Join(names, ", ")})
	}

	for _, sc := range in.Secrets {
		var leavers []string
		active := 0
		for _, h := range sc.Holders {
			if h.Status == "active" {
				active++
			} else {
				leavers = append(leavers, h.Name+" ("+h.Status+")")
			}
		}
		if len(leavers) > 0 {
			add(Risk{Rule: RuleSecretLeaver, Severity: "high", Kind: "secret", ID: sc.ID, Name: sc.Name,
				Detail: "still known by " + strings.Join(leavers, ", ") + "; rotate it"})
		}
		if sc.Overdue(in.Now) {
			add(Risk{Rule: RuleSecretOverdue, Severity: "medium", Kind: "secret", ID: sc.ID, Name: sc.Name,
				Detail: fmt.Sprintf("rotation %s (every %dd)", sc.RotationStatus(in.Now), sc.RotationDays)})
		}
		if active == 1 {
			add(Risk{Rule: RuleSecretOneHolder, Severity: "low", Kind: "secret", ID: sc.ID, Name: sc.Name,
				Detail: "known by one active person only"})
		}
	}

	for _, f := range AccessStillPresent(in.Accounts) {
		sev := "medium"
		if f.Entitlement == "admin" || f.PersonStatus == "departed" {
			sev = "high"
		}
		add(Risk{Rule: RuleAccessPresent, Severity: sev, Kind: "account", ID: f.AccountID,
			Name:   f.ServiceName + ":" + f.Username,
			Detail: fmt.Sprintf("%s (%s, %s %s)", f.Message, f.PersonStatus, f.Entitlement, "account")})
	}

	out = append(out, OnboardingRisks(in.Services, in.Onboarding, in.Now)...)
	out = append(out, ComplianceRisks(in.Compliance)...)
	if r := ReviewMissingRisk(in.Now, in.ReviewsStarted, in.ReviewsSigned); r != nil {
		out = append(out, *r)
	}

	out = append(out, in.Extra...)
	rank := map[string]int{"high": 0, "medium": 1, "low": 2}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if rank[a.Severity] != rank[b.Severity] {
			return rank[a.Severity] < rank[b.Severity]
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return strings.ToLower(a.Name) < strings.ToLower(b.Name)
	})
	return out
}

func critSeverity(c string) string {
	switch c {
	case "critical", "high":
		return "high"
	case "medium":
		return "medium"
	}
	return "low"
}
