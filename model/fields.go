package model

import (
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Secrecy marks a field that holds a credential, and says where in the
// value the credential sits. It is written once, in the record kind's field
// table (CheckFields, ChannelFields, ...); the store encrypts such fields at
// rest and masks them in every view and audit row from that one mark.
type Secrecy uint8

const (
	// NotSecret is an ordinary field.
	NotSecret Secrecy = iota
	// SecretValue: the whole value is a credential (a password, a ping
	// token, header lines, NAME=value environment).
	SecretValue
	// SecretEndpoint: a URL whose path and query are the credential (a
	// Slack or webhook URL, an ntfy topic). Scheme and host stay visible.
	SecretEndpoint
	// SecretEmbedded: text that may carry a credential inside it: a URL's
	// password (https://user:pass@host) or a NAME=value / --password=value
	// word whose name looks secret (PGPASSWORD=…). Only those parts are
	// secret; a value without them is plain.
	SecretEmbedded
)

// FieldSpec describes one field of a record kind: everything a front end
// needs to offer, read, check, import, export and list it. A kind's field
// table (PersonFields, DeviceFields, ...) is its one definition: the CLI's
// add/edit flags, the console's forms, import column matching, export
// columns and secret masking are all read from it, so adding a field is
// one line in the table.
type FieldSpec struct {
	Name  string // snake_case: the JSON key, export column and form key
	Label string // what a form shows; Name when empty
	// Column is the SQL column when it is not Name (a reference's is
	// Name+"_id", see SQLColumn); the store reads and writes every field
	// of the table by it, and adds it to the schema when it is missing.
	Column string
	Type   FieldType
	// Values is an enum's vocabulary.
	Values []string
	// Refers names the kind a TypeRef field points at ("person", "service",
	// "device"); the front end resolves what a user typed in its transaction.
	Refers string
	// Aliases are other headers real exports use for this column (already
	// normalized, see NormalizeHeader).
	Aliases []string
	// Help is the flag's usage and the form's hint; Example is a sample a
	// form shows in an empty field ("LT-042").
	Help, Example string
	// Empty says what an empty value means: clear it, refuse it, or leave
	// it to the record's Validate (a required field).
	Empty EmptyRule
	// Conv maps an import cell to opsdeck's vocabulary (Google's
	// "Suspended" → departed); nil: by Type.
	Conv func(v string) (string, string)
	// NoForm keeps a field out of the console's forms (a credential a form
	// would show masked, a token opsdeck generates); NoFlag keeps it out of
	// the CLI's generated flags (the CLI reads it its own way).
	NoForm, NoFlag bool
	// Flag overrides the flag's name when it is not Name in kebab-case
	// (interval_s is --interval); the old spelling keeps working.
	Flag string
	// Min is the least value of a number or a duration (in seconds).
	Min int
	// List is the field's column header in list tables; "" keeps it out.
	List   string
	Secret Secrecy
	// AdminSees: an admin is shown the clear value, because they must hand
	// it on (a heartbeat's ping token goes into the job that pings). Every
	// other credential is masked for everyone; opsdeck only uses it.
	AdminSees bool
}

// FieldType is how a field's text becomes a value.
type FieldType uint8

const (
	TypeText    FieldType = iota
	TypeEnum              // one of Values
	TypeDate              // YYYY-MM-DD
	TypeTime              // an instant (RFC 3339, YYYY-MM-DD HH:MM, "now")
	TypeBool              // yes, no or unknown
	TypeRef               // another record, by a natural key (email, name, asset tag)
	TypeSeconds           // a duration, stored in whole seconds: 30s, 5m, 1h, 1d
	TypeInt               // a whole number
	TypeYesNo             // yes or no (no "unknown")
	TypePeriod            // a positive duration kept as a time.Duration (30m, 26h, 7d); empty: none (0)
)

// EmptyRule is what an empty value means for a field.
type EmptyRule uint8

const (
	// EmptyClears: empty clears the value (optional text, dates, references).
	EmptyClears EmptyRule = iota
	// EmptyRefused: a flag or form refuses empty (it once demoted an admin
	// to viewer); an empty import cell keeps the value (a new record gets
	// the default). Leave the flag out to keep the value.
	EmptyRefused
	// EmptyRequired: empty is passed on and the record's Validate refuses
	// it, naming the field (a name, an email).
	EmptyRequired
)

// FlagName is the field's CLI flag: kebab-case.
func (f FieldSpec) FlagName() string {
	if f.Flag != "" {
		return f.Flag
	}
	return strings.ReplaceAll(f.Name, "_", "-")
}

// SQLColumn is the field's column in its kind's SQL table: Column, else
// Name, else for a reference Name+"_id" (manager → manager_id).
func (f FieldSpec) SQLColumn() string {
	switch {
	case f.Column != "":
		return f.Column
	case f.Type == TypeRef:
		return f.Name + "_id"
	}
	return f.Name
}

// OldFlagName is the flag's snake_case spelling, still accepted.
func (f FieldSpec) OldFlagName() string { return f.Name }

// FormLabel is the label a form shows.
func (f FieldSpec) FormLabel() string {
	if f.Label != "" {
		return f.Label
	}
	return f.Name
}

// Usage is the flag's help line: the help text, the vocabulary and what
// empty means.
func (f FieldSpec) Usage() string {
	u := f.Help
	add := func(s string) {
		if u == "" {
			u = s
		} else {
			u += " " + s
		}
	}
	switch f.Type {
	case TypeEnum:
		add(strings.Join(f.Values, "|"))
	case TypeDate:
		add("(YYYY-MM-DD)")
	case TypeTime:
		add("(RFC 3339, YYYY-MM-DD HH:MM, or 'now')")
	case TypeBool:
		add("(yes|no|unknown; empty is unknown)")
		return u
	case TypeRef:
		if f.Empty == EmptyClears {
			return u + " (" + refKeys[f.Refers] + "; empty or 'none' clears)"
		}
		add("(" + refKeys[f.Refers] + ")")
	case TypeSeconds:
		add("(e.g. 30s, 5m, 1h)")
	case TypeYesNo:
		return u + " (yes|no; empty refused)"
	case TypePeriod:
		return u + " (e.g. 30m, 26h, 7d)"
	}
	if f.Type == TypeSeconds || f.Type == TypeInt {
		if f.Min > 0 {
			return u + " (empty or 0 refused)"
		}
		return u + " (empty refused)"
	}
	switch f.Empty {
	case EmptyRefused:
		add("(empty refused)")
	case EmptyRequired:
		add("(required; empty refused)")
	default:
		add("(empty clears)")
	}
	return u
}

var refKeys = map[string]string{
	"person":  "email, id or name",
	"service": "name or id",
	"device":  "asset tag or id",
	"check":   "name or id",
}

// Field is a FieldSpec bound to where the value lives in a T. Exactly one
// accessor is set, by the constructor that matches the field's type.
type Field[T any] struct {
	FieldSpec
	Ref   func(*T) *string // text, enum, date
	Bool  func(*T) **bool
	Time  func(*T) **time.Time
	Int   func(*T) *int  // numbers and durations in seconds
	Plain func(*T) *bool // yes/no
	Dur   func(*T) *time.Duration
	// ID reads and SetID writes a reference's id (nil: none);
	// Natural is the referenced record's key when the record carries it
	// joined (an account's service name), for export.
	ID      func(*T) *int64
	SetID   func(*T, *int64)
	Natural func(*T) string
	// Cell, when set, is what a list shows instead of the field's value
	// (a device's OS with its version).
	Cell func(*T) string
}

// Fields is a record kind's field table.
type Fields[T any] []Field[T]

// Refs binds the table's secret fields to rec's values.
func (fs Fields[T]) Refs(rec *T) []FieldRef {
	out := make([]FieldRef, 0, len(fs))
	for _, f := range fs {
		if f.Secret != NotSecret {
			out = append(out, FieldRef{FieldSpec: f.FieldSpec, Value: f.Ref(rec)})
		}
	}
	return out
}

// Specs is the table without its bindings.
func (fs Fields[T]) Specs() []FieldSpec {
	out := make([]FieldSpec, len(fs))
	for i, f := range fs {
		out[i] = f.FieldSpec
	}
	return out
}

// FieldRef is one secret field of one record: its spec and its value.
type FieldRef struct {
	FieldSpec
	Value *string
}

// Secretive is a record whose field table marks secret fields.
type Secretive interface {
	SecretFields() []FieldRef
}

// BackupJobFields is a company backup job's definition: the CLI's add
// flags come from it (the name is the command's argument; the environment
// is read from named variables or a file, never a flag; kind and status
// follow from the command and the pause/resume/retire verbs).
var BackupJobFields = Fields[BackupJob]{
	Text("name", "job name (unique)", func(j *BackupJob) *string { return &j.Name }).Must().NotAFlag(),
	RefReq("service", "service", "the service this job backs up", func(j *BackupJob) *int64 { return &j.ServiceID },
		func(j *BackupJob) string { return j.ServiceName }),
	Enum("kind", BackupJobKinds, func(j *BackupJob) *string { return &j.Kind }).NotAFlag(),
	Text("command", "shell command opsdeck runs (with --schedule)", func(j *BackupJob) *string { return &j.Command }).Secrecy(SecretEmbedded),
	Text("env", "environment for the command", func(j *BackupJob) *string { return &j.Env }).Secrecy(SecretValue).NotAFlag(),
	Text("schedule", "cron schedule for --command, e.g. '30 2 * * *' or @daily", func(j *BackupJob) *string { return &j.Schedule }),
	Period("heartbeat_period_s", "heartbeat", "an external job reports at least this often", func(j *BackupJob) *time.Duration { return &j.HeartbeatPeriod }),
	Period("timeout_s", "timeout", "kill the command after this long (default 1h)", func(j *BackupJob) *time.Duration { return &j.Timeout }),
	Period("restore_test_max_age_s", "restore-test-max-age", "a restore test older than this is stale (default 30d)",
		func(j *BackupJob) *time.Duration { return &j.RestoreTestMaxAge }),
	Enum("status", BackupJobStatuses, func(j *BackupJob) *string { return &j.Status }).NotAFlag(),
	Text("notes", "free text", func(j *BackupJob) *string { return &j.Notes }),
	Text("ping_token", "report token (generated)", func(j *BackupJob) *string { return &j.PingToken }).Secrecy(SecretValue).Admin().NotAFlag(),
}

// SecretFields implements Secretive.
func (j *BackupJob) SecretFields() []FieldRef { return BackupJobFields.Refs(j) }

// EntityFields maps an audit entity name to its kind's field table, so
// audit rows written before secrets were marked can be masked too.
var EntityFields = map[string][]FieldSpec{
	"check":      CheckFields.Specs(),
	"channel":    ChannelFields.Specs(),
	"backup_job": BackupJobFields.Specs(),
	"service":    ServiceFields.Specs(),
}

// Masked is what stands in for a credential.
const Masked = "••••"

// Fingerprint names a value without revealing it: a short keyed hash, so a
// change stays visible in the audit log but the value cannot be guessed
// from it. The store supplies it (it holds the key).
type Fingerprint func(v string) string

// HoldsSecret reports whether a field of secrecy s with value v holds a
// credential (and so is encrypted at rest and masked in views).
func HoldsSecret(s Secrecy, v string) bool {
	switch s {
	case SecretValue, SecretEndpoint:
		return v != ""
	case SecretEmbedded:
		return maskEmbedded(v) != v
	}
	return false
}

// Mask is v as views and audit rows show it: the credential replaced by
// "••••" and a fingerprint of the whole value ("•••• sha256:ab12cd34",
// "https://hooks.slack.com/•••• sha256:…", "https://ops:••••@host/ (sha256:…)").
func Mask(s Secrecy, v string, fp Fingerprint) string {
	if !HoldsSecret(s, v) {
		return v
	}
	tag := "sha256:" + fp(v)
	switch s {
	case SecretEndpoint:
		if u, err := url.Parse(v); err == nil && u.Scheme != "" && u.Host != "" {
			return u.Scheme + "://" + u.Hostname() + portOf(u) + "/" + Masked + " " + tag
		}
	case SecretEmbedded:
		return maskEmbedded(v) + " (" + tag + ")"
	}
	return Masked + " " + tag
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return ":" + p
	}
	return ""
}

