package transfer

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// planAccounts reads a list of who holds which account: opsdeck's export,
// or a service's own member list (GitHub org members, AWS IAM users) with
// --service. A list is evidence: accounts in it are stamped verified (when
// the file carries no last_verified_at of its own), accounts of the same
// service missing from it become unverified, and accounts in it held by
// people who are leaving or gone are reported loudly.
func planAccounts(ctx context.Context, s *store.Store, r *Report, cm model.ColumnMap, rows []model.TableRow, opts Options) error {
	ix, err := loadPeople(ctx, s)
	if err != nil {
		return err
	}
	svcByName, err := servicesByName(ctx, s)
	if err != nil {
		return err
	}
	accts, err := s.ListAccounts(ctx, store.AccountQuery{})
	if err != nil {
		return err
	}
	byKey := map[string]model.Account{}
	for _, a := range accts {
		byKey[accountKey(a.ServiceID, a.Username)] = a
	}
	stamp := !cm.Has("last_verified_at")
	evCols := r.takeEvidence()
	now := s.Now().UTC()
	seen, present, listed := map[string]int{}, map[string]bool{}, map[int64]bool{}
	for _, row := range rows {
		vals, probs := cm.Values(row)
		svcCol, svcName := "--service", opts.Service
		if cm.Has("service") {
			svcCol, svcName = cm.Column("service"), vals["service"]
		}
		user := model.Sanitize(vals["username"])
		it := Item{Row: row.Row, Key: svcName + ":" + user, cells: row.Cells, dep: -1}
		if user == "<root_account>" { // AWS credential report: the account itself, not a person's login
			it.Action, it.Changes = ActionSkip, []string{"AWS root account: not a person's login"}
			r.Items = append(r.Items, it)
			continue
		}
		sv, ok := svcByName[strings.ToLower(strings.TrimSpace(svcName))]
		if !ok {
			probs = append(probs, model.ImportProblem{Row: row.Row, Column: svcCol, Value: svcName,
				Reason: "is not a known service (add it first: opsdeck services add --name ...)"})
		}
		key := accountKey(sv.ID, user)
		if ok && user != "" {
			listed[sv.ID] = true
			present[key] = true
			if p := dupProblem(seen, key, row.Row, cm.Column("username"), user); p != nil {
				probs = append(probs, *p)
			}
		}
		cur, exists := byKey[key]
		if !ok || user == "" {
			exists = false
		}
		if stamp {
			vals["last_verified_at"] = now.Format(time.RFC3339Nano)
		}
		rec := cur
		model.ApplyAccount(&rec, vals)
		rec.ServiceID = sv.ID
		holderless := false // an unknown holder: the account is skipped with a warning
		if ref := vals["person"]; ref != "" {
			if p, why := ix.find(ref); why != "" {
				holderless = !r.unresolved(&probs, model.ImportProblem{Row: row.Row, Column: cm.Column("person"), Value: ref,
					Reason: why + " (an account cannot be without its holder: this row is skipped)"})
			} else {
				rec.PersonID = p.ID
			}
		} else if !exists {
			if p, ok := ix.byEmail[strings.ToLower(user)]; ok {
				rec.PersonID = p.ID // the login is the holder's email (Google, Slack)
			} else {
				probs = append(probs, model.ImportProblem{Row: row.Row, Column: cm.Column("person"), Value: "",
					Reason: "is required for a new account: add an email column saying who holds " + model.Excerpt(user)})
			}
		}
		if holderless && len(probs) == 0 {
			it.Action, it.Changes = ActionSkip, []string{"holder " + model.Excerpt(vals["person"]) + " is not known: not imported"}
			r.Items = append(r.Items, it)
			continue
		}
		rec.Normalize()
		if !(rec.PersonID == 0 && len(probs) > 0) {
			probs = validationProblems(cm, row.Row, rec.Validate(), probs)
		}
		sigs, evProbs := rowEvidence(evCols, row, evidenceSource(r.File))
		probs = append(probs, evProbs...)
		it.Problems = probs
		action := ActionNew
		if len(probs) == 0 && exists {
			full := rec
			full.PersonName, full.PersonEmail, full.PersonStatus = "", "", ""
			base := cur
			base.PersonName, base.PersonEmail, base.PersonStatus = "", "", ""
			decide(&it, base, full, opts.UpdateExisting)
			if it.Action == ActionSkip && stamp {
				it.Action = ActionVerify
				it.Changes = append([]string{"last_verified_at → now"}, withoutVerified(it.Changes, "(not applied without --update-existing)")...)
			}
			action = it.Action
		} else if len(probs) == 0 {
			it.Action = ActionNew
		}
		if len(probs) == 0 {
			if p := ix.byID[rec.PersonID]; (p.Status == "leaving" || p.Status == "departed") && rec.Status != "revoked" {
				since := ""
				if p.EndDate != "" {
					since = " since " + p.EndDate
				}
				r.Leavers = append(r.Leavers, fmt.Sprintf("%s <%s> is %s%s but still holds %s account %q (%s, %s)",
					p.Name, p.Email, p.Status, since, sv.Name, user, rec.Entitlement, rec.Status))
			}
		}
		it.run = accountRun(exists, cur.ID, action, vals, rec.PersonID, sv.ID, stamp, sigs)
		if len(sigs) > 0 && len(probs) == 0 {
			r.Evidence = append(r.Evidence, describeEvidence(sv.Name+":"+user, sigs))
			if exists {
				r.evidence = append(r.evidence, evidenceWrite{item: len(r.Items), account: cur.ID, signals: sigs})
			}
		}
		r.Items = append(r.Items, it)
	}
	for _, a := range accts {
		if listed[a.ServiceID] && !present[accountKey(a.ServiceID, a.Username)] && (a.Status == "active" || a.Status == "suspended") {
			r.Unverify = append(r.Unverify, fmt.Sprintf("%s:%s (%s)", a.ServiceName, a.Username, a.PersonEmail))
			r.unverifyIDs = append(r.unverifyIDs, a.ID)
		}
	}
	sort.Strings(r.Unverify)
	return nil
}

