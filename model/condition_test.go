package model

import (
	"strings"
	"testing"
)

func TestConditionEval(t *testing.T) {
	cases := []struct {
		src  string
		env  CondEnv
		want bool
	}{
		{`status == 200 && latency < 300ms && body contains "ok"`, CondEnv{Status: 200, Latency: 120, Body: "all ok"}, true},
		{`status == 200 && latency < 300ms && body contains "ok"`, CondEnv{Status: 200, Latency: 301, Body: "all ok"}, false},
		{`latency < 2s`, CondEnv{Latency: 1999}, true},
		{`latency < 1.5s`, CondEnv{Latency: 1600}, false},
		{`body matches "^v[0-9]+"`, CondEnv{Body: "v12 ready"}, true},
		{`json.status == "ok" && json.db.latency_ms < 50`, CondEnv{JSON: map[string]any{"status": "ok", "db": map[string]any{"latency_ms": 12.0}}}, true},
		{`cert_days >= 14`, CondEnv{CertDays: 3}, false},
		{`"10s" in answers`, CondEnv{Answers: []string{"10s"}}, true}, // units inside strings stay text
		{`headers["content-type"] startsWith "application/json"`, CondEnv{Headers: map[string]string{"content-type": "application/json; charset=utf-8"}}, true},
		{`exit_code in [0, 1]`, CondEnv{ExitCode: 1}, true},
	}
	for _, c := range cases {
		cond, err := CompileCondition("condition", c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		got, err := cond.Eval(&c.env)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if got != c.want {
			t.Errorf("%s with %+v = %v, want %v", c.src, c.env, got, c.want)
		}
	}
}

func TestConditionRefusedWithPosition(t *testing.T) {
	cases := []struct{ src, want string }{
		{`status == 200 && latancy < 300ms`, "at position 18: unknown name latancy"},
		{`status == 200 && latency < 300ms && body contians "ok"`, "at position 42"},
		{`latency < 3 weeks`, "at position 13"},
		{`latency < 3w`, `at position 12: unknown unit "w"`},
		{`status`, "expected bool"},
		{`status == "200"`, "mismatched types"},
	}
	for _, c := range cases {
		_, err := CompileCondition("condition", c.src)
		if err == nil {
			t.Errorf("%s: accepted", c.src)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "condition: ") {
			t.Errorf("%s: error %q, want it to contain %q", c.src, err, c.want)
		}
	}
}

func TestJSONPathRuntimeErrorFails(t *testing.T) {
	cond, err := CompileCondition("condition", `json.db.up == true`)
	if err != nil {
		t.Fatal(err)
	}
	ok, err := cond.Eval(&CondEnv{JSON: map[string]any{}})
	if ok {
		t.Fatal("missing member satisfied the condition")
	}
	_ = err // a nil member compares false or errors; either way not ok
}
