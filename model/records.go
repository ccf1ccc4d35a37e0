package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The inventory kinds' field tables: each kind's one definition. Order is
// the order of export columns, flags and form fields.
var (
	PersonFields = Fields[Person]{
		Text("name", "full name", func(p *Person) *string { return &p.Name }).Must().Listed().Alias("full_name", "display_name").Eg("Full Name"),
		Text("email", "email address (unique)", func(p *Person) *string { return &p.Email }).Must().Listed().
			Alias("email_address", "primary_email", "work_email", "mail", "mail_address", "e_mail", "user_email").Convert(convEmail).Eg("name@example.com"),
		Text("title", "job title", func(p *Person) *string { return &p.Title }).Listed().Alias("employee_title", "job_title"),
		Text("department", "department", func(p *Person) *string { return &p.Department }).Listed().Alias("dept"),
		RefOpt("manager", "person", "manager", func(p *Person) **int64 { return &p.ManagerID }).Alias("manager_email"),
		Enum("status", PersonStatuses, func(p *Person) *string { return &p.Status }).Listed().Alias("employment_status").Convert(convPersonStatus),
		Enum("role", Roles, func(p *Person) *string { return &p.Role }).Listed().Alias("opsdeck_role"),
		Date("start_date", "first day", func(p *Person) *string { return &p.StartDate }).Alias("hire_date", "started"),
		Date("end_date", "last day", func(p *Person) *string { return &p.EndDate }).Alias("termination_date", "left"),
		Text("notes", "free text", func(p *Person) *string { return &p.Notes }).Alias("note", "comments"),
	}
	DeviceFields = Fields[Device]{
		Text("asset_tag", "asset tag (unique)", func(d *Device) *string { return &d.AssetTag }).Must().Listed().Alias("tag", "asset_id", "asset_number").Eg("unique tag, e.g. LT-042"),
		Text("name", "hostname or label", func(d *Device) *string { return &d.Name }).Must().Listed().Alias("asset_name", "hostname", "device_name", "computer_name"),
		Enum("kind", DeviceKinds, func(d *Device) *string { return &d.Kind }).Listed().Alias("device_kind"),
		Text("serial", "serial number (unique)", func(d *Device) *string { return &d.Serial }).Alias("serial_number", "serial_no"),
		Text("model", "hardware model", func(d *Device) *string { return &d.Model }).Alias("model_name"),
		Text("os", "operating system", func(d *Device) *string { return &d.OS }).Listed().
			ListCell(func(d *Device) string { return strings.TrimSpace(d.OS + " " + d.OSVersion) }).Alias("operating_system", "platform").Eg("macOS, Ubuntu…"),
		Text("os_version", "OS version", func(d *Device) *string { return &d.OSVersion }).Alias("operating_system_version", "os_build"),
		RefOpt("holder", "person", "who holds it", func(d *Device) **int64 { return &d.HolderID }).Listed().Alias("checked_out_to", "assigned_to", "user", "owner"),
		Text("location", "where it is", func(d *Device) *string { return &d.Location }).Alias("site"),
		Enum("status", DeviceStatuses, func(d *Device) *string { return &d.Status }).Listed().Alias("status_label", "asset_status").Convert(convDeviceStatus),
		Bool("disk_encrypted", "full-disk encryption on", func(d *Device) **bool { return &d.DiskEncrypted }).Listed("encrypted").Alias("encrypted", "filevault", "bitlocker"),
		Text("endpoint_protection", "endpoint protection product, or empty for none", func(d *Device) *string { return &d.EndpointProtection }).Alias("antivirus", "edr"),
		Text("patch_level", "OS patch level", func(d *Device) *string { return &d.PatchLevel }).Alias("patch"),
		Time("last_seen_at", "when it was last seen", func(d *Device) **time.Time { return &d.LastSeenAt }).Listed("last_seen").Alias("last_seen", "last_checkin", "last_contact"),
		Date("purchase_date", "bought on", func(d *Device) *string { return &d.PurchaseDate }).Alias("purchased", "purchase_date_"),
		Text("notes", "free text", func(d *Device) *string { return &d.Notes }).Alias("note", "comments"),
	}
	ServiceFields = Fields[Service]{
		Text("name", "service name (unique)", func(s *Service) *string { return &s.Name }).Must().Listed().Alias("service", "service_name", "app", "application").Eg("unique name"),
		Enum("kind", ServiceKinds, func(s *Service) *string { return &s.Kind }).Listed().Alias("type", "category"),
		Enum("criticality", Criticalities, func(s *Service) *string { return &s.Criticality }).Listed().Alias("tier", "priority"),
		RefOpt("owner", "person", "owner", func(s *Service) **int64 { return &s.OwnerID }).Listed().Alias("owner_email", "service_owner"),
		Text("url", "where it lives", func(s *Service) *string { return &s.URL }).Alias("link", "website", "address").Secrecy(SecretEmbedded).Eg("https://…"),
		Text("runbook_url", "runbook link", func(s *Service) *string { return &s.RunbookURL }).Alias("runbook").Secrecy(SecretEmbedded),
		Enum("status", ServiceStatuses, func(s *Service) *string { return &s.Status }).Listed().
			Convert(enumConv(ServiceStatuses, map[string]string{"inactive": "retired", "decommissioned": "retired"})),
		Text("notes", "free text", func(s *Service) *string { return &s.Notes }).Alias("note", "comments"),
		Toggle("public", "shown on the status page (its name, state, uptime and incidents' public notes only)", func(s *Service) *bool { return &s.Public }).
			Alias("on_status_page"),
	}
	AccountFields = Fields[Account]{
		RefReq("service", "service", "service it is on", func(a *Account) *int64 { return &a.ServiceID }, func(a *Account) string { return a.ServiceName }).Listed().
			Alias("service_name", "app", "application", "system"),
		Text("username", "login name on the service", func(a *Account) *string { return &a.Username }).Must().Listed().
			Alias("login", "user", "user_name", "account", "account_name", "handle"),
		RefReq("person", "person", "holder", func(a *Account) *int64 { return &a.PersonID }, func(a *Account) string { return a.PersonEmail }).Listed().
			Alias("email", "person_email", "user_email", "email_address", "owner"),
		Enum("entitlement", Entitlements, func(a *Account) *string { return &a.Entitlement }).Listed().Alias("role", "permission", "access", "access_level").Convert(convEntitlement),
		Enum("status", AccountStatuses, func(a *Account) *string { return &a.Status }).Listed().Alias("state", "account_status").Convert(convAccountStatus),
		Time("last_verified_at", "when someone last confirmed it", func(a *Account) **time.Time { return &a.LastVerifiedAt }).Listed("verified").Alias("verified_at", "last_verified"),
		Text("notes", "free text", func(a *Account) *string { return &a.Notes }).Alias("note", "comments"),
	}
)

