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
	rows, err := s.r.QueryContext(ctx, fmt.Sprintf(`SELECT id, at, actor, action, entity, entity_id, before, after FROM audit_log
		WHERE %s ORDER BY id DESC LIMIT %d`, f.sql(), q.Limit), f.args...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	var out []model.AuditEntry
	for rows.Next() {
		var e model.AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After); err != nil {
			return nil, err
		}
		e.At = parseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
