// Package transfer moves inventory in and out of opsdeck: import plans and
// commits (CSV, JSON, YAML; opsdeck's own files, Google Workspace, Snipe-IT,
// GitHub / AWS account lists, toolchain reports) and exports.
//
// The split: model decodes bytes into tables and rows into field values
// (pure, fuzzed); store writes (AddPerson, UpdatePerson... so validation
// and auditing stay in one place); transfer reads the file, resolves
// references against the database and orders the work. The console calls
// the same two steps as the CLI: Plan (a dry run listing every problem)
// and Report.Commit (with a progress callback).
package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// Kinds import accepts: the inventory nouns plus software reports and
// checks kept by a peer monitor (Gatus, Uptime Kuma).
var Kinds = append(append([]string(nil), model.ImportKinds...), "software", "checks")

// Modes of commit.
const (
	ModeAtomic  = "atomic"   // all rows or nothing
	ModeSkipBad = "skip-bad" // good rows; rejects go to a file
)

// Options tune an import.
type Options struct {
	Format         string // "", "auto", csv, json, yaml
	Encoding       string // "", utf-8, latin1
	Mode           string // atomic (default) or skip-bad
	UpdateExisting bool   // change records that exist and differ
	Service        string // accounts: the service of every row when the file has no service column
	Device         string // software: the device an osquery file describes
	// StrictRefs rejects a row whose reference (a manager, a "Checked Out
	// To", an account holder) names no one opsdeck knows. Without it the
	// record imports with that link empty and the reference is listed as
	// a warning with its row: one unknown manager must not sink a file of
	// good people.
	StrictRefs bool
	// MaxSize is the largest file read, in bytes; 0 means DefaultMaxSize.
	MaxSize int64
	// NoRejectFile reports rejected rows without writing FILE.rejects.csv:
	// for input that is not a local file of the user's (standard input, a
	// remote session), so no server file is written.
	NoRejectFile bool
}

// Actions an item can take.
const (
	ActionNew       = "new"
	ActionUpdate    = "update"
	ActionVerify    = "verify" // account seen in the list: last_verified_at stamped
	ActionUnchanged = "unchanged"
	ActionSkip      = "skip" // exists and differs, but --update-existing was not given
	ActionBad       = "bad"
)

// Item is one row of the file and what importing it does.
type Item struct {
	Row      int                   `json:"row"`
	Key      string                `json:"key"`
	Action   string                `json:"action"`
	Changes  []string              `json:"changes,omitempty"`
	Problems []model.ImportProblem `json:"problems,omitempty"`

	cells []string
	dep   int // index of the item this one needs written first, or -1
	run   func(t *store.Tx, st *commitState) error
}

// Summary counts items by action.
type Summary struct {
	Total      int `json:"total"`
	New        int `json:"new"`
	Updated    int `json:"updated"`
	Verified   int `json:"verified"`
	Unchanged  int `json:"unchanged"`
	Skipped    int `json:"skipped"`
	Bad        int `json:"bad"`
	Warnings   int `json:"warnings"`   // unresolved references imported empty
	Unverified int `json:"unverified"` // accounts absent from the file, to be marked unverified
}

