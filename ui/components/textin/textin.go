// Package textin makes themed one-line text inputs for the console's
// prompts and forms. The cursor does not blink: a blinking cursor repaints
// twice a second over SSH for nothing.
package textin

import (
	"charm.land/bubbles/v2/textinput"
	"github.com/opsdeck/opsdeck/themes"
)

// New returns an input with prompt, styled by st.
func New(st *themes.Styles, prompt string) textinput.Model {
	ti := textinput.New()
	ti.Prompt = prompt
	Style(&ti, st)
	return ti
}

// Style applies st to ti.
func Style(ti *textinput.Model, st *themes.Styles) {
	s := ti.Styles()
	s.Focused.Text, s.Blurred.Text = st.Text, st.Text
	s.Focused.Prompt, s.Blurred.Prompt = st.Accent, st.Muted
	s.Focused.Placeholder, s.Blurred.Placeholder = st.Muted, st.Muted
	s.Focused.Suggestion, s.Blurred.Suggestion = st.Muted, st.Muted
	s.Cursor.Blink = false
	ti.SetStyles(s)
}
