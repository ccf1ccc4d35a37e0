package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

// On call: rotations hand the pager over at a wall-clock time; overrides
// cover a window and give the shift back; the schedule is computed from
// both (model.OnCallPlan), never stored.
func init() {
	register(func(env *Env) *cobra.Command {
		cmd := &cobra.Command{Use: "oncall", Short: "Who gets paged besides the service owner: rotations, overrides, escalation"}
		cmd.AddCommand(oncallNow(env), oncallSchedule(env), oncallSet(env), oncallList(env), oncallRotation(env), oncallOverride(env),
			oncallEscalation(env), oncallHandovers(env))
		return cmd
	})
}

func localTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("2006-01-02 15:04")
}

// shiftZone says in which zone shift times print: the machine's (the
// default, unlabelled, as every other list), one named zone, or with
// --tz rotation each rotation's own, where its handoff is defined.
type shiftZone struct {
	fixed *time.Location           // nil: the machine's zone, unlabelled
	byRot map[int64]*time.Location // --tz rotation
}

// planIn reads the on-call plan and the zone --tz asks its times in.
func planIn(c *cobra.Command, env *Env, tz string) (model.OnCallPlan, shiftZone, error) {
	s, err := env.Open()
	if err != nil {
		return model.OnCallPlan{}, shiftZone{}, err
	}
	plan, err := s.OnCallPlan(c.Context())
	if err != nil {
		return model.OnCallPlan{}, shiftZone{}, err
	}
	zone, err := parseShiftZone(tz, plan)
	return plan, zone, err
}

