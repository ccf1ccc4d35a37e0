package store

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// secretsTable is the secrets table, read and written from
// model.SharedSecretFields, plus who last rotated it (set by the rotate
// command); a read joins the service's name.
var secretsTable = newTable("secrets", "secret", model.SharedSecretFields, func(x *model.Secret) (*int64, *time.Time, *time.Time) {
	return &x.ID, &x.CreatedAt, &x.UpdatedAt
}, stored[model.Secret]{col: "last_rotated_by", val: func(x *model.Secret) any { return x.LastRotatedBy }, dest: func(x *model.Secret) any { return &x.LastRotatedBy }})

var secretSelect = `SELECT ` + secretsTable.cols("x.") + `, coalesce(s.name, '') FROM secrets x LEFT JOIN services s ON s.id = x.service_id`

func scanSecret(sc scanner) (model.Secret, error) {
	return secretsTable.scan(sc, func(x *model.Secret) []any { return []any{&x.ServiceName} })
}

// secretsWhere reads secrets matching where, each with its current holders.
func secretsWhere(ctx context.Context, db querier, where string, args ...any) ([]model.Secret, error) {
	out, err := collectRows(ctx, db, scanSecret, secretSelect+` WHERE `+where+` ORDER BY x.name COLLATE NOCASE`, args...)
	if err != nil {
		return nil, fmt.Errorf("list secrets: %w", err)
	}
	for i := range out {
		if out[i].Holders, err = secretHolders(ctx, db, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func secretHolders(ctx context.Context, db querier, secretID int64) ([]model.SecretHolder, error) {
	return collectList(ctx, db, "secret holders", func(sc scanner) (model.SecretHolder, error) {
		var h model.SecretHolder
		return h, sc.Scan(&h.PersonID, &h.Name, &h.Email, &h.Status)
	}, `SELECT p.id, p.name, p.email, p.status FROM secret_holders h JOIN people p ON p.id = h.person_id
		WHERE h.secret_id = ? AND h.removed_at IS NULL ORDER BY p.name COLLATE NOCASE`, secretID)
}

// ListSecrets returns every secret with its current holders, by name.
func (s *Store) ListSecrets(ctx context.Context) ([]model.Secret, error) {
	return secretsWhere(ctx, s.r, "1=1")
}

// SecretsKnownBy lists the secrets whose current value personID knows.
func (s *Store) SecretsKnownBy(ctx context.Context, personID int64) ([]model.Secret, error) {
	return secretsWhere(ctx, s.r, `x.id IN (SELECT secret_id FROM secret_holders WHERE person_id = ? AND removed_at IS NULL)`, personID)
}

func findSecret(ctx context.Context, db querier, ref string) (model.Secret, error) {
	ref = strings.TrimSpace(ref)
	var found []model.Secret
	var err error
	if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		found, err = secretsWhere(ctx, db, `x.id = ?`, id)
	}
	if err == nil && len(found) == 0 {
		found, err = secretsWhere(ctx, db, `x.name = ?`, ref)
	}
	return firstFound(found, err, "secret", ref)
}

// FindSecret resolves an id or a name (case-insensitive).
func (s *Store) FindSecret(ctx context.Context, ref string) (model.Secret, error) {
	return findSecret(ctx, s.r, ref)
}

// FindSecret resolves a secret reference inside the transaction.
func (t *Tx) FindSecret(ref string) (model.Secret, error) { return findSecret(t.ctx, t.tx, ref) }

// GetSecret reads one secret inside the transaction.
func (t *Tx) GetSecret(id int64) (model.Secret, error) {
	found, err := secretsWhere(t.ctx, t.tx, `x.id = ?`, id)
	return firstFound(found, err, "secret", strconv.FormatInt(id, 10))
}

func (t *Tx) checkSecret(x *model.Secret) error {
	if err := x.ValidateAt(t.at); err != nil {
		return err
	}
	var id int64
	err := t.queryRow(`SELECT id FROM secrets WHERE name = ? AND id <> ?`, x.Name, x.ID).Scan(&id)
	if err == nil {
		return model.Invalid("name", x.Name, fmt.Sprintf("already names secret %d", id))
	} else if !isNoRows(err) {
		return err
	}
	if x.ServiceID != nil {
		if _, err := t.GetService(*x.ServiceID); err != nil {
			return model.Invalid("service", strconv.FormatInt(*x.ServiceID, 10), "is not a known service")
		}
	}
	return nil
}

// AddSecret records a shared secret (never its value) and who knows it.
func (t *Tx) AddSecret(x *model.Secret, holderIDs []int64) error {
	if err := t.requireAdmin("add secrets"); err != nil {
		return err
	}
	id, err := addRecord(t, "secret", x, func(x *model.Secret) (int64, error) {
		if err := t.checkSecret(x); err != nil {
			return 0, err
		}
		return secretsTable.insert(t, x)
	})
	if err != nil {
		return err
	}
	if err := t.setHolders(id, holderIDs); err != nil {
		return err
	}
	saved, err := t.GetSecret(id)
	if err != nil {
		return err
	}
	*x = saved
	return t.Audit("create", "secret", id, nil, saved)
}

// setHolders makes exactly holderIDs the people who know the secret's
// current value; former holders keep their row with removed_at set.
func (t *Tx) setHolders(secretID int64, holderIDs []int64) error {
	keep := map[int64]bool{}
	for _, pid := range holderIDs {
		if _, err := t.GetPerson(pid); err != nil {
			return model.Invalid("holders", strconv.FormatInt(pid, 10), "is not a known person")
		}
		keep[pid] = true
		if _, err := t.exec(`INSERT INTO secret_holders(secret_id, person_id, added_at) VALUES (?,?,?)
			ON CONFLICT(secret_id, person_id) DO UPDATE SET removed_at = NULL, added_at = CASE WHEN secret_holders.removed_at IS NULL THEN secret_holders.added_at ELSE excluded.added_at END`,
			secretID, pid, fmtTime(t.at)); err != nil {
			return fmt.Errorf("set secret holders: %w", err)
		}
	}
	cur, err := secretHolders(t.ctx, t.tx, secretID)
	if err != nil {
		return err
	}
	for _, h := range cur {
		if !keep[h.PersonID] {
			if err := t.removeHolder(secretID, h.PersonID); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *Tx) removeHolder(secretID, personID int64) error {
	_, err := t.exec(`UPDATE secret_holders SET removed_at = ? WHERE secret_id = ? AND person_id = ? AND removed_at IS NULL`,
		fmtTime(t.at), secretID, personID)
	if err != nil {
		return fmt.Errorf("remove secret holder: %w", err)
	}
	return nil
}

// RotateSecret records that the secret was rotated at (by the actor): the
// former value is dead, so only newHolders (nil: the current holders minus
// exclude) know the new one. Operators may record rotations.
func (t *Tx) RotateSecret(id int64, at time.Time, newHolders []int64, exclude int64) (before, after model.Secret, err error) {
	before, err = t.GetSecret(id)
	if err != nil {
		return before, after, err
	}
	if newHolders == nil {
		newHolders = []int64{}
		for _, h := range before.Holders {
			if h.PersonID != exclude {
				newHolders = append(newHolders, h.PersonID)
			}
		}
	}
	if err := (&model.Secret{LastRotatedAt: &at}).ValidateAt(t.at); err != nil {
		return before, after, err
	}
	if _, err := t.exec(`UPDATE secrets SET last_rotated_at = ?, last_rotated_by = ?, updated_at = ? WHERE id = ?`,
		fmtTime(at), t.actor.String(), fmtTime(t.at), id); err != nil {
		return before, after, fmt.Errorf("rotate secret: %w", err)
	}
	if err := t.setHolders(id, newHolders); err != nil {
		return before, after, err
	}
	if after, err = t.GetSecret(id); err != nil {
		return before, after, err
	}
	return before, after, t.Audit("rotate", "secret", id, before, after)
}

// RestoreSecret puts back a secret's rotation stamp and holders as they
// were in snap (undoing an offboarding rotation step).
func (t *Tx) RestoreSecret(snap model.Secret) error {
	cur, err := t.GetSecret(snap.ID)
	if err != nil {
		return err
	}
	if _, err := t.exec(`UPDATE secrets SET last_rotated_at = ?, last_rotated_by = ?, updated_at = ? WHERE id = ?`,
		fmtTimePtr(snap.LastRotatedAt), snap.LastRotatedBy, fmtTime(t.at), snap.ID); err != nil {
		return fmt.Errorf("restore secret: %w", err)
	}
	ids := make([]int64, len(snap.Holders))
	for i, h := range snap.Holders {
		ids[i] = h.PersonID
	}
	if err := t.setHolders(snap.ID, ids); err != nil {
		return err
	}
	after, err := t.GetSecret(snap.ID)
	if err != nil {
		return err
	}
	return t.Audit("unrotate", "secret", snap.ID, cur, after)
}

// UpdateSecret applies fn to secret id and, when holderIDs is not nil,
// makes them its holders; one audit row holds both versions.
func (t *Tx) UpdateSecret(id int64, fn func(*model.Secret) error, holderIDs []int64) (before, after model.Secret, err error) {
	if err := t.requireAdmin("edit secrets"); err != nil {
		return before, after, err
	}
	if before, err = t.GetSecret(id); err != nil {
		return before, after, err
	}
	x := before
	if err := fn(&x); err != nil {
		return before, after, err
	}
	x.Normalize()
	if err := x.Validate(); err != nil {
		return before, after, err
	}
	if err := t.checkSecret(&x); err != nil {
		return before, after, err
	}
	if holderIDs == nil && reflect.DeepEqual(x, before) {
		return before, before, nil // an edit that changes nothing writes nothing
	}
	if err := secretsTable.update(t, &x); err != nil {
		return before, after, err
	}
	if holderIDs != nil {
		if err := t.setHolders(id, holderIDs); err != nil {
			return before, after, err
		}
	}
	if after, err = t.GetSecret(id); err != nil {
		return before, after, err
	}
	return before, after, t.Audit("update", "secret", id, before, after)
}
