package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/opsdeck/opsdeck/model"
)

// sealClearCredentials finishes migration 0009 once per database: it
// encrypts the credentials earlier versions stored in clear (moving
// PGPASSWORD=… from commands into env first), fills the ping token hashes,
// and masks credentials in old audit rows. The old bytes must not linger:
// secure_delete overwrites what is replaced, and when anything was sealed
// the file is vacuumed (free pages from earlier deletes may still hold
// clear values) and the WAL truncated. The backup taken before migrating
// is a copy of the clear file, so it is replaced (replaceClearBackup).
func (s *Store) sealClearCredentials(ctx context.Context) error {
	var done string
	err := s.w.QueryRowContext(ctx, `SELECT value FROM opsdeck_meta WHERE name = 'sealed'`).Scan(&done)
	if err == nil {
		return nil
	}
	if !isNoRows(err) {
		return fmt.Errorf("open %s: %w", s.path, err)
	}
	if _, err := s.w.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
		return fmt.Errorf("open %s: %w", s.path, err)
	}
	defer s.w.ExecContext(ctx, `PRAGMA secure_delete = OFF`)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("open %s: %w", s.path, err)
	}
	t := &Tx{s: s, tx: tx, ctx: ctx, actor: model.SystemActor("migrate"), at: s.now()}
	n, err := t.sealAll()
	if err == nil {
		_, err = t.exec(`INSERT INTO opsdeck_meta(name, value) VALUES ('sealed', ?)`, fmtTime(t.at))
	}
	if err != nil {
		tx.Rollback()
		return fmt.Errorf("open %s: encrypt stored credentials: %w", s.path, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("open %s: encrypt stored credentials: %w", s.path, err)
	}
	if n == 0 {
		return nil
	}
	for _, q := range []string{`VACUUM`, `PRAGMA wal_checkpoint(TRUNCATE)`} {
		if _, err := s.w.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("open %s: after encrypting credentials: %s: %w", s.path, q, err)
		}
	}
	return s.replaceClearBackup(ctx)
}

// sealAll encrypts every clear credential; n counts the rows changed.
func (t *Tx) sealAll() (n int, err error) {
	type row struct {
		id   int64
		rec  model.Secretive
		hash string
	}
	clear := func(rec model.Secretive) bool {
		for _, f := range rec.SecretFields() {
			if model.HoldsSecret(f.Secret, *f.Value) && !strings.HasPrefix(*f.Value, sealPrefix) {
				return true
			}
		}
		return false
	}

	// sealRows seals the clear credentials among the rows q reads and
	// writes each such row back with update.
	sealRows := func(what, q string, scan func(sc scanner) (row, error), update func(r row) error) error {
		rows, err := collectRows(t.ctx, t.tx, scan, q)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		for _, r := range rows {
			if !clear(r.rec) {
				continue
			}
			if err := t.seal(r.rec); err != nil {
				return err
			}
			if err := update(r); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			n++
		}
		return nil
	}

	if err := sealRows("checks", `SELECT id, kind, target, headers, body, env, ping_token FROM checks`, func(sc scanner) (row, error) {
		c := &model.Check{}
		err := sc.Scan(&c.ID, &c.Kind, &c.Target, &c.Headers, &c.Body, &c.Env, &c.PingToken)
		if c.Kind == "exec" {
			moveEnv(&c.Target, &c.Env)
		}
		return row{id: c.ID, rec: c, hash: tokenHash(c.PingToken)}, err
	}, func(r row) error {
		c := r.rec.(*model.Check)
		_, err := t.exec(`UPDATE checks SET target = ?, headers = ?, body = ?, env = ?, ping_token = ?, ping_token_hash = ? WHERE id = ?`,
			c.Target, c.Headers, c.Body, c.Env, c.PingToken, r.hash, r.id)
		return err
	}); err != nil {
		return n, err
	}

	if err := sealRows("backup jobs", `SELECT id, command, env, ping_token FROM backup_jobs`, func(sc scanner) (row, error) {
		j := &model.BackupJob{}
		err := sc.Scan(&j.ID, &j.Command, &j.Env, &j.PingToken)
		moveEnv(&j.Command, &j.Env)
		return row{id: j.ID, rec: j, hash: tokenHash(j.PingToken)}, err
	}, func(r row) error {
		j := r.rec.(*model.BackupJob)
		_, err := t.exec(`UPDATE backup_jobs SET command = ?, env = ?, ping_token = ?, ping_token_hash = ? WHERE id = ?`,
			j.Command, j.Env, j.PingToken, r.hash, r.id)
		return err
	}); err != nil {
		return n, err
	}

	if err := sealRows("channels", `SELECT id, url, smtp_pass FROM notification_channels`, func(sc scanner) (row, error) {
		c := &model.Channel{}
		err := sc.Scan(&c.ID, &c.URL, &c.SMTPPass)
		return row{id: c.ID, rec: c}, err
	}, func(r row) error {
		c := r.rec.(*model.Channel)
		_, err := t.exec(`UPDATE notification_channels SET url = ?, smtp_pass = ? WHERE id = ?`, c.URL, c.SMTPPass, r.id)
		return err
	}); err != nil {
		return n, err
	}

	if err := sealRows("services", `SELECT id, url, runbook_url FROM services`, func(sc scanner) (row, error) {
		sv := &model.Service{}
		err := sc.Scan(&sv.ID, &sv.URL, &sv.RunbookURL)
		return row{id: sv.ID, rec: sv}, err
	}, func(r row) error {
		sv := r.rec.(*model.Service)
		_, err := t.exec(`UPDATE services SET url = ?, runbook_url = ? WHERE id = ?`, sv.URL, sv.RunbookURL, r.id)
		return err
	}); err != nil {
		return n, err
	}

	m, err := t.maskOldAudit()
	return n + m, err
}

