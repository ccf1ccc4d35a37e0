// Package themes holds the console's colours: a Theme (plain data, loadable
// from a JSON file), the built-in dark, light and high-contrast themes, and
// the Lip Gloss styles the console derives from a theme.
package themes

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

//go:embed data/*.json
var builtin embed.FS

// Theme is a palette. Colours are "#rrggbb" or an ANSI index "0".."255".
// A user theme file is the same JSON; fields it leaves out are taken from
// the built-in dark or light theme (by its "dark" field).
type Theme struct {
	Name        string `json:"name"`
	Dark        bool   `json:"dark"`
	Text        string `json:"text"`
	Muted       string `json:"muted"`
	Accent      string `json:"accent"`
	Title       string `json:"title"`
	TabActiveFg string `json:"tab_active_fg"`
	TabActiveBg string `json:"tab_active_bg"`
	SelectedFg  string `json:"selected_fg"`
	SelectedBg  string `json:"selected_bg"`
	Header      string `json:"header"`
	OK          string `json:"ok"`
	Warn        string `json:"warn"`
	Error       string `json:"error"`
	StatusFg    string `json:"status_fg"`
	StatusBg    string `json:"status_bg"`
	Match       string `json:"match"`
	// Roles colour the states (state.firing, severity.critical, ok, warn,
	// …; see RoleNames): one colour per meaning, not per screen. A role
	// left out takes its base colour (error, warn, ok, muted, accent).
	Roles map[string]string `json:"roles"`
	// Mono means no colours at all (NO_COLOR): emphasis by bold/reverse only.
	Mono bool `json:"-"`
}

// Names lists the built-in themes.
func Names() []string {
	ents, _ := builtin.ReadDir("data")
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(out)
	return out
}

// Builtin returns a built-in theme by name.
func Builtin(name string) (Theme, error) {
	b, err := builtin.ReadFile("data/" + name + ".json")
	if err != nil {
		return Theme{}, fmt.Errorf("theme: %q is not a built-in theme (one of %s) nor a file", name, strings.Join(Names(), ", "))
	}
	return decode(b, Theme{})
}

// Default picks dark or light for a terminal background.
func Default(darkBackground bool) Theme {
	name := "light"
	if darkBackground {
		name = "dark"
	}
	t, err := Builtin(name)
	if err != nil {
		panic(err) // embedded data is part of the binary
	}
	return t
}

// Mono is the theme for NO_COLOR: no colour, emphasis by attributes.
func Mono() Theme { return Theme{Name: "mono", Dark: true, Mono: true} }

// Load resolves --theme: "" or "auto" means nil (decide from the terminal
// background), a built-in name, or a path to a JSON theme file.
func Load(ref string) (*Theme, error) {
	if ref == "" || ref == "auto" {
		return nil, nil
	}
	if t, err := Builtin(ref); err == nil {
		return &t, nil
	}
	b, err := os.ReadFile(ref)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("theme: %q is not a built-in theme (one of %s) nor a file", ref, strings.Join(Names(), ", "))
		}
		return nil, fmt.Errorf("theme %s: %w", ref, err)
	}
	var probe struct {
		Dark *bool `json:"dark"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("theme %s: %w", ref, err)
	}
	base := Default(probe.Dark == nil || *probe.Dark)
	t, err := decode(b, base)
	if err != nil {
		return nil, fmt.Errorf("theme %s: %w", ref, err)
	}
	if t.Name == base.Name {
		t.Name = ref
	}
	return &t, nil
}

var colorRe = regexp.MustCompile(`^(#[0-9a-fA-F]{6}|[0-9]{1,3})$`)

// decode reads JSON over base, refusing unknown keys and bad colours so a
// typo in a user theme is reported rather than silently ignored.
func decode(b []byte, base Theme) (Theme, error) {
	t := base
	t.Roles = make(map[string]string, len(base.Roles))
	for k, v := range base.Roles {
		t.Roles[k] = v
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return Theme{}, err
	}
	for field, v := range t.colors() {
		if !colorRe.MatchString(v) {
			return Theme{}, fmt.Errorf("%s: %q is not a colour (want #rrggbb or 0-255)", field, v)
		}
	}
	for role, v := range t.Roles {
		if _, ok := roleBase[role]; !ok {
			names := RoleNames()
			sort.Strings(names)
			return Theme{}, fmt.Errorf("roles: %q is not a role (one of %s)", role, strings.Join(names, ", "))
		}
		if !colorRe.MatchString(v) {
			return Theme{}, fmt.Errorf("roles.%s: %q is not a colour (want #rrggbb or 0-255)", role, v)
		}
	}
	return t, nil
}

func (t Theme) colors() map[string]string {
	return map[string]string{
		"text": t.Text, "muted": t.Muted, "accent": t.Accent, "title": t.Title,
		"tab_active_fg": t.TabActiveFg, "tab_active_bg": t.TabActiveBg, "selected_fg": t.SelectedFg,
		"selected_bg": t.SelectedBg, "header": t.Header, "ok": t.OK, "warn": t.Warn, "error": t.Error,
		"status_fg": t.StatusFg, "status_bg": t.StatusBg, "match": t.Match,
	}
}
