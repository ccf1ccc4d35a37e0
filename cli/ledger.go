package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // --tz and TZ work on machines without a zoneinfo database

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

// The ledger: planned vs unplanned work. Timers (start, interrupt, stop,
// pause, resume) and retroactive entries (add); list and report read.
// Times are typed in the local time zone: RFC 3339, "YYYY-MM-DD HH:MM",
// or "HH:MM" for today.

func init() {
	register(func(env *Env) *cobra.Command {
		cmd := &cobra.Command{Use: "ledger", Short: "Log planned and unplanned work; report where the time goes"}
		cmd.AddCommand(ledgerAdd(env), ledgerStart(env, false), ledgerStart(env, true), ledgerStop(env),
			ledgerPause(env), ledgerResume(env), ledgerEdit(env), ledgerStatus(env), ledgerList(env),
			ledgerReport(env), ledgerCategories(env))
		return cmd
	})
}

// entryFlags are the flags that describe a piece of work.
type entryFlags struct {
	planned, unplanned bool
	category, note     string
	person, device     string
	service, alert     string
	at                 string
}

func (f *entryFlags) register(c *cobra.Command, kind bool) {
	if kind {
		c.Flags().BoolVar(&f.planned, "planned", false, "planned work (projects, deployments, meetings)")
		c.Flags().BoolVar(&f.unplanned, "unplanned", false, "unplanned work (interruptions, support, incidents)")
	}
	c.Flags().StringVar(&f.category, "category", "", "category (see 'ledger categories list'; default project for planned, other for unplanned)")
	c.Flags().StringVar(&f.note, "note", "", "what it was")
	c.Flags().StringVar(&f.person, "person", "", "who asked (email, id or name)")
	c.Flags().StringVar(&f.device, "device", "", "device worked on (asset tag, serial, name or id)")
	c.Flags().StringVar(&f.service, "service", "", "service worked on (name or id)")
	c.Flags().StringVar(&f.alert, "alert", "", "alert id this work answered")
	c.Flags().StringVar(&f.at, "at", "", "when it started (RFC 3339, YYYY-MM-DD HH:MM or HH:MM today; default now)")
}

// kind turns --planned/--unplanned into exactly one kind.
func (f *entryFlags) kind() (string, error) {
	switch {
	case f.planned && f.unplanned:
		return "", model.Invalid("kind", "planned+unplanned", "must be one of --planned or --unplanned, not both")
	case f.planned:
		return "planned", nil
	case f.unplanned:
		return "unplanned", nil
	}
	return "", model.Invalid("kind", "", "is required: say --planned or --unplanned")
}

// apply sets the entry's text and resolves its links inside the
// transaction, so what is checked is what is written.
func (f *entryFlags) apply(c *cobra.Command, t *store.Tx, e *model.WorkEntry) error {
	changed := c.Flags().Changed
	if changed("category") {
		e.Category = f.category
	}
	if changed("note") {
		e.Note = f.note
	}
	links := []struct {
		flag, ref string
		set       **int64
		resolve   func(t *store.Tx, field, ref string) (*int64, error)
	}{
		{"person", f.person, &e.PersonID, ops.OptPersonTx},
		{"device", f.device, &e.DeviceID, ops.OptDeviceTx},
		{"service", f.service, &e.ServiceID, ops.OptServiceTx},
	}
	for _, l := range links {
		if !changed(l.flag) {
			continue
		}
		id, err := l.resolve(t, l.flag, l.ref)
		if err != nil {
			return err
		}
		*l.set = id
	}
	if changed("alert") {
		e.AlertID = nil
		if !isNone(f.alert) {
			n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(f.alert), "#"), 10, 64)
			if err != nil || n <= 0 {
				return model.Invalid("alert", f.alert, "is not an alert id (want a positive number)")
			}
			e.AlertID = &n
		}
	}
	return nil
}

// refError names the flag whose reference did not resolve: not found, or
// ambiguous (the lookup's own reason, e.g. "matches several people").
func isNone(v string) bool { return v == "" || v == "none" }

// clock parses a time flag in the local zone against t's clock.
func clock(t *store.Tx, field, v string) (time.Time, error) {
	return model.ParseClock(field, v, t.At(), time.Local)
}

// optionalAt parses --at for timer verbs; zero means now.
func optionalAt(c *cobra.Command, t *store.Tx, v string) (time.Time, error) {
	if !c.Flags().Changed("at") {
		return time.Time{}, nil
	}
	return clock(t, "at", v)
}