// MaskRecord masks rec's secret fields for a view; reveal lets through the
// fields an admin is shown (AdminSees).
func MaskRecord(rec Secretive, fp Fingerprint, admin bool) {
	for _, f := range rec.SecretFields() {
		if admin && f.AdminSees {
			continue
		}
		*f.Value = Mask(f.Secret, *f.Value, fp)
	}
}

var (
	// scheme://user:password@ — the password part.
	urlPassword = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*:)([^\s/@]+)@`)
	// NAME=value and --name=value words, and --name value options.
	assignEq   = regexp.MustCompile(`(^|[\s;&|(])((?:--?)?[A-Za-z_][A-Za-z0-9_-]*)=('[^']*'|"[^"]*"|[^\s;&|)]+)`)
	optionArg  = regexp.MustCompile(`(^|[\s;&|(])(--?[A-Za-z][A-Za-z0-9_-]*)\s+('[^']*'|"[^"]*"|[^\s;&|)-][^\s;&|)]*)`)
	secretName = regexp.MustCompile(`(?i)pass|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth`)
)

// SecretName reports whether an environment variable or option name looks
// like it holds a credential (PGPASSWORD, AWS_SECRET_ACCESS_KEY, --token).
func SecretName(name string) bool { return secretName.MatchString(name) }

