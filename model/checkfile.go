package model

import (
	"fmt"
	"time"
)

// ManagedWarning is what an edit of a check that `opsdeck apply` manages
// says: the file is the check's source, so the next apply puts the file's
// values back. Empty for a check no file manages.
func (c *Check) ManagedWarning() string {
	if !c.Managed {
		return ""
	}
	return "check " + c.Name + " is managed by a checks file (opsdeck apply): the next apply puts the file's values back; change the file instead"
}

// ManagedWarning is what an edit of a rotation that `opsdeck apply`
// manages says, as for a check. Empty for a rotation no file manages.
func (r *Rotation) ManagedWarning() string {
	if !r.Managed {
		return ""
	}
	return "rotation " + r.Name + " is managed by a checks file (opsdeck apply): the next apply puts the file's members and settings back; change the file instead"
}

// CheckStart checks that at (a checks file's starts) is a handoff of the
// rotation: its weekday and wall-clock time in the rotation's zone, so the
// turns in the file fall where the rotation says they do. The rotation's
// settings must be valid. The error proposes the handoff before at.
func (r *Rotation) CheckStart(at time.Time) error {
	h, err := ParseHandoff(r.Handoff, r.EveryDays)
	if err != nil {
		return err
	}
	loc, err := LoadZone(r.TZ)
	if err != nil {
		return err
	}
	if a := AnchorFor(h, loc, at); !a.Equal(at) {
		return Invalid("starts", at.UTC().Format(time.RFC3339), fmt.Sprintf("is not a handoff (%s %s); the one before it is %s", r.Handoff, r.TZ, a.UTC().Format(time.RFC3339)))
	}
	return nil
}
