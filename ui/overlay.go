package ui

import tea "charm.land/bubbletea/v2"

// overlay is a screen opened over the current tab — the import dialog and
// report, the backups view. While it is open it gets the key presses (the
// shell keeps ctrl+c, and ":", q, ?, 1-5 unless the overlay is typing) and
// every message the shell does not handle itself.
type overlay interface {
	// Name is its breadcrumb ("import people").
	Name() string
	SetSize(w, h int)
	Update(msg tea.Msg) (overlay, tea.Cmd)
	View() string
	// Hint is the prompt line's text under it (its keys).
	Hint() string
	// Load re-reads its data when the database changed (nil: nothing to do).
	Load() tea.Cmd
	// Typing is true while a text input has the keys.
	Typing() bool
	// Busy names the work it is running ("" when idle); the shell does not
	// close it or quit on q meanwhile (esc cancels the work first).
	Busy() string
}

// closeOverlayMsg closes the overlay that sent it; flash is shown, and the
// tabs reload when the overlay changed data.
type closeOverlayMsg struct {
	flash   string
	isErr   bool
	changed bool
}

func closeOverlay(flash string, isErr, changed bool) tea.Cmd {
	return func() tea.Msg { return closeOverlayMsg{flash: flash, isErr: isErr, changed: changed} }
}

// openOverlay shows o over the current screen and starts its load.
func (a *app) openOverlay(o overlay) tea.Cmd {
	a.overlay = o
	o.SetSize(a.width, a.bodyHeight())
	return o.Load()
}

// onOverlayKey routes a key while an overlay is open: the shell's own keys
// first (unless the overlay is typing), the rest to the overlay. It
// reports false when the shell should handle the key as usual.
func (a *app) onOverlayKey(k tea.KeyPressMsg) (tea.Cmd, bool) {
	o := a.overlay
	ks := k.String()
	if ks == "ctrl+c" {
		return tea.Quit, true
	}
	if !o.Typing() {
		switch ks {
		case ":", "?":
			return nil, false
		case "q", "1", "2", "3", "4", "5", "tab", "shift+tab":
			if busy := o.Busy(); busy != "" {
				a.setFlash(busy+" is running — esc cancels it first (ctrl+c quits anyway)", true)
				return nil, true
			}
			a.overlay = nil
			return nil, false
		}
	}
	a.flash = ""
	next, cmd := o.Update(k)
	a.overlay = next
	return cmd, true
}
