package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// accountsTable is the accounts table, read and written from model.AccountFields;
// a read joins the holder's and the service's names (accountJoined).
var accountsTable = newTable("accounts", "account", model.AccountFields, func(a *model.Account) (*int64, *time.Time, *time.Time) {
	return &a.ID, &a.CreatedAt, &a.UpdatedAt
})

var accountSelect = `SELECT ` + accountsTable.cols("a.") + `, p.name, p.email, p.status, s.name
	FROM accounts a JOIN people p ON p.id = a.person_id JOIN services s ON s.id = a.service_id`

func accountJoined(a *model.Account) []any {
	return []any{&a.PersonName, &a.PersonEmail, &a.PersonStatus, &a.ServiceName}
}

func scanAccount(sc scanner) (model.Account, error) { return accountsTable.scan(sc, accountJoined) }

// AccountQuery narrows ListAccounts.
type AccountQuery struct {
	PersonID    int64
	ServiceID   int64
	Status      string
	Entitlement string
	Limit       int
}

// ListAccounts returns accounts with person and service names, admins
// first within each service.
func (s *Store) ListAccounts(ctx context.Context, q AccountQuery) ([]model.Account, error) {
	f := (&filter{}).eq("a.person_id", q.PersonID).eq("a.service_id", q.ServiceID).eq("a.status", q.Status).eq("a.entitlement", q.Entitlement)
	args := f.args
	query := accountSelect + ` WHERE ` + f.sql() +
		` ORDER BY s.name COLLATE NOCASE, a.entitlement = 'admin' DESC, p.name COLLATE NOCASE`
	if q.Limit > 0 {
		query += limitClause(q.Limit)
	}
	out, err := collectRows(ctx, s.r, scanAccount, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	return out, nil
}

func getAccount(ctx context.Context, db querier, id int64) (model.Account, error) {
	a, err := scanAccount(db.QueryRowContext(ctx, accountSelect+` WHERE a.id = ?`, id))
	if isNoRows(err) {
		return a, notFound("account", strconv.FormatInt(id, 10))
	}
	return a, err
}

// GetAccount reads one account by id.
func (s *Store) GetAccount(ctx context.Context, id int64) (model.Account, error) {
	return getAccount(ctx, s.r, id)
}

// GetAccount reads one account inside the transaction.
func (t *Tx) GetAccount(id int64) (model.Account, error) { return getAccount(t.ctx, t.tx, id) }

// FindAccount resolves an id or "service:username".
func (s *Store) FindAccount(ctx context.Context, ref string) (model.Account, error) {
	return findAccount(ctx, s.r, ref)
}

// FindAccount resolves an account reference inside the transaction.
func (t *Tx) FindAccount(ref string) (model.Account, error) { return findAccount(t.ctx, t.tx, ref) }

func findAccount(ctx context.Context, db querier, ref string) (model.Account, error) {
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return getAccount(ctx, db, id)
	}
	svc, user, ok := strings.Cut(ref, ":")
	if !ok {
		return model.Account{}, model.Invalid("account", ref, "is neither an id nor SERVICE:USERNAME")
	}
	a, err := scanAccount(db.QueryRowContext(ctx, accountSelect+` WHERE s.name = ? COLLATE NOCASE AND a.username = ? COLLATE NOCASE`, svc, user))
	if isNoRows(err) {
		return a, notFound("account", ref)
	}
	return a, err
}

func (t *Tx) checkAccount(a *model.Account) error {
	if err := t.checkPersonRef("person", &a.PersonID); err != nil {
		return err
	}
	if _, err := t.GetService(a.ServiceID); err != nil {
		return model.Invalid("service", strconv.FormatInt(a.ServiceID, 10), "is not a known service")
	}
	var id int64
	var owner string
	err := t.queryRow(`SELECT a.id, p.email FROM accounts a JOIN people p ON p.id = a.person_id
		WHERE a.service_id = ? AND a.username = ? COLLATE NOCASE AND a.id <> ?`, a.ServiceID, a.Username, a.ID).Scan(&id, &owner)
	if err == nil {
		return model.Invalid("username", a.Username, fmt.Sprintf("already exists on this service (account %d of %s)", id, owner))
	} else if !isNoRows(err) {
		return err
	}
	return nil
}

// AddAccount inserts a (setting its ID) and audits it.
func (t *Tx) AddAccount(a *model.Account) error {
	return addAdminRow(t, "add accounts", accountsTable, a, t.checkAccount, t.GetAccount)
}

// UpdateAccount applies fn to account id and audits the change. Operators
// may change accounts (revoking is part of offboarding); viewers may not.
func (t *Tx) UpdateAccount(id int64, fn func(*model.Account) error) (before, after model.Account, err error) {
	return updateRow(t, accountsTable, id, t.GetAccount, fn, t.checkAccount)
}

// DeactivateAccount revokes an account; the row and its history stay.
func (t *Tx) DeactivateAccount(id int64) (before, after model.Account, err error) {
	return t.UpdateAccount(id, func(a *model.Account) error { a.Status = "revoked"; return nil })
}

// VerifyAccount stamps last_verified_at: someone checked it still exists.
func (t *Tx) VerifyAccount(id int64, at time.Time) (before, after model.Account, err error) {
	return t.UpdateAccount(id, func(a *model.Account) error { a.LastVerifiedAt = &at; return nil })
}
