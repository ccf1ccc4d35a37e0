package themes

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// State has one look everywhere: a value of a domain (an alert's state, a
// risk's severity, a backup's state, a check's status, a compliance
// verdict) maps to a named role and a symbol, once, here. A theme gives the
// roles their colours ("roles" in its JSON); without colour (NO_COLOR) the
// symbol and the text still carry the meaning. Every table cell whose
// column declares a Domain is drawn through this mapping, so a tab written
// later colours its states the same way by naming the domain.

// Domains a column or a line may declare.
const (
	DomainAlert    = "alert"    // firing, acked, snoozed, silenced, caused, resolved
	DomainSeverity = "severity" // critical, high, medium, low (risk level, criticality)
	DomainBackup   = "backup"   // ok, running, late, failed, never-restore-tested, …
	DomainCheck    = "check"    // up, down, pending, paused, …
	DomainVerdict  = "verdict"  // compliant, non-compliant, unknown; drift ok/missing/outdated; two-step enforced/enrolled/off
	DomainDue      = "due"      // overdue, due in …, done
)

// Role names a theme colours. Each falls back to one of the theme's base
// colours when a (user) theme leaves it out.
const (
	RoleFiring   = "state.firing"
	RoleAcked    = "state.acked"
	RoleQuiet    = "state.quiet" // snoozed, silenced, caused, paused, not run
	RoleResolved = "state.resolved"
	RoleCritical = "severity.critical"
	RoleHigh     = "severity.high"
	RoleMedium   = "severity.medium"
	RoleLow      = "severity.low"
	RoleOK       = "ok"
	RoleWarn     = "warn"
	RoleBad      = "bad"
	RoleUnknown  = "unknown"
	RoleBusy     = "busy" // running now
)

// roleBase is each role's fallback colour field, and whether it is loud
// (bold; without colour, loud is the only attribute left).
var roleBase = map[string]struct {
	base string // "ok", "warn", "error", "muted", "accent", "text"
	loud bool
}{
	RoleFiring: {"error", true}, RoleAcked: {"warn", false}, RoleQuiet: {"muted", false}, RoleResolved: {"ok", false},
	RoleCritical: {"error", true}, RoleHigh: {"error", false}, RoleMedium: {"warn", false}, RoleLow: {"text", false},
	RoleOK: {"ok", false}, RoleWarn: {"warn", false}, RoleBad: {"error", true}, RoleUnknown: {"muted", false},
	RoleBusy: {"accent", false},
}

// RoleNames lists every role, for validation and documentation.
func RoleNames() []string {
	out := make([]string, 0, len(roleBase))
	for r := range roleBase {
		out = append(out, r)
	}
	return out
}

// Mark is how a state value is drawn: its role and its symbol.
type Mark struct {
	Role   string
	Symbol string
}

var marks = map[string]map[string]Mark{
	DomainAlert: {
		"firing": {RoleFiring, "●"}, "acked": {RoleAcked, "◐"}, "acknowledged": {RoleAcked, "◐"},
		"snoozed": {RoleQuiet, "◌"}, "silenced": {RoleQuiet, "◌"}, "caused": {RoleQuiet, "↳"},
		"resolved": {RoleResolved, "✓"},
	},
	DomainSeverity: {
		"critical": {RoleCritical, "◆"}, "high": {RoleHigh, "▲"}, "medium": {RoleMedium, "△"}, "low": {RoleLow, "▽"},
	},
	DomainBackup: {
		"ok": {RoleOK, "✓"}, "running": {RoleBusy, "↻"}, "late": {RoleWarn, "!"}, "failed": {RoleBad, "✗"},
		"never-restore-tested": {RoleWarn, "?"}, "restore-test-stale": {RoleWarn, "!"}, "paused": {RoleQuiet, "‖"},
		"never": {RoleWarn, "?"},
	},
	DomainCheck: {
		"up": {RoleOK, "✓"}, "passing": {RoleOK, "✓"}, "ok": {RoleOK, "✓"}, "down": {RoleBad, "✗"},
		"failing": {RoleBad, "✗"}, "error": {RoleBad, "✗"}, "degraded": {RoleWarn, "!"}, "pending": {RoleUnknown, "…"},
		"paused": {RoleQuiet, "‖"}, "unknown": {RoleUnknown, "?"},
	},
	DomainVerdict: {
		"compliant": {RoleOK, "✓"}, "pass": {RoleOK, "✓"}, "ok": {RoleOK, "✓"}, "yes": {RoleOK, "✓"},
		"non-compliant": {RoleBad, "✗"}, "fail": {RoleBad, "✗"}, "failed": {RoleBad, "✗"}, "no": {RoleBad, "✗"},
		"missing": {RoleBad, "✗"}, "outdated": {RoleWarn, "!"}, "ahead": {RoleWarn, "!"},
		"unknown": {RoleUnknown, "?"}, "exempt": {RoleQuiet, "–"},
		// an account's two-step status
		"enforced": {RoleOK, "✓"}, "enrolled": {RoleOK, "✓"}, "off": {RoleBad, "✗"},
	},
	DomainDue: {
		"overdue": {RoleBad, "!"}, "late": {RoleBad, "!"}, "due": {RoleWarn, "◷"}, "today": {RoleWarn, "◷"},
		"open": {RoleWarn, "◷"}, "done": {RoleOK, "✓"}, "completed": {RoleOK, "✓"},
	},
}

// MarkOf maps a domain's value to its mark. The value is matched whole,
// then by its first word ("acked ~flap", "OVERDUE 40d", "due in 12d"),
// case-insensitively; ok is false for a value the domain does not know.
func MarkOf(domain, value string) (Mark, bool) {
	dm := marks[domain]
	if dm == nil {
		return Mark{}, false
	}
	v := strings.ToLower(strings.TrimSpace(value))
	if m, ok := dm[v]; ok {
		return m, true
	}
	if i := strings.IndexAny(v, " (:·"); i > 0 {
		m, ok := dm[v[:i]]
		return m, ok
	}
	return Mark{}, false
}

// Role is the style of a role (Text for an unknown name).
func (s *Styles) Role(role string) lipgloss.Style {
	if st, ok := s.roles[role]; ok {
		return st
	}
	return s.Text
}

// State draws a value of a domain: its symbol and the text, in its role's
// style; a value the domain does not know is plain text behind two spaces,
// so a column of states stays aligned.
func (s *Styles) State(domain, value string) string {
	m, ok := MarkOf(domain, value)
	if !ok {
		return s.Text.Render("  " + value)
	}
	return s.Role(m.Role).Render(m.Symbol + " " + value)
}

// roleStyles derives every role's style from t.
func roleStyles(t Theme) map[string]lipgloss.Style {
	out := make(map[string]lipgloss.Style, len(roleBase))
	for r, b := range roleBase {
		st := lipgloss.NewStyle()
		if t.Mono {
			if b.loud {
				st = st.Bold(true)
			} else if b.base == "muted" {
				st = st.Faint(true)
			}
			out[r] = st
			continue
		}
		c := t.Roles[r]
		if c == "" {
			c = t.colors()[b.base]
		}
		if c != "" {
			st = st.Foreground(lipgloss.Color(c))
		}
		out[r] = st.Bold(b.loud)
	}
	return out
}