// parseShiftZone reads --tz: "" (local), "rotation" or an IANA zone.
func parseShiftZone(tz string, plan model.OnCallPlan) (shiftZone, error) {
	switch tz {
	case "":
		return shiftZone{}, nil
	case "rotation":
		z := shiftZone{byRot: map[int64]*time.Location{}}
		for _, r := range plan.Rotations {
			if loc, err := time.LoadLocation(r.TZ); err == nil {
				z.byRot[r.ID] = loc
			}
		}
		return z, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "Local" {
		return shiftZone{}, model.Invalid("tz", tz, "is not a time zone (an IANA name such as Europe/Berlin, or rotation)")
	}
	return shiftZone{fixed: loc}, nil
}

// at prints t for the shift of rotation id: labelled with its zone unless
// the zone is the machine's default.
func (z shiftZone) at(t time.Time, rotation int64) string {
	loc := z.fixed
	if z.byRot != nil {
		loc = z.byRot[rotation]
	}
	if loc == nil || t.IsZero() {
		return localTime(t)
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// shiftRow is one schedule line: the override beside the shift it covers.
func shiftRow(s model.Shift) []string { return shiftRowIn(s, shiftZone{}) }

func shiftRowIn(s model.Shift, z shiftZone) []string {
	who, note := s.Who(), ""
	if s.Override != nil {
		note = fmt.Sprintf("override %d covering %s", *s.Override, orDash(s.Covers))
		if s.Reason != "" {
			note += ": " + s.Reason
		}
	}
	if s.Gap {
		note = "GAP: alerts page the service owner only"
	}
	if len(s.Shadows) > 0 {
		note = strings.TrimPrefix(note+"; shadow "+strings.Join(s.Shadows, ", "), "; ")
	}
	return []string{s.Rotation, model.RankName(s.Rank), who, z.at(s.Start, s.RotationID), z.at(s.End, s.RotationID), note}
}

var shiftHeader = []string{"rotation", "tier", "on call", "from", "until", "note"}

func oncallNow(env *Env) *cobra.Command {
	var asJSON bool
	var tz string
	c := readOnly(&cobra.Command{Use: "now", Short: "Who is on call now in each rotation, and who is next", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			plan, zone, err := planIn(c, env, tz)
			if err != nil {
				return err
			}
			now := env.now()
			type nowView struct {
				Now  []model.Shift `json:"now"`
				Next *model.Shift  `json:"next"`
			}
			v := nowView{Now: plan.Now(now)}
			if n, ok := plan.Next(now); ok {
				v.Next = &n
			}
			if asJSON {
				return env.printJSON(v)
			}
			if len(plan.Rotations) == 0 && v.Now[0].Gap {
				fmt.Fprintln(env.Stdout, "Nobody is on call; alerts go to service owners only. Add a rotation: opsdeck oncall rotation add primary --members a,b --every 7d --handoff \"Mon 09:00\" --tz Europe/Berlin")
				return nil
			}
			rows := [][]string{}
			for _, sh := range v.Now {
				rows = append(rows, shiftRowIn(sh, zone))
			}
			if err := env.printTable(shiftHeader, rows); err != nil {
				return err
			}
			if v.Next != nil {
				fmt.Fprintf(env.Stdout, "Next (%s): %s from %s\n", v.Next.Rotation, v.Next.Who(), zone.at(v.Next.Start, v.Next.RotationID))
			}
			return nil
		}})
	c.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	c.Flags().StringVar(&tz, "tz", "", "print times in this zone (Europe/Berlin), or in each rotation's own (rotation); default the machine's")
	return c
}

func oncallSchedule(env *Env) *cobra.Command {
	var from, to, tz string
	var asJSON bool
	c := readOnly(&cobra.Command{Use: "schedule", Short: "Who is on call when, from the rotations and overrides (overrides beside the shift they cover)", Args: cobra.NoArgs,
		Example: `  opsdeck oncall schedule
  opsdeck oncall schedule --from "2026-12-07 00:00" --to 14d
  opsdeck oncall schedule --tz rotation     # each shift in its rotation's zone`,
		RunE: func(c *cobra.Command, _ []string) error {
			start := env.now()
			var err error
			if from != "" {
				if start, err = model.ParseTime("from", from, time.Local); err != nil {
					return err
				}
			}
			end, err := ops.Until("to", to, start)
			if err != nil {
				return err
			}
			if end.Sub(start) > 400*24*time.Hour {
				return model.Invalid("to", to, "is more than 400 days after the start")
			}
			plan, zone, err := planIn(c, env, tz)
			if err != nil {
				return err
			}
			shifts := plan.Schedule(start, end)
			if asJSON {
				return env.printJSON(nonNil(shifts))
			}
			rows := [][]string{}
			for _, sh := range shifts {
				rows = append(rows, shiftRowIn(sh, zone))
			}
			return env.printTable(shiftHeader, rows)
		}})
	c.Flags().StringVar(&from, "from", "", "start (default now)")
	c.Flags().StringVar(&to, "to", "14d", "end: a duration from the start (14d) or a time")
	c.Flags().StringVar(&tz, "tz", "", "print times in this zone (Europe/Berlin), or in each rotation's own (rotation); default the machine's")
	c.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return c
}

// oncallSet is the old command, kept for scripts: an override of the
// primary rotation that no longer cuts anyone's shift.
func oncallSet(env *Env) *cobra.Command {
	var from, until string
	var asJSON bool
	set := &cobra.Command{Use: "set PERSON", Short: "Put someone on call for a window (an override of the primary; the shift comes back after)", Args: cobra.ExactArgs(1),
		Example: `  opsdeck oncall set oscar@example.com --until "2026-12-04 09:00"
  opsdeck oncall set chen@example.com --from "2026-12-04 09:00" --until 7d`,
		RunE: func(c *cobra.Command, args []string) error {
			o, err := addOverride(c, env, "", args[0], from, until, "")
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(o)
			}
			fmt.Fprintf(env.Stdout, "%s is on call from %s until %s (override %d; the rotation takes over again after)\n", o.PersonName, localTime(o.StartsAt), localTime(o.EndsAt), o.ID)
			return nil
		}}
	set.Flags().StringVar(&from, "from", "", "start (default now)")
	set.Flags().StringVar(&until, "until", "", "end: a duration from the start (12h, 7d) or a time (required)")
	set.Flags().BoolVar(&asJSON, "json", false, "print the override as JSON")
	return set
}

func addOverride(c *cobra.Command, env *Env, rotation, person, from, until, reason string) (model.OnCall, error) {
	var o model.OnCall
	_, err := env.write(c.Context(), func(t *store.Tx) error {
		start := t.At()
		var err error
		if from != "" {
			if start, err = model.ParseTime("from", from, time.Local); err != nil {
				return err
			}
		}
		end, err := ops.Until("until", until, start)
		if err != nil {
			return err
		}
		o, err = t.AddOverride(rotation, person, start, end, reason)
		return err
	})
	return o, err
}

func oncallList(env *Env) *cobra.Command {
	show := lister[model.OnCall]{use: "list", short: "List who is on call now and the shifts of the next four weeks",
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.OnCall, error) {
			return s.UpcomingOnCall(c.Context(), env.now())
		},
		print: func(_ *cobra.Command, _ *store.Store, shifts []model.OnCall) error {
			if len(shifts) == 0 {
				fmt.Fprintln(env.Stdout, "Nobody is on call; alerts go to service owners only. Add a rotation: opsdeck oncall rotation add --help")
				return nil
			}
			now := env.now()
			rows := [][]string{}
			for _, o := range shifts {
				when := "later"
				if !now.Before(o.StartsAt) {
					when = "now"
				}
				rows = append(rows, []string{when, o.Rotation, o.PersonName, o.Email, localTime(o.StartsAt), localTime(o.EndsAt), o.SetBy})
			}
			return env.printTable([]string{"", "rotation", "person", "email", "from", "until", "set by"}, rows)
		}}.command(env)
	show.Aliases = []string{"show"}
	return show
}

