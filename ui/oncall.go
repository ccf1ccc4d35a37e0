package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/ui/components/detail"
	"github.com/opsdeck/opsdeck/ui/components/form"
)

// On call in the console: who is on call now and next in the status bar
// (on every tab, the alerts tab included), the schedule as its own screen
// (":oncall": rotations and overrides, gaps marked), a shift's page with
// the summary of the shift so far and the last handovers, and O to add an
// override from the schedule (the selected shift's window) or from an
// alert (from now).

var overrideKey = key.NewBinding(key.WithKeys("O"), key.WithHelp("O", "add an on-call override"))

func init() {
	registerPart(partDef{name: "oncall", new: func(env TabEnv) part { return &oncallPart{env: env} }})
	registerCommand(commandDef{name: "oncall", aliases: []string{"schedule"},
		usage: ":oncall    who is on call when (rotations, overrides, gaps)",
		run:   func(a *app, _ string) tea.Cmd { return a.push(detail.Link{Kind: "schedule"}) }})
	registerDetail(detailDef{kind: "schedule", load: scheduleDetail})
	registerDetail(detailDef{kind: "shift", load: shiftDetail})
	registerDetail(detailDef{kind: "rotation", load: rotationDetail})
	editSpecs["override"] = overrideEdit()
	registerActions(action{key: overrideKey, hint: true, write: true,
		on: func(c actx) bool {
			return (c.page != nil && (c.page.Kind == "schedule" || c.page.Kind == "shift")) ||
				(c.hasSel && c.sel.Kind == "alert" && (c.tab == "alerts" || c.page != nil))
		},
		run: func(a *app, c actx) tea.Cmd {
			var id int64
			switch {
			case c.page != nil && c.page.Kind == "shift":
				id = c.page.ID
			case c.pick != nil && c.pick.Kind == "shift":
				id = c.pick.ID
			}
			return a.loadForm("override", id)
		}})
}

// A shift has no row of its own (the schedule is computed): its link id
// is its start (Unix seconds) and its rotation's rank in the last digit.
func shiftID(s model.Shift) int64 { return s.Start.Unix()*10 + int64(min(s.Rank, 9)) }

func shiftOf(id int64) (time.Time, int) { return time.Unix(id/10, 0), int(id % 10) }

// scheduleDetail is the schedule page (":oncall"): four weeks from now,
// the primary first, each shift a row that opens its page; O on a row
// adds an override of that window.
func scheduleDetail(env TabEnv, _ int64) (detail.Data, error) {
	plan, err := env.Store.OnCallPlan(env.Ctx)
	if err != nil {
		return detail.Data{}, err
	}
	now := env.now()
	d := detail.Data{Title: "On call", Subtitle: "schedule · four weeks · O adds an override"}
	if len(plan.Rotations) == 0 && len(plan.Overrides) == 0 {
		d.Sections = []detail.Section{{Title: "Schedule", Empty: `nobody is on call; alerts go to service owners only (opsdeck oncall rotation add --help)`}}
		return d, nil
	}
	if n, ok := plan.Next(now); ok {
		d.Fields = append(d.Fields, [2]string{"now", plan.Now(now)[0].Who()}, [2]string{"next", n.Who() + " from " + n.Start.Local().Format("Mon 2006-01-02 15:04")})
	}
	secs := map[string]*detail.Section{}
	var order []string
	for _, s := range plan.Schedule(now, now.Add(store.GapHorizon)) {
		sec, ok := secs[s.Rotation]
		if !ok {
			sec = &detail.Section{Title: s.Rotation + " (" + model.RankName(max(s.Rank, 1)) + ")"}
			secs[s.Rotation], order = sec, append(order, s.Rotation)
		}
		txt := fmt.Sprintf("%s – %s  %-18s %s", s.Start.Local().Format("2006-01-02 15:04"), s.End.Local().Format("2006-01-02 15:04"), s.Who(), shiftNote(s))
		sec.Rows = append(sec.Rows, detail.Row{Text: strings.TrimRight(txt, " "), Link: link("shift", shiftID(s)), Warn: s.Gap})
	}
	for _, name := range order {
		d.Sections = append(d.Sections, *secs[name])
	}
	return d, nil
}

func shiftNote(s model.Shift) string {
	var parts []string
	if s.Gap {
		parts = append(parts, "GAP: alerts page the service owner only")
	}
	if s.Override != nil {
		n := fmt.Sprintf("override %d covering %s", *s.Override, dash(s.Covers))
		if s.Reason != "" {
			n += ": " + s.Reason
		}
		parts = append(parts, n)
	}
	if len(s.Shadows) > 0 {
		parts = append(parts, "shadow "+strings.Join(s.Shadows, ", "))
	}
	return strings.Join(parts, "; ")
}

