package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

// field is one record column settable from a flag of the same name.
// apply runs inside the write transaction so references (a manager's email,
// a service name) resolve against the same snapshot that is written.
type field[T any] struct {
	name  string
	usage string
	apply func(t *store.Tx, rec *T, v string) error
}

// resource describes one inventory noun; crud builds its list, show, add,
// edit and deactivate commands, so every noun behaves the same way.
type resource[T any] struct {
	noun, one  string // "people", "person"
	fields     []field[T]
	addHelp    string
	listFlags  func(c *cobra.Command)
	list       func(ctx context.Context, s *store.Store) ([]T, error)
	find       func(s *store.Store, ctx context.Context, ref string) (T, error)
	findTx     func(t *store.Tx, ref string) (T, error)
	id         func(T) int64
	add        func(t *store.Tx, rec *T) error
	update     func(t *store.Tx, id int64, fn func(*T) error) (T, T, error)
	deactivate func(t *store.Tx, id int64) (T, T, error)
	header     []string
	row        func(T, *names) []string
	// view loads the record with everything linked to it, for show; fields
	// is the record's own fields as show prints them (from the table).
	view  func(ctx context.Context, env *Env, s *store.Store, rec T, fields [][2]string) (view, error)
	extra []func(env *Env) *cobra.Command

	// table, when set, is the kind's field table: the add/edit flags (then
	// fields, the CLI's own inputs), and unless header is set the list
	// columns (after id; then listMore) and show's fields (then showMore)
	// come from it.
	table    model.Fields[T]
	listMore []column[T]
	showMore func(rec T) [][2]string
}

// column is a list column that is not a field of the record (a joined value).
type column[T any] struct {
	header string
	cell   func(T) string
}

// fromTable fills the flags and list columns of a resource that has a
// field table.
func (r resource[T]) fromTable() resource[T] {
	if r.table == nil {
		return r
	}
	// The table's flags, then the resource's own (a CLI-only input).
	r.fields = append(tableFields(r.table), r.fields...)
	if r.header != nil {
		return r // a kind whose list and show are its state (checks)
	}
	r.header = []string{"id"}
	for _, f := range r.table {
		if f.List != "" {
			r.header = append(r.header, f.List)
		}
	}
	for _, c := range r.listMore {
		r.header = append(r.header, c.header)
	}
	r.row = func(rec T, nm *names) []string {
		row := []string{strconv.FormatInt(r.id(rec), 10)}
		for _, f := range r.table {
			switch {
			case f.List == "":
			case f.Cell != nil:
				row = append(row, orDash(f.Cell(&rec)))
			default:
				row = append(row, display(f, &rec, nm))
			}
		}
		for _, c := range r.listMore {
			row = append(row, c.cell(rec))
		}
		return row
	}
	return r
}

// showFields is the record's own fields as show prints them: id, the
// table's fields, then showMore. A kind without a table has none here
// (its view prints its own).
func (r resource[T]) showFields(rec T, nm *names) [][2]string {
	if r.table == nil {
		return nil
	}
	kv := [][2]string{{"id", strconv.FormatInt(r.id(rec), 10)}}
	for _, f := range r.table {
		kv = append(kv, [2]string{f.Name, display(f, &rec, nm)})
	}
	if r.showMore != nil {
		kv = append(kv, r.showMore(rec)...)
	}
	return kv
}

// display is a field's value as lists and show print it: a person by
// name, an instant as "3d ago", a flag as yes/no/unknown, empty as "-".
func display[T any](f model.Field[T], rec *T, nm *names) string {
	switch f.Type {
	case model.TypeRef:
		if f.Refers == "person" {
			return nm.person(f.ID(rec))
		}
		if f.Natural != nil {
			return orDash(f.Natural(rec))
		}
		return orDash(idStr(f.ID(rec)))
	case model.TypeBool:
		return boolStr(*f.Bool(rec))
	case model.TypeTime:
		return nm.ago(*f.Time(rec))
	}
	return orDash(f.Get(rec))
}

