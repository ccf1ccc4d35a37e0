package ui

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ui/components/detail"
	"github.com/opsdeck/opsdeck/ui/components/table"
)

// TestTabBarFollowsRegistry: the bar, the number keys and the ":" words
// are the registered tabs, in number-key order.
func TestTabBarFollowsRegistry(t *testing.T) {
	a := testApp(t, openStore(t, true))
	a.Update(tea.WindowSizeMsg{Width: 200, Height: 30}) // every tab's name fits
	var want []string
	for _, d := range tabDefs {
		want = append(want, " "+d.key+" "+d.name+" ")
	}
	if got := strings.Join(want, " "); !strings.HasPrefix(ansi.Strip(a.tabBar()), got) {
		t.Fatalf("tab bar %q, want it to start with %q", a.tabBar(), got)
	}
	for i, d := range tabDefs {
		send(t, a, d.key)
		if a.active != i || a.tab().Name() != d.name {
			t.Fatalf("key %s shows %q, want %q", d.key, a.tab().Name(), d.name)
		}
	}
	words := a.commandWords()
	for _, w := range []string{"people", "secrets", "import", "backups", "theme", "quit"} {
		if !slices.Contains(words, w) {
			t.Fatalf("command words %v lack %q", words, w)
		}
	}
}

// withRegistries restores the registries after a test registers more.
func withRegistries(t *testing.T) {
	tabs, acts, cmds, dets := slices.Clone(tabDefs), slices.Clone(actions), slices.Clone(commandDefs), maps.Clone(detailDefs)
	t.Cleanup(func() { tabDefs, actions, commandDefs, detailDefs = tabs, acts, cmds, dets })
}

// TestNewTabIsRegistrationOnly adds a "findings" tab the way a feature
// would — a tab, an action, a ":" alias and a detail page, all from
// registrations — and drives it through the shell, which knows none of it.
func TestNewTabIsRegistrationOnly(t *testing.T) {
	withRegistries(t)
	// The real findings tab (findings.go) is made the same way; take it out
	// so the test's own registrations stand alone.
	tabDefs = slices.DeleteFunc(tabDefs, func(d tabDef) bool { return d.name == "findings" })
	delete(detailDefs, "finding")
	actions = slices.DeleteFunc(actions, func(ac action) bool {
		return ac.on(actx{tab: "findings", kind: "finding", sel: detail.Link{Kind: "finding", ID: 1}, hasSel: true})
	})
	registerTab(tabDef{name: "findings", key: "9", aliases: []string{"fi"}, help: "what the audit found",
		new: func(env TabEnv) Tab {
			return newListTab(env, listSpec{name: "findings", kind: "finding",
				cols: []table.Column{{Title: "finding", Min: 10, Max: 40}},
				load: func(TabEnv) ([][]string, []int64, error) {
					return [][]string{{"laptop LT-007 unencrypted"}}, []int64{42}, nil
				}})
		}})
	registerDetail(detailDef{kind: "finding", load: func(_ TabEnv, id int64) (detail.Data, error) {
		if id != 42 {
			t.Errorf("opened finding %d, want 42", id)
		}
		return detail.Data{Title: "Unencrypted laptop", Subtitle: "finding · high"}, nil
	}})
	registerActions(action{key: key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "flag the finding")), hint: true,
		on: func(c actx) bool { return c.hasSel && c.sel.Kind == "finding" },
		run: func(a *app, c actx) tea.Cmd {
			a.setFlash("flagged finding "+strings.Repeat("*", int(c.sel.ID%5)), false)
			return nil
		}})

	a := testApp(t, openStore(t, true))
	a.Update(tea.WindowSizeMsg{Width: 140, Height: 30})
	if !strings.Contains(a.tabBar(), " 9 findings ") {
		t.Fatalf("tab bar lacks the new tab: %q", a.tabBar())
	}
	send(t, a, "?")
	mustContain(t, a, "0-"+tabDefs[len(tabDefs)-1].key, "switch tab")
	if strings.Contains(screen(a), "flag the finding") {
		t.Fatal("the findings action is listed on the people tab")
	}
	send(t, a, "esc", ":", "fi", "enter")
	mustContain(t, a, "laptop LT-007 unencrypted", "F flag the finding")
	send(t, a, "?")
	mustContain(t, a, "findings: what the audit found", "flag the finding", ":findings")
	send(t, a, "esc", "F")
	mustContain(t, a, "flagged finding **")
	send(t, a, "enter")
	mustContain(t, a, "findings › Unencrypted laptop", "finding · high")
	send(t, a, "1", "9")
	if a.tab().Name() != "findings" {
		t.Fatalf("key 8 shows %q", a.tab().Name())
	}
}

// TestRiskRowsCarryTheirKind: the risks tab's rows link to records of
// different kinds, each by its own kind and id (no packed ids).
func TestRiskRowsCarryTheirKind(t *testing.T) {
	a := testApp(t, openStore(t, true))
	send(t, a, ":", "risks", "enter")
	lt, ok := a.tab().(*listTab)
	if !ok || lt.Name() != "risks" {
		t.Fatalf("risks tab is %T", a.tab())
	}
	kinds := map[string]bool{}
	for i, k := range lt.kinds {
		kinds[k] = true
		if lt.ids[i] <= 0 || lt.ids[i] >= 1<<31 {
			t.Fatalf("row %d links to %s %d", i, k, lt.ids[i])
		}
	}
	if len(kinds) < 2 {
		t.Fatalf("demo risks link to kinds %v, want several", kinds)
	}
	for k := range kinds {
		if _, ok := detailDefs[k]; !ok {
			t.Fatalf("a risk links to %q, which has no detail page", k)
		}
	}
}

// TestWriteActionsFollowRole: a viewer is not offered ack, L or K, and
// pressing them says why instead of doing nothing.
func TestWriteActionsFollowRole(t *testing.T) {
	s := openStore(t, true)
	for _, c := range []struct {
		role  string
		offer bool
	}{{"viewer", false}, {"operator", true}} {
		a := newApp(Options{StartTab: "people", Store: s, Actor: model.Actor{Kind: "ssh", Name: "kristen@example.com", Role: c.role}, Width: 120, Height: 40})
		run(t, a, a.load(a.active))
		send(t, a, "4")
		send(t, a, "?")
		help := screen(a)
		for _, w := range []string{"resolve", "log work on the selection", "snooze"} {
			if strings.Contains(help, w) != c.offer {
				t.Errorf("%s: %q offered %v, want %v", c.role, w, !c.offer, c.offer)
			}
		}
		send(t, a, "esc")
		if !c.offer {
			send(t, a, "a")
			mustContain(t, a, "cannot change anything")
			send(t, a, "L")
			mustContain(t, a, "cannot log work")
		}
	}
}
