package checklist

import "charm.land/bubbles/v2/key"

// KeyMap is the checklist's bindings, the same for every kind; "?" lists
// them (it implements help.KeyMap).
type KeyMap struct {
	Up, Down, Top, Bottom, Done, Skip, Block, Note, Undo, Complete, Force, Follow key.Binding
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Done, k.Skip, k.Block, k.Note, k.Undo, k.Complete, k.Follow}
}

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom, k.Follow}, {k.Done, k.Skip, k.Block, k.Note, k.Undo}, {k.Complete, k.Force}}
}

// DefaultKeys are the offboarding checklist's keys, which every checklist
// shares.
func DefaultKeys() KeyMap {
	b := func(h, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(h, desc))
	}
	return KeyMap{
		Up:       b("↑/k", "previous step", "up", "k"),
		Down:     b("↓/j", "next step", "down", "j"),
		Top:      b("g", "first step", "g", "home"),
		Bottom:   b("G", "last step", "G", "end"),
		Done:     b("space", "done", "space"),
		Skip:     b("s", "skip", "s"),
		Block:    b("b", "block", "b"),
		Note:     b("n", "note", "n"),
		Undo:     b("u", "undo", "u"),
		Complete: b("c", "complete", "c"),
		Force:    b("C", "force complete", "C"),
		Follow:   b("enter", "open record", "enter"),
	}
}
