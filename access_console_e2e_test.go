package main

// The access review and the accounts tab driven from the keyboard in a
// real terminal (tmux), on the demo company.

import (
	"fmt"
	"strings"
	"testing"
)

// An access review of the demo's AWS accounts is walked to completion from
// the keyboard (:access-review opens it; space decides with "keep: why" or
// "revoke: why"; the revocation step it adds is marked done; c completes),
// and its report names every decision.
func TestAccessReviewConsole(t *testing.T) {
	db := demoDB(t)
	mustRun(t, db, "access-review", "start", "--service", "AWS")
	tm := startConsole(t, db, 160, 45)
	tm.waitFor("people")
	tm.keys(":", "text:access-review", "Enter")
	tm.waitFor("Access review", "0/6")
	// Step 1 is Bill's: revoke it.
	tm.keys("Space")
	tm.waitFor("decision")
	tm.keys("C-u", "text:revoke: left the company", "Enter")
	tm.waitFor("revoke by")
	for n := 2; n <= 6; n++ {
		tm.keys("Space")
		tm.waitFor("decision")
		tm.keys("text:on the team", "Enter")
		tm.waitFor(fmt.Sprintf("%d/7", n))
	}
	tm.waitFor("Revoke AWS:bill")
	tm.keys("Space") // the cursor is on the first open step: the revocation
	tm.waitFor("7/7")
	tm.keys("c")
	tm.waitFor("completed")

	md := mustRun(t, db, "access-review", "report", "latest", "--format", "md")
	for _, want := range []string{"5 kept, 1 revoked, 0 changed", "left the company", "on the team", "step 7 done"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}

	// A scoped one from the console: a service's accounts, or an owner's.
	tm.keys(":", "text:access-review Nope", "Enter")
	tm.waitFor(`service: "Nope" is not a known service`)
	tm.keys(":", "text:access-review GitHub", "Enter")
	tm.waitFor("Access review", "(GitHub)")
}

// The accounts tab revokes an account with the preview the other edits
// have, and its matrix shows the result.
func TestAccountsTabRevokeWithPreview(t *testing.T) {
	db := demoDB(t)
	tm := startConsole(t, db, 150, 45) // below 160: the list alone, every column
	tm.waitFor("people")
	tm.keys("8")
	tm.waitFor("TWO-STEP", "LAST ACTIVITY", "Bill Carter (departed)")
	tm.keys("/", "text:tammy-breakglass", "Enter")
	tm.waitFor("1 of 1")
	tm.keys("d")
	tm.waitFor("AWS:tammy-breakglass (Tammy Reyes): revoke?", "status: active → revoked")
	tm.keys("y")
	tm.waitFor("deactivated")
	var accts []struct {
		Status string `json:"status"`
	}
	runJSON(t, db, &accts, "accounts", "list", "--service", "AWS", "--person", "tammy@example.com")
	if len(accts) != 1 || accts[0].Status != "revoked" {
		t.Fatalf("after d, y: %+v", accts)
	}
	tm.keys("Escape", "m")
	tm.waitFor("PERSON", "GOOGLE WORKSPACE", "person × service")
}
