package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdeck/opsdeck/model"
)

// Credentials a version before 0009 stored in clear.
var oldSecrets = []string{"hunter2-url-pass", "T0KEN-SLACK-abc", "smtp-pa55word", "Bearer-sekrit-hdr", "pg-pa55-env", "deadbeefcafe0123456789ab"}

// A database written before credentials were encrypted ends up with none
// in clear after one open: not in the tables, not in the audit log, not in
// free pages or the WAL, not in the backup directory (the pre-migration
// copy of the clear file is replaced), and not in a backup taken afterwards. Every view
// masks them, the code that uses them still gets them, and a ping still
// finds its check.
func TestOpenSealsClearCredentials(t *testing.T) {
	const ts = "2026-01-01T00:00:00.000Z"
	path := oldDatabase(t, 8,
		`INSERT INTO services(id, name, kind, criticality, url, created_at, updated_at) VALUES (1, 'Web', 'app', 'high', 'https://ops:hunter2-url-pass@db.example.com/', '`+ts+`', '`+ts+`')`,
		`INSERT INTO checks(id, name, kind, service_id, target, headers, interval_s, timeout_s, created_at, updated_at) VALUES (1, 'web', 'http', 1, 'https://u:hunter2-url-pass@x.example/', 'Authorization: Bearer-sekrit-hdr', 60, 10, '`+ts+`', '`+ts+`')`,
		`INSERT INTO checks(id, name, kind, service_id, ping_token, interval_s, timeout_s, created_at, updated_at) VALUES (2, 'nightly', 'heartbeat', 1, 'deadbeefcafe0123456789ab', 3600, 10, '`+ts+`', '`+ts+`')`,
		`INSERT INTO notification_channels(id, name, kind, url, created_at, updated_at) VALUES (1, 'slack', 'slack', 'https://hooks.slack.com/services/T0KEN-SLACK-abc', '`+ts+`', '`+ts+`')`,
		`INSERT INTO notification_channels(id, name, kind, smtp_addr, smtp_from, smtp_user, smtp_pass, created_at, updated_at) VALUES (2, 'mail', 'email', 'smtp.example.com:587', 'o@example.com', 'o', 'smtp-pa55word', '`+ts+`', '`+ts+`')`,
		`INSERT INTO backup_jobs(id, name, service_id, kind, command, schedule, ping_token, created_at, updated_at) VALUES (1, 'pg', 1, 'command', 'PGPASSWORD=pg-pa55-env pg_dump app', '@daily', 'ffff', '`+ts+`', '`+ts+`')`,
		`INSERT INTO audit_log(at, actor, action, entity, entity_id, before, after) VALUES ('`+ts+`', 'local:x', 'create', 'check', 1, '', '{"id":1,"target":"https://u:hunter2-url-pass@x.example/","headers":"Authorization: Bearer-sekrit-hdr","interval_s":60}')`,
		`INSERT INTO audit_log(at, actor, action, entity, entity_id, before, after) VALUES ('`+ts+`', 'local:x', 'create', 'check', 2, '', '{"id":2,"ping_token":"deadbeefcafe0123456789ab"}')`,
		`INSERT INTO audit_log(at, actor, action, entity, entity_id, before, after) VALUES ('`+ts+`', 'local:x', 'create', 'channel', 1, '', '{"id":1,"url":"https://hooks.slack.com/services/T0KEN-SLACK-abc"}')`,
		`INSERT INTO audit_log(at, actor, action, entity, entity_id, before, after) VALUES ('`+ts+`', 'local:x', 'create', 'backup_job', 1, '', '{"id":1,"command":"PGPASSWORD=pg-pa55-env pg_dump app"}')`,
		// A deleted channel leaves its row's bytes in a free page.
		`INSERT INTO notification_channels(id, name, kind, url, created_at, updated_at) VALUES (3, 'gone', 'webhook', 'https://x.example/T0KEN-SLACK-abc', '`+ts+`', '`+ts+`')`,
		`DELETE FROM notification_channels WHERE id = 3`,
	)
	keyFile := filepath.Join(t.TempDir(), "secret.key")
	t.Setenv(KeyFileEnv, keyFile)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}

	// Views: masked; the using code: clear.
	view := s.For(model.Actor{Kind: "ssh", Name: "v@example.com", Role: "viewer"})
	c, err := view.GetCheck(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.Target, "hunter2") || !strings.Contains(c.Target, "https://u:••••@x.example/") || !strings.HasPrefix(c.Headers, "•••• sha256:") {
		t.Fatalf("viewer sees %q / %q", c.Target, c.Headers)
	}
	clear, err := s.WithCredentials().GetCheck(ctx, 1)
	if err != nil || clear.Headers != "Authorization: Bearer-sekrit-hdr" || clear.Target != "https://u:hunter2-url-pass@x.example/" {
		t.Fatalf("runner reads %+v %v", clear, err)
	}
	j, err := s.WithCredentials().FindBackupJob(ctx, "pg")
	if err != nil || j.Command != "pg_dump app" || j.Env != "PGPASSWORD=pg-pa55-env" {
		t.Fatalf("backup job: %q env %q %v", j.Command, j.Env, err)
	}
	adm := s.For(admin)
	hb, err := adm.GetCheck(ctx, 2)
	if err != nil || hb.PingToken != "deadbeefcafe0123456789ab" {
		t.Fatalf("admin ping token %q %v", hb.PingToken, err)
	}
	if hb, _ := view.GetCheck(ctx, 2); hb.PingToken == "deadbeefcafe0123456789ab" {
		t.Fatal("viewer sees the ping token")
	}
	if got, err := s.FindCheckByToken(ctx, "deadbeefcafe0123456789ab"); err != nil || got.ID != 2 {
		t.Fatalf("ping lookup: %+v %v", got, err)
	}
	chs, err := view.ListChannels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range chs {
		if strings.Contains(ch.URL+ch.SMTPPass, "T0KEN") || strings.Contains(ch.SMTPPass, "pa55") {
			t.Fatalf("channel leaks: %+v", ch)
		}
	}
	au, err := s.ListAudit(ctx, AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range au {
		for _, sec := range oldSecrets {
			if strings.Contains(e.Before+e.After, sec) {
				t.Fatalf("audit row %d holds %q: %s", e.ID, sec, e.After)
			}
		}
	}
	if d := model.DiffJSON(au[len(au)-1].Before, au[len(au)-1].After); len(d) == 0 {
		t.Fatal("masked audit row no longer reads")
	}

	// The backup taken before migrating was a copy of the clear file: it is
	// gone, its run marked pruned with the reason audited, and a verified,
	// recorded backup of the sealed database took its place.
	runs, err := s.ListBackupRuns(ctx, BackupRunQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var pre, after *model.BackupRun
	for i := range runs {
		switch {
		case runs[i].PrunedAt != nil:
			pre = &runs[i]
		case runs[i].Status == "ok":
			after = &runs[i]
		}
	}
	if len(runs) != 2 || pre == nil || after == nil || pre.Reason != "pre-migration" || after.Reason != "pre-migration" {
		t.Fatalf("backup runs after the upgrade: %+v", runs)
	}
	if _, err := os.Stat(pre.File); !os.IsNotExist(err) {
		t.Fatalf("clear pre-migration backup %s still there: %v", pre.File, err)
	}
	if _, err := os.Stat(ManifestPath(pre.File)); !os.IsNotExist(err) {
		t.Fatalf("its manifest is still there: %v", err)
	}
	if v := VerifyBackup(ctx, after.File); !v.OK || !after.Verified || after.SHA256 != v.SHA256 {
		t.Fatalf("backup of the sealed database: %+v (run %+v)", v, after)
	}
	why := false
	for _, e := range au {
		why = why || (e.Action == "prune" && strings.Contains(e.After, "credentials in clear"))
	}
	if !why {
		t.Fatal("no audit row says why the pre-migration backup was removed")
	}
	var scanned int
	for _, dir := range []string{filepath.Dir(path), DefaultBackupDir(path)} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			scanned++
			for _, sec := range oldSecrets {
				if bytes.Contains(b, []byte(sec)) {
					t.Errorf("%s holds %q in clear", e.Name(), sec)
				}
			}
		}
	}
	if scanned < 3 {
		t.Fatalf("scanned only %d files", scanned)
	}

	// A backup carries ciphertext.
	res, err := s.Backup(ctx, admin, BackupOptions{Reason: "manual", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, f := range []string{path, path + "-wal", res.File} {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range oldSecrets {
			if bytes.Contains(b, []byte(sec)) {
				t.Errorf("%s holds %q in clear", filepath.Base(f), sec)
			}
		}
	}

	// The same database without its key: refused, with the way out named.
	t.Setenv(KeyFileEnv, filepath.Join(t.TempDir(), "other.key"))
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, err := s2.WithCredentials().GetCheck(ctx, 1); err == nil || !strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), "secrets.md") {
		t.Fatalf("missing key: %v", err)
	}
}