// Report is a dry run: what the file holds, every problem, and what a
// commit would do. Commit carries it out.
type Report struct {
	Kind     string                `json:"kind"`
	File     string                `json:"file"`
	Format   string                `json:"format"`
	Dialect  string                `json:"dialect"`
	Mode     string                `json:"mode"`
	Ignored  []string              `json:"ignored_columns"`
	Summary  Summary               `json:"summary"`
	Problems []model.ImportProblem `json:"problems"`
	// Warnings are references that name no one known (a manager outside
	// the file, a "Checked Out To" opsdeck has not met): the row imports
	// with that link empty (or, for an account, which cannot be without
	// its holder, is skipped). --strict-refs makes them problems.
	Warnings []model.ImportProblem `json:"warnings"`
	// HeaderProblems make the whole file unusable (a required column is
	// missing); no mode imports anything.
	HeaderProblems []model.ImportProblem `json:"header_problems"`
	Items          []Item                `json:"items"`
	// Unverify names accounts absent from an accounts file (service:username).
	Unverify []string `json:"unverify"`
	// Leavers are accounts still present for people leaving or departed:
	// printed loudly, they are what offboarding missed.
	Leavers []string `json:"leavers"`
	Notes   []string `json:"notes"`
	// Evidence is what the file says about accounts' two-step status and
	// use, one line per row (recorded as account_signals on commit);
	// Unmatched, rows with evidence for no known account.
	Evidence  []string `json:"evidence"`
	Unmatched []string `json:"unmatched"`
	// Set by Commit.
	RunID      int64  `json:"run_id,omitempty"`
	RejectFile string `json:"reject_file,omitempty"`

	header       []string
	depColumn    string // the file's column an item's dep comes from ("Manager Email")
	unverifyIDs  []int64
	evidence     []evidenceWrite
	order        []int
	noRejectFile bool
	strictRefs   bool
}

// unresolved records a reference that names no one: a problem with
// --strict-refs, otherwise a warning (the link stays empty). It reports
// whether the row is rejected.
func (r *Report) unresolved(probs *[]model.ImportProblem, p model.ImportProblem) bool {
	if r.strictRefs {
		*probs = append(*probs, p)
		return true
	}
	p.Reason += "; imported without it (--strict-refs rejects the row)"
	r.Warnings = append(r.Warnings, p)
	return false
}

// commitState carries ids of records created earlier in the same commit,
// by natural key, so later rows can refer to them (a manager in the file).
type commitState struct {
	ids map[string]int64
}

// Plan reads the local file path (ReadFile: a regular file within
// opts.MaxSize) and works out, against the database, what importing it
// as kind would do. It writes nothing.
func Plan(ctx context.Context, s *store.Store, kind, path string, opts Options) (*Report, error) {
	data, err := ReadFile(ctx, path, opts.MaxSize)
	if err != nil {
		return nil, err
	}
	return PlanData(ctx, s, kind, path, data, opts)
}

// PlanData is Plan for a file already read (the console, tests, fuzzing).
func PlanData(ctx context.Context, s *store.Store, kind, name string, data []byte, opts Options) (*Report, error) {
	if opts.Mode == "" {
		opts.Mode = ModeAtomic
	}
	if opts.Mode != ModeAtomic && opts.Mode != ModeSkipBad {
		return nil, model.Invalid("mode", opts.Mode, "is not one of atomic, skip-bad")
	}
	r := &Report{Kind: kind, File: name, Mode: opts.Mode, Ignored: []string{}, Problems: []model.ImportProblem{},
		HeaderProblems: []model.ImportProblem{}, Warnings: []model.ImportProblem{}, Items: []Item{}, Unverify: []string{}, Leavers: []string{}, Notes: []string{},
		Evidence: []string{}, Unmatched: []string{},
		noRejectFile: opts.NoRejectFile, strictRefs: opts.StrictRefs}
	text, err := model.DecodeText(data, opts.Encoding)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", name, err)
	}
	if kind == "software" {
		r.Format = model.FormatJSON
		return r, planSoftware(ctx, s, r, text, opts)
	}
	if kind == "checks" {
		r.Format = model.DetectFormat(name, text)
		return r, planPeerChecks(ctx, s, r, string(text), opts)
	}
	format := opts.Format
	if format == "" || format == "auto" {
		format = model.DetectFormat(name, text)
	}
	r.Format = format
	tbl, err := model.DecodeTable(text, format)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", name, err)
	}
	r.header = tbl.Header
	cm, hp := model.MapColumns(kind, tbl.Header)
	if kind == "accounts" && opts.Service != "" && cm.Has("service") {
		hp = append(hp, model.ImportProblem{Column: cm.Column("service"), Reason: "column is given and so is --service; use one"})
	}
	if kind == "accounts" && opts.Service == "" && !cm.Has("service") {
		hp = append(hp, model.ImportProblem{Column: "service", Reason: "column is missing; name the service of every row with --service (e.g. --service GitHub)"})
	}
	r.Dialect = cm.Dialect
	r.Ignored = append(r.Ignored, cm.Ignored...)
	r.HeaderProblems = append(r.HeaderProblems, hp...)
	if len(hp) > 0 {
		r.finish()
		r.Summary.Total = len(tbl.Rows) // none planned: the file cannot be read as kind
		return r, nil
	}
	var plan func(context.Context, *store.Store, *Report, model.ColumnMap, []model.TableRow, Options) error
	switch kind {
	case "people":
		plan = planPeople
	case "devices":
		plan = planDevices
	case "services":
		plan = planServices
	case "accounts":
		plan = planAccounts
	case "findings":
		plan = planFindings
	default:
		return nil, model.Invalid("kind", kind, "is not one of "+strings.Join(Kinds, ", "))
	}
	if err := plan(ctx, s, r, cm, tbl.Rows, opts); err != nil {
		return nil, err
	}
	// Decoding problems (a row with extra cells, a nested value) make their
	// row bad, unless they are in a column that is not imported anyway.
	for _, p := range tbl.Problems {
		if p.Column != "" && slices.Contains(cm.Ignored, p.Column) {
			continue
		}
		if i := r.itemAt(p.Row); i >= 0 {
			r.Items[i].Problems = append(r.Items[i].Problems, p)
		} else {
			r.HeaderProblems = append(r.HeaderProblems, p)
		}
	}
	r.finish()
	return r, nil
}

