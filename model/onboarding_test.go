package model

import (
	"strings"
	"testing"
	"time"
)

func TestEffectiveProfileMergesTheChain(t *testing.T) {
	dev := RoleProfile{Name: "developer", DeviceKind: "laptop", Tools: map[string]string{"go": ">=1.25 <1.27"},
		Services: []ProfileService{{ServiceID: 1, ServiceName: "AWS", Entitlement: "member"}, {ServiceID: 2, ServiceName: "GitHub", Entitlement: "member"}},
		Steps:    []ProfileStep{{Title: "Badge"}}}
	sre := RoleProfile{Name: "sre", Extends: "developer", Tools: map[string]string{"terraform": "~1.9"},
		Services: []ProfileService{{ServiceID: 1, ServiceName: "AWS", Entitlement: "admin"}, {ServiceID: 3, ServiceName: "Jenkins", Entitlement: "member"}},
		Steps:    []ProfileStep{{Title: "badge"}, {Title: "On-call shadowing"}}}
	e := Effective([]RoleProfile{dev, sre})
	if e.Name != "sre" || e.DeviceKind != "laptop" || len(e.Tools) != 2 {
		t.Fatalf("effective %+v", e)
	}
	var got []string
	for _, s := range e.Services {
		got = append(got, s.ServiceName+"="+s.Entitlement)
	}
	if strings.Join(got, ",") != "AWS=admin,GitHub=member,Jenkins=member" {
		t.Errorf("services %v", got)
	}
	if len(e.Steps) != 2 || e.Steps[1].Title != "On-call shadowing" {
		t.Errorf("steps %+v", e.Steps)
	}
}

func TestProfileValidate(t *testing.T) {
	for _, c := range []struct {
		p    RoleProfile
		want string
	}{
		{RoleProfile{Name: "two words"}, "name"},
		{RoleProfile{Name: "x", Extends: "x"}, "extends"},
		{RoleProfile{Name: "x", DeviceKind: "toaster"}, "device_kind"},
		{RoleProfile{Name: "x", Tools: map[string]string{"go": "banana"}}, "tool"},
		{RoleProfile{Name: "x", Services: []ProfileService{{ServiceID: 1, Entitlement: "owner"}}}, "entitlement"},
		{RoleProfile{Name: "x", Steps: []ProfileStep{{Detail: "no title"}}}, "step"},
	} {
		c.p.Normalize()
		err := c.p.Validate()
		if fe, ok := AsFieldError(err); !ok || fe.Field != c.want {
			t.Errorf("%+v: %v, want field %s", c.p, err, c.want)
		}
	}
}

func TestProcedureTemplate(t *testing.T) {
	p := Procedure{Direction: "deprovision", Text: "remove", Command: "gh api -X DELETE orgs/x/members/{{.Username}}"}
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := p.HowTo(ProcedureVars{Username: "kim"}); got != "remove · run: gh api -X DELETE orgs/x/members/kim" {
		t.Errorf("how-to %q", got)
	}
	bad := Procedure{Direction: "provision", Command: "{{.Nope}}"}
	if fe, ok := AsFieldError(bad.Validate()); !ok || fe.Field != "command" {
		t.Errorf("unknown field accepted: %v", bad.Validate())
	}
	if fe, ok := AsFieldError((&Procedure{Direction: "provision"}).Validate()); !ok || fe.Field != "procedure" {
		t.Error("an empty procedure was accepted")
	}
}

