package ops

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/transfer"
)

// PlanApply reads a checks file (opsdeck apply -f) and works out the diff
// against the database: what would be created, changed, paused or (with
// prune) removed. It writes nothing. A remote session sends the file on
// its standard input (never a path on the server), must be an admin (a
// checks file changes checks, channels and who is paged), and never has
// the server's environment read for KEY_env secrets.
func PlanApply(ctx context.Context, e Env, src ImportSource, opts transfer.ApplyOptions) (*transfer.ApplyPlan, error) {
	if src.Remote {
		if e.Actor.Role != model.RoleAdmin {
			return nil, fmt.Errorf("apply: your role (%s) cannot apply a checks file; an admin can: %w", e.Actor.Role, model.ErrForbidden)
		}
		if src.Name != transfer.StdinName {
			return nil, fmt.Errorf("apply: over SSH, apply reads the file you send, never a file on the server: ssh HOST apply - < checks.yaml: %w", model.ErrForbidden)
		}
		opts.Getenv = func(string) (string, bool) { return "", false } // never the server's environment
		opts.NoEnv = "names an environment variable, and over SSH apply reads none (the server's environment is not yours); apply a file with secrets where its variables are set"
	}
	var data []byte
	var err error
	switch {
	case src.Name == transfer.StdinName:
		if src.Stdin == nil {
			return nil, errors.New("apply -f -: there is no standard input to read")
		}
		data, err = transfer.ReadStream(ctx, src.Stdin, transfer.RemoteMaxSize)
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
	return transfer.PlanApply(ctx, e.Store, src.Name, data, opts)
}

// CommitApply writes a planned apply in one transaction, every change
// audited as the actor.
func CommitApply(ctx context.Context, e Env, p *transfer.ApplyPlan) error {
	if p == nil {
		return fmt.Errorf("apply: nothing planned")
	}
	return p.Commit(ctx, e.Store, e.Actor)
}