func ledgerAdd(env *Env) *cobra.Command {
	var f entryFlags
	var minutes int
	var end string
	var asJSON bool
	c := &cobra.Command{
		Use:   "add",
		Short: "Log work after the fact",
		Long: `Log work after the fact: exactly one of --planned or --unplanned, and how long
(--minutes, or --end). Without --at the work is taken to have just ended.
Examples:
  opsdeck ledger add --unplanned --category "laptop support" --device LT-007 --person tom@example.com --minutes 40
  opsdeck ledger add --planned --category deployment --service "Production App" --at "2026-11-02 14:00" --end 15:30`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			kind, err := f.kind()
			if err != nil {
				return err
			}
			hasMin, hasEnd := c.Flags().Changed("minutes"), c.Flags().Changed("end")
			var dur time.Duration
			switch {
			case hasMin && hasEnd:
				return model.Invalid("minutes", strconv.Itoa(minutes), "cannot be combined with --end (give one)")
			case hasMin:
				if dur, err = model.ParseMinutes("minutes", minutes); err != nil {
					return err
				}
			case !hasEnd:
				return model.Invalid("minutes", "", "is required: say how long (--minutes N) or until when (--end TIME)")
			case !c.Flags().Changed("at"):
				return model.Invalid("at", "", "is required with --end (when did the work start?)")
			}
			s, err := env.Open()
			if err != nil {
				return err
			}
			e := model.WorkEntry{Kind: kind}
			err = s.Write(c.Context(), env.Actor, func(t *store.Tx) error {
				if err := f.apply(c, t, &e); err != nil {
					return err
				}
				start, stop := t.At().Add(-dur), t.At()
				if c.Flags().Changed("at") {
					if start, err = clock(t, "at", f.at); err != nil {
						return err
					}
					stop = start.Add(dur)
				}
				if hasEnd {
					// A bare HH:MM end is on the start's day.
					if stop, err = model.ParseClock("end", end, start, time.Local); err != nil {
						return err
					}
					if stop.Before(start) {
						return model.Invalid("end", end, "is before the start "+start.Format("2006-01-02 15:04"))
					}
				}
				e.StartedAt, e.EndedAt = start, &stop
				return t.AddEntry(&e)
			})
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(e)
			}
			fmt.Fprintf(env.Stdout, "added entry %d: %s\n", e.ID, describeEntry(e))
			return nil
		},
	}
	f.register(c, true)
	c.Flags().IntVar(&minutes, "minutes", 0, "how long, in minutes")
	c.Flags().StringVar(&end, "end", "", "when it ended, instead of --minutes (HH:MM is on the start's day)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the entry as JSON")
	return c
}

// ledgerStart builds `start` and its unplanned shorthand `interrupt`.
func ledgerStart(env *Env, interrupt bool) *cobra.Command {
	var f entryFlags
	var asJSON bool
	c := &cobra.Command{
		Use:   "start",
		Short: "Start a timer (unplanned work interrupts a running timer)",
		Long: `Start a timer. Starting unplanned work while a timer runs interrupts it: the
running entry is paused and resumes when the interruption stops. Starting planned
work while a timer runs is refused: stop it first.`,
		Args: cobra.NoArgs,
	}
	if interrupt {
		c.Use, c.Short = "interrupt", "Start unplanned work now, pausing the running timer until it stops"
		c.Long = `Start unplanned work, pausing the running timer (if any). 'ledger stop' ends
the interruption and resumes the paused entry. Example:
  opsdeck ledger interrupt --category "access request" --person kristen@example.com --service GitHub`
	}
	c.RunE = func(c *cobra.Command, _ []string) error {
		kind := "unplanned"
		if !interrupt {
			var err error
			if kind, err = f.kind(); err != nil {
				return err
			}
		}
		s, err := env.Open()
		if err != nil {
			return err
		}
		e := model.WorkEntry{Kind: kind}
		var paused *model.WorkEntry
		err = s.Write(c.Context(), env.Actor, func(t *store.Tx) error {
			if err := f.apply(c, t, &e); err != nil {
				return err
			}
			if e.StartedAt, err = optionalAt(c, t, f.at); err != nil {
				return err
			}
			paused, err = t.StartEntry(&e)
			return err
		})
		if err != nil {
			return err
		}
		if asJSON {
			return env.printJSON(e)
		}
		fmt.Fprintf(env.Stdout, "started entry %d: %s\n", e.ID, describeEntry(e))
		if paused != nil {
			fmt.Fprintf(env.Stdout, "paused entry %d: %s (resumes when %d stops)\n", paused.ID, describeEntry(*paused), e.ID)
		}
		return nil
	}
	f.register(c, !interrupt)
	c.Flags().BoolVar(&asJSON, "json", false, "print the new entry as JSON")
	return c
}

// entryArg parses an optional entry id argument (0: the running entry).
func entryArg(args []string) (int64, error) {
	if len(args) == 0 {
		return 0, nil
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(args[0], "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, model.Invalid("entry", args[0], "is not an entry id")
	}
	return id, nil
}

func ledgerStop(env *Env) *cobra.Command {
	var at string
	var asJSON bool
	c := &cobra.Command{
		Use:   "stop [ID]",
		Short: "Stop the running timer (or entry ID); an interruption resumes what it paused",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := entryArg(args)
			if err != nil {
				return err
			}
			var stopped model.WorkEntry
			var resumed *model.WorkEntry
			_, err = env.write(c.Context(), func(t *store.Tx) error {
				when, err := optionalAt(c, t, at)
				if err != nil {
					return err
				}
				stopped, resumed, err = t.StopEntry(id, when)
				return err
			})
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(stopped)
			}
			fmt.Fprintf(env.Stdout, "stopped entry %d: %s\n", stopped.ID, describeEntry(stopped))
			if resumed != nil {
				fmt.Fprintf(env.Stdout, "resumed entry %d: %s\n", resumed.ID, describeEntry(*resumed))
			}
			return nil
		},
	}
	c.Flags().StringVar(&at, "at", "", "when it stopped (default now)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the stopped entry as JSON")
	return c
}