// moveEnv is the model's rule for commands: secret leading assignments
// move into the env lines.
func moveEnv(command, env *string) {
	rest, moved := model.SplitEnv(*command)
	if len(moved) == 0 {
		return
	}
	*command = rest
	if *env != "" {
		moved = append([]string{*env}, moved...)
	}
	*env = strings.Join(moved, "\n")
}

// maskOldAudit masks credentials in audit rows written before they were
// masked at the source. The log is append-only otherwise; leaving a
// password readable in it forever is the one thing worse than editing it.
func (t *Tx) maskOldAudit() (int, error) {
	var entities []string
	for e := range model.EntityFields {
		entities = append(entities, "'"+e+"'")
	}
	rows, err := t.query(`SELECT id, entity, before, after FROM audit_log WHERE entity IN (` + strings.Join(entities, ",") + `)`)
	if err != nil {
		return 0, fmt.Errorf("audit log: %w", err)
	}
	type fix struct {
		id            int64
		before, after string
	}
	var fixes []fix
	fp := t.s.fingerprinter(t.ctx, t.tx)
	for rows.Next() {
		var f fix
		var entity string
		if err := rows.Scan(&f.id, &entity, &f.before, &f.after); err != nil {
			rows.Close()
			return 0, err
		}
		b, bc := maskJSON(f.before, model.EntityFields[entity], fp)
		a, ac := maskJSON(f.after, model.EntityFields[entity], fp)
		if bc || ac {
			fixes = append(fixes, fix{f.id, b, a})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(fixes) == 0 {
		return 0, nil
	}
	// The trigger that keeps the log append-only steps aside for this one
	// rewrite, inside the same transaction, and is put back as it was.
	if _, err := t.exec(`DROP TRIGGER audit_log_no_update`); err != nil {
		return 0, fmt.Errorf("audit log: %w", err)
	}
	for _, f := range fixes {
		if _, err := t.exec(`UPDATE audit_log SET before = ?, after = ? WHERE id = ?`, f.before, f.after, f.id); err != nil {
			return 0, fmt.Errorf("audit log: %w", err)
		}
	}
	if _, err := t.exec(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`); err != nil {
		return 0, fmt.Errorf("audit log: %w", err)
	}
	return len(fixes), nil
}

// maskJSON masks the secret fields of one audit snapshot; changed says
// whether anything was masked.
func maskJSON(snapshot string, specs []model.FieldSpec, fp model.Fingerprint) (string, bool) {
	if snapshot == "" {
		return snapshot, false
	}
	dec := json.NewDecoder(strings.NewReader(snapshot))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil {
		return snapshot, false
	}
	changed := false
	for _, f := range specs {
		v, ok := m[f.Name].(string)
		if !ok || f.Secret == model.NotSecret || !model.HoldsSecret(f.Secret, v) || strings.HasPrefix(v, model.Masked) {
			continue
		}
		if masked := model.Mask(f.Secret, v, fp); masked != v {
			m[f.Name], changed = masked, true
		}
	}
	if !changed {
		return snapshot, false
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(m) != nil {
		return snapshot, false
	}
	return strings.TrimSuffix(buf.String(), "\n"), true
}
