package model

import "testing"

// Role checks deny by default: only the roles opsdeck knows grant anything.
func TestRolesDenyByDefault(t *testing.T) {
	cases := []struct {
		a              Actor
		write, isAdmin bool
	}{
		{Actor{Kind: "ssh", Role: "admin"}, true, true},
		{Actor{Kind: "ssh", Role: "operator"}, true, false},
		{Actor{Kind: "ssh", Role: "viewer"}, false, false},
		{Actor{Kind: "ssh", Role: ""}, false, false},
		{Actor{Kind: "ssh", Role: "Admin"}, false, false},
		{Actor{Kind: "ssh", Role: "superuser"}, false, false},
		{Actor{}, false, false},
		{LocalActor("ann"), true, true},
		{SystemActor("scheduler"), true, true},
	}
	for _, c := range cases {
		if got := c.a.CanWrite(); got != c.write {
			t.Errorf("%+v CanWrite = %v, want %v", c.a, got, c.write)
		}
		if got := c.a.IsAdmin(); got != c.isAdmin {
			t.Errorf("%+v IsAdmin = %v, want %v", c.a, got, c.isAdmin)
		}
	}
}
