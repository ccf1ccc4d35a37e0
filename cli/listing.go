package cli

import (
	"fmt"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

// lister is the shape every list command shares: open the store, query it
// (reading the command's filter flags), then print a JSON array (--json)
// or a table. A noun declares only its query and its columns, so every
// list behaves the same way: read-only, [] rather than null, one line on
// stderr when nothing matches.
type lister[T any] struct {
	use, short, long string
	// args checks the positional arguments; default none.
	args cobra.PositionalArgs
	// query reads the records; filter flags are read here, after parsing.
	query func(c *cobra.Command, args []string, s *store.Store) ([]T, error)
	// header and row make the table.
	header []string
	row    func(rec T, nm *names) []string
	// print, when set, prints the text form instead of header and row
	// (grouped rows, a summary line after the table).
	print func(c *cobra.Command, s *store.Store, recs []T) error
	// empty is said on stderr when the table has no rows.
	empty string
}

func (l lister[T]) command(env *Env) *cobra.Command {
	var asJSON bool
	use, args := l.use, l.args
	if use == "" {
		use = "list"
	}
	if args == nil {
		args = cobra.NoArgs
	}
	c := readOnly(&cobra.Command{Use: use, Short: l.short, Long: l.long, Args: args,
		RunE: func(c *cobra.Command, args []string) error {
			s, err := env.Open()
			if err != nil {
				return err
			}
			recs, err := l.query(c, args, s)
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(nonNil(recs))
			}
			if l.print != nil {
				return l.print(c, s, recs)
			}
			if len(recs) == 0 && l.empty != "" {
				fmt.Fprintln(env.Stderr, l.empty)
			}
			nm := &names{ctx: c.Context(), s: s}
			rows := make([][]string, len(recs))
			for i, rec := range recs {
				rows[i] = l.row(rec, nm)
			}
			return env.printTable(append([]string(nil), l.header...), rows)
		}})
	c.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return c
}

// A view is one record with everything linked to it, as show prints it.
// The same value is printed as JSON (--json) and as text, so the two
// always carry the same data.
type view interface{ print(env *Env) error }

// showCommand is the shape every show command shares: open the store,
// load the view of the record REF names, print it as JSON or as text.
func showCommand(env *Env, use, short string, load func(c *cobra.Command, s *store.Store, ref string) (view, error)) *cobra.Command {
	var asJSON bool
	c := readOnly(&cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			s, err := env.Open()
			if err != nil {
				return err
			}
			v, err := load(c, s, args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(v)
			}
			return v.print(env)
		}})
	c.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	return c
}

// section prints one titled table of a view's linked records.
func section[T any](env *Env, title string, header []string, recs []T, row func(T) []string) error {
	fmt.Fprintf(env.Stdout, "\n%s (%d):\n", title, len(recs))
	rows := make([][]string, len(recs))
	for i, r := range recs {
		rows[i] = row(r)
	}
	return env.printTable(append([]string(nil), header...), rows)
}

// enumFilter is a list flag that narrows to one of a fixed set of values
// (--kind laptop): its usage lists them, and another value is refused
// naming the flag.
type enumFilter struct {
	name   string
	dst    *string
	values []string
}

// enumFlags registers the filters as flags of c.
func enumFlags(c *cobra.Command, fs []enumFilter) {
	for _, f := range fs {
		c.Flags().StringVar(f.dst, f.name, "", "only this "+f.name+" ("+strings.Join(f.values, "|")+")")
	}
}

// checkEnums refuses a filter given a value outside its set; an empty
// one does not filter.
func checkEnums(fs []enumFilter) error {
	for _, f := range fs {
		if *f.dst == "" {
			continue
		}
		if err := model.ValidateEnum(f.name, *f.dst, f.values); err != nil {
			return err
		}
	}
	return nil
}
