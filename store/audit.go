package store

import (
	"context"
	"fmt"

	"github.com/opsdeck/opsdeck/model"
)

// AuditQuery narrows ListAudit.
type AuditQuery struct {
	Entity   string
	EntityID int64
	Actor    string
	Limit    int // 0: 1000
}

// ListAudit returns audit rows, newest first.
func (s *Store) ListAudit(ctx context.Context, q AuditQuery) ([]model.AuditEntry, error) {
	f := (&filter{}).eq("entity", q.Entity).eq("entity_id", q.EntityID).eq("actor", q.Actor)
	if q.Limit <= 0 {
		q.Limit = 1000
	}
	out, err := collectRows(ctx, s.r, func(sc scanner) (model.AuditEntry, error) {
		var e model.AuditEntry
		var at string
		err := sc.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After)
		e.At = parseTime(at)
		return e, err
	}, fmt.Sprintf(`SELECT id, at, actor, action, entity, entity_id, before, after FROM audit_log
		WHERE %s ORDER BY id DESC LIMIT %d`, f.sql(), q.Limit), f.args...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return out, nil
}