func (r *Report) itemAt(row int) int {
	i := sort.Search(len(r.Items), func(i int) bool { return r.Items[i].Row >= row })
	if i < len(r.Items) && r.Items[i].Row == row {
		return i
	}
	return -1
}

// finish orders the work (a row after the row it refers to), cascades
// rejection to rows that depend on a bad row, and counts.
func (r *Report) finish() {
	r.order = r.order[:0]
	state := make([]int8, len(r.Items)) // 0 new, 1 visiting, 2 done
	var visit func(i int)
	visit = func(i int) {
		if state[i] == 2 {
			return
		}
		it := &r.Items[i]
		if state[i] == 1 {
			mgr := ""
			if it.dep >= 0 {
				mgr = r.Items[it.dep].Key
			}
			it.Problems = append(it.Problems, model.ImportProblem{Row: it.Row, Column: r.depColumn, Value: mgr, Reason: "is part of a loop of managers within the file"})
			return
		}
		state[i] = 1
		if d := it.dep; d >= 0 {
			visit(d)
			if len(r.Items[d].Problems) > 0 && len(it.Problems) == 0 {
				it.Problems = append(it.Problems, model.ImportProblem{Row: it.Row, Column: r.depColumn, Value: r.Items[d].Key,
					Reason: fmt.Sprintf("is on row %d, which is rejected", r.Items[d].Row)})
			}
		}
		state[i] = 2
		r.order = append(r.order, i)
	}
	for i := range r.Items {
		visit(i)
	}
	r.Summary = Summary{Total: len(r.Items), Unverified: len(r.Unverify)}
	r.Problems = append(r.Problems[:0], r.HeaderProblems...)
	for i := range r.Items {
		it := &r.Items[i]
		if len(it.Problems) > 0 {
			it.Action = ActionBad
			r.Problems = append(r.Problems, it.Problems...)
		}
		r.count(it.Action, 1)
	}
	sort.SliceStable(r.Problems, func(i, j int) bool { return r.Problems[i].Row < r.Problems[j].Row })
	sort.SliceStable(r.Warnings, func(i, j int) bool { return r.Warnings[i].Row < r.Warnings[j].Row })
	r.Summary.Warnings = len(r.Warnings)
	for i := range r.Warnings {
		r.Warnings[i] = excerpted(r.Warnings[i])
	}
	for i := range r.Problems {
		r.Problems[i] = excerpted(r.Problems[i])
	}
	for i := range r.HeaderProblems {
		r.HeaderProblems[i] = excerpted(r.HeaderProblems[i])
	}
	for i := range r.Items {
		for j := range r.Items[i].Problems {
			r.Items[i].Problems[j] = excerpted(r.Items[i].Problems[j])
		}
	}
	if len(r.Ignored) > 0 {
		r.Notes = append(r.Notes, "columns not imported (opsdeck has no field for them): "+excerptList(r.Ignored, 50))
	}
}

