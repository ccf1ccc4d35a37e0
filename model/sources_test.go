package model

import (
	"strings"
	"testing"
	"time"
)

func TestSourceCheckValidation(t *testing.T) {
	svc := int64(3)
	dev := int64(4)
	cases := []struct {
		name    string
		c       Check
		wantErr string // field named by the error, "" for valid
	}{
		{"self backup", Check{Name: "backup-opsdeck", Kind: "backup", Target: "self"}, ""},
		{"job backup", Check{Name: "backup-nas", Kind: "backup", Target: "job:nas", ServiceID: &svc}, ""},
		{"job backup without service", Check{Name: "b", Kind: "backup", Target: "job:nas"}, "service"},
		{"self backup with service", Check{Name: "b", Kind: "backup", Target: "self", ServiceID: &svc}, "service"},
		{"backup target nonsense", Check{Name: "b", Kind: "backup", Target: "http://x", ServiceID: &svc}, "target"},
		{"backup job without name", Check{Name: "b", Kind: "backup", Target: "job:", ServiceID: &svc}, "target"},
		{"access", Check{Name: "a", Kind: "access", Target: "bill@example.com", ServiceID: &svc}, ""},
		{"access without service", Check{Name: "a", Kind: "access", Target: "bill@example.com"}, "service"},
		{"access target not an email", Check{Name: "a", Kind: "access", Target: "bill", ServiceID: &svc}, "target"},
		{"access with device", Check{Name: "a", Kind: "access", Target: "bill@example.com", ServiceID: &svc, DeviceID: &dev}, "device"},
		{"access with condition", Check{Name: "a", Kind: "access", Target: "bill@example.com", ServiceID: &svc, Condition: "status == 200"}, "condition"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.c.Normalize()
			err := c.c.Validate()
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("valid check refused: %v", err)
				}
				if c.c.FailThreshold != 1 || c.c.SuccessThreshold != 1 {
					t.Errorf("thresholds %d/%d, want 1/1 for a fact-based check", c.c.FailThreshold, c.c.SuccessThreshold)
				}
				return
			}
			fe, ok := AsFieldError(err)
			if !ok || fe.Field != c.wantErr {
				t.Fatalf("error %v, want one naming %s", err, c.wantErr)
			}
		})
	}
}

func TestCheckSourceChange(t *testing.T) {
	svc, other := int64(3), int64(5)
	src := Check{Kind: "access", Target: "bill@example.com", ServiceID: &svc}
	probe := Check{Kind: "http", Target: "http://x", ServiceID: &svc}
	with := func(c Check, fn func(*Check)) *Check { fn(&c); return &c }
	cases := []struct {
		name      string
		before    *Check
		after     *Check
		bySystem  bool
		wantField string
	}{
		{"system creates", nil, &src, true, ""},
		{"person creates", nil, &src, false, "kind"},
		{"person creates a probe", nil, &probe, false, ""},
		{"pause and tune", &src, with(src, func(c *Check) { c.Paused, c.FailThreshold, c.Name, c.Notes = true, 3, "x", "y" }), false, ""},
		{"retarget", &src, with(src, func(c *Check) { c.Target = "tammy@example.com" }), false, "target"},
		{"move service", &src, with(src, func(c *Check) { c.ServiceID = &other }), false, "service"},
		{"into a probe", &src, with(src, func(c *Check) { c.Kind = "http" }), false, "kind"},
		{"probe into a source", &probe, with(probe, func(c *Check) { c.Kind = "backup" }), true, "kind"},
		{"access into backup", &src, with(src, func(c *Check) { c.Kind = "backup" }), true, "kind"},
	}
	for _, c := range cases {
		err := CheckSourceChange(c.before, c.after, c.bySystem)
		if c.wantField == "" {
			if err != nil {
				t.Errorf("%s: refused: %v", c.name, err)
			}
			continue
		}
		if fe, ok := AsFieldError(err); !ok || fe.Field != c.wantField {
			t.Errorf("%s: error %v, want one naming %s", c.name, err, c.wantField)
		}
	}
}

