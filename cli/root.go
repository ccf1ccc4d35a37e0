// Package cli is opsdeck's command-line interface: the scripting surface
// (NOUN VERB [ARGS] [--flags], human tables or --json) and the entry to the
// console. The same command tree answers read-only commands over SSH, so
// every command writes to Env's writers rather than to os.Stdout.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/adrg/xdg"
	"github.com/jonboulle/clockwork"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Version is set at build time with -ldflags "-X .../cli.Version=...".
var Version = "dev"

// Env is what a command runs with: where to write, who is acting, which
// database. Locally it comes from the process; over SSH from the session.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Actor  model.Actor
	DBPath string
	// ReadOnly restricts the tree to commands annotated read-only (SSH exec).
	ReadOnly bool
	// Store, when set, is used instead of opening DBPath (SSH server, tests).
	Store *store.Store
	// Theme is the console's --theme: a built-in name, a theme file, or ""
	// to follow the terminal's background.
	Theme string
	// StartTab is the console's first tab (--start-tab, $OPSDECK_START_TAB;
	// "" is Home) and NoMouse its --no-mouse.
	StartTab string
	NoMouse  bool
	// Clock is the process's one clock (main: clockenv.FromEnv); the
	// store, scheduler, console and commands all read time through it.
	// Nil: the injected Store's clock, else the real clock.
	Clock clockwork.Clock

	opened *store.Store
	lock   *store.FileLock
	// create lets Open make a missing database; claimEmpty lets it make an
	// empty file one (init only). Set by the commands that create.
	create, claimEmpty bool
	// reading: the running command only reads (annotated read-only), so
	// a database it may not write is opened read-only instead of refused.
	reading bool
}

// Open returns the environment's store, opening the database on first use.
//
// The store comes back as the actor's view: credentials masked (an admin
// also sees ping tokens), so no command can print one by mistake. Code
// that uses credentials asks for them with WithCredentials.
// Only commands that say so (init, demo, gen: see creates) make a new
// database; every other command refuses a missing path with a line that
// says how to make one, and creates nothing, not even its directory.
func (e *Env) Open() (*store.Store, error) {
	if e.Store != nil {
		return e.Store.For(e.Actor), nil
	}
	if e.opened == nil {
		opts := store.OpenOptions{Create: e.create, ClaimEmpty: e.claimEmpty}
		opts.ReadOnly = e.reading && !writable(e.DBPath)
		// Checked before locking, so a refused path gets nothing beside it,
		// not even a lock file or a directory.
		if _, err := store.Check(e.DBPath, opts); errors.Is(err, store.ErrNoDatabase) {
			db := name(e.DBPath) // a PostgreSQL URL without its password
			return nil, fmt.Errorf("no opsdeck database at %s (nothing was created); make an empty one with 'opsdeck --db %s init', or one holding a demo company with 'opsdeck --db %s demo'",
				db, db, db)
		} else if err != nil {
			return nil, err
		}
		// Every process that uses the database holds a shared lock on it
		// for its lifetime, so restore (which needs it exclusively) never
		// replaces a database under a running console, server or command.
		lock, err := store.LockShared(e.DBPath)
		if err != nil {
			return nil, err
		}
		opts.Clock = e.clock()
		s, err := store.OpenWith(e.DBPath, opts)
		if err != nil {
			lock.Unlock()
			return nil, err
		}
		e.opened, e.lock = s, lock
	}
	return e.opened.For(e.Actor), nil
}

// writable reports whether this process may write the database file and
// create files beside it (its lock, -wal and -shm files).
func writable(dbPath string) bool {
	real, err := store.RealPath(dbPath)
	if err != nil {
		return true // let opening report it
	}
	const wOK = 2
	if err := syscall.Access(filepath.Dir(real), wOK); err != nil {
		return false
	}
	err = syscall.Access(real, wOK)
	return err == nil || errors.Is(err, syscall.ENOENT)
}

// clock is the environment's clock: Clock, or the injected store's.
func (e *Env) clock() clockwork.Clock {
	switch {
	case e.Clock != nil:
		return e.Clock
	case e.Store != nil:
		return e.Store.Clock()
	}
	e.Clock = clockwork.NewRealClock()
	return e.Clock
}

// now reads the environment's clock.
func (e *Env) now() time.Time { return e.clock().Now() }

func (e *Env) close() {
	if e.opened != nil {
		e.opened.Close()
		e.lock.Unlock()
		e.opened, e.lock = nil, nil
	}
}