func (r resource[T]) command(env *Env) *cobra.Command {
	r = r.fromTable()
	cmd := &cobra.Command{Use: r.noun, Short: "List and change " + r.noun}
	list := lister[T]{
		short:  "List " + r.noun,
		query:  func(c *cobra.Command, _ []string, s *store.Store) ([]T, error) { return r.list(c.Context(), s) },
		header: r.header, row: r.row,
		empty: fmt.Sprintf("no %s match; add one with 'opsdeck %s add', import a file with 'opsdeck import %s FILE', or load the demo with 'opsdeck demo'", r.noun, r.noun, r.noun),
	}.command(env)
	if r.listFlags != nil {
		r.listFlags(list)
	}

	show := showCommand(env, "show REF", "Show one "+r.one+" with everything linked to it",
		func(c *cobra.Command, s *store.Store, ref string) (view, error) {
			rec, err := r.find(s, c.Context(), ref)
			if err != nil {
				return nil, err
			}
			return r.view(c.Context(), env, s, rec, r.showFields(rec, &names{ctx: c.Context(), s: s}))
		})

	add := &cobra.Command{
		Use: "add", Short: "Add a " + r.one, Long: r.addHelp, Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			var rec T
			s, err := env.write(c.Context(), func(t *store.Tx) error {
				if err := r.applyFlags(c, t, &rec); err != nil {
					return err
				}
				return r.add(t, &rec)
			})
			if err != nil {
				return err
			}
			return r.report(env, c, s, "added", rec)
		},
	}
	edit := r.changeCommand(env, "edit REF", "Change fields of a "+r.one+" (only the flags given)", "updated",
		func(c *cobra.Command, t *store.Tx, id int64) (T, error) {
			_, after, err := r.update(t, id, func(rec *T) error { return r.applyFlags(c, t, rec) })
			return after, err
		})
	deactivate := r.changeCommand(env, "deactivate REF", "Deactivate a "+r.one+" (history is kept; nothing is deleted)", "deactivated",
		func(_ *cobra.Command, t *store.Tx, id int64) (T, error) {
			_, after, err := r.deactivate(t, id)
			return after, err
		})
	for _, c := range []*cobra.Command{add, edit, deactivate} {
		c.Flags().Bool("json", false, "print the record as JSON")
	}
	addFlags(add, r.fields)
	addFlags(edit, r.fields)
	cmd.AddCommand(list, show, add, edit, deactivate)
	for _, x := range r.extra {
		cmd.AddCommand(x(env))
	}
	return cmd
}

// changeCommand is a verb that changes one existing record (edit,
// deactivate): REF is found and changed in one transaction, and the record
// as stored afterwards is reported as done ("updated").
func (r resource[T]) changeCommand(env *Env, use, short, done string, change func(c *cobra.Command, t *store.Tx, id int64) (T, error)) *cobra.Command {
	return &cobra.Command{
		Use: use, Short: short, Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var after T
			s, err := env.write(c.Context(), func(t *store.Tx) error {
				cur, err := r.findTx(t, args[0])
				if err != nil {
					return err
				}
				after, err = change(c, t, r.id(cur))
				return err
			})
			if err != nil {
				return err
			}
			return r.report(env, c, s, done, after)
		},
	}
}

// applyFlags sets every field whose flag was given, in declaration order.
func (r resource[T]) applyFlags(c *cobra.Command, t *store.Tx, rec *T) error {
	return applyFields(c, t, rec, r.fields)
}

// addFlags registers fields as string flags of c.
func addFlags[T any](c *cobra.Command, fields []field[T]) {
	for _, f := range fields {
		c.Flags().String(f.name, "", f.usage)
	}
}

// applyFields sets every field whose flag was given, in order.
func applyFields[T any](c *cobra.Command, t *store.Tx, rec *T, fields []field[T]) error {
	for _, f := range fields {
		if !c.Flags().Changed(f.name) {
			continue
		}
		v, _ := c.Flags().GetString(f.name)
		if err := f.apply(t, rec, v); err != nil {
			return err
		}
	}
	return nil
}