// CheckFields is a check's definition: the CLI's add/edit flags and the
// console's check form come from it (lists and show are the check's state,
// cli/checks.go). Credentials are marked here once.
var CheckFields = Fields[Check]{
	Text("name", "check name (unique, no spaces)", func(c *Check) *string { return &c.Name }).Must().Eg("unique, no spaces: web-health"),
	RefOpt("service", "service", "service it checks", func(c *Check) **int64 { return &c.ServiceID }).
		Eg("service name (empty: a device check)"),
	RefOpt("device", "device", "device it runs on or watches", func(c *Check) **int64 { return &c.DeviceID }).
		Eg("asset tag (optional; alone: watches the device)"),
	Enum("kind", ProbeKinds, func(c *Check) *string { return &c.Kind }),
	Text("target", "what the kind probes (see Kinds in 'opsdeck checks add --help')", func(c *Check) *string { return &c.Target }).
		Secrecy(SecretEmbedded).Eg("http(s) URL · host:port (tcp, tls) · DNS name · command"),
	Enum("method", HTTPMethods, func(c *Check) *string { return &c.Method }).NotInForm(),
	Text("headers", `HTTP headers, "Name: value" lines`, func(c *Check) *string { return &c.Headers }).Secrecy(SecretValue).NotInForm(),
	Text("body", "HTTP request body", func(c *Check) *string { return &c.Body }).Secrecy(SecretValue).NotInForm(),
	Enum("record_type", DNSRecordTypes, func(c *Check) *string { return &c.RecordType }).Clears().NotInForm(),
	Text("resolver", "DNS server host:port (default: /etc/resolv.conf)", func(c *Check) *string { return &c.Resolver }).NotInForm(),
	Text("expect", "DNS answers that must be present, comma-separated", func(c *Check) *string { return &c.Expect }).NotInForm(),
	Seconds("interval_s", "interval", "how often it runs (heartbeat: expected period)", 1, func(c *Check) *int { return &c.IntervalS }).Labelled("interval"),
	Seconds("timeout_s", "timeout", "per-run timeout", 1, func(c *Check) *int { return &c.TimeoutS }).NotInForm(),
	Seconds("grace_s", "grace", "heartbeat grace after the period (0 means none)", 0, func(c *Check) *int { return &c.GraceS }).NotInForm(),
	Int("fail_threshold", "consecutive failures that fire an alert (default 3)", 1, func(c *Check) *int { return &c.FailThreshold }).NotInForm(),
	Int("success_threshold", "consecutive successes that resolve it (default 2)", 1, func(c *Check) *int { return &c.SuccessThreshold }).NotInForm(),
	Toggle("tls_skip_verify", "accept untrusted certificates", func(c *Check) *bool { return &c.TLSSkipVerify }).NotInForm(),
	Text("condition", "success condition (default depends on kind)", func(c *Check) *string { return &c.Condition }).
		Eg(`default per kind, e.g. status == 200 && latency < 300ms`),
	// The CLI reads env from named variables or a file (cli/checks.go).
	Text("env", "environment for an exec check", func(c *Check) *string { return &c.Env }).Secrecy(SecretValue).NotInForm().NotAFlag(),
	Text("ping_token", "heartbeat ping token (generated)", func(c *Check) *string { return &c.PingToken }).Secrecy(SecretValue).Admin().NotInForm().NotAFlag(),
	Text("notes", "free text", func(c *Check) *string { return &c.Notes }).NotInForm(),
}

