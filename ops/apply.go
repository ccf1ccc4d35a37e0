package ops

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/opsdeck/opsdeck/transfer"
)

// PlanApply reads a checks file (opsdeck apply -f) and works out the diff
// against the database: what would be created, changed, paused or (with
// prune) removed. It writes nothing. A remote session sends the file and
// never has the server's environment read for KEY_env secrets.
func PlanApply(ctx context.Context, e Env, src ImportSource, prune bool, getenv transfer.Getenv) (*transfer.ApplyPlan, error) {
	var data []byte
	var err error
	switch {
	case src.Name == transfer.StdinName:
		if src.Stdin == nil {
			return nil, errors.New("apply -f -: there is no standard input to read")
		}
		data, err = transfer.ReadStream(ctx, src.Stdin, transfer.RemoteMaxSize)
	case src.Remote:
		return nil, errors.New("over SSH, apply reads the file you send: ssh HOST apply -f - < checks.yaml")
	default:
		data, err = transfer.ReadFile(ctx, src.Name, transfer.RemoteMaxSize)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		pe.Op = "apply" // the reader names every read an import
	}
	if err != nil {
		return nil, err
	}
	if src.Remote {
		getenv = func(string) (string, bool) { return "", false } // never the server's environment
	}
	return transfer.PlanApply(ctx, e.Store, src.Name, data, prune, getenv)
}

// CommitApply writes a planned apply in one transaction, every change
// audited as the actor.
func CommitApply(ctx context.Context, e Env, p *transfer.ApplyPlan) error {
	if p == nil {
		return fmt.Errorf("apply: nothing planned")
	}
	return p.Commit(ctx, e.Store, e.Actor)
}