// DefaultDBPath is $OPSDECK_DB, or opsdeck.db under the XDG data directory.
func DefaultDBPath() string {
	if p := os.Getenv("OPSDECK_DB"); p != "" {
		return p
	}
	return filepath.Join(xdg.DataHome, "opsdeck", "opsdeck.db")
}

// LocalActor is the OS user running this process.
func LocalActor() model.Actor {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	return model.LocalActor(name)
}

// A registrar adds one noun's commands to the root. Each feature file
// registers itself in init, so features do not edit a shared list.
type registrar func(env *Env) *cobra.Command

var registrars []registrar

func register(r registrar) { registrars = append(registrars, r) }

// readOnly marks a command as safe to run over SSH exec and for viewers.
const readOnlyAnnotation = "opsdeck/read-only"

func readOnly(c *cobra.Command) *cobra.Command {
	if c.Annotations == nil {
		c.Annotations = map[string]string{}
	}
	c.Annotations[readOnlyAnnotation] = "true"
	return c
}

// remoteStdinAnnotation marks a command that changes data but may run
// over SSH exec on what the session sends (import KIND -); it checks the
// rest itself (remoteImportAllowed) and the store checks the role.
const remoteStdinAnnotation = "opsdeck/remote-stdin"

// IsReadOnly reports whether cmd is annotated read-only.
func IsReadOnly(c *cobra.Command) bool { return c.Annotations[readOnlyAnnotation] == "true" }

// ConsoleFunc opens the interactive console; main wires the ui package in.
// Keeping it a variable keeps cli free of the Bubble Tea dependency tree.
var ConsoleFunc func(ctx context.Context, env *Env) error

// NewRoot builds the command tree for env.
func NewRoot(env *Env) *cobra.Command {
	root := &cobra.Command{
		Use:           "opsdeck",
		Short:         "The operations console for a small company",
		Long:          "opsdeck keeps people, devices, services and accounts, watches services, backs up,\nwalks leavers out of every account and keeps a ledger of unplanned work.\n\nRun without arguments to open the console.",
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if env.ReadOnly {
				return errors.New("the console is not available here; run a read-only command such as 'alerts list'")
			}
			if ConsoleFunc == nil {
				return errors.New("this build has no console")
			}
			return ConsoleFunc(cmd.Context(), env)
		},
	}
	root.PersistentPreRun = func(c *cobra.Command, _ []string) { env.reading = IsReadOnly(c) }
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	if env.Store == nil {
		// An injected store (SSH sessions) must not be swapped for a path
		// the client chooses.
		root.PersistentFlags().StringVar(&env.DBPath, "db", env.DBPath, "database file (default $OPSDECK_DB or the XDG data dir)")
	}
	root.Flags().StringVar(&env.Theme, "theme", env.Theme, "console colours: dark, light, high-contrast or a theme file (default: from the terminal)")
	if env.StartTab == "" {
		env.StartTab = os.Getenv("OPSDECK_START_TAB")
	}
	root.Flags().StringVar(&env.StartTab, "start-tab", env.StartTab, "the console's first tab, e.g. people (default $OPSDECK_START_TAB, else home)")
	root.Flags().BoolVar(&env.NoMouse, "no-mouse", env.NoMouse, "leave the mouse to the terminal: no clicks or wheel in the console")
	// cobra's completion command (opsdeck completion bash|zsh|fish); not
	// for remote sessions, whose shell is on the other side.
	root.CompletionOptions.DisableDefaultCmd = env.ReadOnly
	root.CompletionOptions.HiddenDefaultCmd = false
	// Set before the nouns are added: AddCommand hands it down the tree.
	root.SetGlobalNormalizationFunc(normalizeFlag)
	root.SetFlagErrorFunc(unknownFlag)
	for _, r := range registrars {
		root.AddCommand(r(env))
	}
	refuseUnknownVerbs(root)
	explainArgs(root)
	// The root runs the console and takes no arguments: a word that is no
	// noun is refused with cobra's suggestions.
	root.Args = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			return unknownVerb(c, args)
		}
		return nil
	}
	if env.ReadOnly {
		pruneWritable(root)
	}
	return root
}

