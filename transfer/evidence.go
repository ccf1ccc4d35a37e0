package transfer

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// Evidence columns (#17): what Google Workspace's users export, GitHub's
// organisation member export and the AWS IAM credential report say about
// each account's two-step verification and use. They are not fields of
// the account: each cell becomes an account_signals row naming this file,
// the row and the column (model.AccountSignal), from which the account's
// two-step status and last activity are derived.

// evidenceRole is what one column says.
type evidenceRole struct {
	kind string // model.Signal*; two_step columns say enrolled or enforced
	role string // "enrolled", "enforced" or "moment"
}

// evidenceHeaders maps a normalized header (model.NormalizeHeader) to what
// it says. Google: "2sv Enrolled [READ ONLY]", "2sv Enforced [READ ONLY]",
// "Last Sign In [READ ONLY]". GitHub's member export: its two-factor column
// and last activity ("two_factor_enabled" / "2fa_enabled", "last_active").
// AWS credential report: mfa_active, password_last_used,
// access_key_{1,2}_last_used_date.
var evidenceHeaders = map[string]evidenceRole{
	"2sv_enrolled":                {model.SignalTwoStep, "enrolled"},
	"2sv_enforced":                {model.SignalTwoStep, "enforced"},
	"two_factor_enabled":          {model.SignalTwoStep, "enrolled"},
	"2fa_enabled":                 {model.SignalTwoStep, "enrolled"},
	"2fa":                         {model.SignalTwoStep, "enrolled"},
	"two_factor_authentication":   {model.SignalTwoStep, "enrolled"},
	"has_two_factor_enabled":      {model.SignalTwoStep, "enrolled"},
	"mfa_active":                  {model.SignalTwoStep, "enrolled"},
	"mfa_enabled":                 {model.SignalTwoStep, "enrolled"},
	"last_sign_in":                {model.SignalSignIn, "moment"},
	"last_login":                  {model.SignalSignIn, "moment"},
	"last_active":                 {model.SignalSignIn, "moment"},
	"last_activity":               {model.SignalSignIn, "moment"},
	"last_active_at":              {model.SignalSignIn, "moment"},
	"password_last_used":          {model.SignalPassword, "moment"},
	"access_key_1_last_used_date": {model.SignalKey, "moment"},
	"access_key_2_last_used_date": {model.SignalKey, "moment"},
}

type evidenceCol struct {
	idx    int
	header string
	evidenceRole
}

// evidenceColumns finds header's evidence columns.
func evidenceColumns(header []string) []evidenceCol {
	var out []evidenceCol
	for i, h := range header {
		if role, ok := evidenceHeaders[model.NormalizeHeader(h)]; ok {
			out = append(out, evidenceCol{i, h, role})
		}
	}
	return out
}

// takeEvidence reads the evidence columns of an export and takes them off
// the report's "columns not imported": they are imported, as evidence.
func (r *Report) takeEvidence() []evidenceCol {
	cols := evidenceColumns(r.header)
	for _, c := range cols {
		if i := slices.Index(r.Ignored, c.header); i >= 0 {
			r.Ignored = slices.Delete(r.Ignored, i, i+1)
		}
	}
	return cols
}

// rowEvidence reads one row's evidence cells into signals (AccountID left
// for the caller). A cell that says "never" (empty, N/A, no_information)
// is no evidence; one that cannot be read is a problem of the row.
func rowEvidence(cols []evidenceCol, row model.TableRow, source string) ([]model.AccountSignal, []model.ImportProblem) {
	var out []model.AccountSignal
	var probs []model.ImportProblem
	var enrolled, enforced *evidenceCol
	cell := func(c evidenceCol) string {
		if c.idx < len(row.Cells) && (row.Absent == nil || !row.Absent[c.idx]) {
			return strings.TrimSpace(row.Cells[c.idx])
		}
		return ""
	}
	for i := range cols {
		c := cols[i]
		switch c.role {
		case "enrolled":
			enrolled = &cols[i]
		case "enforced":
			enforced = &cols[i]
		case "moment":
			v := cell(c)
			t, ok, why := model.ParseMoment(v)
			if why != "" {
				probs = append(probs, model.ImportProblem{Row: row.Row, Column: c.header, Value: v, Reason: why})
			}
			if ok {
				out = append(out, model.AccountSignal{Kind: c.kind, At: &t, Source: source, Row: row.Row, Column: c.header})
			}
		}
	}
	if enrolled != nil {
		enf := ""
		if enforced != nil {
			enf = cell(*enforced)
		}
		status, ok, why := model.ParseTwoStep(cell(*enrolled), enf)
		if why != "" {
			probs = append(probs, model.ImportProblem{Row: row.Row, Column: enrolled.header, Value: cell(*enrolled), Reason: why})
		}
		if ok {
			col := enrolled.header
			if status == model.TwoStepEnforced {
				col = enforced.header
			}
			out = append(out, model.AccountSignal{Kind: model.SignalTwoStep, Value: status, Source: source, Row: row.Row, Column: col})
		}
	}
	return out, probs
}

