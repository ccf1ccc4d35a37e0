package transfer

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// Progress is told how many of the items to write are done; the console
// draws a bar with it. It is called from the committing goroutine.
type Progress func(done, total int)

// Commit carries out the plan in one transaction. Atomic mode refuses a
// plan with any problem and rolls everything back if a row fails on the
// way; skip-bad imports the good rows, writes the others with their
// reasons to <file>.rejects.csv next to the input, and records both.
// Either way the import run and one audit row per changed record are
// written in the same transaction as the records.
func (r *Report) Commit(ctx context.Context, s *store.Store, actor model.Actor, progress Progress) error {
	if r.RunID != 0 {
		return fmt.Errorf("import %s: already committed (run %d)", r.File, r.RunID)
	}
	if len(r.HeaderProblems) > 0 {
		return fmt.Errorf("import %s: %w; nothing imported", r.File, r.HeaderProblems[0])
	}
	if r.Mode == ModeAtomic && !r.OK() {
		return fmt.Errorf("import %s: %d of %d rows have problems (first: %v); nothing imported (see --dry-run, or use --mode skip-bad): %w",
			r.File, r.Summary.Bad, r.Summary.Total, r.Problems[0], ErrHasProblems)
	}
	todo := 0
	for _, i := range r.order {
		if writes(r.Items[i].Action) {
			todo++
		}
	}
	var run store.ImportRun
	// The transaction runs on a context without cancellation, because the
	// SQLite driver starts a watcher goroutine per statement for a
	// cancellable one (100,000 rows: 500,000 goroutines); the loop checks
	// ctx itself, and returning its error rolls everything back.
	err := s.Write(context.WithoutCancel(ctx), actor, func(t *store.Tx) error {
		st := &commitState{ids: map[string]int64{}}
		done := 0
		for _, i := range r.order {
			it := &r.Items[i]
			if !writes(it.Action) {
				continue
			}
			if done%256 == 0 && ctx.Err() != nil {
				return fmt.Errorf("import %s: %w; nothing imported", r.File, ctx.Err())
			}
			var err error
			if r.Mode == ModeSkipBad {
				err = t.Savepoint(func() error { return it.run(t, st) })
			} else {
				err = it.run(t, st)
			}
			if err != nil {
				if r.Mode == ModeAtomic {
					return fmt.Errorf("import %s: row %d: %w; nothing imported", r.File, it.Row, err)
				}
				r.reject(it, err)
			}
			done++
			if progress != nil && (done%500 == 0 || done == todo) {
				progress(done, todo)
			}
		}
		if r.Summary.Bad > 0 && !r.noRejectFile { // planned rejects, or rows that failed just now
			r.RejectFile = rejectPath(r.File)
		}
		if err := r.writeEvidence(t); err != nil {
			return err
		}
		if err := unverify(t, r.unverifyIDs); err != nil {
			return fmt.Errorf("import %s: mark absent accounts unverified: %w", r.File, err)
		}
		run = store.ImportRun{Kind: r.Kind, File: r.File, Format: r.formatLabel(), Mode: r.Mode, Total: r.Summary.Total,
			Created: r.Summary.New, Updated: r.Summary.Updated + r.Summary.Verified, Unchanged: r.Summary.Unchanged,
			Skipped: r.Summary.Skipped, Rejected: r.Summary.Bad, Unverified: r.Summary.Unverified, RejectFile: r.RejectFile}
		return t.AddImportRun(&run)
	})
	if err != nil {
		return err
	}
	r.RunID = run.ID
	if r.RejectFile != "" {
		if err := r.writeRejects(); err != nil {
			return fmt.Errorf("import %s: imported (run %d), but writing the rejects failed: %w", r.File, run.ID, err)
		}
	}
	return nil
}

func writes(action string) bool {
	return action == ActionNew || action == ActionUpdate || action == ActionVerify
}

// reject turns an item that failed on commit into a bad one.
func (r *Report) reject(it *Item, err error) {
	p := model.ImportProblem{Row: it.Row, Reason: err.Error()}
	if fe, ok := model.AsFieldError(err); ok {
		p = model.ImportProblem{Row: it.Row, Column: fe.Field, Value: fe.Value, Reason: fe.Reason}
	}
	p = excerpted(p)
	r.count(it.Action, -1)
	it.Action, it.Problems = ActionBad, append(it.Problems, p)
	r.count(ActionBad, 1)
	r.Problems = append(r.Problems, p)
}

func (r *Report) formatLabel() string {
	if r.Dialect != "" && r.Dialect != "opsdeck" {
		return r.Format + "/" + r.Dialect
	}
	return r.Format
}

// writeRejects writes the rejected rows as CSV: the file's own columns,
// then import_problems with every reason, so the user can fix the cells
// and import the rejects file itself.
func (r *Report) writeRejects() error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(append(append([]string(nil), r.header...), "import_problems"))
	for _, it := range r.Items {
		if it.Action != ActionBad {
			continue
		}
		var why []string
		for _, p := range it.Problems {
			why = append(why, p.Error())
		}
		w.Write(append(append([]string(nil), it.cells...), strings.Join(why, "; ")))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return os.WriteFile(r.RejectFile, buf.Bytes(), 0o600)
}