func TestWantedSourceChecksAndPlan(t *testing.T) {
	health := []BackupHealth{
		{Key: "self", Name: "opsdeck", BackupStatus: BackupStatus{State: BackupOK}},
		{Key: "job:Nightly DB", Name: "Nightly DB", ServiceID: 7, BackupStatus: BackupStatus{State: BackupFailed}},
	}
	access := []AccessFinding{
		{AccountID: 1, PersonName: "Bill Carter", PersonEmail: "Bill@Example.com", ServiceID: 2, ServiceName: "GitHub", PersonStatus: "departed"},
		{AccountID: 2, PersonName: "Bill Carter", PersonEmail: "bill@example.com", ServiceID: 2, ServiceName: "GitHub", PersonStatus: "departed"},
		{AccountID: 3, PersonName: "Bill Carter", PersonEmail: "bill@example.com", ServiceID: 4, ServiceName: "AWS", PersonStatus: "departed"},
	}
	now := time.Now()
	want := WantedSourceChecks(health, nil, access, now)
	var names []string
	for _, c := range want {
		if err := c.Validate(); err != nil {
			t.Errorf("wanted check %s is invalid: %v", c.Name, err)
		}
		names = append(names, c.Name)
	}
	if got := strings.Join(names, " "); got != "backup-nightly-db access-bill-carter-github access-bill-carter-aws" {
		t.Fatalf("wanted checks: %s (healthy own backups: no check; two GitHub accounts of one person: one check)", got)
	}
	// opsdeck's own backups get a check while they need attention.
	old := now.Add(-2 * RestoreTestGrace)
	health[0].State = BackupNeverRestoreTested
	if w := WantedSourceChecks(health, map[string]*time.Time{"self": &old}, nil, now); len(w) != 2 || w[0].Name != "backup-opsdeck" || w[0].ServiceID != nil {
		t.Fatalf("own backups never restore-tested: %+v", w)
	}
	health[0].State = BackupOK

	// Existing: the self check (still wanted), an access check whose
	// account was revoked while its alert is open (kept until it resolves),
	// and one revoked with nothing open (retired).
	existing := []Check{want[0], {ID: 11, Kind: "access", Target: "tammy@example.com", ServiceID: &[]int64{2}[0]},
		{ID: 12, Kind: "access", Target: "leo@example.com", ServiceID: &[]int64{2}[0]}}
	existing[0].ID = 10
	p := PlanSourceSync(existing, want, map[int64]bool{11: true})
	if len(p.Add) != 2 || len(p.Keep) != 1 || p.Keep[0].ID != 11 || len(p.Retire) != 1 || p.Retire[0].ID != 12 {
		t.Fatalf("plan: add %d keep %+v retire %+v", len(p.Add), p.Keep, p.Retire)
	}
	// A paused check would never run to resolve its alert: retired at once.
	existing[1].Paused = true
	if p := PlanSourceSync(existing, want, map[int64]bool{11: true}); len(p.Keep) != 0 || len(p.Retire) != 2 {
		t.Fatalf("paused, source gone, alert open: keep %+v retire %+v", p.Keep, p.Retire)
	}
	existing[1].Paused = false
	// Once the wanted checks exist, nothing changes.
	p = PlanSourceSync(append(existing[:1:1], p.Add...), want, nil)
	if len(p.Add)+len(p.Retire)+len(p.Keep) != 0 {
		t.Fatalf("second sync is not a no-op: %+v", p)
	}
}

func TestSourceResults(t *testing.T) {
	now := time.Now()
	longAgo := now.Add(-30 * 24 * time.Hour)
	for _, c := range []struct {
		state BackupState
		want  string
	}{{BackupOK, "up"}, {BackupRunning, ""}, {BackupLate, "down"}, {BackupFailed, "down"},
		{BackupNeverRestoreTested, "warn"}, {BackupRestoreTestStale, "warn"}} {
		h := BackupHealth{Key: "job:nas", Name: "nas", BackupStatus: BackupStatus{State: c.state, Reason: "why"}}
		if got, msg := BackupResult("job:nas", &h, &longAgo, now); got != c.want || msg != "backup job nas "+string(c.state)+": why" {
			t.Errorf("%s: %s %q", c.state, got, msg)
		}
	}
	if got, _ := BackupResult("job:gone", nil, nil, now); got != "up" {
		t.Errorf("a retired job still alerts: %s", got)
	}
	// Never restore-tested waits for a good backup and then RestoreTestGrace.
	never := BackupHealth{Key: "self", Name: "opsdeck", BackupStatus: BackupStatus{State: BackupNeverRestoreTested, Reason: "never restore-tested"}}
	recent := now.Add(-RestoreTestGrace / 2)
	for _, c := range []struct {
		first *time.Time
		want  string
	}{{nil, "up"}, {&recent, "up"}, {&longAgo, "warn"}} {
		if got, msg := BackupResult("self", &never, c.first, now); got != c.want {
			t.Errorf("never restore-tested, first good backup %v: %s %q", c.first, got, msg)
		}
	}
	found := []AccessFinding{{Message: "access still present for Bill Carter on GitHub"}}
	if st, msg := AccessResult("bill@example.com", "GitHub", found); st != "down" || msg != "access still present for Bill Carter on GitHub" {
		t.Errorf("access: %s %q", st, msg)
	}
	if st, _ := AccessResult("bill@example.com", "GitHub", nil); st != "up" {
		t.Errorf("revoked access still alerts: %s", st)
	}
	if s := Slug("  Tom O'Brien / AWS  "); s != "tom-o-brien-aws" {
		t.Errorf("slug %q", s)
	}
}