// A key file others can read is refused; so is the wrong key.
func TestKeyFileRules(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "k")
	if _, err := loadKeyFile(p, true); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, 0o640)
	if _, err := loadKeyFile(p, false); err == nil || !strings.Contains(err.Error(), "chmod 600 "+p) {
		t.Fatalf("group-readable key accepted: %v", err)
	}
	os.Chmod(p, 0o600)
	t.Setenv(KeyFileEnv, p)
	s := openTest(t)
	ch := model.Channel{Name: "hook", Kind: "webhook", URL: "https://x.example/T0KEN"}
	if err := s.Write(context.Background(), admin, func(tx *Tx) error { return tx.AddChannel(&ch) }); err != nil {
		t.Fatal(err)
	}
	if ch.URL != "https://x.example/T0KEN" {
		t.Fatalf("write hands back %q", ch.URL)
	}
	s.keys.k = nil
	if _, err := loadKeyFile(filepath.Join(dir, "k2"), true); err != nil {
		t.Fatal(err)
	}
	s.keys.path = filepath.Join(dir, "k2")
	if _, err := s.WithCredentials().ListChannels(context.Background()); err == nil || !strings.Contains(err.Error(), "holds key") {
		t.Fatalf("wrong key: %v", err)
	}
}

// An edit that writes back what a view showed keeps the stored value.
func TestMaskedEditKeepsCredential(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	sv := model.Service{Name: "Web", Kind: "app", Criticality: "high", URL: "https://u:pw-123@h.example/"}
	if err := s.Write(ctx, admin, func(tx *Tx) error { return tx.AddService(&sv) }); err != nil {
		t.Fatal(err)
	}
	shown, err := s.For(admin).GetService(ctx, sv.ID)
	if err != nil || strings.Contains(shown.URL, "pw-123") {
		t.Fatalf("shown %q %v", shown.URL, err)
	}
	if err := s.Write(ctx, admin, func(tx *Tx) error {
		_, _, err := tx.UpdateService(sv.ID, func(x *model.Service) error { x.URL = shown.URL; x.Notes = "n"; return nil })
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.WithCredentials().GetService(ctx, sv.ID)
	if got.URL != "https://u:pw-123@h.example/" || got.Notes != "n" {
		t.Fatalf("after edit: %+v", got)
	}
}

// Two hosts on one database with different key files: the one whose key
// is not the recorded one refuses at start (CheckKey) with one line, and
// cannot seal with its own key even if it loaded it before the other host
// recorded its key (no credential sealed with a key nobody else has).
func TestPairWithDifferentKeysRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := testDB(t, "pair.db")
	open := func(key string) *Store {
		t.Setenv(KeyFileEnv, filepath.Join(dir, key))
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open("a.key"), open("b.key")
	if err := b.CheckKey(ctx); err != nil {
		t.Fatalf("no credential sealed yet: %v", err)
	}
	if _, err := b.keyring(ctx, b.r, true); err != nil { // b makes its own key first
		t.Fatal(err)
	}
	ch := model.Channel{Name: "hook", Kind: "webhook", URL: "https://x.example/T0KEN"}
	if err := a.Write(ctx, admin, func(tx *Tx) error { return tx.AddChannel(&ch) }); err != nil {
		t.Fatal(err)
	}
	if err := a.CheckKey(ctx); err != nil {
		t.Fatalf("the host whose key sealed: %v", err)
	}
	err := b.CheckKey(ctx)
	if !errors.Is(err, ErrWrongKey) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), KeyFileEnv) {
		t.Fatalf("b's key at start: %v", err)
	}
	ch2 := model.Channel{Name: "hook2", Kind: "webhook", URL: "https://y.example/S3CRET"}
	if err := b.Write(ctx, admin, func(tx *Tx) error { return tx.AddChannel(&ch2) }); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("b sealed with its own key: %v", err)
	}
	chs, err := a.WithCredentials().ListChannels(ctx)
	if err != nil || len(chs) != 1 || chs[0].URL != "https://x.example/T0KEN" {
		t.Fatalf("channels after b's refused write: %v %+v", err, chs)
	}
}
