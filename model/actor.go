package model

import "fmt"

// Actor is who performs a mutation. Locally it is the OS user; over SSH it
// is the person whose key opened the session; background jobs are "system".
type Actor struct {
	Kind     string // "local", "ssh" or "system"
	Name     string // OS user, person email, or job name
	PersonID int64  // set for ssh actors
	Role     string // admin, operator or viewer; empty means unrestricted (local)
}

// LocalActor is the operator at this machine's terminal.
func LocalActor(user string) Actor { return Actor{Kind: "local", Name: user} }

// SystemActor is a background job (scheduler, demo loader, importer).
func SystemActor(job string) Actor { return Actor{Kind: "system", Name: job} }

// String is what the audit log stores in its actor column.
func (a Actor) String() string {
	if a.Kind == "" {
		return "unknown"
	}
	return fmt.Sprintf("%s:%s", a.Kind, a.Name)
}

// CanWrite reports whether the actor may change anything at all.
func (a Actor) CanWrite() bool { return a.Role != "viewer" }

// IsAdmin reports whether the actor may manage people, roles and inventory.
// Local actors are admins of their own database.
func (a Actor) IsAdmin() bool { return a.Role == "" || a.Role == "admin" }
