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
	have, err := s.ListFindings(ctx, store.FindingQuery{})
	if err != nil {
		return err
	}
	// A finding is the same when its title and source are (a report
	// imported again, or an export read back, changes nothing).
	key := func(f model.Finding) string { return strings.ToLower(f.Title) + "\x00" + strings.ToLower(f.Source) }
	byKey := map[string]model.Finding{}
	for _, f := range have {
		byKey[key(f)] = f
	}
	seen := map[string]int{}
	for _, row := range rows {
		vals, probs := cm.Values(row)
		it := Item{Row: row.Row, Key: model.Sanitize(vals["title"]), cells: row.Cells, dep: -1}
		probe := model.Finding{Title: model.Sanitize(vals["title"]), Source: model.Sanitize(vals["source"])}
		if p := dupProblem(seen, key(probe), row.Row, cm.Column("title"), probe.Title); p != nil {
			probs = append(probs, *p)
		}
		cur, exists := byKey[key(probe)]
		f := cur
		model.FindingFields.Apply(&f, vals)
		probs = personRef(r, ix, cm, row, vals, "owner", &f.OwnerID, probs)
		links, lerr := cur.Links, error(nil)
		if cm.Has("affects") || !exists {
			links, lerr = s.FindingLinks(ctx, cm.Column("affects"), vals["affects"])
		}
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
			var before *model.Finding
			if exists {
				before = &cur
			}
			err = model.CheckFindingMove(before, &f, s.Now().In(time.Local))
		}
		it.Problems = validationProblems(cm, row.Row, err, probs)
		if len(it.Problems) == 0 {
			switch {
			case exists:
				f.Links = links
				decide(&it, cur, f, opts.UpdateExisting)
			default:
				it.Action = ActionNew
				if len(links) > 0 {
					it.Changes = []string{"affects " + strings.TrimSpace(model.LinksText(links))}
				}
			}
		}
		rec, id, relink := f, cur.ID, cm.Has("affects")
		it.run = func(t *store.Tx, _ *commitState) error {
			x := rec
			if !exists {
				return t.AddFinding(&x, links)
			}
			if _, _, err := t.UpdateFinding(id, func(g *model.Finding) error {
				links, log := g.Links, g.Log
				*g = x
				g.ID, g.Links, g.Log = id, links, log
				return nil
			}); err != nil {
				return err
			}
			if relink {
				_, err := t.SetFindingLinks(id, links)
				return err
			}
			return nil
		}
		r.Items = append(r.Items, it)
	}
	return nil
}
