package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

// accessFilter is accounts list's access-hygiene flags (#17): two-step
// known not to be on, and no activity for a while.
type accessFilter struct {
	noMFA    bool
	inactive string
	now      time.Time
}

func (f *accessFilter) flags(c *cobra.Command) {
	c.Flags().BoolVar(&f.noMFA, "no-mfa", false, "only accounts whose two-step verification is not known to be on (off or unknown)")
	c.Flags().StringVar(&f.inactive, "inactive", "", "only accounts with no known activity for this long (e.g. 90d, 36h)")
}

// list reads accounts with their access and applies the filters.
func (f *accessFilter) list(ctx context.Context, s *store.Store, q store.AccountQuery) ([]model.Account, error) {
	var idle time.Duration
	if f.inactive != "" {
		var err error
		if idle, err = model.ParseDays("inactive", f.inactive); err != nil {
			return nil, err
		}
	}
	f.now = s.Now()
	all, err := s.AccountsWithAccess(ctx, q)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, a := range all {
		if f.noMFA && a.Access.HasMFA() {
			continue
		}
		if idle > 0 && !a.Access.InactiveSince(f.now.Add(-idle)) {
			continue
		}
		out = append(out, a)
	}
	return out, nil
}

// accessColumns are accounts list's two-step and last-activity columns.
func accessColumns(f *accessFilter) []column[model.Account] {
	return []column[model.Account]{
		{"two_step", func(a model.Account) string {
			if a.Access == nil {
				return model.TwoStepUnknown
			}
			return a.Access.TwoStep
		}},
		{"last_activity", func(a model.Account) string {
			if a.Access == nil {
				return ""
			}
			return a.Access.ActivityWords(f.now)
		}},
	}
}

// accountView is an account as show prints it: its fields, its two-step
// status and last activity with where each was learned, and every piece
// of evidence.
type accountView struct {
	model.Account
	Evidence []model.AccountSignal `json:"evidence"`
	fields   [][2]string
	now      time.Time
}

func accessView(ctx context.Context, _ *Env, s *store.Store, a model.Account, fields [][2]string) (view, error) {
	full, err := s.AccountWithAccess(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	ev, err := s.AccountSignals(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if ev == nil {
		ev = []model.AccountSignal{}
	}
	return accountView{Account: full, Evidence: ev, fields: fields, now: s.Now()}, nil
}

func (v accountView) print(env *Env) error {
	x := v.Access
	two := x.TwoStep
	if f := x.TwoStepFrom; f != nil {
		two += fmt.Sprintf(" (from %s, learned %s by %s)", f.Evidence(), f.LearnedAt.UTC().Format("2006-01-02 15:04"), f.LearnedBy)
	}
	act := x.ActivityWords(v.now)
	if f := x.LastActivityFrom; f != nil {
		act = fmt.Sprintf("%s, %s (from %s, learned %s)", x.LastActivity.UTC().Format("2006-01-02 15:04 UTC"), act, f.Evidence(),
			f.LearnedAt.UTC().Format("2006-01-02 15:04"))
	}
	reviewed := "never"
	if x.LastReviewedAt != nil {
		reviewed = model.Ago(x.LastReviewedAt, v.now)
	}
	pairs := append(v.fields, [2]string{"two_step", two}, [2]string{"last_activity", act}, [2]string{"last_reviewed", reviewed})
	if err := env.printKV(pairs); err != nil {
		return err
	}
	if len(v.Evidence) > 0 {
		fmt.Fprintf(env.Stdout, "\nEVIDENCE (%d):\n", len(v.Evidence))
		rows := make([][]string, 0, len(v.Evidence))
		for _, s := range v.Evidence {
			what := s.Value
			if s.At != nil {
				what = s.At.UTC().Format("2006-01-02 15:04 UTC")
			}
			rows = append(rows, []string{s.Kind, what, s.Evidence(), s.LearnedAt.UTC().Format("2006-01-02 15:04"), s.LearnedBy})
		}
		env.printTable([]string{"kind", "value", "source", "learned", "by"}, rows)
	}
	return nil
}
