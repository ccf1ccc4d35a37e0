package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/internal/human"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

// rangeFlags choose a report or list range: this week (default), this
// month, or --from/--to calendar dates (inclusive), in loc.
type rangeFlags struct {
	week, month bool
	from, to    string
}

func (r *rangeFlags) register(c *cobra.Command) {
	c.Flags().BoolVar(&r.week, "week", false, "this week, Monday to Sunday (the default)")
	c.Flags().BoolVar(&r.month, "month", false, "this calendar month")
	c.Flags().StringVar(&r.from, "from", "", "first day (YYYY-MM-DD)")
	c.Flags().StringVar(&r.to, "to", "", "last day, inclusive (YYYY-MM-DD; default today)")
}

func (r *rangeFlags) resolve(now time.Time, loc *time.Location) (from, to time.Time, err error) {
	custom := r.from != "" || r.to != ""
	n := 0
	for _, b := range []bool{r.week, r.month, custom} {
		if b {
			n++
		}
	}
	if n > 1 {
		return from, to, model.Invalid("range", "", "give one of --week, --month or --from/--to")
	}
	switch {
	case r.month:
		l := now.In(loc)
		from = time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
		return from, time.Date(l.Year(), l.Month()+1, 1, 0, 0, 0, 0, loc), nil
	case custom:
		if r.from == "" {
			return from, to, model.Invalid("from", "", "is required with --to")
		}
		if from, err = time.ParseInLocation(model.DateLayout, r.from, loc); err != nil {
			return from, to, model.Invalid("from", r.from, "is not a date (want YYYY-MM-DD)")
		}
		last := model.DayStart(now, loc)
		if r.to != "" {
			if last, err = time.ParseInLocation(model.DateLayout, r.to, loc); err != nil {
				return from, to, model.Invalid("to", r.to, "is not a date (want YYYY-MM-DD)")
			}
		}
		if last.Before(from) {
			return from, to, model.Invalid("to", last.Format(model.DateLayout), "is before --from "+r.from)
		}
		return from, time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, loc), nil
	}
	from = model.WeekStart(now, loc)
	return from, time.Date(from.Year(), from.Month(), from.Day()+7, 0, 0, 0, 0, loc), nil
}

func ledgerList(env *Env) *cobra.Command {
	var rf rangeFlags
	var open bool
	var kind string
	c := lister[model.WorkEntry]{short: "List entries of this week (or --month, --from/--to, --open)",
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.WorkEntry, error) {
			q := store.LedgerQuery{Open: open, Kind: kind}
			if kind != "" {
				if err := model.ValidateEnum("kind", kind, model.WorkKinds); err != nil {
					return nil, err
				}
			}
			if !open {
				from, to, err := rf.resolve(env.now(), time.Local)
				if err != nil {
					return nil, err
				}
				q.From, q.To = from, to
			}
			return s.LedgerEntries(c.Context(), q)
		},
		header: []string{"id", "start", "end", "time", "kind", "category", "status", "link", "note"},
		row: func(e model.WorkEntry, _ *names) []string {
			end := "-"
			if e.EndedAt != nil {
				end = e.EndedAt.Local().Format("2006-01-02 15:04")
			}
			return []string{fmt.Sprint(e.ID), e.StartedAt.Local().Format("2006-01-02 15:04"), end,
				model.FormatDuration(time.Duration(e.Minutes) * time.Minute), e.Kind, e.Category, e.Status,
				orDash(e.Link()), orDash(model.Truncate(e.Note, 40))}
		}}.command(env)
	rf.register(c)
	c.Flags().BoolVar(&open, "open", false, "only running and paused entries (any date)")
	c.Flags().StringVar(&kind, "kind", "", "only planned or unplanned")
	return c
}

