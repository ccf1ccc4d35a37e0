package model

// ManagedWarning is what an edit of a check that `opsdeck apply` manages
// says: the file is the check's source, so the next apply puts the file's
// values back. Empty for a check no file manages.
func (c *Check) ManagedWarning() string {
	if !c.Managed {
		return ""
	}
	return "check " + c.Name + " is managed by a checks file (opsdeck apply): the next apply puts the file's values back; change the file instead"
}