// ChannelFields is a notification channel's definition: the CLI's add
// flags come from it. The SMTP password is read by the CLI its own way
// (never from a flag).
var ChannelFields = Fields[Channel]{
	Text("name", "channel name (unique)", func(c *Channel) *string { return &c.Name }).Must(),
	Enum("kind", ChannelKinds, func(c *Channel) *string { return &c.Kind }),
	Text("url", "endpoint (webhook, slack, ntfy topic URL)", func(c *Channel) *string { return &c.URL }).Secrecy(SecretEndpoint),
	Text("smtp_addr", "email: SMTP server host:port", func(c *Channel) *string { return &c.SMTPAddr }),
	Text("smtp_from", "email: sender address", func(c *Channel) *string { return &c.SMTPFrom }),
	Text("smtp_user", "email: SMTP user (optional)", func(c *Channel) *string { return &c.SMTPUser }),
	Text("smtp_pass", "email: SMTP password", func(c *Channel) *string { return &c.SMTPPass }).Secrecy(SecretValue).NotAFlag().NotInForm(),
	Enum("smtp_tls", SMTPTLSModes, func(c *Channel) *string { return &c.SMTPTLS }).Clears(),
	Text("extra_to", "email: addresses to copy besides the owner and on-call, comma-separated", func(c *Channel) *string { return &c.ExtraTo }),
	RefOpt("service", "service", "only this service's alerts (default: all)", func(c *Channel) **int64 { return &c.ServiceID }),
}

// SilenceFields is a silence's definition: what it mutes and why. Its
// window (--from, --until/--for: a duration from the start or an
// instant) is the CLI's own input; the author is whoever adds it.
var SilenceFields = Fields[Silence]{
	RefOpt("check", "check", "silence one check", func(s *Silence) **int64 { return &s.CheckID }),
	RefOpt("service", "service", "silence every check of a service", func(s *Silence) **int64 { return &s.ServiceID }),
	RefOpt("device", "device", "silence a device and the services running on it", func(s *Silence) **int64 { return &s.DeviceID }),
	Text("reason", "why", func(s *Silence) *string { return &s.Reason }).Must(),
}

// SharedSecretFields is a shared secret's definition (where it is kept,
// never its value): the CLI's add/edit flags come from it. Holders and the
// last rotation are the CLI's own inputs (a list of people; `secrets
// rotated` records who rotated it).
var SharedSecretFields = Fields[Secret]{
	Text("name", "what it is, e.g. 'Production DB password'", func(s *Secret) *string { return &s.Name }).Must(),
	Text("location", "where it is kept (vault, safe...), never the value", func(s *Secret) *string { return &s.Location }),
	RefOpt("service", "service", "the service it unlocks", func(s *Secret) **int64 { return &s.ServiceID }),
	Int("rotation_days", "rotate every N days (0: no period)", 0, func(s *Secret) *int { return &s.RotationDays }),
	Time("last_rotated_at", "when it was last rotated", func(s *Secret) **time.Time { return &s.LastRotatedAt }).NotAFlag(),
	Text("notes", "free text", func(s *Secret) *string { return &s.Notes }),
}

