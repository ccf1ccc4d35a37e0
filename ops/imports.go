package ops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/transfer"
)

// ImportSource is where an import's rows come from. A local front end
// names a file on this machine; a remote (SSH) session never does: it
// sends the rows (Name "-", read from Stdin) or names a file inside the
// one directory the server's admin set aside (Dir).
type ImportSource struct {
	Name   string    // a path, a name inside Dir, or transfer.StdinName
	Stdin  io.Reader // read when Name is transfer.StdinName
	Remote bool      // an SSH session: Stdin or a name inside Dir only
	Dir    string    // remote: the import directory; "" turns files off
}

// CheckImport validates the import's kind and options before anything
// is read.
func CheckImport(kind string, opts transfer.Options) error {
	if !slices.Contains(transfer.Kinds, kind) {
		return model.Invalid("kind", kind, "is not one of "+strings.Join(transfer.Kinds, ", "))
	}
	return CheckImportOptions(opts)
}

// CheckImportOptions validates the format and mode an import names.
func CheckImportOptions(opts transfer.Options) error {
	if opts.Format != "" && opts.Format != "auto" && !slices.Contains(model.Formats, opts.Format) {
		return model.Invalid("format", opts.Format, "is not one of auto, "+strings.Join(model.Formats, ", "))
	}
	if opts.Mode != "" && opts.Mode != transfer.ModeAtomic && opts.Mode != transfer.ModeSkipBad {
		return model.Invalid("mode", opts.Mode, "is not one of atomic, skip-bad")
	}
	return nil
}

// PlanImport reads the source and plans every row (the dry run): what
// would change, and every problem with its row, column and reason. It
// writes nothing. Rows read from a stream or over SSH have no place for a
// rejects file, so rejected rows are only reported.
func PlanImport(ctx context.Context, e Env, kind string, src ImportSource, opts transfer.Options) (*transfer.Report, error) {
	if err := CheckImport(kind, opts); err != nil {
		return nil, err
	}
	if src.Remote && (opts.MaxSize == 0 || opts.MaxSize > transfer.RemoteMaxSize) {
		opts.MaxSize = transfer.RemoteMaxSize
	}
	var data []byte
	var err error
	switch {
	case src.Name == transfer.StdinName:
		if src.Stdin == nil {
			return nil, errors.New("import -: there is no standard input to read")
		}
		data, err = transfer.ReadStream(ctx, src.Stdin, opts.MaxSize)
		if src.Remote && errors.Is(err, transfer.ErrTooLarge) {
			return nil, fmt.Errorf("import from standard input: more than %s, the most an import over SSH may be", humanize.IBytes(uint64(opts.MaxSize)))
		}
	case !src.Remote:
		return transfer.Plan(ctx, e.Store, kind, src.Name, opts)
	case src.Dir == "":
		return nil, errors.New(RemoteImportOff(kind))
	default:
		data, err = transfer.ReadInDir(ctx, src.Dir, src.Name, opts.MaxSize)
	}
	if err != nil {
		return nil, err
	}
	opts.NoRejectFile = true
	return transfer.PlanData(ctx, e.Store, kind, src.Name, data, opts)
}

// RemoteImportOff says how to import over SSH when the server has no
// import directory.
func RemoteImportOff(kind string) string {
	return "import from server files is off over SSH; send the file instead: ssh HOST import " + kind + " - < FILE"
}

// CanCommit says whether a planned import may be written: every row is
// good, or the mode is skip-bad and the header is usable.
func CanCommit(r *transfer.Report) bool {
	return r != nil && (r.OK() || (r.Mode == transfer.ModeSkipBad && len(r.HeaderProblems) == 0))
}

// CommitImport writes a planned import in one transaction (audited as the
// actor), reporting rows written. A plan that may not be committed is
// refused without writing.
func CommitImport(ctx context.Context, e Env, r *transfer.Report, progress Progress) error {
	if !CanCommit(r) {
		return fmt.Errorf("import %s: %d of %d rows have problems; nothing imported", r.File, r.Summary.Bad, r.Summary.Total)
	}
	return r.Commit(ctx, e.Store, e.Actor, func(done, total int) { progress.report("writing", done, total) })
}