// evidenceSource is how a signal names its file: the base name (a
// remote session's path is not the server's to show).
func evidenceSource(file string) string { return filepath.Base(file) }

// evidenceWrite is evidence for an existing account, written at commit
// unless its row turned out bad.
type evidenceWrite struct {
	item    int
	account int64
	signals []model.AccountSignal
}

// addSignals records sigs for account id inside the commit.
func addSignals(t *store.Tx, id int64, sigs []model.AccountSignal) error {
	for i := range sigs {
		sg := sigs[i]
		sg.AccountID = id
		if _, err := t.AddSignal(&sg); err != nil {
			return err
		}
	}
	return nil
}

// writeEvidence records the evidence of existing accounts whose rows are
// not bad.
func (r *Report) writeEvidence(t *store.Tx) error {
	for _, e := range r.evidence {
		if r.Items[e.item].Action == ActionBad {
			continue
		}
		if err := addSignals(t, e.account, e.signals); err != nil {
			return fmt.Errorf("import %s: row %d: %w", r.File, r.Items[e.item].Row, err)
		}
	}
	return nil
}

// describeEvidence is one line of the report for a row's evidence.
func describeEvidence(key string, sigs []model.AccountSignal) string {
	var parts []string
	for _, s := range sigs {
		if s.Kind == model.SignalTwoStep {
			parts = append(parts, "two-step "+s.Value)
		} else {
			parts = append(parts, strings.ReplaceAll(s.Kind, "_", " ")+" "+s.At.Format("2006-01-02 15:04"))
		}
	}
	return fmt.Sprintf("row %d %s: %s", sigs[0].Row, key, strings.Join(parts, ", "))
}

// googleEvidence matches a Google Workspace users export's evidence to
// the accounts on the Google Workspace service (opts.Service, or the
// service named "Google Workspace"), whose username is the user's email.
// Rows with evidence and no such account are listed as unmatched.
func googleEvidence(ctx context.Context, s *store.Store, r *Report, cm model.ColumnMap, rows []model.TableRow, opts Options) error {
	cols := r.takeEvidence()
	if len(cols) == 0 {
		return nil
	}
	name := opts.Service
	if name == "" {
		name = "Google Workspace"
	}
	sv, err := s.FindService(ctx, name)
	if err != nil {
		r.Notes = append(r.Notes, fmt.Sprintf("two-step and sign-in columns not recorded: no service %q to match accounts on (add it, or pass --service)", name))
		return nil
	}
	accts, err := s.ListAccounts(ctx, store.AccountQuery{ServiceID: sv.ID})
	if err != nil {
		return err
	}
	byUser := map[string]model.Account{}
	for _, a := range accts {
		byUser[strings.ToLower(a.Username)] = a
	}
	for _, row := range rows {
		i := r.itemAt(row.Row)
		if i < 0 {
			continue
		}
		sigs, probs := rowEvidence(cols, row, evidenceSource(r.File))
		r.Items[i].Problems = append(r.Items[i].Problems, probs...)
		if len(sigs) == 0 {
			continue
		}
		email, _ := cm.Raw(row, "email")
		email = strings.ToLower(model.Sanitize(email))
		a, ok := byUser[email]
		if !ok {
			r.Unmatched = append(r.Unmatched, fmt.Sprintf("row %d %s: no %s account with this username", row.Row, model.Excerpt(email), sv.Name))
			continue
		}
		r.Evidence = append(r.Evidence, describeEvidence(sv.Name+":"+a.Username, sigs))
		r.evidence = append(r.evidence, evidenceWrite{item: i, account: a.ID, signals: sigs})
	}
	return nil
}
