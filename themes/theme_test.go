package themes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuiltinsLoad(t *testing.T) {
	names := Names()
	if strings.Join(names, ",") != "dark,high-contrast,light" {
		t.Fatalf("built-ins: %v", names)
	}
	for _, n := range names {
		th, err := Load(n)
		if err != nil || th == nil || th.Name != n {
			t.Fatalf("%s: %+v %v", n, th, err)
		}
		NewStyles(*th) // must not panic
	}
	if th, err := Load("auto"); th != nil || err != nil {
		t.Fatalf("auto: %v %v", th, err)
	}
	if !Default(true).Dark || Default(false).Dark {
		t.Fatal("Default picks the wrong palette")
	}
}

func TestUserThemeFileOverridesABase(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mine.json")
	os.WriteFile(p, []byte(`{"dark": false, "accent": "#ff0000", "selected_bg": "33"}`), 0o600)
	th, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	light, _ := Builtin("light")
	if th.Accent != "#ff0000" || th.SelectedBg != "33" || th.Text != light.Text || th.Name != p {
		t.Fatalf("%+v", th)
	}
}

func TestBadThemesAreReported(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		`{"accent": "red"}`:    `accent: "red" is not a colour`,
		`{"acent": "#ffffff"}`: `unknown field "acent"`,
		`{not json`:            `invalid character`,
	}
	for body, want := range cases {
		p := filepath.Join(dir, "t.json")
		os.WriteFile(p, []byte(body), 0o600)
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: %v (want %q)", body, err, want)
		}
	}
	if _, err := Load("no-such-theme"); err == nil || !strings.Contains(err.Error(), "dark, high-contrast, light") {
		t.Fatalf("unknown name: %v", err)
	}
}

func TestMonoHasNoColour(t *testing.T) {
	st := NewStyles(Mono())
	out := st.Selected.Render("x") + st.Error.Render("y") + st.TabActive.Render("z")
	if strings.Contains(out, "38;") || strings.Contains(out, "48;") {
		t.Fatalf("mono styles emit colour: %q", out)
	}
}

func TestUserThemeRoles(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "t.json")
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	th, err := Load(write(`{"dark": true, "roles": {"state.firing": "196"}}`))
	if err != nil {
		t.Fatal(err)
	}
	dark := Default(true)
	if th.Roles["state.firing"] != "196" || th.Roles["severity.high"] != dark.Roles["severity.high"] || dark.Roles["state.firing"] == "196" {
		t.Fatalf("roles over the dark base: %v (base %v)", th.Roles, dark.Roles)
	}
	if _, err := Load(write(`{"roles": {"state.burning": "1"}}`)); err == nil || !strings.Contains(err.Error(), `roles: "state.burning" is not a role`) {
		t.Fatalf("unknown role: %v", err)
	}
	if _, err := Load(write(`{"roles": {"ok": "green"}}`)); err == nil || !strings.Contains(err.Error(), `roles.ok: "green" is not a colour`) {
		t.Fatalf("bad colour: %v", err)
	}
	if m, ok := MarkOf(DomainAlert, "acked ~flap"); !ok || m.Role != RoleAcked {
		t.Fatalf("acked ~flap: %+v %v", m, ok)
	}
	if m, ok := MarkOf(DomainDue, "OVERDUE 40d"); !ok || m.Symbol != "!" {
		t.Fatalf("OVERDUE 40d: %+v %v", m, ok)
	}
	if _, ok := MarkOf(DomainSeverity, "whatever"); ok {
		t.Fatal("an unknown value has a mark")
	}
}
