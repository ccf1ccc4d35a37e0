package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/opsdeck/opsdeck/model"
)

// ActivePersonForKey returns the person whose SSH key has this fingerprint,
// only if they are active. A leaver's keys stop working the moment their
// offboarding starts (status leaving), because the SSH server asks this
// question on every authentication rather than caching an answer.
func (s *Store) ActivePersonForKey(ctx context.Context, fingerprint string) (model.Person, error) {
	fingerprint = strings.TrimSpace(fingerprint)
	p, err := scanPerson(s.r.QueryRowContext(ctx, `SELECT `+personCols+` FROM people
		WHERE status = 'active' AND id = (SELECT person_id FROM ssh_keys WHERE fingerprint = ?)`, fingerprint))
	if isNoRows(err) {
		return p, notFound("active person with key", fingerprint)
	}
	if err != nil {
		return p, fmt.Errorf("look up key: %w", err)
	}
	return p, nil
}

// AccessStillPresent lists active accounts of people who are leaving or
// have departed: each is "access still present for <person> on <service>".
// The alert engine turns these into alerts; `opsdeck risks` shows them.
func (s *Store) AccessStillPresent(ctx context.Context) ([]model.AccessFinding, error) {
	accts, err := collectRows(ctx, s.r, scanAccount, accountSelect+` WHERE a.status = 'active' AND p.status IN ('leaving','departed')`)
	if err != nil {
		return nil, fmt.Errorf("access still present: %w", err)
	}
	return model.AccessStillPresent(accts), nil
}