// shiftDetail is a shift's page: who, the window, what it covers, the
// summary of the current shift so far and the latest handovers.
func shiftDetail(env TabEnv, id int64) (detail.Data, error) {
	start, rank := shiftOf(id)
	plan, err := env.Store.OnCallPlan(env.Ctx)
	if err != nil {
		return detail.Data{}, err
	}
	var s model.Shift
	for _, x := range plan.Now(start) {
		if x.Rank == rank || (rank == 1 && x.Rotation == model.AdHoc) {
			s = x
		}
	}
	d := detail.Data{Title: s.Who() + " · " + s.Rotation, Subtitle: "on call · " + model.RankName(max(s.Rank, 1)), Fields: [][2]string{
		{"from", s.Start.Local().Format("2006-01-02 15:04 MST")}, {"until", s.End.Local().Format("2006-01-02 15:04 MST")},
		{"email", dash(s.Email)}, {"note", dash(shiftNote(s))},
	}}
	now := env.now()
	if !now.Before(s.Start) && now.Before(s.End) {
		h, err := env.Store.ShiftSummary(env.Ctx)
		if err != nil {
			return d, err
		}
		d.Sections = append(d.Sections, handoverSection("This shift so far (the handover at its end)", h))
	}
	hs, err := env.Store.Handovers(env.Ctx, 5)
	if err != nil {
		return d, err
	}
	past := detail.Section{Title: "Last handovers", Empty: "none yet: opsdeck run sends one at each handoff"}
	for _, h := range hs {
		past.Rows = append(past.Rows, detail.Row{Text: fmt.Sprintf("%s %s → %s · %d fired, %d acked, %d resolved, %d open · %s",
			h.ShiftEnd.Local().Format("01-02 15:04"), h.Person, h.Next, h.Fired, h.Acked, h.Resolved, len(h.StillOpen), dash(h.Delivered))})
	}
	d.Sections = append(d.Sections, past)
	for _, r := range plan.Rotations {
		if r.ID == s.RotationID {
			d.Sections = append(d.Sections, detail.Section{Title: "Rotation", Rows: []detail.Row{{
				Text: fmt.Sprintf("%s · every %dd · handoff %s %s", r.Name, r.EveryDays, r.Handoff, r.TZ), Link: link("rotation", r.ID)}}})
		}
	}
	return d, nil
}

func handoverSection(title string, h model.Handover) detail.Section {
	sec := detail.Section{Title: title}
	sec.Rows = append(sec.Rows, detail.Row{Text: fmt.Sprintf("alerts: %d fired, %d acknowledged, %d resolved", h.Fired, h.Acked, h.Resolved)})
	for _, o := range h.StillOpen {
		sec.Rows = append(sec.Rows, detail.Row{Text: "still open: " + o, Warn: true})
	}
	if len(h.Unplanned) == 0 {
		sec.Rows = append(sec.Rows, detail.Row{Text: "unplanned hours: none logged"})
	}
	for _, u := range h.Unplanned {
		sec.Rows = append(sec.Rows, detail.Row{Text: fmt.Sprintf("unplanned: %s %.1f h", u.Person, u.Hours)})
	}
	return sec
}

// overrideEdit is the override form: from the schedule it proposes the
// selected shift's window, from an alert the next day from now.
func overrideEdit() editSpec {
	return editSpec{
		kind: "override", done: "added",
		fields: func(env TabEnv, id int64) (string, []form.Field, error) {
			plan, err := env.Store.OnCallPlan(env.Ctx)
			if err != nil {
				return "", nil, err
			}
			var rots []string
			for _, r := range plan.Rotations {
				rots = append(rots, r.Name)
			}
			from, until, rot, covers := "", "1d", "", ""
			if id != 0 {
				start, rank := shiftOf(id)
				for _, s := range plan.Now(start) {
					if s.Rank == rank {
						if s.Start.After(env.now()) {
							from = s.Start.Local().Format("2006-01-02 15:04")
						}
						until, rot, covers = s.End.Local().Format("2006-01-02 15:04"), s.Rotation, s.Who()
					}
				}
			}
			fs := []form.Field{text("person", "person", "", "who covers (name or email; an operator or admin)")}
			if len(rots) > 0 {
				if rot == "" || rot == model.AdHoc {
					rot = rots[0]
				}
				fs = append(fs, choice("rotation", "rotation", rot, rots))
			}
			fs = append(fs, text("from", "from", from, "empty: now; or 2026-12-09 09:00"),
				text("until", "until", until, "a duration from the start (1d, 12h) or a time"),
				text("reason", "reason", "", "why (shown in the schedule)"))
			title := "Add an on-call override"
			if covers != "" {
				title += " (covering " + covers + ")"
			}
			return title, fs, nil
		},
		check: func(v map[string]string) error {
			if err := required("person", v["person"]); err != nil {
				return err
			}
			if _, err := ops.Until("until", v["until"], time.Time{}); err != nil && !strings.Contains(v["until"], "-") {
				return err
			}
			return nil
		},
		save: func(t *store.Tx, _ int64, v map[string]string) (int64, string, error) {
			start := t.At()
			var err error
			if f := strings.TrimSpace(v["from"]); f != "" {
				if start, err = model.ParseTime("from", f, time.Local); err != nil {
					return 0, "", err
				}
			}
			end, err := ops.Until("until", v["until"], start)
			if err != nil {
				return 0, "", err
			}
			o, err := t.AddOverride(v["rotation"], v["person"], start, end, v["reason"])
			return o.ID, fmt.Sprintf("override %d: %s on call until %s", o.ID, o.PersonName, o.EndsAt.Local().Format("01-02 15:04")), err
		},
	}
}