// ledgerToggle builds pause and resume, which share their shape.
func ledgerToggle(env *Env, use, short, verb string, fn func(t *store.Tx, id int64, at time.Time) (model.WorkEntry, error)) *cobra.Command {
	var at string
	var asJSON bool
	c := &cobra.Command{
		Use: use, Short: short, Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := entryArg(args)
			if err != nil {
				return err
			}
			var e model.WorkEntry
			_, err = env.write(c.Context(), func(t *store.Tx) error {
				when, err := optionalAt(c, t, at)
				if err != nil {
					return err
				}
				e, err = fn(t, id, when)
				return err
			})
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(e)
			}
			fmt.Fprintf(env.Stdout, "%s entry %d: %s\n", verb, e.ID, describeEntry(e))
			return nil
		},
	}
	c.Flags().StringVar(&at, "at", "", "when (default now)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the entry as JSON")
	return c
}

func ledgerPause(env *Env) *cobra.Command {
	return ledgerToggle(env, "pause [ID]", "Pause the running timer (a break); 'resume' continues it", "paused", (*store.Tx).PauseEntry)
}

func ledgerResume(env *Env) *cobra.Command {
	return ledgerToggle(env, "resume [ID]", "Resume the most recently paused entry (or entry ID)", "resumed", (*store.Tx).ResumeEntry)
}

func ledgerEdit(env *Env) *cobra.Command {
	var f entryFlags
	var end string
	var asJSON bool
	c := &cobra.Command{
		Use:   "edit ID",
		Short: "Change an entry (only the flags given): kind, category, note, links, start, end",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := entryArg(args)
			if err != nil {
				return err
			}
			var kind string
			if f.planned || f.unplanned {
				if kind, err = f.kind(); err != nil {
					return err
				}
			}
			var after model.WorkEntry
			_, err = env.write(c.Context(), func(t *store.Tx) error {
				_, after, err = t.UpdateEntry(id, func(e *model.WorkEntry) error {
					if kind != "" {
						e.Kind = kind
					}
					if err := f.apply(c, t, e); err != nil {
						return err
					}
					if c.Flags().Changed("at") {
						if e.StartedAt, err = clock(t, "at", f.at); err != nil {
							return err
						}
					}
					if c.Flags().Changed("end") {
						v, err := model.ParseClock("end", end, e.StartedAt, time.Local)
						if err != nil {
							return err
						}
						e.EndedAt = &v
					}
					return nil
				})
				return err
			})
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(after)
			}
			fmt.Fprintf(env.Stdout, "updated entry %d: %s\n", after.ID, describeEntry(after))
			return nil
		},
	}
	f.register(c, true)
	c.Flags().StringVar(&end, "end", "", "when it ended, stopped entries only (HH:MM is on the start's day)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the entry as JSON")
	return c
}

func ledgerStatus(env *Env) *cobra.Command {
	c := lister[model.WorkEntry]{use: "status", short: "Show your running timer and paused entries",
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.WorkEntry, error) {
			return s.OpenEntries(c.Context(), env.Actor.String())
		},
		print: func(_ *cobra.Command, _ *store.Store, open []model.WorkEntry) error {
			if len(open) == 0 {
				fmt.Fprintln(env.Stdout, "no timer running")
			}
			for _, e := range open {
				fmt.Fprintf(env.Stdout, "%s entry %d: %s\n", e.Status, e.ID, describeEntry(e))
			}
			return nil
		}}.command(env)
	c.Flags().Lookup("json").Usage = "print a JSON array (running first, then paused)"
	return c
}

// describeEntry is one line about an entry for command output.
func describeEntry(e model.WorkEntry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s, %s", e.Kind, e.Category, model.FormatDuration(time.Duration(e.Minutes)*time.Minute))
	start := e.StartedAt.Local()
	switch {
	case e.EndedAt != nil:
		end := e.EndedAt.Local()
		layout := "15:04"
		if end.YearDay() != start.YearDay() || end.Year() != start.Year() {
			layout = "2006-01-02 15:04"
		}
		fmt.Fprintf(&b, " (%s–%s)", start.Format("2006-01-02 15:04"), end.Format(layout))
	default:
		fmt.Fprintf(&b, " (since %s)", start.Format("2006-01-02 15:04"))
	}
	if l := e.Link(); l != "" {
		b.WriteString(", " + l)
	}
	if e.Note != "" {
		b.WriteString(": " + model.Truncate(e.Note, 60))
	}
	return b.String()
}