// SecretFields implements Secretive.
func (c *Channel) SecretFields() []FieldRef { return ChannelFields.Refs(c) }

// SecretFields implements Secretive.
func (c *Check) SecretFields() []FieldRef { return CheckFields.Refs(c) }

// SecretFields implements Secretive.
func (s *Service) SecretFields() []FieldRef { return ServiceFields.Refs(s) }

// Constructors, one per field type; the chained methods below fill in the
// rest of the spec, so a table line reads as the field's definition.

// Text is free text.
func Text[T any](name, help string, ref func(*T) *string) Field[T] {
	return Field[T]{FieldSpec: FieldSpec{Name: name, Help: help}, Ref: ref}
}

// Enum is a fixed vocabulary; empty is refused (leave it out to keep it).
func Enum[T any](name string, values []string, ref func(*T) *string) Field[T] {
	return Field[T]{FieldSpec: FieldSpec{Name: name, Type: TypeEnum, Values: values, Empty: EmptyRefused, Conv: enumConv(values, nil)}, Ref: ref}
}

// Date is a calendar day, YYYY-MM-DD; empty clears.
func Date[T any](name, help string, ref func(*T) *string) Field[T] {
	return Field[T]{FieldSpec: FieldSpec{Name: name, Type: TypeDate, Help: help, Example: "YYYY-MM-DD", Conv: convDate}, Ref: ref}
}

// Time is an instant; empty clears.
func Time[T any](name, help string, ref func(*T) **time.Time) Field[T] {
	return Field[T]{FieldSpec: FieldSpec{Name: name, Type: TypeTime, Help: help, Example: "YYYY-MM-DD HH:MM", Conv: convTime}, Time: ref}
}

// Bool is yes, no or unknown (empty).
func Bool[T any](name, help string, ref func(*T) **bool) Field[T] {
	return Field[T]{FieldSpec: FieldSpec{Name: name, Type: TypeBool, Help: help, Conv: convBool}, Bool: ref}
}

// RefOpt is an optional reference to a record of kind refers; empty clears.
func RefOpt[T any](name, refers, help string, ref func(*T) **int64) Field[T] {
	return Field[T]{FieldSpec: FieldSpec{Name: name, Type: TypeRef, Refers: refers, Help: help},
		ID: func(rec *T) *int64 { return *ref(rec) }, SetID: func(rec *T, id *int64) { *ref(rec) = id }}
}

// RefReq is a reference every record has; empty is left to Validate.
// natural reads the referenced key the record carries joined, if any.
func RefReq[T any](name, refers, help string, ref func(*T) *int64, natural func(*T) string) Field[T] {
	return Field[T]{FieldSpec: FieldSpec{Name: name, Type: TypeRef, Refers: refers, Help: help, Empty: EmptyRequired},
		ID: func(rec *T) *int64 {
			if id := *ref(rec); id != 0 {
				return &id
			}
			return nil
		},
		SetID: func(rec *T, id *int64) {
			*ref(rec) = 0
			if id != nil {
				*ref(rec) = *id
			}
		},
		Natural: natural}
}

// Listed shows the field in list tables, under its name or the header given.
func (f Field[T]) Listed(header ...string) Field[T] {
	f.List = f.Name
	if len(header) > 0 {
		f.List = header[0]
	}
	return f
}

// ListCell sets what a list shows for the field.
func (f Field[T]) ListCell(cell func(*T) string) Field[T] { f.Cell = cell; return f }

// Seconds is a duration kept in whole seconds, at least least; its flag
// is flag (plain: --interval 30s).
func Seconds[T any](name, flag, help string, least int, ref func(*T) *int) Field[T] {
	return Field[T]{FieldSpec: FieldSpec{Name: name, Flag: flag, Type: TypeSeconds, Help: help, Min: least, Example: "30s, 5m, 1h"}, Int: ref}
}

// Period is a positive duration kept as a time.Duration (30m, 26h, 7d);
// its flag is flag; empty is none (0, left to the record's defaults).
func Period[T any](name, flag, help string, ref func(*T) *time.Duration) Field[T] {
	return Field[T]{FieldSpec: FieldSpec{Name: name, Flag: flag, Type: TypePeriod, Help: help, Example: "30m, 26h, 7d"}, Dur: ref}
}

