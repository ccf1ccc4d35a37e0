package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/opsdeck/opsdeck/model"
)

func scanKey(sc scanner) (model.SSHKey, error) {
	var k model.SSHKey
	var at string
	err := sc.Scan(&k.ID, &k.PersonID, &k.Fingerprint, &k.PublicKey, &k.Comment, &at)
	k.Type, _, _ = strings.Cut(k.PublicKey, " ")
	k.AddedAt = at
	return k, err
}

// AddSSHKey registers a public key to a person. A key belongs to one
// person only: sharing keys would make the audit log lie.
func (t *Tx) AddSSHKey(personID int64, k *model.SSHKey) error {
	if err := t.requireAdmin("register SSH keys"); err != nil {
		return err
	}
	p, err := t.GetPerson(personID)
	if err != nil {
		return err
	}
	var owner string
	err = t.queryRow(`SELECT p.email FROM ssh_keys k JOIN people p ON p.id = k.person_id WHERE k.fingerprint = ?`, k.Fingerprint).Scan(&owner)
	if err == nil {
		return model.Invalid("key", k.Fingerprint, "is already registered to "+owner)
	} else if !isNoRows(err) {
		return err
	}
	res, err := t.exec(`INSERT INTO ssh_keys(person_id, fingerprint, public_key, comment, added_at) VALUES (?,?,?,?,?)`,
		p.ID, k.Fingerprint, k.PublicKey, k.Comment, fmtTime(t.at))
	if err != nil {
		return constraintError("add ssh key", err)
	}
	k.ID, _ = res.LastInsertId()
	k.PersonID = p.ID
	k.AddedAt = fmtTime(t.at)
	return t.Audit("create", "ssh_key", p.ID, nil, k)
}

// RemoveSSHKey unregisters a person's key by fingerprint.
func (t *Tx) RemoveSSHKey(personID int64, fingerprint string) (model.SSHKey, error) {
	if err := t.requireAdmin("remove SSH keys"); err != nil {
		return model.SSHKey{}, err
	}
	k, err := scanKey(t.queryRow(`SELECT `+sshKeyCols+` FROM ssh_keys WHERE person_id = ? AND fingerprint = ?`, personID, fingerprint))
	if isNoRows(err) {
		return k, model.Invalid("fingerprint", fingerprint, "is not one of this person's keys")
	} else if err != nil {
		return k, err
	}
	if _, err := t.exec(`DELETE FROM ssh_keys WHERE id = ?`, k.ID); err != nil {
		return k, fmt.Errorf("remove ssh key: %w", err)
	}
	return k, t.Audit("delete", "ssh_key", personID, k, nil)
}

// SSHKeys lists a person's registered keys.
func (s *Store) SSHKeys(ctx context.Context, personID int64) ([]model.SSHKey, error) {
	out, err := collectRows(ctx, s.r, scanKey, `SELECT `+sshKeyCols+` FROM ssh_keys WHERE person_id = ? ORDER BY id`, personID)
	if err != nil {
		return nil, fmt.Errorf("list ssh keys: %w", err)
	}
	return out, nil
}

// PersonForKey returns the person a key fingerprint is registered to,
// whatever their status: the caller decides (the SSH server admits only
// active people).
func (s *Store) PersonForKey(ctx context.Context, fingerprint string) (model.Person, error) {
	p, err := scanPerson(s.r.QueryRowContext(ctx, `SELECT `+prefixed("p.", personCols)+` FROM ssh_keys k JOIN people p ON p.id = k.person_id WHERE k.fingerprint = ?`, fingerprint))
	if isNoRows(err) {
		return p, notFound("ssh key", fingerprint)
	}
	return p, err
}

func prefixed(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// LogEvent appends an audit row that records an event rather than a change
// (an SSH session starting or ending). It bypasses role checks: a viewer's
// session is still logged.
func (s *Store) LogEvent(ctx context.Context, actor model.Actor, action, entity string, id int64, data any) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	t := &Tx{s: s, tx: tx, ctx: ctx, actor: actor, at: s.now()}
	if err := t.Audit(action, entity, id, nil, data); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

const sshKeyCols = `id, person_id, fingerprint, public_key, comment, added_at`

// GetSSHKey reads one registered key by id.
func (s *Store) GetSSHKey(ctx context.Context, id int64) (model.SSHKey, error) {
	return getSSHKey(ctx, s.r, id)
}

// GetSSHKey reads one registered key inside the transaction.
func (t *Tx) GetSSHKey(id int64) (model.SSHKey, error) { return getSSHKey(t.ctx, t.tx, id) }

func getSSHKey(ctx context.Context, db querier, id int64) (model.SSHKey, error) {
	k, err := scanKey(db.QueryRowContext(ctx, `SELECT `+sshKeyCols+` FROM ssh_keys WHERE id = ?`, id))
	if isNoRows(err) {
		return k, notFound("ssh key", fmt.Sprint(id))
	}
	return k, err
}
