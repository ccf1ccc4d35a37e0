package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue #14, secrets: with the real binary and the real OpenSSH client,
// every credential kind opsdeck stores is entered the way a user would,
// then every read path a viewer has (CLI lists and show, --json, audit,
// export of every kind, remotely) must show none of them; an admin still
// gets the ping token; the database file, its WAL and a backup hold none
// in clear.

// Credentials, unique enough to grep for.
const (
	slackTok   = "SLACKTOK3n9q"
	hookTok    = "HOOKTOK7x2"
	ntfyTopic  = "ntfytopic5k1"
	smtpPass   = "SMTPpa55w0rd"
	bearer     = "BEARERs3kr1t"
	urlPass    = "URLpa55z"
	execSecret = "EXECs3cr3t"
	pgPass     = "PGpa55word"
	s3Secret   = "S3s3cretK"
	svcPass    = "SVCpa55"
)

var credentials = []string{slackTok, hookTok, ntfyTopic, smtpPass, bearer, urlPass, execSecret, pgPass, s3Secret, svcPass}

func TestSecretsNeverReachAViewer(t *testing.T) {
	db := demoDB(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mustRun(t, db, "channels", "add", "--name", "s1", "--kind", "slack", "--url", "https://hooks.slack.com/services/T1/B1/"+slackTok)
	mustRun(t, db, "channels", "add", "--name", "w1", "--kind", "webhook", "--url", "https://hooks.example.com/opsdeck?token="+hookTok)
	mustRun(t, db, "channels", "add", "--name", "n1", "--kind", "ntfy", "--url", "https://ntfy.example.com/"+ntfyTopic)
	mustRun(t, db, "channels", "add", "--name", "m1", "--kind", "email", "--smtp_addr", "127.0.0.1:2525", "--smtp_from", "ops@example.com",
		"--smtp_user", "ops", "--password-file", write("smtp.pass", smtpPass+"\n"))
	mustRun(t, db, "checks", "add", "--name", "api", "--kind", "http", "--service", "Production App",
		"--target", "https://ops:"+urlPass+"@127.0.0.1:9/health", "--headers", "Authorization: Bearer "+bearer)
	mustRun(t, db, "checks", "add", "--name", "plugin", "--kind", "exec", "--service", "Production App",
		"--target", "/bin/true --token "+execSecret, "--env-file", write("check.env", "PLUGIN_TOKEN="+execSecret+"x\n"))
	mustRun(t, db, "checks", "add", "--name", "hb", "--kind", "heartbeat", "--service", "Production App", "--interval_s", "1h")
	mustRun(t, db, "backups", "add", "pg", "--service", "Production App", "--schedule", "@daily",
		"--command", "PGPASSWORD="+pgPass+" pg_dump app", "--env-file", write("pg.env", "AWS_SECRET_ACCESS_KEY="+s3Secret+"\n"))
	mustRun(t, db, "backups", "add", "nas", "--service", "Production App", "--heartbeat", "26h")
	mustRun(t, db, "services", "edit", "Production App", "--url", "postgres://app:"+svcPass+"@db.example.com/app")

	// Secrets typed as flag values are refused, with the way to do it instead.
	r := run(t, db, "channels", "add", "--name", "m2", "--kind", "email", "--smtp_addr", "h:25", "--smtp_from", "a@example.com", "--smtp_user", "u", "--smtp_pass", "x")
	if r.code == 0 || !strings.Contains(r.stderr, "--password-file") {
		t.Fatalf("--smtp_pass accepted: %+v", r)
	}
	if r := run(t, db, "backups", "add", "x", "--service", "Production App", "--schedule", "@daily", "--command", "true", "--env", "A_TOKEN=v"); r.code == 0 || !strings.Contains(r.stderr, "--env-file") {
		t.Fatalf("--env NAME=value accepted: %+v", r)
	}

	var hb struct {
		PingToken string `json:"ping_token"`
	}
	runJSON(t, db, &hb, "checks", "show", "hb")
	var job struct {
		Job struct {
			PingToken string `json:"ping_token"`
		} `json:"job"`
	}
	runJSON(t, db, &job, "backups", "show", "nas")
	if len(hb.PingToken) < 16 || len(job.Job.PingToken) < 16 || strings.Contains(hb.PingToken, "•") {
		t.Fatalf("an admin needs the ping tokens: %q %q", hb.PingToken, job.Job.PingToken)
	}
	if out := mustRun(t, db, "checks", "show", "hb"); !strings.Contains(out, "/ping/"+hb.PingToken) {
		t.Fatalf("admin show has no ping URL:\n%s", out)
	}
	secrets := append([]string{hb.PingToken, job.Job.PingToken}, credentials...)

	// What goes into the audit log and exports is masked for everyone.
	noSecret := func(where, out string, pingOK bool) {
		t.Helper()
		for i, s := range secrets {
			if pingOK && i < 2 {
				continue
			}
			if strings.Contains(out, s) {
				t.Errorf("%s shows %q", where, s)
			}
		}
	}
	for _, args := range [][]string{{"audit", "list", "--json", "--limit", "5000"}, {"audit", "list", "--limit", "5000"}, {"export", "audit"}, {"export", "audit", "--format", "json"}} {
		noSecret("admin: "+strings.Join(args, " "), mustRun(t, db, args...), false)
	}
	if out := mustRun(t, db, "audit", "list", "--json", "--entity", "channel"); !strings.Contains(out, "•••• sha256:") {
		t.Fatalf("audit rows carry no fingerprint:\n%s", out)
	}

	// The code that uses them still has them: the exec check's env reaches its process.
	if out := mustRun(t, db, "checks", "run", "plugin"); !strings.Contains(out, "up") {
		t.Fatalf("exec check with env: %s", out)
	}

	// A viewer, remotely, on every read path.
	srv := startServe(t, db)
	viewer := srv.key("kristen", "kristen@example.com")
	reads := [][]string{
		{"checks", "list"}, {"checks", "list", "--json"}, {"checks", "show", "api"}, {"checks", "show", "api", "--json"},
		{"checks", "show", "plugin", "--json"}, {"checks", "show", "hb"}, {"checks", "show", "hb", "--json"},
		{"channels", "list"}, {"channels", "list", "--json"},
		{"backups", "list", "--json"}, {"backups", "show", "pg"}, {"backups", "show", "pg", "--json"}, {"backups", "show", "nas", "--json"},
		{"services", "list"}, {"services", "list", "--json"}, {"services", "show", "'Production App'"}, {"services", "show", "'Production App'", "--json"},
		{"audit", "list", "--json", "--limit", "5000"}, {"audit", "list", "--limit", "5000"},
		{"export", "audit"}, {"export", "audit", "--format", "yaml"},
		{"export", "people"}, {"export", "devices"}, {"export", "services", "--format", "json"}, {"export", "accounts"},
		{"alerts", "list", "--json"}, {"risks", "--json"},
	}
	for _, args := range reads {
		r := srv.exec(viewer, args...)
		if r.code != 0 {
			t.Errorf("viewer %s: exit %d: %s", strings.Join(args, " "), r.code, r.stderr)
			continue
		}
		noSecret("viewer: "+strings.Join(args, " "), r.stdout+r.stderr, false)
	}
	if r := srv.exec(viewer, "channels", "list", "--json"); !strings.Contains(r.stdout, "https://hooks.slack.com/••••") {
		t.Errorf("a viewer should still see where a channel goes: %s", r.stdout)
	}

	// At rest: the database, its WAL and a backup hold ciphertext only.
	bdir := t.TempDir()
	mustRun(t, db, "backup", "now", "--dir", bdir)
	files := []string{db, db + "-wal"}
	bs, _ := filepath.Glob(filepath.Join(bdir, "*"))
	if len(bs) == 0 {
		t.Fatal("no backup file written")
	}
	files = append(files, bs...)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q in clear", filepath.Base(f), s)
			}
		}
	}
	if !json.Valid([]byte(mustRun(t, db, "channels", "list", "--json"))) {
		t.Fatal("channels list --json is not JSON")
	}
}
