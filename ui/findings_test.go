package ui

import (
	"context"
	"testing"

	"github.com/opsdeck/opsdeck/model"
)

// Accepting a finding's risk and closing it are forms on the findings tab:
// what the move needs is typed in, and the model's workflow answers inline
// (an expiry in the past, closing what is not resolved) without writing.
func TestFindingAcceptAndCloseFromTheTab(t *testing.T) {
	s := openStore(t, true)
	a := testApp(t, s)
	send(t, a, "9")
	mustContain(t, a, "No two-step verification enforced for GitHub")
	send(t, a, "/", "two-step", "enter")
	send(t, a, "A", "vendor fixes it in January", "tab", "2020-01-01", "ctrl+s")
	mustContain(t, a, "is not in the future")
	f, err := s.FindFinding(context.Background(), "2")
	if err != nil || f.State != model.FindingOpen {
		t.Fatalf("a refused accept wrote: %+v %v", f, err)
	}
	for range 10 {
		send(t, a, "backspace")
	}
	send(t, a, "2099-01-15", "ctrl+s")
	mustContain(t, a, "accepted finding #2")
	if f, _ = s.FindFinding(context.Background(), "2"); f.State != model.FindingAccepted || f.AcceptReason != "vendor fixes it in January" || f.AcceptExpires != "2099-01-15" {
		t.Fatalf("after accept: %+v", f)
	}
	// Closing needs the fix resolved first: the model says so in the form.
	send(t, a, "C", "pen test re-run OPS-12", "ctrl+s")
	mustContain(t, a, "a finding is closed after its fix is verified")
	send(t, a, "esc", "R")
	mustContain(t, a, "finding #2 is resolved")
	send(t, a, "C", "pen test re-run OPS-12", "ctrl+s")
	mustContain(t, a, "closed finding #2")
	if f, _ = s.FindFinding(context.Background(), "2"); f.State != model.FindingClosed {
		t.Fatalf("after close: %+v", f)
	}
}
