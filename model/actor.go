package model

import "fmt"

// Actor is who performs a mutation. Locally it is the OS user; over SSH it
// is the person whose key opened the session; background jobs are "system".
type Actor struct {
	Kind     string // "local", "ssh" or "system"
	Name     string // OS user, person email, or job name
	PersonID int64  // set for ssh actors
	Role     string // admin, operator or viewer; anything else (empty too) may do nothing
}

// LocalActor is the operator at this machine's terminal: whoever can open
// the database file is its admin.
func LocalActor(user string) Actor { return Actor{Kind: "local", Name: user, Role: RoleAdmin} }

// SystemActor is a background job (scheduler, demo loader, importer),
// acting for the admin who set it up.
func SystemActor(job string) Actor { return Actor{Kind: "system", Name: job, Role: RoleAdmin} }

// Roles a person (and so an SSH session) can have.
const (
	RoleAdmin    = "admin"
	RoleOperator = "operator"
	RoleViewer   = "viewer"
)

// String is what the audit log stores in its actor column.
func (a Actor) String() string {
	if a.Kind == "" {
		return "unknown"
	}
	return fmt.Sprintf("%s:%s", a.Kind, a.Name)
}

// CanWrite reports whether the actor may change anything at all. Deny by
// default: an empty or unknown role (a zero Actor, a role a newer opsdeck
// invented) may not.
func (a Actor) CanWrite() bool { return a.Role == RoleAdmin || a.Role == RoleOperator }

// IsAdmin reports whether the actor may manage people, roles and inventory.
// Only the admin role is; local and system actors carry it explicitly.
func (a Actor) IsAdmin() bool { return a.Role == RoleAdmin }
