package transfer

import (
	"context"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// planFindings reads an audit report's table of findings: each row is a
// new finding (a report is imported once; findings have no natural key),
// its owner a person and its affects column links to records, all
// resolved here so the dry run names every bad cell.
func planFindings(ctx context.Context, s *store.Store, r *Report, cm model.ColumnMap, rows []model.TableRow, opts Options) error {
	ix, err := loadPeople(ctx, s)
	if err != nil {
		return err
	}
	for _, row := range rows {
		vals, probs := cm.Values(row)
		it := Item{Row: row.Row, Key: model.Sanitize(vals["title"]), cells: row.Cells, dep: -1}
		var f model.Finding
		model.FindingFields.Apply(&f, vals)
		probs = personRef(r, ix, cm, row, vals, "owner", &f.OwnerID, probs)
		links, lerr := s.FindingLinks(ctx, cm.Column("affects"), vals["affects"])
		if lerr != nil {
			p := model.ImportProblem{Row: row.Row, Column: cm.Column("affects"), Value: vals["affects"], Reason: lerr.Error()}
			if fe, ok := model.AsFieldError(lerr); ok {
				p.Value, p.Reason = fe.Value, fe.Reason
			}
			probs = append(probs, p)
		}
		f.Normalize()
		err := f.Validate()
		if err == nil {
			err = model.CheckFindingMove(nil, &f, s.Now().In(time.Local))
		}
		it.Problems = validationProblems(cm, row.Row, err, probs)
		if len(it.Problems) == 0 {
			it.Action = ActionNew
			if len(links) > 0 {
				it.Changes = []string{"affects " + strings.TrimSpace(model.LinksText(links))}
			}
		}
		rec := f
		it.run = func(t *store.Tx, _ *commitState) error {
			x := rec
			return t.AddFinding(&x, links)
		}
		r.Items = append(r.Items, it)
	}
	return nil
}
