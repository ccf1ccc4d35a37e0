package model

import (
	"net/url"
	"strings"
	"time"
)

// Person is anyone who holds accounts, devices or knowledge: employees,
// contractors, departed staff. People are deactivated, never deleted.
type Person struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Email      string    `json:"email"`
	Title      string    `json:"title"`
	Department string    `json:"department"`
	ManagerID  *int64    `json:"manager_id"`
	Status     string    `json:"status"`
	Role       string    `json:"role"`
	StartDate  string    `json:"start_date"`
	EndDate    string    `json:"end_date"`
	Notes      string    `json:"notes"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Normalize sanitizes untrusted text and fills defaults. Call it where the
// record enters opsdeck, before Validate.
func (p *Person) Normalize() {
	p.Name = Sanitize(p.Name)
	p.Email = strings.ToLower(Sanitize(p.Email))
	p.Title = Sanitize(p.Title)
	p.Department = Sanitize(p.Department)
	p.Notes = SanitizeMultiline(p.Notes, 4096)
	p.Status = keyword(p.Status, "active")
	p.Role = keyword(p.Role, "viewer")
}

// Validate checks every field; the error names the first bad one.
func (p *Person) Validate() error {
	_, sd := ParseDate("start_date", p.StartDate)
	_, ed := ParseDate("end_date", p.EndDate)
	return firstErr(
		required("name", p.Name),
		ValidateEmail("email", p.Email),
		oneOf("status", p.Status, PersonStatuses...),
		oneOf("role", p.Role, Roles...),
		sd, ed,
		dateOrder("end_date", p.StartDate, p.EndDate),
	)
}

func dateOrder(field, start, end string) error {
	if start != "" && end != "" && end < start {
		return Invalid(field, end, "is before start_date "+start)
	}
	return nil
}

// Device is anything with a serial number: laptops, servers, databases.
type Device struct {
	ID                 int64      `json:"id"`
	AssetTag           string     `json:"asset_tag"`
	Name               string     `json:"name"`
	Kind               string     `json:"kind"`
	Serial             string     `json:"serial"`
	Model              string     `json:"model"`
	OS                 string     `json:"os"`
	OSVersion          string     `json:"os_version"`
	HolderID           *int64     `json:"holder_id"`
	Location           string     `json:"location"`
	Status             string     `json:"status"`
	DiskEncrypted      *bool      `json:"disk_encrypted"`
	EndpointProtection string     `json:"endpoint_protection"`
	PatchLevel         string     `json:"patch_level"`
	LastSeenAt         *time.Time `json:"last_seen_at"`
	PurchaseDate       string     `json:"purchase_date"`
	Notes              string     `json:"notes"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

func (d *Device) Normalize() {
	d.AssetTag = Sanitize(d.AssetTag)
	d.Name = Sanitize(d.Name)
	d.Kind = keyword(d.Kind, "laptop")
	d.Serial = Sanitize(d.Serial)
	d.Model = Sanitize(d.Model)
	d.OS = Sanitize(d.OS)
	d.OSVersion = Sanitize(d.OSVersion)
	d.Location = Sanitize(d.Location)
	d.Status = keyword(d.Status, "in_use")
	d.EndpointProtection = Sanitize(d.EndpointProtection)
	d.PatchLevel = Sanitize(d.PatchLevel)
	d.Notes = SanitizeMultiline(d.Notes, 4096)
}

func (d *Device) Validate() error {
	_, pd := ParseDate("purchase_date", d.PurchaseDate)
	return firstErr(
		required("asset_tag", d.AssetTag),
		required("name", d.Name),
		oneOf("kind", d.Kind, DeviceKinds...),
		oneOf("status", d.Status, DeviceStatuses...),
		pd,
	)
}

// Service is something the company runs or rents: SaaS, an app, a database.
type Service struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Criticality string `json:"criticality"`
	OwnerID     *int64 `json:"owner_id"`
	URL         string `json:"url"`
	RunbookURL  string `json:"runbook_url"`
	Status      string `json:"status"`
	Notes       string `json:"notes"`
	// Public services are on the status page: their name, state, uptime
	// and the public notes of their incidents, nothing else.
	Public    bool      `json:"public"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (s *Service) Normalize() {
	s.Name = Sanitize(s.Name)
	s.Kind = keyword(s.Kind, "saas")
	s.Criticality = keyword(s.Criticality, "medium")
	s.URL = Sanitize(s.URL)
	s.RunbookURL = Sanitize(s.RunbookURL)
	s.Status = keyword(s.Status, "active")
	s.Notes = SanitizeMultiline(s.Notes, 4096)
}

func (s *Service) Validate() error {
	return firstErr(
		required("name", s.Name),
		oneOf("kind", s.Kind, ServiceKinds...),
		oneOf("criticality", s.Criticality, Criticalities...),
		oneOf("status", s.Status, ServiceStatuses...),
		optionalURL("url", s.URL, false),
		optionalURL("runbook_url", s.RunbookURL, true),
	)
}

// optionalURL accepts "" (no link) or an absolute URL with a host: where a
// service lives (https://app.example.com, postgres://db-01:5432/app), and,
// when web is set, only a page an operator can open (http or https).
func optionalURL(field, v string, web bool) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	switch {
	case web && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == ""):
		return Invalid(field, v, "is not an http:// or https:// URL (empty clears it)")
	case err != nil || u.Scheme == "" || u.Host == "" || strings.ContainsAny(v, " \t"):
		return Invalid(field, v, "is not a URL (want scheme://host..., e.g. https://app.example.com; empty clears it)")
	}
	return nil
}

// Account is one person's login on one service.
type Account struct {
	ID             int64      `json:"id"`
	PersonID       int64      `json:"person_id"`
	ServiceID      int64      `json:"service_id"`
	Username       string     `json:"username"`
	Entitlement    string     `json:"entitlement"`
	Status         string     `json:"status"`
	LastVerifiedAt *time.Time `json:"last_verified_at"`
	Notes          string     `json:"notes"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`

	// Joined for display; not stored in the accounts table.
	PersonName   string `json:"person_name"`
	PersonEmail  string `json:"person_email"`
	PersonStatus string `json:"person_status"`
	ServiceName  string `json:"service_name"`
	// Access is what the exports say (two-step, last activity), filled by
	// store.AccountsWithAccess; nil on a plain read.
	Access *AccountAccess `json:"access,omitempty"`
}

func (a *Account) Normalize() {
	a.Username = Sanitize(a.Username)
	a.Entitlement = keyword(a.Entitlement, "member")
	a.Status = keyword(a.Status, "active")
	a.Notes = SanitizeMultiline(a.Notes, 4096)
}

func (a *Account) Validate() error {
	var pe, se error
	if a.PersonID <= 0 {
		pe = Invalid("person", "", "is required")
	}
	if a.ServiceID <= 0 {
		se = Invalid("service", "", "is required")
	}
	return firstErr(pe, se,
		required("username", a.Username),
		oneOf("entitlement", a.Entitlement, Entitlements...),
		oneOf("status", a.Status, AccountStatuses...),
	)
}

// SWObservation is one tool version reported from a device (toolchain drift).
type SWObservation struct {
	DeviceID   int64     `json:"device_id"`
	Name       string    `json:"name"`
	Version    string    `json:"version"`
	ObservedAt time.Time `json:"observed_at"`
}

// AuditEntry is one row of the append-only audit log.
type AuditEntry struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	Entity   string    `json:"entity"`
	EntityID int64     `json:"entity_id"`
	Before   string    `json:"before"`
	After    string    `json:"after"`
}
