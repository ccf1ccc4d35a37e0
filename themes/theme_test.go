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
