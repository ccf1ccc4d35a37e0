package model

import (
	"errors"
	"fmt"
	"strconv"
	"unicode"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// CondEnv is what a check condition can see. One environment serves every
// kind so that the language is the same everywhere; a runner fills the
// fields it knows and leaves the rest zero. Latency is in milliseconds and
// duration literals (300ms, 2s, 1m, 1h) are rewritten to milliseconds, so
// `latency < 300ms` reads the way an operator writes it.
type CondEnv struct {
	Status    int               `expr:"status"`    // HTTP status code
	Latency   float64           `expr:"latency"`   // milliseconds
	Body      string            `expr:"body"`      // HTTP body (first 1 MiB)
	Headers   map[string]string `expr:"headers"`   // lower-cased names
	JSON      any               `expr:"json"`      // the body parsed as JSON, or nil
	CertDays  float64           `expr:"cert_days"` // days until the leaf certificate expires
	Trusted   bool              `expr:"trusted"`   // the certificate chain verifies
	Connected bool              `expr:"connected"` // TCP/TLS connect succeeded
	Rcode     string            `expr:"rcode"`     // DNS response code, e.g. NOERROR
	Answers   []string          `expr:"answers"`   // DNS answers (addresses, names, text)
	ExitCode  int               `expr:"exit_code"` // exec: process exit status
	Output    string            `expr:"output"`    // exec: combined output
}

// Condition is a compiled check condition.
type Condition struct {
	Source  string
	program *vm.Program
}

// DefaultCondition is what a check of kind succeeds on when it has none.
// It is the kind's (checkkinds.go); "true" for an unknown kind.
func DefaultCondition(kind string) string {
	if k, ok := LookupCheckKind(kind); ok && k.DefaultCondition != "" {
		return k.DefaultCondition
	}
	return "true"
}

// CompileCondition parses and type-checks src. A bad condition is refused
// with the (1-based, in characters) position and the reason, as a field
// error on field, so `checks add` prints one line that points at the mistake.
func CompileCondition(field, src string) (*Condition, error) {
	rewritten, back, err := rewriteDurations(src)
	if err != nil {
		return nil, Invalid(field, src, err.Error())
	}
	prog, err := expr.Compile(rewritten, expr.Env(CondEnv{}), expr.AsBool())
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			return nil, Invalid(field, src, fmt.Sprintf("at position %d: %s", back(fe.From)+1, fe.Message))
		}
		return nil, Invalid(field, src, err.Error())
	}
	return &Condition{Source: src, program: prog}, nil
}

// Eval runs the condition. A runtime error (e.g. indexing a missing JSON
// member) counts as a failed condition with that error as the reason.
func (c *Condition) Eval(env *CondEnv) (bool, error) {
	out, err := expr.Run(c.program, env)
	if err != nil {
		return false, fmt.Errorf("condition %q: %w", c.Source, err)
	}
	b, _ := out.(bool)
	return b, nil
}

var durationUnits = map[string]float64{"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}

// rewriteDurations replaces duration literals outside string literals with
// their value in milliseconds. back maps a rune offset in the rewritten
// text to the offset in src, so error positions point at what was typed.
func rewriteDurations(src string) (string, func(int) int, error) {
	type repl struct{ newStart, newLen, oldStart, oldLen int }
	rs := []rune(src)
	var out []rune
	var reps []repl
	isIdent := func(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }
	for i := 0; i < len(rs); {
		r := rs[i]
		if r == '"' || r == '\'' || r == '`' {
			j := i + 1
			for j < len(rs) && rs[j] != r {
				if rs[j] == '\\' && r != '`' {
					j++
				}
				j++
			}
			j = min(j+1, len(rs))
			out = append(out, rs[i:j]...)
			i = j
			continue
		}
		if unicode.IsDigit(r) && (i == 0 || !isIdent(rs[i-1]) && rs[i-1] != '.') {
			j := i
			for j < len(rs) && (unicode.IsDigit(rs[j]) || rs[j] == '.') {
				j++
			}
			k := j
			for k < len(rs) && unicode.IsLetter(rs[k]) {
				k++
			}
			if unit := string(rs[j:k]); unit != "" && (k == len(rs) || !isIdent(rs[k])) {
				mult, ok := durationUnits[unit]
				if !ok {
					return "", nil, fmt.Errorf("at position %d: unknown unit %q (use ms, s, m or h)", j+1, unit)
				}
				n, err := strconv.ParseFloat(string(rs[i:j]), 64)
				if err != nil {
					return "", nil, fmt.Errorf("at position %d: bad number %q", i+1, string(rs[i:j]))
				}
				lit := []rune(strconv.FormatFloat(n*mult, 'f', -1, 64))
				reps = append(reps, repl{len(out), len(lit), i, k - i})
				out = append(out, lit...)
				i = k
				continue
			}
			out = append(out, rs[i:j]...)
			i = j
			continue
		}
		out = append(out, r)
		i++
	}
	back := func(p int) int {
		shift := 0
		for _, r := range reps {
			if p < r.newStart {
				break
			}
			if p < r.newStart+r.newLen {
				return r.oldStart
			}
			shift += r.newLen - r.oldLen
		}
		return p - shift
	}
	return string(out), back, nil
}
