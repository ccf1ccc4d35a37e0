package model

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestCheckKindTable: every kind's default condition compiles, its
// variables are names the condition language knows, and the kind lists
// derive from the table.
func TestCheckKindTable(t *testing.T) {
	var vars []string
	for f := range reflect.TypeFor[CondEnv]().Fields() {
		vars = append(vars, f.Tag.Get("expr"))
	}
	for _, k := range AllCheckKinds() {
		if k.Validate == nil || k.DefaultCondition == "" || k.Target == "" {
			t.Errorf("kind %s lacks validation, a default condition or a target description", k.Name)
		}
		if _, err := CompileCondition("condition", k.DefaultCondition); err != nil {
			t.Errorf("kind %s: default condition: %v", k.Name, err)
		}
		if DefaultCondition(k.Name) != k.DefaultCondition {
			t.Errorf("kind %s: DefaultCondition %q, table %q", k.Name, DefaultCondition(k.Name), k.DefaultCondition)
		}
		for _, v := range k.Vars {
			if !slices.Contains(vars, v) {
				t.Errorf("kind %s: variable %q is not in CondEnv", k.Name, v)
			}
		}
		if got := slices.Contains(ProbeKinds, k.Name); got == k.Source {
			t.Errorf("kind %s: in ProbeKinds %v, source %v", k.Name, got, k.Source)
		}
		if !slices.Contains(CheckKinds, k.Name) || IsSourceKind(k.Name) != k.Source {
			t.Errorf("kind %s: CheckKinds/IsSourceKind disagree with the table", k.Name)
		}
	}
	help := CheckKindHelp()
	for _, k := range ProbeKinds {
		if !strings.Contains(help, "  "+k+" ") {
			t.Errorf("help lacks kind %s:\n%s", k, help)
		}
	}
	if strings.Contains(help, SourceAccess) {
		t.Errorf("help lists a source kind people cannot add:\n%s", help)
	}
}

// TestKindOnlyFields: a field another kind owns is refused, naming the
// owner; a secret one without echoing its value.
func TestKindOnlyFields(t *testing.T) {
	svc := int64(1)
	c := Check{Name: "web", Kind: "http", ServiceID: &svc, Target: "http://127.0.0.1/", Resolver: "1.1.1.1:53"}
	c.Normalize()
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), `resolver: "1.1.1.1:53" applies only to dns checks`) {
		t.Fatalf("resolver on http: %v", err)
	}
	c = Check{Name: "web", Kind: "tcp", ServiceID: &svc, Target: "127.0.0.1:22", Env: "TOKEN=hunter2"}
	c.Normalize()
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "only for exec checks") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("env on tcp: %v", err)
	}
}
