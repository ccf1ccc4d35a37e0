package transfer

import (
	"context"
	"fmt"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// peopleIndex resolves the person references files use: an email, a full
// name ("Checked Out To: Kristen Park"), or a login that is an email's
// local part ("kristen").
type peopleIndex struct {
	byID    map[int64]model.Person
	byEmail map[string]model.Person
	byName  map[string][]model.Person
	byLocal map[string][]model.Person
}

func loadPeople(ctx context.Context, s *store.Store) (*peopleIndex, error) {
	ps, err := s.ListPeople(ctx, store.PeopleQuery{})
	if err != nil {
		return nil, err
	}
	ix := &peopleIndex{byID: map[int64]model.Person{}, byEmail: map[string]model.Person{}, byName: map[string][]model.Person{}, byLocal: map[string][]model.Person{}}
	for _, p := range ps {
		ix.byID[p.ID] = p
		ix.byEmail[strings.ToLower(p.Email)] = p
		n := strings.ToLower(p.Name)
		ix.byName[n] = append(ix.byName[n], p)
		local, _, _ := strings.Cut(strings.ToLower(p.Email), "@")
		ix.byLocal[local] = append(ix.byLocal[local], p)
	}
	return ix, nil
}

// find resolves ref or says why not.
func (ix *peopleIndex) find(ref string) (model.Person, string) {
	k := strings.ToLower(strings.TrimSpace(ref))
	if p, ok := ix.byEmail[k]; ok {
		return p, ""
	}
	for _, m := range []map[string][]model.Person{ix.byName, ix.byLocal} {
		switch found := m[k]; len(found) {
		case 0:
		case 1:
			return found[0], ""
		default:
			return model.Person{}, fmt.Sprintf("matches several people (%s, %s); use the email", found[0].Email, found[1].Email)
		}
	}
	return model.Person{}, "is not a known person (use their email)"
}

func (ix *peopleIndex) email(id *int64) string {
	if id == nil {
		return ""
	}
	return ix.byID[*id].Email
}

func planPeople(ctx context.Context, s *store.Store, r *Report, cm model.ColumnMap, rows []model.TableRow, opts Options) error {
	ix, err := loadPeople(ctx, s)
	if err != nil {
		return err
	}
	// The file's own people, so a manager may be a row of the same file.
	inFile := map[string]int{}
	for i, row := range rows {
		if raw, ok := cm.Raw(row, "email"); ok {
			k := strings.ToLower(strings.TrimSpace(raw))
			if _, dup := inFile[k]; !dup {
				inFile[k] = i
			}
		}
	}
	seen := map[string]int{}
	r.depColumn = cm.Column("manager")
	r.Items = make([]Item, 0, len(rows))
	for i, row := range rows {
		vals, probs := cm.Values(row)
		email := vals["email"]
		it := Item{Row: row.Row, Key: email, cells: row.Cells, dep: -1}
		if p := dupProblem(seen, email, row.Row, cm.Column("email"), email); p != nil {
			probs = append(probs, *p)
		}
		cur, exists := ix.byEmail[email]
		if cm.Dialect == "google-workspace" && exists && cur.Status == "leaving" && vals["status"] == "active" {
			delete(vals, "status") // still Active in Google while their offboarding runs
		}
		rec := cur
		model.ApplyPerson(&rec, vals)
		// The manager: someone in the database, or a row of this file.
		mgrKey := ""
		if ref, ok := vals["manager"]; ok {
			rec.ManagerID = nil
			if ref != "" {
				k := strings.ToLower(strings.TrimSpace(ref))
				if m, why := ix.find(ref); why == "" {
					id := m.ID
					rec.ManagerID = &id
				} else if j, ok := inFile[k]; ok && j == i {
					probs = append(probs, model.ImportProblem{Row: row.Row, Column: cm.Column("manager"), Value: ref, Reason: "is the person themself"})
				} else if ok {
					mgrKey, it.dep = k, j
					placeholder := int64(-1) // a row of this file: its id is known on commit
					rec.ManagerID = &placeholder
				} else {
					r.unresolved(&probs, model.ImportProblem{Row: row.Row, Column: cm.Column("manager"), Value: ref, Reason: why + " and is not in this file"})
				}
			}
		}
		rec.Normalize()
		probs = validationProblems(cm, row.Row, rec.Validate(), probs)
		it.Problems = probs
		if len(probs) == 0 {
			if exists {
				decide(&it, cur, rec, opts.UpdateExisting)
				for c := range it.Changes {
					if mgrKey != "" && strings.HasPrefix(it.Changes[c], "manager_id:") {
						it.Changes[c] = fmt.Sprintf("manager → %s (row %d of this file)", mgrKey, rows[it.dep].Row)
					}
				}
			} else {
				it.Action = ActionNew
			}
		}
		it.run = personRun(exists, cur.ID, vals, rec.ManagerID, mgrKey)
		r.Items = append(r.Items, it)
	}
	return googleEvidence(ctx, s, r, cm, rows, opts)
}

// personRun writes one person. Updates re-apply the row to the stored
// record inside the transaction, so a change made since the dry run is
// not overwritten with stale values from it.
func personRun(exists bool, id int64, vals map[string]string, mgr *int64, mgrKey string) func(*store.Tx, *commitState) error {
	return func(t *store.Tx, st *commitState) error {
		manager := mgr
		if mgrKey != "" {
			mid, ok := st.ids["person:"+mgrKey]
			if !ok {
				return model.Invalid("manager", mgrKey, "was not imported")
			}
			manager = &mid
		}
		_, hasMgr := vals["manager"]
		if exists {
			_, _, err := t.UpdatePerson(id, func(p *model.Person) error {
				model.ApplyPerson(p, vals)
				if hasMgr {
					p.ManagerID = manager
				}
				return nil
			})
			return err
		}
		p := model.Person{ManagerID: manager}
		model.ApplyPerson(&p, vals)
		if err := t.AddPerson(&p); err != nil {
			return err
		}
		st.ids["person:"+strings.ToLower(p.Email)] = p.ID
		return nil
	}
}