func accountKey(serviceID int64, username string) string {
	return fmt.Sprintf("%d:%s", serviceID, strings.ToLower(strings.TrimSpace(username)))
}

func withoutVerified(changes []string, suffix string) []string {
	var out []string
	for _, c := range changes {
		if !strings.HasPrefix(c, "last_verified_at") {
			out = append(out, c+" "+suffix)
		}
	}
	return out
}

// accountRun writes one account row; a new account's evidence (sigs) is
// recorded with it (an existing one's goes through Report.evidence, so it
// is kept even when the row changes nothing).
func accountRun(exists bool, id int64, action string, vals map[string]string, personID, serviceID int64, stamp bool, sigs []model.AccountSignal) func(*store.Tx, *commitState) error {
	return func(t *store.Tx, _ *commitState) error {
		at := t.At()
		if exists {
			_, _, err := t.UpdateAccount(id, func(a *model.Account) error {
				if action == ActionUpdate {
					model.ApplyAccount(a, vals)
					a.PersonID = personID
				}
				if stamp {
					a.LastVerifiedAt = &at
				}
				return nil
			})
			return err
		}
		a := model.Account{PersonID: personID, ServiceID: serviceID}
		model.ApplyAccount(&a, vals)
		if stamp {
			a.LastVerifiedAt = &at
		}
		if err := t.AddAccount(&a); err != nil {
			return err
		}
		return addSignals(t, a.ID, sigs)
	}
}

// unverify marks accounts absent from the list.
func unverify(t *store.Tx, ids []int64) error {
	for _, id := range ids {
		if _, _, err := t.UpdateAccount(id, func(a *model.Account) error { a.Status = "unverified"; return nil }); err != nil {
			return err
		}
	}
	return nil
}