func oncallRotation(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "rotation", Short: "Rotations: who takes turns, how long, when the pager is handed over"}
	var spec store.RotationSpec
	var members, shadows string
	var asJSON bool
	add := &cobra.Command{Use: "add NAME", Short: "Add a rotation (the first one is the primary, the second the secondary)", Args: cobra.ExactArgs(1),
		Example: `  opsdeck oncall rotation add primary --members oscar@example.com,priya@example.com,chen@example.com --every 7d --handoff "Mon 09:00" --tz Europe/Berlin
  opsdeck oncall rotation add secondary --members priya@example.com,chen@example.com,oscar@example.com --every 7d --handoff "Mon 09:00" --tz Europe/Berlin`,
		RunE: func(c *cobra.Command, args []string) error {
			spec.Name, spec.Members, spec.Shadows = args[0], splitList(members), splitList(shadows)
			var r model.Rotation
			_, err := env.write(c.Context(), func(t *store.Tx) error {
				var err error
				r, err = t.AddRotation(spec)
				return err
			})
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(r)
			}
			fmt.Fprintf(env.Stdout, "Rotation %s (%s): %s, every %dd, handoff %s %s; first shift from %s\n", r.Name, model.RankName(r.Rank),
				memberNames(r), r.EveryDays, r.Handoff, r.TZ, localTime(r.Anchor))
			return nil
		}}
	add.Flags().StringVar(&members, "members", "", "people who take turns, in order (names or emails, comma-separated; operators and admins)")
	add.Flags().StringVar(&shadows, "shadow", "", "people who shadow whoever is on call (new hires), comma-separated")
	add.Flags().StringVar(&spec.Every, "every", "7d", "shift length in whole days (7d, 1d, 2w)")
	add.Flags().StringVar(&spec.Handoff, "handoff", "Mon 09:00", `when the pager is handed over: "Mon 09:00" (weekly) or "09:00" (daily)`)
	add.Flags().StringVar(&spec.TZ, "tz", "", "IANA time zone of the handoff (Europe/Berlin; required)")
	add.Flags().IntVar(&spec.Rank, "rank", 0, "escalation order: 1 primary, 2 secondary (default: after the last rotation)")
	add.Flags().IntVar(&spec.Offset, "offset", 0, "start the turns at the member after this many (a secondary over the same people)")
	add.Flags().BoolVar(&asJSON, "json", false, "print the rotation as JSON")

	list := lister[model.Rotation]{use: "list", short: "List the rotations with their members",
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.Rotation, error) {
			p, err := s.OnCallPlan(c.Context())
			return p.Rotations, err
		},
		header: []string{"name", "tier", "every", "handoff", "tz", "members"},
		row: func(r model.Rotation, _ *names) []string {
			return []string{r.Name, model.RankName(r.Rank), fmt.Sprintf("%dd", r.EveryDays), r.Handoff, r.TZ, memberNames(r)}
		},
		empty: "No rotations. Add one: opsdeck oncall rotation add primary --members a,b --every 7d --handoff \"Mon 09:00\" --tz Europe/Berlin"}.command(env)

	var shadow bool
	addMember := &cobra.Command{Use: "add-member ROTATION PERSON", Short: "Add someone to a rotation from now (last in turn, or --shadow)", Args: cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			var r model.Rotation
			_, err := env.write(c.Context(), func(t *store.Tx) error {
				var err error
				r, err = t.AddRotationMember(args[0], args[1], shadow)
				return err
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "Rotation %s: %s\n", r.Name, memberNames(r))
			warnManagedRotation(env, r.ManagedWarning())
			return nil
		}}
	addMember.Flags().BoolVar(&shadow, "shadow", false, "shadow whoever is on call instead of taking turns (a new hire)")

	var force bool
	removeMember := &cobra.Command{Use: "remove-member ROTATION PERSON", Short: "Take someone out of a rotation from now; says who takes their turns", Args: cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			var rm store.Removal
			_, err := env.write(c.Context(), func(t *store.Tx) error {
				var err error
				rm, err = t.RemoveRotationMember(args[0], args[1], force)
				return err
			})
			if err != nil {
				return err
			}
			fmt.Fprintln(env.Stdout, rm.Text)
			warnManagedRotation(env, rm.Warning)
			return nil
		}}
	removeMember.Flags().BoolVar(&force, "force", false, "accept leaving nobody on call for a while (shown as a risk)")
	cmd.AddCommand(add, list, addMember, removeMember)
	return cmd
}

