package ui

import (
	"charm.land/bubbles/v2/key"
)

// keyMap is the shell's global bindings; "?" renders them with the active
// tab's, the registered actions' and components' bindings, so the help is
// never out of date. Features bind their keys as actions (registry.go).
type keyMap struct {
	Tabs, Next, Prev, Command, Filter, FuzzyToggle, Help, Open, Back, Add, Edit, Deactivate, Reload, Quit key.Binding
}

func defaultKeys() keyMap {
	var nums []string
	for _, d := range tabDefs {
		if d.key != "" {
			nums = append(nums, d.key)
		}
	}
	tabsHelp := ""
	if len(nums) > 0 {
		tabsHelp = nums[0] + "-" + nums[len(nums)-1]
	}
	return keyMap{
		Tabs:        key.NewBinding(key.WithKeys(nums...), key.WithHelp(tabsHelp, "switch tab")),
		Next:        key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next tab")),
		Prev:        key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous tab")),
		Command:     key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command (:dev kristen)")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter as you type")),
		FuzzyToggle: key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "fuzzy ⇄ substring filter")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open / follow link")),
		Back:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back / clear filter")),
		Add:         key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add")),
		Edit:        key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Deactivate:  key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "deactivate (asks first)")),
		Reload:      key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "reload")),
		Quit:        key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp implements help.KeyMap: the hint line at the bottom.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Open, k.Filter, k.Command, k.Add, k.Edit, k.Deactivate, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Tabs, k.Next, k.Prev, k.Command, k.Help, k.Quit},
		{k.Open, k.Back, k.Filter, k.FuzzyToggle, k.Reload},
		{k.Add, k.Edit, k.Deactivate},
	}
}