// oncallPart is the status bar's "on call" segment: the primary now and
// who is next, read on every reload.
type oncallPart struct {
	env               TabEnv
	now, next, nextAt string
	err               error
	configured        bool
	width             int
}

type oncallMsg struct {
	now, next, nextAt string
	configured        bool
	err               error
}

func (p *oncallPart) Reload() tea.Cmd {
	env := p.env
	return func() tea.Msg {
		plan, err := env.Store.OnCallPlan(env.Ctx)
		if err != nil {
			return oncallMsg{err: err}
		}
		if len(plan.Rotations) == 0 && len(plan.Overrides) == 0 {
			return oncallMsg{}
		}
		at := env.now()
		m := oncallMsg{configured: true, now: plan.Now(at)[0].Who()}
		if n, ok := plan.Next(at); ok {
			m.next, m.nextAt = n.Who(), n.Start.Local().Format("Mon 15:04")
		}
		return m
	}
}

func (p *oncallPart) Update(_ *app, msg tea.Msg) (tea.Cmd, bool) {
	m, ok := msg.(oncallMsg)
	if !ok {
		return nil, false
	}
	p.now, p.next, p.nextAt, p.configured, p.err = m.now, m.next, m.nextAt, m.configured, m.err
	return nil, true
}

// Status is "on call NOW · next NEXT": full names and the handoff time on
// a wide window, first names on a middling one, nothing on a narrow one
// (the status bar's own segments, who you are and who else is here, first;
// the schedule is one ":oncall" away).
func (p *oncallPart) Status() []string {
	switch {
	case p.err != nil:
		return []string{"on call: ?"}
	case !p.configured || p.width < 130:
		return nil
	case p.width >= 170 && p.next != "":
		return []string{"on call " + p.now + " · next " + p.next + " " + p.nextAt}
	case p.next != "":
		return []string{"on call " + firstName(p.now) + " · next " + firstName(p.next)}
	}
	return []string{"on call " + firstName(p.now)}
}

func firstName(n string) string {
	if f, _, ok := strings.Cut(n, " "); ok {
		return f
	}
	return n
}

func (p *oncallPart) SetWidth(w int) { p.width = w }
func (p *oncallPart) Panel() panel   { return nil }

// rotationDetail is a rotation's page (what an on-call gap risk links to):
// its settings, members and the next four weeks of its schedule.
func rotationDetail(env TabEnv, id int64) (detail.Data, error) {
	plan, err := env.Store.OnCallPlan(env.Ctx)
	if err != nil {
		return detail.Data{}, err
	}
	for _, r := range plan.Rotations {
		if r.ID != id {
			continue
		}
		d := detail.Data{Title: r.Name, Subtitle: "rotation · " + model.RankName(r.Rank), Fields: [][2]string{
			{"every", fmt.Sprintf("%dd", r.EveryDays)}, {"handoff", r.Handoff + " " + r.TZ}}}
		ms := detail.Section{Title: "Members", Empty: "nobody: every shift is a gap"}
		for _, m := range r.Members {
			txt := m.Name + " · " + m.Email
			if m.Shadow {
				txt += " · shadow"
			}
			if m.RemovedAt != nil {
				txt += " · removed " + m.RemovedAt.Local().Format("2006-01-02") + " (" + m.RemovedWhy + ")"
			}
			ms.Rows = append(ms.Rows, detail.Row{Text: txt, Link: link("person", m.PersonID), Warn: m.RemovedAt != nil})
		}
		sc := detail.Section{Title: "Next four weeks"}
		now := env.now()
		for _, s := range plan.Schedule(now, now.Add(store.GapHorizon)) {
			if s.RotationID == r.ID {
				sc.Rows = append(sc.Rows, detail.Row{Text: fmt.Sprintf("%s – %s  %s  %s", s.Start.Local().Format("01-02 15:04"), s.End.Local().Format("01-02 15:04"), s.Who(), shiftNote(s)), Warn: s.Gap})
			}
		}
		d.Sections = append(managedSection(r.Managed), ms, sc)
		return d, nil
	}
	return detail.Data{}, fmt.Errorf("rotation %d: not found", id)
}
