package ui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/charmbracelet/x/ansi"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// hostile is text an attacker might put in a name, a title or a CSV cell
// to paint, move, retitle or reorder the operator's terminal.
var hostile = []string{
	"\x1b]0;owned title\x07Alice",                       // OSC set title (BEL)
	"\x1b]0;owned title\x1b\\Bob",                       // OSC set title (ST)
	"\x1b]8;;https://evil.example\x07click\x1b]8;;\x07", // OSC 8 hyperlink
	"\x1b[2J\x1b[HCarol",                                // clear screen, home
	"Dan\x1b[10A\x1b[31mred",                            // cursor up, colour
	"\x1bP+q544e\x1b\\Eve",                              // DCS
	"\x9b31mFrank\x9d0;t\x9c",                           // 8-bit C1 CSI/OSC/ST
	"Gina\x07\x08\x08\x08\x00\x7f",                      // BEL, backspaces, NUL, DEL
	"Hal\r\nInjected: line",                             // CR/LF
	"\u202eevil\u202c Ivan",                             // RLO/PDF bidi override
	"\u2067Judy\u2069\u200f",                            // RLI/PDI, RLM
	"Ka\u200bren\u200d\u2060\ufeff\u00ad",               // zero-width, word joiner, BOM, soft hyphen
	"Leo\xff\xfe\xc3(",                                  // invalid UTF-8
	"Mia\t\v\ftabs",                                     // other whitespace controls
	strings.Repeat("Long", 5000),                        // 20 kB
}

var sgrOnly = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

func TestHostileCorpusRendersAsPlainText(t *testing.T) {
	s := openStore(t, true)
	err := s.Write(context.Background(), model.LocalActor("importer"), func(tx *store.Tx) error {
		for i, h := range hostile {
			p := model.Person{Name: h, Email: fmt.Sprintf("h%d@example.com", i), Title: h, Department: h, Notes: h}
			if err := tx.AddPerson(&p); err != nil {
				return fmt.Errorf("%q: %w", h, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a := testApp(t, s)
	check := func(where string) {
		t.Helper()
		raw := a.View().Content
		// The console's own styling is SGR only; anything else came from data.
		rest := sgrOnly.ReplaceAllString(raw, "")
		for _, r := range rest {
			switch {
			case r == '\n':
			case r < 0x20 || (r >= 0x7f && r < 0xa0):
				t.Fatalf("%s: control %U on screen:\n%q", where, r, rest)
			case unicode.Is(unicode.Cf, r) || r == 0x200b:
				t.Fatalf("%s: invisible/bidi %U on screen", where, r)
			case r == unicode.ReplacementChar:
				t.Fatalf("%s: invalid UTF-8 reached the screen", where)
			}
		}
		for _, l := range strings.Split(raw, "\n") {
			if w := ansi.StringWidth(l); w > 80 {
				t.Fatalf("%s: line %d cells wide", where, w)
			}
		}
		if strings.Contains(rest, "owned title") || strings.Contains(rest, "evil.example") {
			t.Fatalf("%s: escape payload shown as text:\n%s", where, rest)
		}
	}
	send(t, a, "/", "@example.com", "enter")
	for i := range len(hostile) + 25 {
		check(fmt.Sprintf("list row %d", i))
		send(t, a, "down")
	}
	send(t, a, "esc", "/", "h1", "enter", "enter")
	check("detail")
	mustContain(t, a, "Bob")
}
