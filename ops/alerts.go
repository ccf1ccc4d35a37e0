package ops

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// Alert triage verbs.
const (
	Acknowledge = "acknowledge"
	Snooze      = "snooze"
	Resolve     = "resolve"
)

// AlertChange is one triage step on an alert.
type AlertChange struct {
	Verb string // Acknowledge, Snooze or Resolve
	// Text is the reason (acknowledge, snooze) or the note (resolve); the
	// alert engine refuses an empty one.
	Text string
	// For is how long a snooze lasts (30m, 2h, 1d, or seconds) or until
	// when (YYYY-MM-DD HH:MM, local time).
	For string
}

// ChangeAlert applies one triage step to alert id in its own transaction.
// Acknowledging starts the actor's incident entry in the ledger and
// resolving closes it: the store does both in the same transaction.
func ChangeAlert(ctx context.Context, e Env, id int64, ch AlertChange) (model.Alert, error) {
	var a model.Alert
	err := e.Store.Write(ctx, e.Actor, func(t *store.Tx) error {
		var err error
		a, err = ChangeAlertTx(t, id, ch)
		return err
	})
	return a, err
}

// ChangeAlertTx is ChangeAlert inside a transaction the caller runs (the
// console's form save).
func ChangeAlertTx(t *store.Tx, id int64, ch AlertChange) (model.Alert, error) {
	switch ch.Verb {
	case Acknowledge:
		return t.AckAlert(id, ch.Text)
	case Snooze:
		until, err := Until("for", ch.For, t.At())
		if err != nil {
			return model.Alert{}, err
		}
		return t.SnoozeAlert(id, until, ch.Text)
	case Resolve:
		return t.ResolveAlert(id, ch.Text)
	}
	return model.Alert{}, model.Invalid("action", ch.Verb, "is not one of acknowledge, snooze, resolve")
}

// Until reads an end time (a snooze, a silence, an on-call shift): a
// duration from now ("2h", "30m", "1d", or a number of seconds) or an
// absolute local time.
func Until(field, v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, model.Invalid(field, v, "is required (e.g. 2h, 1d or 2026-12-01 09:00)")
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n <= 0 {
			return time.Time{}, model.Invalid(field, v, "must be positive")
		}
		return now.Add(time.Duration(n) * time.Second), nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		if d <= 0 {
			return time.Time{}, model.Invalid(field, v, "must be positive")
		}
		return now.Add(d), nil
	}
	if n, ok := strings.CutSuffix(v, "d"); ok {
		if days, err := strconv.Atoi(n); err == nil && days > 0 {
			return now.AddDate(0, 0, days), nil
		}
	}
	t, err := model.ParseTime(field, v, time.Local)
	if fe, ok := model.AsFieldError(err); ok && strings.HasPrefix(fe.Reason, "is not a time") {
		return t, model.Invalid(field, v, "is not a duration (30m, 2h, 1d) or a time (YYYY-MM-DD HH:MM)")
	}
	return t, err
}