// warnManagedRotation tells whoever changes a rotation a checks file
// manages that the change lasts until the next apply (as warnManaged for
// checks).
func warnManagedRotation(env *Env, w string) {
	if w != "" {
		fmt.Fprintln(env.Stderr, "opsdeck: warning: "+w)
	}
}

func memberNames(r model.Rotation) string {
	var parts []string
	for _, m := range r.Members {
		switch {
		case m.RemovedAt != nil:
			continue
		case m.Shadow:
			parts = append(parts, m.Name+" (shadow)")
		default:
			parts = append(parts, m.Name)
		}
	}
	return strings.Join(parts, ", ")
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func oncallOverride(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "override", Short: "Overrides: someone covers a window of a rotation; the shift comes back after"}
	var rotation, from, until, reason string
	var asJSON bool
	add := &cobra.Command{Use: "add PERSON", Short: "Cover a window of a rotation (default the primary)", Args: cobra.ExactArgs(1),
		Example: `  opsdeck oncall override add priya@example.com --from "2026-12-09 09:00" --until 1d --reason "Oscar at the dentist"`,
		RunE: func(c *cobra.Command, args []string) error {
			o, err := addOverride(c, env, rotation, args[0], from, until, reason)
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(o)
			}
			fmt.Fprintf(env.Stdout, "Override %d: %s is on call from %s until %s; the rotation takes over again after\n", o.ID, o.PersonName, localTime(o.StartsAt), localTime(o.EndsAt))
			return nil
		}}
	add.Flags().StringVar(&rotation, "rotation", "", "the rotation covered (default the primary)")
	add.Flags().StringVar(&from, "from", "", "start (default now)")
	add.Flags().StringVar(&until, "until", "", "end: a duration from the start (1d, 12h) or a time (required)")
	add.Flags().StringVar(&reason, "reason", "", "why (shown in the schedule)")
	add.Flags().BoolVar(&asJSON, "json", false, "print the override as JSON")

	var all bool
	list := lister[model.OnCall]{use: "list", short: "List overrides now and ahead (--all: every one, cancelled included)",
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.OnCall, error) {
			return s.Overrides(c.Context(), env.now(), all)
		},
		header: []string{"id", "rotation", "person", "from", "until", "reason", "set by", "cancelled"},
		row: func(o model.OnCall, _ *names) []string {
			cancelled := ""
			if o.CancelledAt != nil {
				cancelled = localTime(*o.CancelledAt)
			}
			return []string{strconv.FormatInt(o.ID, 10), orDash(o.Rotation), o.PersonName, localTime(o.StartsAt), localTime(o.EndsAt), o.Reason, o.SetBy, cancelled}
		},
		empty: "No overrides ahead."}.command(env)
	list.Flags().BoolVar(&all, "all", false, "include past and cancelled overrides")

	var force bool
	cancel := &cobra.Command{Use: "cancel ID", Short: "End an override now (its row stays); the rotation takes over", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return model.Invalid("override", args[0], "is not an override id (a number)")
			}
			var o model.OnCall
			if _, err := env.write(c.Context(), func(t *store.Tx) error {
				o, err = t.CancelOverride(id, force)
				return err
			}); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "Override %d (%s) cancelled\n", o.ID, o.PersonName)
			return nil
		}}
	cancel.Flags().BoolVar(&force, "force", false, "accept leaving nobody on call for a while (shown as a risk)")
	cmd.AddCommand(add, list, cancel)
	return cmd
}