func TestPlanOnboarding(t *testing.T) {
	laptop := Device{ID: 9, AssetTag: "LT-9", Name: "l9", Kind: "laptop"}
	steps := PlanOnboarding(OnboardingPlan{
		Hire: Person{Name: "Kim Lee", Email: "Kim.Lee@example.com"},
		Profile: RoleProfile{DeviceKind: "laptop", Services: []ProfileService{{ServiceID: 2, ServiceName: "Slack", Entitlement: "member"},
			{ServiceID: 1, ServiceName: "AWS", Entitlement: "admin"}}, Steps: []ProfileStep{{Title: "Badge"}}},
		Procedures: map[int64]Procedure{1: {Text: "IAM", Link: "https://wiki/aws", Command: "add {{.Username}}"}},
		Services:   map[int64]Service{1: {Criticality: "critical"}, 2: {Criticality: "high", RunbookURL: "https://wiki/slack"}},
		Laptop:     &laptop,
		Baseline:   []Baseline{{Name: "go", Constraint: ">=1.25 <1.27"}},
	})
	var got []string
	for _, s := range steps {
		got = append(got, s.Kind+":"+s.Title)
	}
	want := "account:Create AWS admin account|account:Create Slack member account|laptop:Assign laptop LT-9 (l9)|build:Build the laptop to the baseline|template:Badge"
	if strings.Join(got, "|") != want {
		t.Fatalf("steps\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	if steps[0].Procedure != "IAM · run: add kim.lee" || steps[0].Link != "https://wiki/aws" || steps[0].Default != "kim.lee" || steps[0].Warn != "" {
		t.Errorf("AWS step %+v", steps[0])
	}
	if steps[1].Warn != "no provisioning procedure" || steps[1].Link != "https://wiki/slack" {
		t.Errorf("Slack step %+v", steps[1])
	}
	if steps[2].Default != "LT-9" || *steps[3].RefID != 9 {
		t.Errorf("laptop steps %+v %+v", steps[2], steps[3])
	}
}

func TestBuildVerdict(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	base := []Baseline{{Name: "go", Constraint: ">=1.25 <1.27"}, {Name: "gcc", Constraint: "12.*"}}
	sw := func(goV string) []SWObservation {
		return []SWObservation{{Name: "go", Version: goV, ObservedAt: now}, {Name: "gcc", Version: "12.2.0", ObservedAt: now}}
	}
	if ok, why := BuildVerdict(Device{}, base, sw("1.26.1"), now); !ok || why != "no drift from the baseline" {
		t.Errorf("on baseline: %v %s", ok, why)
	}
	if ok, why := BuildVerdict(Device{}, base, sw("1.27.1"), now); ok || why != "go 1.27.1 is newer than the baseline >=1.25 <1.27" {
		t.Errorf("newer compiler: %v %s", ok, why)
	}
	if ok, why := BuildVerdict(Device{}, base, sw("1.24.0"), now); ok || !strings.Contains(why, "older") {
		t.Errorf("older compiler: %v %s", ok, why)
	}
	no := false
	if ok, why := BuildVerdict(Device{DiskEncrypted: &no}, base, nil, now); ok || why != "disk not encrypted" {
		t.Errorf("unencrypted: %v %s", ok, why)
	}
	if ok, why := BuildVerdict(Device{}, base, nil, now); !ok || !strings.Contains(why, "unknown") {
		t.Errorf("never reported: %v %s", ok, why)
	}
}

func TestOnboardingRisks(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.Local)
	svcs := []Service{{ID: 1, Name: "AWS", Criticality: "critical", Status: "active"}, {ID: 2, Name: "GitHub", Criticality: "critical", Status: "active"},
		{ID: 3, Name: "Jira", Criticality: "high", Status: "active"}}
	rs := OnboardingRisks(svcs, OnboardingRiskInputs{Deprovision: map[int64]bool{2: true},
		Open: []OpenOnboarding{{PersonID: 5, Name: "Kim", Start: "2026-12-07"}, {PersonID: 6, Name: "Ana", Start: "2026-12-08"}}}, now)
	var got []string
	for _, r := range rs {
		got = append(got, r.Rule+":"+r.Name)
	}
	if strings.Join(got, ",") != RuleNoDeprovision+":AWS,"+RuleOnboardingOpen+":Kim" {
		t.Errorf("risks %v", got)
	}
}