func maskEmbedded(v string) string {
	v = urlPassword.ReplaceAllString(v, "${1}"+Masked+"@")
	for _, re := range []*regexp.Regexp{assignEq, optionArg} {
		v = re.ReplaceAllStringFunc(v, func(m string) string {
			sub := re.FindStringSubmatch(m)
			name, val := sub[2], sub[3]
			if !SecretName(name) || val == Masked {
				return m
			}
			return strings.TrimSuffix(m, val) + Masked
		})
	}
	return v
}

// SplitEnv moves the leading NAME=value words of a shell command whose
// NAME looks secret ("PGPASSWORD=x pg_dump app") into environment lines, so
// the credential is kept apart from the command (encrypted, never shown)
// and the command can be shown. Other leading assignments stay.
func SplitEnv(command string) (rest string, env []string) {
	rest = strings.TrimLeft(command, " \t")
	var keep []string
	for {
		word, after, ok := shellWord(rest)
		if !ok {
			break
		}
		name, _, isAssign := strings.Cut(word.raw, "=")
		if !isAssign || !envName.MatchString(name) {
			break
		}
		if SecretName(name) {
			_, v, _ := strings.Cut(word.value, "=")
			env = append(env, name+"="+v)
		} else {
			keep = append(keep, word.raw)
		}
		rest = strings.TrimLeft(after, " \t")
	}
	if len(env) == 0 {
		return command, nil
	}
	if len(keep) > 0 {
		rest = strings.Join(keep, " ") + " " + rest
	}
	return rest, env
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

type word struct{ raw, value string }

// shellWord reads one word of s as sh would: quotes and backslashes
// joined, unquoted whitespace or an operator ends it.
func shellWord(s string) (word, string, bool) {
	var raw, val strings.Builder
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|':
			return word{raw.String(), val.String()}, s[i:], raw.Len() > 0
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return word{}, s, false
			}
			raw.WriteString(s[i : i+j+2])
			val.WriteString(s[i+1 : i+1+j])
			i += j + 2
		case c == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 || strings.ContainsAny(s[i+1:i+1+j], "$`\\") {
				return word{}, s, false // expansions: leave the command alone
			}
			raw.WriteString(s[i : i+j+2])
			val.WriteString(s[i+1 : i+1+j])
			i += j + 2
		case c == '\\' || c == '$' || c == '`':
			return word{}, s, false
		default:
			raw.WriteByte(c)
			val.WriteByte(c)
			i++
		}
	}
	return word{raw.String(), val.String()}, "", raw.Len() > 0
}

// ParseEnv reads NAME=value lines (environment for a command).
func ParseEnv(field, s string) ([]string, error) {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, _, ok := strings.Cut(line, "=")
		if !ok || !envName.MatchString(name) {
			return nil, Invalid(field, name, "is not NAME=value (one per line; NAME is letters, digits and _)")
		}
		out = append(out, line)
	}
	return out, nil
}

// normalizeEnv trims env lines and moves secret leading assignments of
// command into them.
func normalizeEnv(command, env *string) {
	lines := strings.Split(strings.ReplaceAll(*env, "\r", ""), "\n")
	rest, moved := SplitEnv(*command)
	*command = rest
	lines = append(lines, moved...)
	var keep []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			keep = append(keep, l)
		}
	}
	*env = strings.Join(keep, "\n")
}