func ledgerReport(env *Env) *cobra.Command {
	var rf rangeFlags
	var asJSON bool
	var format, tz string
	c := readOnly(&cobra.Command{
		Use:   "report",
		Short: "Hours planned vs unplanned, the weekly trend and the biggest sources of toil",
		Long: `Report hours of planned and unplanned work, the unplanned share, the trend over
the last 12 weeks and where unplanned time went (by category, device, service,
requester). --format md prints Markdown to hand on, e.g.:
  opsdeck ledger report --month --format md > ops-time.md`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			switch format {
			case "text", "md", "json":
			default:
				return model.Invalid("format", format, "is not one of text, md, json")
			}
			loc := time.Local
			if tz != "" {
				l, err := time.LoadLocation(tz)
				if err != nil {
					return model.Invalid("tz", tz, "is not a time zone (want e.g. Europe/Berlin)")
				}
				loc = l
			}
			from, to, err := rf.resolve(env.now(), loc)
			if err != nil {
				return err
			}
			s, err := env.Open()
			if err != nil {
				return err
			}
			r, err := s.LedgerReport(c.Context(), from, to, loc)
			if err != nil {
				return err
			}
			switch {
			case asJSON || format == "json":
				return env.printJSON(reportJSON(r))
			case format == "md":
				_, err := fmt.Fprint(env.Stdout, r.Markdown())
				return err
			}
			return printReport(env, r)
		},
	})
	rf.register(c)
	c.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	c.Flags().StringVar(&format, "format", "text", "text, md (Markdown) or json")
	c.Flags().StringVar(&tz, "tz", "", "time zone for days and weeks (default the local zone)")
	return c
}

// reportJSON keeps JSON arrays non-null for scripts.
func reportJSON(r model.LedgerReport) model.LedgerReport {
	r.Days, r.Weeks, r.Notes = nonNil(r.Days), nonNil(r.Weeks), nonNil(r.Notes)
	r.Top.Categories, r.Top.Devices = nonNil(r.Top.Categories), nonNil(r.Top.Devices)
	r.Top.Services, r.Top.Requesters = nonNil(r.Top.Services), nonNil(r.Top.Requesters)
	return r
}

func printReport(env *Env, r model.LedgerReport) error {
	loc := r.From.Location()
	w := env.Stdout
	fmt.Fprintf(w, "%s to %s (%s)\n", r.From.In(loc).Format("2006-01-02"), r.To.Add(-time.Nanosecond).In(loc).Format("2006-01-02"), r.TimeZone)
	share := "-"
	if r.Total() > 0 {
		share = human.Share(r.Share)
	}
	fmt.Fprintf(w, "planned %.1f h  unplanned %.1f h  unplanned share %s  (%d entries)\n\n", r.Planned.Float(), r.Unplanned.Float(), share, r.Entries)
	rows := make([][]string, len(r.Weeks))
	for i, b := range r.Weeks {
		s := "-"
		if b.Total() > 0 {
			s = human.Share(b.Share)
		}
		rows[i] = []string{b.Start, fmt.Sprintf("%.1f", b.Planned.Float()), fmt.Sprintf("%.1f", b.Unplanned.Float()), s}
	}
	if err := env.printTable([]string{"week of", "planned h", "unplanned h", "unplanned"}, rows); err != nil {
		return err
	}
	for _, d := range []struct {
		name string
		src  []model.Source
	}{{"category", r.Top.Categories}, {"device", r.Top.Devices}, {"service", r.Top.Services}, {"requester", r.Top.Requesters}} {
		if len(d.src) == 0 {
			continue
		}
		var parts []string
		for i, s := range d.src {
			if i == 5 {
				break
			}
			parts = append(parts, fmt.Sprintf("%s %.1f h", s.Key, s.Hours.Float()))
		}
		fmt.Fprintf(w, "\nunplanned by %s: %s", d.name, strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note: "+n)
	}
	return nil
}

func ledgerCategories(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "categories", Short: "List and change ledger categories"}
	list := lister[store.LedgerCategory]{short: "List categories",
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]store.LedgerCategory, error) {
			return s.LedgerCategories(c.Context())
		},
		header: []string{"name", "active"},
		row:    func(ct store.LedgerCategory, _ *names) []string { return []string{ct.Name, human.YesNo(ct.Active)} },
	}.command(env)
	change := func(use, short, verb string, fn func(*store.Tx, string) (store.LedgerCategory, error)) *cobra.Command {
		return &cobra.Command{
			Use: use, Short: short, Args: cobra.ExactArgs(1),
			RunE: func(c *cobra.Command, args []string) error {
				s, err := env.Open()
				if err != nil {
					return err
				}
				var ct store.LedgerCategory
				if err := s.Write(c.Context(), env.Actor, func(t *store.Tx) error {
					ct, err = fn(t, args[0])
					return err
				}); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "%s ledger category %q\n", verb, ct.Name)
				return nil
			},
		}
	}
	cmd.AddCommand(list,
		change("add NAME", "Add a category (admin)", "added", (*store.Tx).AddLedgerCategory),
		change("deactivate NAME", "Stop offering a category; entries keep it (admin)", "deactivated", (*store.Tx).DeactivateLedgerCategory))
	return cmd
}