// excerpted shortens what a problem quotes of the file to an excerpt: a
// report (human, --json, the console) must not replay a file's content.
func excerpted(p model.ImportProblem) model.ImportProblem {
	p.Column, p.Value = model.Excerpt(p.Column), model.Excerpt(p.Value)
	return p
}

// excerptList joins at most n excerpts of names, saying how many more.
func excerptList(names []string, n int) string {
	out := make([]string, 0, min(len(names), n)+1)
	for i, s := range names {
		if i == n {
			out = append(out, fmt.Sprintf("and %d more", len(names)-n))
			break
		}
		out = append(out, model.Excerpt(s))
	}
	return strings.Join(out, ", ")
}

func (r *Report) count(action string, n int) {
	switch action {
	case ActionNew:
		r.Summary.New += n
	case ActionUpdate:
		r.Summary.Updated += n
	case ActionVerify:
		r.Summary.Verified += n
	case ActionUnchanged:
		r.Summary.Unchanged += n
	case ActionSkip:
		r.Summary.Skipped += n
	case ActionBad:
		r.Summary.Bad += n
	}
}

// WritesRejectFile reports whether a skip-bad commit writes the rejected
// rows to FILE.rejects.csv (not for standard input or a remote session).
func (r *Report) WritesRejectFile() bool { return !r.noRejectFile }

// OK reports whether an atomic commit would succeed as planned.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// validationProblems turns a record's Validate error into a problem on
// the column the file uses for that field, unless that column already has
// one (the converter's reason is the more precise).
func validationProblems(cm model.ColumnMap, row int, err error, have []model.ImportProblem) []model.ImportProblem {
	if err == nil {
		return have
	}
	fe, ok := model.AsFieldError(err)
	if !ok {
		return append(have, model.ImportProblem{Row: row, Reason: err.Error()})
	}
	col := cm.Column(fe.Field)
	for _, p := range have {
		if p.Column == col {
			return have
		}
	}
	return append(have, model.ImportProblem{Row: row, Column: col, Value: fe.Value, Reason: fe.Reason})
}

// decide sets an item's action for a record that exists (before) and what
// the file makes of it (after), listing the changed fields.
func decide(it *Item, before, after any, update bool) {
	if reflect.DeepEqual(before, after) {
		it.Action = ActionUnchanged
		return
	}
	it.Changes = changes(before, after)
	if update {
		it.Action = ActionUpdate
	} else {
		it.Action = ActionSkip
	}
}

// changes lists "field: old → new" using the audit log's diff.
func changes(before, after any) []string {
	b, _ := json.Marshal(before)
	a, _ := json.Marshal(after)
	return model.DiffJSON(string(b), string(a))
}

// dupProblem reports a key seen on an earlier row of the same file.
func dupProblem(seen map[string]int, key string, row int, column string, value string) *model.ImportProblem {
	if key == "" {
		return nil
	}
	if first, dup := seen[key]; dup {
		return &model.ImportProblem{Row: row, Column: column, Value: value, Reason: fmt.Sprintf("appears again (first on row %d)", first)}
	}
	seen[key] = row
	return nil
}

// rejectPath is where skip-bad writes the rows it did not import.
func rejectPath(file string) string {
	ext := filepath.Ext(file)
	return strings.TrimSuffix(file, ext) + ".rejects.csv"
}

// ErrHasProblems is wrapped by an atomic Commit of a plan with bad rows.
var ErrHasProblems = errors.New("the file has problems")