func (r resource[T]) report(env *Env, c *cobra.Command, s *store.Store, verb string, rec T) error {
	// A write hands back the record in clear; print it as a read would.
	if sr, ok := any(&rec).(model.Secretive); ok {
		s.Redact(sr)
	}
	if j, _ := c.Flags().GetBool("json"); j {
		return env.printJSON(rec)
	}
	row := r.row(rec, &names{ctx: c.Context(), s: s})
	fmt.Fprintf(env.Stdout, "%s %s %d: %s\n", verb, r.one, r.id(rec), strings.Join(row, "  "))
	return nil
}

// tableFields is a kind's add/edit flags, read from its field table (one
// flag per field, kebab-case, usage from the table): values are checked by
// the table's Set, references resolved in the write transaction.
func tableFields[T any](fs model.Fields[T]) []field[T] {
	out := make([]field[T], 0, len(fs))
	for _, f := range fs {
		if f.NoFlag {
			continue
		}
		out = append(out, field[T]{name: f.FlagName(), usage: f.Usage(), apply: func(t *store.Tx, rec *T, v string) error {
			if f.Type != model.TypeRef {
				return underFlag(f.FieldSpec, f.Set(rec, v, t.At().In(time.Local)))
			}
			id, err := resolveRef(t, f, v)
			if err != nil {
				return err
			}
			f.SetID(rec, id)
			return nil
		}})
	}
	return out
}

// underFlag reports a bad value under the flag's name where the table
// names the flag otherwise than the field (interval_s is --interval), so
// a value given under the old spelling is reported under the new one.
func underFlag(f model.FieldSpec, err error) error {
	if fe, ok := model.AsFieldError(err); ok && f.Flag != "" && fe.Field == f.Name {
		return model.Invalid(f.Flag, fe.Value, fe.Reason)
	}
	return err
}

// resolveRef resolves what was typed into a reference field through ops
// (one resolver for both front ends): "" or "none" clears an optional
// reference; a required one must name a record.
func resolveRef[T any](t *store.Tx, f model.Field[T], ref string) (*int64, error) {
	opt := f.Empty == model.EmptyClears
	switch f.Refers {
	case "person":
		if opt {
			return ops.OptPersonTx(t, f.Name, ref)
		}
		p, err := ops.PersonTx(t, f.Name, ref)
		return &p.ID, err
	case "service":
		if opt {
			return ops.OptServiceTx(t, f.Name, ref)
		}
		sv, err := ops.ServiceTx(t, f.Name, ref)
		return &sv.ID, err
	case "device":
		if opt {
			return ops.OptDeviceTx(t, f.Name, ref)
		}
		d, err := ops.DeviceTx(t, f.Name, ref)
		return &d.ID, err
	case "check":
		if opt {
			return ops.OptCheckTx(t, f.Name, ref)
		}
		c, err := ops.CheckTx(t, f.Name, ref)
		return &c.ID, err
	}
	return nil, fmt.Errorf("no reference kind %q (a bug in a field table)", f.Refers)
}

// Helpers shared by the nouns.

func idStr(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

// names maps person ids to display names for tables, loading them once.
type names struct {
	ctx    context.Context
	s      *store.Store
	people map[int64]string
}

// ago is model.Ago on the store's clock.
func (n *names) ago(t *time.Time) string { return model.Ago(t, n.s.Now()) }

func (n *names) person(id *int64) string {
	if id == nil {
		return "-"
	}
	if n.people == nil {
		n.people = map[int64]string{}
		if ps, err := n.s.ListPeople(n.ctx, store.PeopleQuery{}); err == nil {
			for _, p := range ps {
				n.people[p.ID] = p.Name
			}
		}
	}
	if name, ok := n.people[*id]; ok {
		return name
	}
	return "#" + strconv.FormatInt(*id, 10)
}