func oncallEscalation(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "escalation", Short: "How long an unacknowledged alert waits before each escalation step, per service criticality",
		Long: "An alert not acknowledged within its delay pages the secondary on call; after twice the delay the service owner; after three times everyone in the rotations. Acknowledging stops it."}
	type row struct {
		Criticality string `json:"criticality"`
		After       string `json:"after"`
	}
	list := lister[row]{use: "list", short: "List the escalation delays",
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]row, error) {
			d, err := s.EscalationDelays(c.Context())
			var out []row
			for i := len(model.Criticalities) - 1; i >= 0; i-- {
				k := model.Criticalities[i]
				out = append(out, row{k, d[k].String()})
			}
			return out, err
		},
		header: []string{"criticality", "after"},
		row:    func(r row, _ *names) []string { return []string{r.Criticality, r.After} }}.command(env)
	set := &cobra.Command{Use: "set CRITICALITY DELAY", Short: "Set the delay for a criticality (critical 5m, high 15m, ...)", Args: cobra.ExactArgs(2),
		Example: "  opsdeck oncall escalation set critical 5m",
		RunE: func(c *cobra.Command, args []string) error {
			d, err := time.ParseDuration(args[1])
			if err != nil {
				return model.Invalid("delay", args[1], "is not a duration like 5m or 1h")
			}
			if _, err := env.write(c.Context(), func(t *store.Tx) error { return t.SetEscalation(args[0], d) }); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s alerts escalate after %s per step\n", args[0], d)
			return nil
		}}
	cmd.AddCommand(list, set)
	return cmd
}

func oncallHandovers(env *Env) *cobra.Command {
	return lister[store.HandoverRow]{use: "handovers", short: "List the summaries sent at each handoff (alerts fired/acked/resolved, still open, unplanned hours)",
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]store.HandoverRow, error) {
			return s.Handovers(c.Context(), 50)
		},
		header: []string{"rotation", "from", "to", "shift end", "fired", "acked", "resolved", "still open", "unplanned", "delivered"},
		row: func(h store.HandoverRow, _ *names) []string {
			var un []string
			for _, u := range h.Unplanned {
				un = append(un, fmt.Sprintf("%s %.1fh", u.Person, u.Hours))
			}
			return []string{h.Rotation, h.Person, h.Next, localTime(h.ShiftEnd), strconv.Itoa(h.Fired), strconv.Itoa(h.Acked), strconv.Itoa(h.Resolved),
				strconv.Itoa(len(h.StillOpen)), strings.Join(un, ", "), h.Delivered}
		},
		empty: "No handovers yet: they are written by opsdeck run at each handoff."}.command(env)
}
