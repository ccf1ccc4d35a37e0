package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Source checks watch opsdeck's own records instead of probing a target,
// so that backups and leftover access raise alerts through the same engine
// (thresholds, silences, routing to owner and on-call, ack/snooze, pages,
// the ledger) as any probe. opsdeck creates and retires them itself
// (PlanSourceSync); a person only pauses them or tunes thresholds.
//
//	backup  Target "self" (opsdeck's own database, no service) or "job:NAME";
//	        follows BackupHealth: ok is up, running gives no verdict, late and failed are
//	        down (critical), never-restore-tested and restore-test-stale warn.
//	access  Target the email of a leaving or departed person, ServiceID the
//	        service where they still hold an active account: one check, so
//	        one alert, per (person, service) however many usernames.
const (
	SourceBackup = "backup"
	SourceAccess = "access"
)

// SourceKinds are the check kinds opsdeck manages itself.
var SourceKinds = checkKindNames(func(k CheckKind) bool { return k.Source })

// IsSourceKind reports a kind opsdeck creates from its own records.
func IsSourceKind(kind string) bool {
	k, ok := LookupCheckKind(kind)
	return ok && k.Source
}

// IsSource reports a check opsdeck manages (see SourceKinds).
func (c *Check) IsSource() bool { return IsSourceKind(c.Kind) }

// SourceInterval is how often source checks are judged: each run is a few
// indexed reads of the local database.
const SourceInterval = time.Minute

// SourceRule says in words what a source check holds to be up, where a
// probe shows its condition.
func SourceRule(kind string) string {
	if kind == SourceAccess {
		return "no active account left for the person on the service"
	}
	if kind == SourceUsage {
		return "no use of the person's accounts on the service after they left (never resolves by itself)"
	}
	if kind == SourceScheduler {
		return "a free worker for every due check over the last interval (the scheduler's pool not saturated)"
	}
	if kind == SourceFinding {
		return "the finding is not overdue (resolved, closed, accepted, or due later)"
	}
	return "backup state ok or running (late, failed: down; restore test missing or stale: warn)"
}

// validateSource checks the fields of a source check: its target names the
// record it follows, and the probe fields mean nothing for it.
func (c *Check) validateSource() error {
	switch c.Kind {
	case SourceBackup:
		if c.Target == "self" {
			if c.ServiceID != nil {
				return Invalid("service", strconv.FormatInt(*c.ServiceID, 10), `must be empty for target "self" (opsdeck's own backups)`)
			}
		} else if name, ok := strings.CutPrefix(c.Target, "job:"); !ok || strings.TrimSpace(name) == "" {
			return Invalid("target", c.Target, `is not "self" or "job:NAME"`)
		} else if c.ServiceID == nil {
			return Invalid("service", "", "is required (the service the backup job saves)")
		}
	case SourceAccess, SourceUsage:
		if !strings.Contains(c.Target, "@") || strings.ContainsAny(c.Target, " ,") {
			return Invalid("target", c.Target, "is not the email of the person whose access is watched")
		}
		if c.ServiceID == nil {
			return Invalid("service", "", "is required (the service where access is still present)")
		}
	}
	if c.DeviceID != nil {
		return Invalid("device", strconv.FormatInt(*c.DeviceID, 10), "must be empty for a "+c.Kind+" check")
	}
	for _, f := range [][2]string{{"method", c.Method}, {"headers", c.Headers}, {"body", c.Body}, {"record_type", c.RecordType},
		{"resolver", c.Resolver}, {"expect", c.Expect}, {"condition", c.Condition}} {
		if f[1] != "" {
			return Invalid(f[0], f[1], "means nothing for a "+c.Kind+" check (it follows opsdeck's own records)")
		}
	}
	return nil
}

// CheckSourceChange refuses hand-made source checks and edits that would
// make a source check follow something else: opsdeck creates them (system
// actors only) and identifies them by kind, target and service. Name,
// pause, interval, timeout, thresholds and notes stay editable.
func CheckSourceChange(before, after *Check, bySystem bool) error {
	if before == nil {
		if after.IsSource() && !bySystem {
			return Invalid("kind", after.Kind, "checks of this kind are created by opsdeck from backup jobs and accounts, not by hand")
		}
		return nil
	}
	if before.IsSource() != after.IsSource() || (before.IsSource() && before.Kind != after.Kind) {
		return Invalid("kind", after.Kind, fmt.Sprintf("cannot change a %s check into a %s check", before.Kind, after.Kind))
	}
	if !before.IsSource() {
		return nil
	}
	if before.Target != after.Target {
		return Invalid("target", after.Target, "is managed by opsdeck for a "+before.Kind+" check")
	}
	if !sameID(before.ServiceID, after.ServiceID) {
		return Invalid("service", idText(after.ServiceID), "is managed by opsdeck for a "+before.Kind+" check")
	}
	return nil
}

func idText(id *int64) string {
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}

// SourceKey identifies a source check independently of its name.
func SourceKey(kind, target string, serviceID *int64) string {
	return kind + "|" + strings.ToLower(target) + "|" + idText(serviceID)
}

// Key is c's SourceKey.
func (c *Check) Key() string { return SourceKey(c.Kind, c.Target, c.ServiceID) }