// Int is a whole number, at least least (0: bounded by the record's
// Validate alone).
func Int[T any](name, help string, least int, ref func(*T) *int) Field[T] {
	return Field[T]{FieldSpec: FieldSpec{Name: name, Type: TypeInt, Help: help, Min: least}, Int: ref}
}

// Toggle is a yes/no field that is always known.
func Toggle[T any](name, help string, ref func(*T) *bool) Field[T] {
	return Field[T]{FieldSpec: FieldSpec{Name: name, Type: TypeYesNo, Help: help}, Plain: ref}
}

// InColumn names the field's SQL column when it is not SQLColumn's default.
func (f Field[T]) InColumn(c string) Field[T] { f.Column = c; return f }

// Clears makes empty clear a vocabulary field (one that applies to some
// records only, such as a DNS check's record type).
func (f Field[T]) Clears() Field[T] { f.Empty = EmptyClears; return f }

// NotInForm keeps the field out of the console's forms.
func (f Field[T]) NotInForm() Field[T] { f.NoForm = true; return f }

// NotAFlag keeps the field out of the generated CLI flags.
func (f Field[T]) NotAFlag() Field[T] { f.NoFlag = true; return f }

// Admin lets an admin see the clear value of a secret field.
func (f Field[T]) Admin() Field[T] { f.AdminSees = true; return f }

// Labelled sets the label a form shows.
func (f Field[T]) Labelled(l string) Field[T] { f.Label = l; return f }

// Must marks a field whose record cannot be without it.
func (f Field[T]) Must() Field[T] { f.Empty = EmptyRequired; return f }

// Alias adds import headers that mean this field.
func (f Field[T]) Alias(a ...string) Field[T] { f.Aliases = a; return f }

// Convert sets how an import cell maps to opsdeck's vocabulary.
func (f Field[T]) Convert(c func(string) (string, string)) Field[T] { f.Conv = c; return f }

// Eg sets the sample a form shows in an empty field.
func (f Field[T]) Eg(s string) Field[T] { f.Example = s; return f }

// Secrecy marks the field as holding a credential.
func (f Field[T]) Secrecy(s Secrecy) Field[T] { f.Secret = s; return f }

// Get is the field's value as text, as export writes it and import and
// Set read it back: yes/no/"" for a flag, RFC 3339 UTC for an instant. A
// reference gives its Natural key, or "" (the caller names the id).
func (f Field[T]) Get(rec *T) string {
	switch {
	case f.Ref != nil:
		return *f.Ref(rec)
	case f.Bool != nil:
		return YesNo(*f.Bool(rec))
	case f.Time != nil:
		return ExportTime(*f.Time(rec))
	case f.Natural != nil:
		return f.Natural(rec)
	case f.Dur != nil:
		if *f.Dur(rec) == 0 {
			return ""
		}
		return FormatPeriod(*f.Dur(rec))
	case f.Int != nil && f.Type == TypeSeconds:
		return FormatSeconds(*f.Int(rec))
	case f.Int != nil:
		return strconv.Itoa(*f.Int(rec))
	case f.Plain != nil:
		if *f.Plain(rec) {
			return "yes"
		}
		return "no"
	}
	return ""
}

// FormatSeconds writes seconds the way a duration field reads them: 30s,
// 5m, 2h, 1d.
func FormatSeconds(s int) string {
	for _, u := range []struct {
		n    int
		unit string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}} {
		if s >= u.n && s%u.n == 0 {
			return strconv.Itoa(s/u.n) + u.unit
		}
	}
	return strconv.Itoa(s) + "s"
}

