// Package ops holds the use cases both front ends run: run a check now,
// restore-test a backup, start, advance and complete an offboarding,
// acknowledge, snooze or resolve an alert, plan and commit an import,
// resolve a reference to a person, device or service.
//
// It sits between the front ends (cli, ui, and the SSH exec path, which is
// the cli tree) and the parts below (store, checks, transfer), so that the
// console and the CLI cannot drift apart: each front end parses its input
// and renders the result, and nothing in between is written twice.
// Functions return domain values and errors (model.Invalid names the
// field); long operations report progress through a callback.
package ops

import (
	"github.com/jonboulle/clockwork"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// Env is who runs an operation, on which store, at what time: the store
// is the actor's view (Store.For(actor)), so credentials stay masked unless
// an operation needs them clear (running a probe), and Clock is the
// process's one clock.
type Env struct {
	Store *store.Store
	Actor model.Actor
	Clock clockwork.Clock
}

// Progress reports a long operation's phase and, where it is counted, how
// far it is (done of total; total 0 when not counted).
type Progress func(phase string, done, total int)

func (p Progress) report(phase string, done, total int) {
	if p != nil {
		p(phase, done, total)
	}
}
