package model

import (
	"strings"
	"testing"
)

func fakeFP(v string) string { return "ab12cd34" }

func TestMaskKinds(t *testing.T) {
	cases := []struct {
		s        Secrecy
		in, want string
	}{
		{SecretValue, "", ""},
		{SecretValue, "Authorization: Bearer sekrit", "•••• sha256:ab12cd34"},
		{SecretEndpoint, "https://hooks.slack.com/services/T0/B0/XYZ", "https://hooks.slack.com/•••• sha256:ab12cd34"},
		{SecretEndpoint, "http://127.0.0.1:8080/hook?token=x", "http://127.0.0.1:8080/•••• sha256:ab12cd34"},
		{SecretEmbedded, "https://example.com/health", "https://example.com/health"},
		{SecretEmbedded, "https://ops:hunter2@example.com/health", "https://ops:••••@example.com/health (sha256:ab12cd34)"},
		{SecretEmbedded, "check_pg --host db --password hunter2 -v", "check_pg --host db --password •••• -v (sha256:ab12cd34)"},
		{SecretEmbedded, "x=1 && MYSQL_PWD=hunter2 mysqldump", "x=1 && MYSQL_PWD=•••• mysqldump (sha256:ab12cd34)"},
		{SecretEmbedded, "tool --api-key='a b' run", "tool --api-key=•••• run (sha256:ab12cd34)"},
		{SecretEmbedded, "echo LANG=C", "echo LANG=C"},
	}
	for _, c := range cases {
		if got := Mask(c.s, c.in, fakeFP); got != c.want {
			t.Errorf("Mask(%d, %q) = %q, want %q", c.s, c.in, got, c.want)
		}
		if strings.Contains(c.want, Masked) && strings.Contains(Mask(c.s, c.in, fakeFP), "hunter2") {
			t.Errorf("Mask(%q) leaks", c.in)
		}
	}
}

func TestSplitEnv(t *testing.T) {
	cases := []struct{ in, rest, env string }{
		{"PGPASSWORD=hunter2 pg_dump -Fc app > /b/app.dump", "pg_dump -Fc app > /b/app.dump", "PGPASSWORD=hunter2"},
		{"LANG=C PGPASSWORD='a b' AWS_SECRET_ACCESS_KEY=\"k\" tar c", "LANG=C tar c", "PGPASSWORD=a b\nAWS_SECRET_ACCESS_KEY=k"},
		{"pg_dump app", "pg_dump app", ""},
		{"PGPASSWORD=$(cat /s) pg_dump", "PGPASSWORD=$(cat /s) pg_dump", ""},
	}
	for _, c := range cases {
		rest, env := SplitEnv(c.in)
		if rest != c.rest || strings.Join(env, "\n") != c.env {
			t.Errorf("SplitEnv(%q) = %q, %q; want %q, %q", c.in, rest, env, c.rest, c.env)
		}
	}
}

func TestMaskRecordAdminSeesPingTokenOnly(t *testing.T) {
	c := Check{Kind: "http", Target: "https://u:pw@h/x", Headers: "X-Token: t", PingToken: "tok"}
	MaskRecord(&c, fakeFP, true)
	if c.PingToken != "tok" || strings.Contains(c.Target, "pw") || strings.Contains(c.Headers, "X-Token") {
		t.Fatalf("admin view: %+v", c)
	}
	MaskRecord(&c, fakeFP, false)
	if c.PingToken == "tok" {
		t.Fatal("viewer sees the ping token")
	}
}

func TestBackupJobEnvMoved(t *testing.T) {
	j := BackupJob{Name: "pg", Command: "PGPASSWORD=hunter2 pg_dump app", Schedule: "@daily", ServiceID: 1}
	j.Normalize()
	if j.Command != "pg_dump app" || j.Env != "PGPASSWORD=hunter2" {
		t.Fatalf("got command %q env %q", j.Command, j.Env)
	}
	if err := j.Validate(); err != nil {
		t.Fatal(err)
	}
	j.Env = "not an assignment"
	if err := j.Validate(); err == nil || !strings.Contains(err.Error(), "env") {
		t.Fatalf("bad env accepted: %v", err)
	}
}
