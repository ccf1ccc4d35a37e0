package store

import (
	"fmt"

	"github.com/opsdeck/opsdeck/model"
)

const entityCategory = "ledger_category"

// AddLedgerCategory adds a category (or reactivates a deactivated one) at
// the end of the list. Admins only: categories shape everyone's reports.
func (t *Tx) AddLedgerCategory(name string) (LedgerCategory, error) {
	if err := t.requireAdmin("change ledger categories"); err != nil {
		return LedgerCategory{}, err
	}
	name = model.NormalizeCategory(name)
	if name == "" {
		return LedgerCategory{}, model.Invalid("name", name, "is required")
	}
	before, found, err := t.ledgerCategory(name)
	if err != nil {
		return before, err
	}
	if found && before.Active {
		return before, model.Invalid("name", name, "is already a ledger category")
	}
	if found {
		_, err = t.exec(`UPDATE ledger_categories SET active = 1 WHERE name = ?`, name)
	} else {
		_, err = t.exec(`INSERT INTO ledger_categories(name, position, created_at)
			VALUES (?, (SELECT coalesce(max(position), 0) + 10 FROM ledger_categories), ?)`, name, fmtTime(t.at))
	}
	if err != nil {
		return before, fmt.Errorf("add ledger category: %w", err)
	}
	after, _, err := t.ledgerCategory(name)
	if err != nil {
		return after, err
	}
	var b any
	if found {
		b = before
	}
	return after, t.Audit("create", entityCategory, 0, b, after)
}

// DeactivateLedgerCategory hides a category from new entries; entries that
// use it keep it.
func (t *Tx) DeactivateLedgerCategory(name string) (LedgerCategory, error) {
	if err := t.requireAdmin("change ledger categories"); err != nil {
		return LedgerCategory{}, err
	}
	name = model.NormalizeCategory(name)
	before, found, err := t.ledgerCategory(name)
	if err != nil {
		return before, err
	}
	if !found {
		return before, model.Invalid("name", name, "is not a ledger category")
	}
	if _, err := t.exec(`UPDATE ledger_categories SET active = 0 WHERE name = ?`, name); err != nil {
		return before, fmt.Errorf("deactivate ledger category: %w", err)
	}
	after, _, err := t.ledgerCategory(name)
	if err != nil {
		return after, err
	}
	return after, t.Audit("deactivate", entityCategory, 0, before, after)
}

func (t *Tx) ledgerCategory(name string) (LedgerCategory, bool, error) {
	var c LedgerCategory
	err := t.queryRow(`SELECT name, position, active FROM ledger_categories WHERE name = ?`, name).Scan(&c.Name, &c.Position, &c.Active)
	if isNoRows(err) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("read ledger category: %w", err)
	}
	return c, true, nil
}

// ClaimLedgerSeed records in meta that a one-time ledger seed (the demo's
// history) named key has been loaded. It reports false if it already was,
// so seeding twice adds nothing.
func (t *Tx) ClaimLedgerSeed(key string) (bool, error) {
	res, err := t.exec(`INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING`, "ledger-seed:"+key, fmtTime(t.at))
	if err != nil {
		return false, fmt.Errorf("claim ledger seed %s: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	if n == 1 {
		return true, t.Audit("seed", "ledger", 0, nil, map[string]string{"seed": key})
	}
	return false, nil
}
