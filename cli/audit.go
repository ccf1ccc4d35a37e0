package cli

import (
	"fmt"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		cmd := &cobra.Command{Use: "audit", Short: "Read the audit log (who changed what, before and after)"}
		var q store.AuditQuery
		list := lister[model.AuditEntry]{short: "List audit rows, newest first",
			query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.AuditEntry, error) {
				return s.ListAudit(c.Context(), q)
			},
			header: []string{"id", "at", "actor", "action", "entity", "entity_id", "change"},
			row: func(e model.AuditEntry, _ *names) []string {
				return []string{fmt.Sprint(e.ID), e.At.Local().Format("2006-01-02 15:04:05"), e.Actor, e.Action, e.Entity, fmt.Sprint(e.EntityID), model.Truncate(auditSummary(e), 80)}
			}}.command(env)
		list.Flags().StringVar(&q.Entity, "entity", "", "only this entity kind (person, device, service, account, ...)")
		list.Flags().Int64Var(&q.EntityID, "id", 0, "only this entity id")
		list.Flags().StringVar(&q.Actor, "actor", "", "only this actor (e.g. local:oscar)")
		list.Flags().IntVar(&q.Limit, "limit", 200, "at most this many rows")
		cmd.AddCommand(list)
		return cmd
	})
}

// auditSummary says in a few words what changed: the fields that differ.
func auditSummary(e model.AuditEntry) string {
	diff := model.DiffJSON(e.Before, e.After)
	if len(diff) == 0 {
		return ""
	}
	s := ""
	for i, d := range diff {
		if i > 0 {
			s += ", "
		}
		s += d
	}
	return s
}