// pruneWritable makes every leaf command not annotated read-only refuse
// to run, with a line that says why and what to do instead.
func pruneWritable(c *cobra.Command) {
	for _, sub := range c.Commands() {
		if sub.HasSubCommands() {
			pruneWritable(sub)
			continue
		}
		if IsReadOnly(sub) || sub.Annotations[remoteStdinAnnotation] == "true" {
			continue
		}
		path := sub.CommandPath()
		sub.DisableFlagParsing = true
		sub.Args = cobra.ArbitraryArgs
		sub.RunE = func(*cobra.Command, []string) error {
			return fmt.Errorf("%q changes data and is not available as a remote command; open the console (ssh -t) to make changes: %w",
				strings.TrimPrefix(path, "opsdeck "), model.ErrForbidden)
		}
	}
}

// Run executes args against env and returns the process exit code. Errors
// are printed as one line on env.Stderr.
func Run(ctx context.Context, env *Env, args []string) int {
	defer env.close()
	root := NewRoot(env)
	if args == nil {
		// cobra reads the process's own os.Args when given nil: an SSH
		// session without a command would run the server's command line.
		args = []string{}
	}
	root.SetArgs(defaultToList(root, args))
	if cmd, err := root.ExecuteContextC(ctx); err != nil {
		fmt.Fprintln(env.Stderr, "opsdeck: "+oneLine(err.Error())+flagHint(cmd, err))
		if errors.Is(err, model.ErrForbidden) {
			return 3
		}
		return 1
	}
	return 0
}

// defaultToList lets a bare noun list its records, as in k9s and gh:
// "opsdeck alerts --json" is "opsdeck alerts list --json", and so is a
// nested noun ("opsdeck devices baseline"). Help on a noun (--help) is
// left alone: it lists the noun's verbs.
func defaultToList(root *cobra.Command, args []string) []string {
	cmd, at := root, -1
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--" || a == "-h" || a == "--help":
			return args
		case strings.HasPrefix(a, "-"):
			if takesValue(cmd, a) {
				i++ // its value
			}
			continue
		}
		sub := subcommand(cmd, a)
		if sub == nil || !sub.HasSubCommands() {
			return args // a verb, an argument or an unknown verb: cobra decides
		}
		cmd, at = sub, i
	}
	if at < 0 || subcommand(cmd, "list") == nil {
		return args
	}
	out := append([]string{}, args[:at+1]...)
	out = append(out, "list")
	return append(out, args[at+1:]...)
}

// subcommand is cmd's child named (or aliased) name.
func subcommand(cmd *cobra.Command, name string) *cobra.Command {
	for _, c := range cmd.Commands() {
		if c.Name() == name || c.HasAlias(name) {
			return c
		}
	}
	return nil
}

// takesValue reports whether the flag arg ("--status", not "--status=x")
// reads the next argument, looking in cmd's flags and its list verb's.
func takesValue(cmd *cobra.Command, arg string) bool {
	if strings.Contains(arg, "=") {
		return false
	}
	name := strings.TrimLeft(arg, "-")
	sets := []*pflag.FlagSet{cmd.Flags(), cmd.InheritedFlags()}
	if l := subcommand(cmd, "list"); l != nil {
		sets = append(sets, l.Flags())
	}
	for _, fs := range sets {
		f := fs.Lookup(name)
		if f == nil && len(name) == 1 {
			f = fs.ShorthandLookup(name)
		}
		if f != nil {
			return f.NoOptDefVal == ""
		}
	}
	return false
}

// RunRemote runs a command line for an SSH session: read-only commands,
// and import from what the session sends (stdin), against the server's
// store, as the session's person.
func RunRemote(ctx context.Context, s *store.Store, actor model.Actor, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Actor: actor, Store: s, ReadOnly: true}
	return Run(ctx, env, args)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func init() {
	register(func(env *Env) *cobra.Command {
		return readOnly(&cobra.Command{
			Use:   "version",
			Short: "Print opsdeck's version and schema version",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				fmt.Fprintf(env.Stdout, "opsdeck %s (schema %d)\n", Version, store.LatestVersion())
				return nil
			},
		})
	})
}

// write opens the database and runs fn in one write transaction on behalf
// of the environment's actor: the shape of every command that changes data.
func (e *Env) write(ctx context.Context, fn func(t *store.Tx) error) (*store.Store, error) {
	s, err := e.Open()
	if err != nil {
		return nil, err
	}
	return s, s.Write(ctx, e.Actor, fn)
}

// ops is the environment an operation runs in: the actor's view of the
// store, the actor, the clock.
func (e *Env) ops() (ops.Env, error) {
	s, err := e.Open()
	return ops.Env{Store: s, Actor: e.Actor, Clock: e.clock()}, err
}
