package demo

import (
	"context"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

func init() { Register("toolchain baseline", loadBaseline) }

// The team builds with Go 1.25/1.26, GCC 12, Node 22 and Python 3.11/3.12;
// Kristen's new laptop (Go 1.27.1, GCC 14.2.0) is ahead of all of it, which
// is how the build broke for everyone else.
var baseline = []model.Baseline{
	{Name: "go", Constraint: ">=1.25 <1.27"},
	{Name: "gcc", Constraint: "12.*"},
	{Name: "node", Constraint: "~22"},
	{Name: "python", Constraint: ">=3.11 <3.13"},
}

// loadBaseline sets the tools the baseline does not name yet, so a
// baseline the operator has since changed is left alone.
func loadBaseline(ctx context.Context, s *store.Store, _ time.Time) error {
	have, err := s.ListBaseline(ctx)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	for _, b := range have {
		set[b.Name] = true
	}
	return s.Write(ctx, Actor, func(t *store.Tx) error {
		for _, b := range baseline {
			if set[b.Name] {
				continue
			}
			if err := t.SetBaseline(&b); err != nil {
				return err
			}
		}
		return nil
	})
}
