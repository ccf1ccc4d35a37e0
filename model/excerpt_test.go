package model

import (
	"strings"
	"testing"
)

// A decoder's error must never replay the file: go-yaml's own message
// prints the source around the fault, which showed a whole private key.
func TestDecodeErrorsDoNotEchoTheFile(t *testing.T) {
	key := "-----BEGIN OPENSSH PRIVATE KEY-----\n" +
		"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n" +
		"QyNTUxOQAAACDr2qoF0dJ8Xv1cQJq3fW5Zw8s5lF3fBv0f0nT9l0yFcgAAAJgQm8KlEJvC\n" +
		"-----END OPENSSH PRIVATE KEY-----\n"
	inputs := map[string]string{
		"key as yaml":   key,
		"bad yaml":      "- name: a\n  email: [unclosed\n  x: QyNTUxOQAAACDr2qoF0dJ8Xv1cQJq3fW5Zw8s5lF3f\n",
		"tab yaml":      "- name: a\n\temail: QyNTUxOQAAACDr2qoF0dJ8Xv1cQJq3fW5Zw8s5lF3f\n",
		"yaml mapping":  "root: x:0:0:root:/root:/bin/bash\ndaemon: QyNTUxOQAAACDr2qoF0dJ8Xv1cQJq3fW5Zw8s5lF3f\n",
		"json":          `[{"a": QyNTUxOQAAACDr2qoF0dJ8Xv1cQJq3fW5Zw8s5lF3f}]`,
		"csv bad quote": "name,email\n\"QyNTUxOQAAACDr2qoF0dJ8Xv1cQJq3fW5Zw8s5lF3f\n",
	}
	for name, in := range inputs {
		for _, format := range Formats {
			_, err := DecodeTable([]byte(in), format)
			if err == nil {
				continue
			}
			msg := err.Error()
			for _, secret := range []string{"b3BlbnNzaC1rZXkt", "QyNTUxOQAAACDr2qoF0dJ8Xv1cQJq3fW5Zw8s5lF3f", "/bin/bash"} {
				if strings.Contains(msg, secret) {
					t.Errorf("%s as %s: error quotes the file: %q", name, format, msg)
				}
			}
			if strings.Contains(msg, "\n") || len(msg) > 200 {
				t.Errorf("%s as %s: error is not one short line: %q", name, format, msg)
			}
		}
	}
}

func TestImportProblemQuotesAnExcerpt(t *testing.T) {
	long := strings.Repeat("A", 500)
	msg := ImportProblem{Row: 2, Column: long, Value: long + "\x1b[31m", Reason: "is bad"}.Error()
	if strings.Count(msg, "A") > 2*ExcerptLen || strings.Contains(msg, "\x1b") {
		t.Fatalf("problem quotes too much: %q", msg)
	}
}
