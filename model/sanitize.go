package model

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// MaxText is the longest untrusted value opsdeck keeps, in runes. Longer values
// are truncated with an ellipsis: a 1 MB "name" must not reach a terminal.
const MaxText = 512

// Sanitize makes untrusted text safe to store and paint on a terminal. It is
// applied once, where text enters opsdeck (CLI flags, imports, check output,
// SSH input), so the rest of the program may treat strings as plain text.
//
// It removes ANSI escape sequences (CSI, OSC, DCS, ...), C0 and C1 controls,
// bidirectional overrides and isolates, zero-width characters and invalid
// UTF-8; tabs and newlines become spaces; the result is trimmed and
// truncated to MaxText runes.
func Sanitize(s string) string { return SanitizeN(s, MaxText) }

// ExcerptLen is the most of an input's text an error message may quote.
const ExcerptLen = 40

// Excerpt is untrusted text as an error message may quote it: sanitized
// and at most ExcerptLen runes, so no message can replay a file's content.
func Excerpt(s string) string { return Truncate(Sanitize(s), ExcerptLen) }

// SanitizeN is Sanitize with an explicit rune limit (0 means no limit).
func SanitizeN(s string, max int) string {
	s = sanitize(s, false)
	s = strings.TrimSpace(s)
	if max > 0 {
		s = Truncate(s, max)
	}
	return s
}

// SanitizeMultiline is Sanitize for text where line breaks carry meaning
// (check output, notes): newlines survive, everything else is stripped.
func SanitizeMultiline(s string, max int) string {
	s = sanitize(s, true)
	s = strings.TrimRight(s, " \n")
	if max > 0 {
		s = Truncate(s, max)
	}
	return s
}

func sanitize(s string, keepNewlines bool) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	// ansi.Strip understands the full ECMA-48 grammar, including OSC
	// sequences terminated by BEL or ST and 8-bit C1 introducers.
	s = ansi.Strip(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' && keepNewlines:
			b.WriteRune('\n')
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
			b.WriteRune(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			// C0, DEL and C1 controls.
		case isInvisible(r):
		case r == utf8.RuneError:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isInvisible reports bidi controls, zero-width and other format characters
// that can reorder or hide text on screen.
func isInvisible(r rune) bool {
	switch {
	case r >= 0x202a && r <= 0x202e: // LRE RLE PDF LRO RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI RLI FSI PDI
		return true
	case r == 0x200e || r == 0x200f || r == 0x061c: // LRM RLM ALM
		return true
	case r >= 0x200b && r <= 0x200d: // ZWSP ZWNJ ZWJ
		return true
	case r == 0x2060 || r == 0xfeff || r == 0x00ad: // word joiner, BOM, soft hyphen
		return true
	case r >= 0xfff9 && r <= 0xfffb: // interlinear annotations
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// Truncate shortens s to at most max runes, marking the cut with "…".
func Truncate(s string, max int) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// keyword normalises a field holding one of a fixed set of words (a
// status, a kind): trimmed, lower-case, and def when left empty.
func keyword(v, def string) string {
	if v = strings.ToLower(strings.TrimSpace(v)); v == "" {
		return def
	}
	return v
}
