package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
)

// openPerson filters the people tab to who and opens the first match.
func openPerson(t *testing.T, a *app, who string) {
	t.Helper()
	send(t, a, "/", who, "enter", "enter")
	mustContain(t, a, "people › ")
}

func offboardingOf(t *testing.T, s *store.Store, email string) model.Offboarding {
	t.Helper()
	p, err := s.FindPerson(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.Offboarding(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func stepState(t *testing.T, s *store.Store, email string, n int) model.OffboardingStep {
	t.Helper()
	for _, st := range offboardingOf(t, s, email).Steps {
		if st.N == n {
			return st
		}
	}
	t.Fatalf("no step %d", n)
	return model.OffboardingStep{}
}

func TestStartFormPreviewsThenStarts(t *testing.T) {
	s := openStore(t, true)
	a := testApp(t, s)
	openPerson(t, a, "bill")
	send(t, a, "o")
	mustContain(t, a, "Start offboarding Bill Carter", "The checklist will have 10 steps",
		"1  account  Revoke GitHub admin account billc-dev", "3  device   Recover laptop LT-006")
	if _, err := s.ListOffboardings(context.Background()); err != nil {
		t.Fatal(err)
	}
	if os, _ := s.ListOffboardings(context.Background()); len(os) != 0 {
		t.Fatalf("the preview started an offboarding: %+v", os)
	}
	// An unknown successor is refused under its field, before anything starts.
	send(t, a, "nobody-here", "enter")
	mustContain(t, a, `✗ successor: "nobody-here" is not a known person`)
	for range len("nobody-here") {
		send(t, a, "backspace")
	}
	send(t, a, "Dave")
	mustContain(t, a, "Dave Kim <dave@example.com>")
	send(t, a, "tab")
	mustContain(t, a, "successor  dave@example.com")
	send(t, a, "enter")
	mustContain(t, a, "Start it? 10 steps", "y start the offboarding")
	send(t, a, "y")
	mustContain(t, a, "people › Bill Carter › offboarding Bill Carter", "[--------------------] 0/10",
		"successor Dave Kim", "▸  1 [ ] open    Revoke GitHub admin account", "offboarding started for Bill Carter")
	if o := offboardingOf(t, s, "bill@example.com"); o.Status != "open" || o.SuccessorName != "Dave Kim" || len(o.Steps) != 10 {
		t.Fatalf("offboarding %+v", o)
	}
	// o again opens the same checklist instead of a new form.
	send(t, a, "esc", "o")
	mustContain(t, a, "offboarding Bill Carter", "0/10")
	mustNotContain(t, a, "Start offboarding")
}

func TestChecklistWalkUndoAndComplete(t *testing.T) {
	s := openStore(t, true)
	a := testApp(t, s)
	openPerson(t, a, "bill")
	send(t, a, "o", "dave", "tab", "enter", "y")
	send(t, a, "space", "space") // GitHub admin, AWS
	mustContain(t, a, "2/10", "step 2 done: account AWS:bill active → revoked", "▸  3 [ ] open    Recover laptop")
	send(t, a, "space")
	mustContain(t, a, "step 3: the device goes to", "spare", "repair", "lost")
	send(t, a, "right", "enter") // repair
	mustContain(t, a, "device LT-006 in_use → repair, holder cleared")
	if d, _ := s.ListDevices(context.Background(), store.DeviceQuery{}); !deviceHas(d, "LT-006", "repair") {
		t.Fatalf("device not in repair")
	}
	send(t, a, "k", "u")
	mustContain(t, a, "step 3 undone", "▸  3 [ ] open")
	send(t, a, "space", "enter") // spare this time
	mustContain(t, a, "in_use → spare")

	// s asks for a reason and refuses an empty one without writing.
	send(t, a, "s", "enter")
	mustContain(t, a, "skip step 4, reason:", "a reason is required")
	if st := stepState(t, s, "bill@example.com", 4); st.State != "open" {
		t.Fatalf("empty reason wrote %s", st.State)
	}
	send(t, a, "rotated by the vendor", "enter")
	mustContain(t, a, "4 [-] skipped")
	if st := stepState(t, s, "bill@example.com", 4); st.State != "skipped" || st.Reason != "rotated by the vendor" || st.By != "local:tester" {
		t.Fatalf("step 4 %+v", st)
	}
	// b blocks with a reason; n adds evidence; esc cancels a prompt.
	send(t, a, "b", "waiting for payroll", "enter")
	mustContain(t, a, "5 [!] blocked", "blocked: waiting for payroll")
	send(t, a, "n", "https://tickets.example.com/OPS-7", "enter")
	mustContain(t, a, "note added to step 5", "✎1", "OPS-7")
	send(t, a, "n", "esc")
	mustContain(t, a, "nothing changed")

	// c is refused with the store's message while steps are open.
	send(t, a, "c")
	mustContain(t, a, "unfinished step(s)")
	if o := offboardingOf(t, s, "bill@example.com"); o.Status != "open" {
		t.Fatalf("completed with open steps")
	}
	// C forces with a recorded reason.
	send(t, a, "C", "enter")
	mustContain(t, a, "a reason is required")
	send(t, a, "leaver unreachable, rest tracked in OPS-9", "enter")
	mustContain(t, a, "completed ", "forced: leaver unreachable", "offboarding completed: Bill Carter is departed")
	o := offboardingOf(t, s, "bill@example.com")
	if o.Status != "completed" || !o.Forced || o.ForceReason != "leaver unreachable, rest tracked in OPS-9" {
		t.Fatalf("offboarding %+v", o)
	}
	accts, _ := s.ListAccounts(context.Background(), store.AccountQuery{PersonID: o.PersonID})
	for _, ac := range accts {
		if ac.Status == "active" {
			t.Fatalf("account %s still active", ac.ServiceName)
		}
	}
	// A completed checklist is frozen: the store's refusal shows inline.
	send(t, a, "G")
	mustContain(t, a, "left open when the offboarding was completed")
	send(t, a, "g", "u")
	mustContain(t, a, "is completed; its steps can no longer change")
	// Back on his page, the accounts the walk revoked read revoked.
	send(t, a, "esc")
	mustContain(t, a, "Bill Carter  person · departed", "billc-dev          admin   revoked")
	mustNotContain(t, a, "billc-dev          admin   active")
	// His page links the (completed) checklist.
	for i := 0; i < 40 && !strings.Contains(screen(a), "▸ completed"); i++ {
		send(t, a, "j")
	}
	mustContain(t, a, "▸ completed [####------] 4/10")
	send(t, a, "enter")
	mustContain(t, a, "› Bill Carter › offboarding Bill Carter", "by local:tester (forced")
}

func deviceHas(ds []model.Device, tag, status string) bool {
	for _, d := range ds {
		if d.AssetTag == tag {
			return d.Status == status
		}
	}
	return false
}

func TestServiceHandoverAsksForSuccessor(t *testing.T) {
	s := openStore(t, true)
	a := testApp(t, s)
	openPerson(t, a, "jenny")
	send(t, a, "o")
	mustContain(t, a, "Revoke Jira admin account jenny  ⚠ bus factor 1", "Hand over Jira to the successor  ⚠ bus factor 1")
	send(t, a, "enter", "y") // no successor
	mustContain(t, a, "⚠ bus factor 1", "successor -")
	for range 5 {
		send(t, a, "j")
	}
	mustContain(t, a, "▸  6 [ ] open    Hand over Jira")
	send(t, a, "space")
	mustContain(t, a, "hand step 6 over to:")
	send(t, a, "zed", "enter")
	mustContain(t, a, `successor: "zed" is not a known person`)
	send(t, a, "space", "oscar@example.com", "enter")
	mustContain(t, a, "step 6 done", "Oscar Lindqvist")
	sv, err := s.ListServices(context.Background(), store.ServiceQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range sv {
		if x.Name == "Jira" && (x.OwnerID == nil || *x.OwnerID != 2) {
			t.Fatalf("Jira owner %v", x.OwnerID)
		}
	}
	// enter follows the step to its record; esc comes back.
	send(t, a, "k", "k", "k", "k", "k", "enter")
	mustContain(t, a, "offboarding Jenny Alvarez › Jira", "service · ")
	send(t, a, "esc")
	mustContain(t, a, "Offboarding Jenny Alvarez")
}

func TestChecklistFollowsOtherWriters(t *testing.T) {
	s := openStore(t, true)
	a := testApp(t, s)
	run(t, a, a.poll())
	openPerson(t, a, "bill")
	send(t, a, "o", "enter", "y")
	mustContain(t, a, "0/10")
	other, err := store.Open(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	o := offboardingOf(t, s, "bill@example.com")
	cli := ops.Env{Store: other, Actor: model.LocalActor("cli")}
	if _, err := ops.AdvanceStep(context.Background(), cli, ops.OffboardingID(o.ID), ops.StepChange{N: 10, Action: ops.StepDone}); err != nil {
		t.Fatal(err)
	}
	run(t, a, a.poll())
	mustContain(t, a, "1/10", "10 [x] done", " cli ")
}

func TestOffboardRefusedForOperator(t *testing.T) {
	s := openStore(t, true)
	a := newApp(Options{StartTab: "people", Store: s, Actor: model.Actor{Kind: "ssh", Name: "dave@example.com", Role: "operator"}, Width: 80, Height: 24, NoColor: true})
	run(t, a, a.load(a.active))
	openPerson(t, a, "bill")
	send(t, a, "o")
	mustContain(t, a, "cannot offboard:", "admin")
	mustNotContain(t, a, "Start offboarding")
}

func TestRisksAndSecretsTabs(t *testing.T) {
	s := openStore(t, true)
	rep, err := s.Risks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a := testApp(t, s)
	send(t, a, ":", "risks", "enter")
	mustContain(t, a, "HIGH", "service Jira", "one admin: Jenny", fmt.Sprintf("risks %d", len(rep.Risks)))
	send(t, a, "/", "single_admin", "enter", "enter")
	mustContain(t, a, "risks › Jira", "service · ")
	send(t, a, "esc", "esc", "/", "access", "enter")
	mustContain(t, a, "account GitHub:billc-dev")
	send(t, a, "enter") // an account risk opens the account's service
	mustContain(t, a, "risks › ", "service · ")
	send(t, a, "7")
	mustContain(t, a, "OVERDUE 110d", "AWS root credentials", "due in")
	send(t, a, "enter")
	mustContain(t, a, "secrets › AWS root credentials", "Known by (2)", "Bill Carter · bill@example.com · departed", "every 90d")
	send(t, a, "enter") // its service
	mustContain(t, a, "› AWS", "service · ")
}

func TestChecklistFitsSmallWindows(t *testing.T) {
	s := openStore(t, true)
	a := testApp(t, s)
	openPerson(t, a, "jenny")
	send(t, a, "o", "enter", "y")
	for _, sz := range [][2]int{{50, 10}, {80, 24}, {200, 50}, {51, 11}} {
		a.width, a.height = sz[0], sz[1]
		a.layout()
		lines := strings.Split(screen(a), "\n")
		if len(lines) != sz[1] {
			t.Fatalf("%v: %d lines", sz, len(lines))
		}
		if !strings.Contains(screen(a), "Offboarding Jenny") {
			t.Fatalf("%v:\n%s", sz, screen(a))
		}
	}
}

func TestHandoverPromptOffersTheSuccessor(t *testing.T) {
	s := openStore(t, true)
	a := testApp(t, s)
	openPerson(t, a, "jenny")
	send(t, a, "o", "dave", "tab", "enter", "y")
	for range 5 {
		send(t, a, "j")
	}
	send(t, a, "space")
	mustContain(t, a, "hand step 6 over to: dave@example.com")
	send(t, a, "enter")
	mustContain(t, a, "step 6 done: service Jira owner Jenny Alvarez → Dave Kim")
}

func TestViewerReadsAChecklistButCannotMark(t *testing.T) {
	s := openStore(t, true)
	admin := testApp(t, s)
	openPerson(t, admin, "bill")
	send(t, admin, "o", "enter", "y")
	a := newApp(Options{StartTab: "people", Store: s, Actor: model.Actor{Kind: "ssh", Name: "kristen@example.com", Role: "viewer"}, Width: 80, Height: 24, NoColor: true})
	run(t, a, a.load(a.active))
	openPerson(t, a, "bill")
	send(t, a, "o")
	mustContain(t, a, "Offboarding Bill Carter", "0/10")
	send(t, a, "space")
	mustContain(t, a, "viewer")
	if st := stepState(t, s, "bill@example.com", 1); st.State != "open" {
		t.Fatalf("a viewer marked step 1 %s", st.State)
	}
}

func TestHelpListsOffboardingKeys(t *testing.T) {
	s := openStore(t, true)
	a := testApp(t, s)
	a.width, a.height = 120, 40
	a.layout()
	send(t, a, "?")
	mustContain(t, a, "offboard the person (or open it)")
	send(t, a, "esc")
	openPerson(t, a, "bill")
	send(t, a, "o", "enter", "y", "?")
	mustContain(t, a, "space  done", "force complete", "open record")
}