// ParseSeconds reads a duration in whole seconds: "90", "30s", "5m",
// "1h30m", "1d".
func ParseSeconds(field, v string) (int, error) {
	v = strings.TrimSpace(v)
	if n, err := strconv.Atoi(v); err == nil {
		return n, nil
	}
	if n, ok := strings.CutSuffix(v, "d"); ok {
		if d, err := strconv.Atoi(n); err == nil {
			return d * 86400, nil
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil || d%time.Second != 0 {
		return 0, Invalid(field, v, "is not a duration in whole seconds (e.g. 30s, 5m, 1h)")
	}
	return int(d / time.Second), nil
}

// Set reads what a user typed (a flag, a form field) into rec, checking
// it: an empty value as the field's EmptyRule says, a date, an instant
// (local times in now's zone; "now" is now), a duration or a number
// parsed. A vocabulary is left to the record's Validate, which knows more
// ("access checks are created by opsdeck").
// References are the caller's: it resolves them (SetID) in its transaction.
func (f Field[T]) Set(rec *T, v string, now time.Time) error {
	if f.Type == TypeRef {
		return nil
	}
	if strings.TrimSpace(v) == "" && f.Empty == EmptyRefused && f.Type == TypeEnum {
		return Invalid(f.Name, v, "cannot be empty: give one of "+strings.Join(f.Values, ", ")+" (leave the flag out to keep the current value)")
	}
	switch f.Type {
	case TypeDate:
		d, err := ParseDate(f.Name, v)
		if err != nil {
			return err
		}
		v = d
	case TypeBool:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "yes", "true", "1":
			b := true
			*f.Bool(rec) = &b
		case "no", "false", "0":
			b := false
			*f.Bool(rec) = &b
		case "", "unknown":
			*f.Bool(rec) = nil
		default:
			return Invalid(f.Name, v, "is not yes, no or unknown")
		}
		return nil
	case TypePeriod:
		if strings.TrimSpace(v) == "" {
			*f.Dur(rec) = 0
			return nil
		}
		d, err := ParsePeriod(f.Name, v)
		if err != nil {
			return err
		}
		*f.Dur(rec) = d
		return nil
	case TypeSeconds:
		n, err := ParseSeconds(f.Name, v)
		if err != nil {
			return err
		}
		if n < f.Min {
			return Invalid(f.Name, v, fmt.Sprintf("must be at least %ds (leave the flag out to keep the current value)", f.Min))
		}
		*f.Int(rec) = n
		return nil
	case TypeInt:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return Invalid(f.Name, v, "is not a whole number")
		}
		if f.Min > 0 && n < f.Min { // Min 0: the record's Validate bounds it
			return Invalid(f.Name, v, fmt.Sprintf("must be at least %d (leave the flag out to keep the current value)", f.Min))
		}
		*f.Int(rec) = n
		return nil
	case TypeYesNo:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "yes", "true", "1":
			*f.Plain(rec) = true
		case "no", "false", "0":
			*f.Plain(rec) = false
		default:
			return Invalid(f.Name, v, "is not yes or no (empty refused)")
		}
		return nil
	case TypeTime:
		switch v = strings.TrimSpace(v); v {
		case "":
			*f.Time(rec) = nil
		case "now":
			*f.Time(rec) = &now
		default:
			t, err := ParseTime(f.Name, v, now.Location())
			if err != nil {
				return err
			}
			*f.Time(rec) = &t
		}
		return nil
	}
	*f.Ref(rec) = v
	return nil
}

// Apply copies the values an import row gives (see ColumnMap.Values,
// already in opsdeck's vocabulary) onto rec: a new record, or a copy of the
// stored one when updating. References are resolved by the caller.
func (fs Fields[T]) Apply(rec *T, vals map[string]string) {
	for _, f := range fs {
		v, ok := vals[f.Name]
		if !ok {
			continue
		}
		switch {
		case f.Ref != nil:
			*f.Ref(rec) = v
		case f.Bool != nil:
			*f.Bool(rec) = ParseYesNo(v)
		case f.Time != nil:
			*f.Time(rec) = parseRFC3339(v)
		case f.Int != nil:
			if n, err := ParseSeconds(f.Name, v); err == nil {
				*f.Int(rec) = n
			}
		case f.Plain != nil:
			*f.Plain(rec) = v == "yes"
		case f.Dur != nil:
			if d, err := ParsePeriod(f.Name, v); err == nil || v == "" {
				*f.Dur(rec) = d
			}
		}
	}
}

// Cells is rec as one export row; ref names a reference's id by its
// natural key (a person's email) when the record does not carry it.
func (fs Fields[T]) Cells(rec *T, ref func(refers string, id *int64) string) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		if f.Type == TypeRef && f.Natural == nil {
			out[i] = ref(f.Refers, f.ID(rec))
			continue
		}
		out[i] = f.Get(rec)
	}
	return out
}

// Field finds a field by name.
func (fs Fields[T]) Field(name string) (Field[T], bool) {
	for _, f := range fs {
		if f.Name == name {
			return f, true
		}
	}
	return Field[T]{}, false
}

// ImportSpecs maps each import kind to its field table's specs.
var ImportSpecs = map[string][]FieldSpec{
	"people":   PersonFields.Specs(),
	"devices":  DeviceFields.Specs(),
	"services": ServiceFields.Specs(),
	"accounts": AccountFields.Specs(),
	"findings": FindingFields.Specs(),
}