// WantedSourceChecks is the set of source checks the records call for: one
// per company backup job (healthy or not: the operator added the job, so
// its check lists with the others, keeps tuned thresholds, and alerts on
// its next run when the job goes bad), one for opsdeck's own backups only
// while they need attention (a database nobody has touched yet shows no
// check it did not ask for), and one per (person, service) with access
// still present. firstOK maps a backup key to its first good run (see
// BackupResult). Names are readable and unique among themselves; the
// store makes them unique among all checks.
func WantedSourceChecks(health []BackupHealth, firstOK map[string]*time.Time, access []AccessFinding, now time.Time) []Check {
	var out []Check
	for _, h := range health {
		c := Check{Kind: SourceBackup, Target: h.Key, Name: "backup-" + Slug(h.Name),
			Notes: "Created by opsdeck: follows the state of backup job " + h.Name + " (docs/alert-sources.md)."}
		if h.Key == "self" {
			if st, _ := BackupResult(h.Key, &h, firstOK[h.Key], now); st == "up" {
				continue
			}
			c.Name = "backup-opsdeck"
			c.Notes = "Created by opsdeck: follows opsdeck's own backups and restore tests (docs/alert-sources.md)."
		} else {
			id := h.ServiceID
			c.ServiceID = &id
		}
		out = append(out, c)
	}
	seen := map[string]bool{}
	for _, f := range access {
		id := f.ServiceID
		c := Check{Kind: SourceAccess, Target: strings.ToLower(f.PersonEmail), ServiceID: &id,
			Name:  "access-" + Slug(f.PersonName) + "-" + Slug(f.ServiceName),
			Notes: "Created by opsdeck: " + f.PersonName + " is " + f.PersonStatus + " but still holds an active account on " + f.ServiceName + "; resolves when it is revoked (docs/alert-sources.md)."}
		if !seen[c.Key()] {
			seen[c.Key()] = true
			out = append(out, c)
		}
	}
	for i := range out {
		out[i].IntervalS = int(SourceInterval / time.Second)
		out[i].Normalize()
	}
	return out
}

// SourceSync is what PlanSourceSync decides.
type SourceSync struct {
	Add    []Check // wanted, not there yet
	Retire []Check // there, no longer wanted, nothing open: deleted
	Keep   []Check // no longer wanted but their alert is still open: they run until it resolves
}

// PlanSourceSync compares the source checks that exist with those wanted.
// A check whose record became healthy or went away is kept while its
// alert is open, so the alert resolves through the engine (with its
// thresholds, event and "resolved" page) rather than by deletion; the next
// sync after that retires it. A paused check never runs again, so it is
// retired at once (deleting a check resolves its open alert).
func PlanSourceSync(existing, wanted []Check, openAlert map[int64]bool) SourceSync {
	var p SourceSync
	have := map[string]bool{}
	want := map[string]bool{}
	for _, c := range wanted {
		want[c.Key()] = true
	}
	for _, c := range existing {
		have[c.Key()] = true
		switch {
		case want[c.Key()]:
		case openAlert[c.ID] && !c.Paused:
			p.Keep = append(p.Keep, c)
		default:
			p.Retire = append(p.Retire, c)
		}
	}
	for _, c := range wanted {
		if !have[c.Key()] {
			p.Add = append(p.Add, c)
			have[c.Key()] = true
		}
	}
	return p
}

// RestoreTestGrace is how long "never restore-tested" waits after a
// backup's first good run before it alerts. opsdeck restore-tests its own
// database within a minute of the first backup, and a new job's first
// night should not page before anyone could have tested it; with no good
// backup at all there is nothing to restore-test yet (a backup that is
// missing is late, which alerts on its own).
const RestoreTestGrace = time.Hour

// BackupResult turns one backup line into a check result ("" while the job
// runs: no verdict yet): healthy is up,
// late or failed is down, a backup that runs but is not proven to restore
// (never restore-tested, restore test stale) is a warning, except within
// RestoreTestGrace of firstOK (its first good run; nil: none yet). h nil
// means the job is gone or inactive: nothing left to alert on.
func BackupResult(target string, h *BackupHealth, firstOK *time.Time, now time.Time) (status, message string) {
	if h == nil {
		return "up", "backup " + strings.TrimPrefix(target, "job:") + " is no longer an active job"
	}
	what := "backup job " + h.Name
	if h.Key == "self" {
		what = "opsdeck's own backup"
	}
	msg := fmt.Sprintf("%s %s: %s", what, h.State, h.Reason)
	switch h.State {
	case BackupOK:
		return "up", msg
	case BackupRunning:
		// No verdict while it runs: the alert keeps its state until the
		// run ends, so a failing job does not resolve and re-fire.
		return "", msg
	case BackupNeverRestoreTested:
		if firstOK == nil {
			return "up", what + ": no good backup yet, so nothing to restore-test (" + h.Reason + ")"
		}
		if now.Sub(*firstOK) < RestoreTestGrace {
			return "up", fmt.Sprintf("%s: first good backup %s, restore test pending", what, Ago(firstOK, now))
		}
		return "warn", msg
	case BackupRestoreTestStale:
		return "warn", msg
	default:
		return "down", msg
	}
}

// AccessResult turns the findings for one (person, service) into a check
// result: any active account is "access still present for <person> on
// <service>"; none means the access was revoked (or the person is active
// again).
func AccessResult(email, service string, found []AccessFinding) (status, message string) {
	if len(found) == 0 {
		return "up", fmt.Sprintf("no active account left for %s on %s", email, service)
	}
	return "down", found[0].Message
}

// Slug turns a name into a check-name part: lower case letters, digits and
// single dashes.
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	out := b.String()
	if len(out) > 60 { // ASCII only, so bytes are runes
		out = strings.TrimRight(out[:60], "-")
	}
	if out == "" {
		return "x"
	}
	return out
}
