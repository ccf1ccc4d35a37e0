package model

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// hostile is a corpus of strings that try to paint, move, link, reorder or
// hide text on a terminal.
var hostile = []struct{ in, want string }{
	{"\x1b[31mred\x1b[0m", "red"},
	{"\x1b[2J\x1b[Hclear", "clear"},
	{"\x1b]8;;https://evil.example\x07click\x1b]8;;\x07", "click"},
	{"\x1b]52;c;aGVsbG8=\x07copy", "copy"},
	{"\x1b]0;title\x1b\\x", "x"},
	{"\x1bPq#0;2;0;0;0\x1b\\sixel", "sixel"},
	{"a\x1b[10Ab", "ab"},
	{"bell\x07\x08\x7f", "bell"},
	{"\u009b31mc1", "31mc1"},
	{"\u202eevil\u202c", "evil"},
	{"\u2066iso\u2069", "iso"},
	{"zero\u200bwidth\u200d\ufeff", "zerowidth"},
	{"bad\xff\xfeutf8", "badutf8"},
	{"tab\there\nnewline\r", "tab here newline"},
	{"  Kristen Park  ", "Kristen Park"},
	{"Zoë Ångström 李", "Zoë Ångström 李"},
}

func TestSanitizeHostileCorpus(t *testing.T) {
	for _, c := range hostile {
		got := Sanitize(c.in)
		if got != c.want {
			t.Errorf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
		}
		for _, r := range got {
			if r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0x1b {
				t.Errorf("Sanitize(%q) kept control %U", c.in, r)
			}
		}
	}
}

func TestSanitizeTruncatesHugeValues(t *testing.T) {
	got := Sanitize(strings.Repeat("A", 1<<20))
	if n := utf8.RuneCountInString(got); n != MaxText || !strings.HasSuffix(got, "…") {
		t.Fatalf("1 MB name sanitized to %d runes", n)
	}
}

func TestSanitizeMultilineKeepsNewlines(t *testing.T) {
	got := SanitizeMultiline("CRITICAL - disk\n\x1b[1mload\x1b[0m 9.1\n", 0)
	if got != "CRITICAL - disk\nload 9.1" {
		t.Fatalf("got %q", got)
	}
}

func TestValidateEmail(t *testing.T) {
	good := []string{"kristen@example.com", "a.b+c@sub.example.co.uk"}
	bad := []string{"", "not-an-email", "a@b", "Kristen <k@example.com>", "k@example.com.", "@example.com", "k@@example.com"}
	for _, e := range good {
		if err := ValidateEmail("email", e); err != nil {
			t.Errorf("%q: %v", e, err)
		}
	}
	for _, e := range bad {
		err := ValidateEmail("email", e)
		fe, ok := AsFieldError(err)
		if !ok || fe.Field != "email" || fe.Value != e {
			t.Errorf("%q: want an email field error, got %v", e, err)
		}
	}
}

func TestFieldErrorMessageNamesFieldValueReason(t *testing.T) {
	p := Person{Name: "X", Email: "x@example.com", Status: "gone"}
	p.Normalize()
	err := p.Validate()
	if err == nil || err.Error() != `status: "gone" is not one of active, joining, leaving, departed` {
		t.Fatalf("got %v", err)
	}
}

func TestParseDate(t *testing.T) {
	for _, v := range []string{"2026-13-01", "2026-02-30", "27/11/2026", "yesterday"} {
		if _, err := ParseDate("start_date", v); err == nil {
			t.Errorf("%q accepted", v)
		}
	}
	if d, err := ParseDate("start_date", " 2026-11-27 "); err != nil || d != "2026-11-27" {
		t.Errorf("got %q %v", d, err)
	}
}

func TestDiffJSON(t *testing.T) {
	d := DiffJSON(`{"title":"","name":"A","updated_at":"x"}`, `{"title":"Engineer","name":"A","updated_at":"y"}`)
	if len(d) != 1 || d[0] != `title: "" → Engineer` {
		t.Fatalf("got %q", d)
	}
	if d := DiffJSON("", `{"a":1}`); len(d) != 1 || d[0] != "created" {
		t.Fatalf("create: %q", d)
	}
}

// Days counts calendar days in the zone of its second argument: the same
// wall-clock time N dates later is N days across a DST switch, and ages
// and rotation deadlines say so (a secret rotated 200 days ago with a
// 90-day period is 110 days overdue, not 109).
func TestDaysAcrossDST(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no zoneinfo:", err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		from, to string
		want     int
	}{
		{"2027-03-27 09:00", "2027-03-28 09:00", 1}, // 23 hours
		{"2026-10-24 09:00", "2026-10-25 09:00", 1}, // 25 hours
		{"2026-10-24 09:00", "2026-10-25 08:59", 0},
		{"2027-01-01 23:30", "2027-03-31 23:30", 89},
		{"2027-03-01 10:00", "2027-03-01 18:00", 0},
	} {
		if got := Days(at(c.from), at(c.to)); got != c.want {
			t.Errorf("Days(%s, %s) = %d, want %d", c.from, c.to, got, c.want)
		}
	}
	now := at("2027-03-30 09:00")
	rotated := now.AddDate(0, 0, -200)
	if got := Ago(&rotated, now); got != "200d ago" {
		t.Errorf("Ago: %s", got)
	}
}
