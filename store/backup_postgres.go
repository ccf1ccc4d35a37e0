package store

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/adrg/xdg"
	"github.com/jackc/pgx/v5"
	"github.com/opsdeck/opsdeck/model"
)

// Backups of a PostgreSQL database: pg_dump in its custom format, taken in
// the snapshot whose row counts go into the manifest (pg_dump --snapshot
// of a REPEATABLE READ transaction that counts first), published and
// listed, pruned and recorded like SQLite's files (opsdeck-TIMESTAMP.pgdump
// plus its manifest). The restore test and restore drive pg_restore into a
// scratch database on the same server, compare its row counts with the
// manifest and open it as opsdeck would; restore then swaps the scratch
// database in by renaming, keeping the replaced one under a new name.

// pgDumpExt names a PostgreSQL backup file.
const pgDumpExt = ".pgdump"

// ErrPGToolMissing is a PostgreSQL backup or restore on a machine without
// pg_dump/pg_restore.
var ErrPGToolMissing = errors.New("PostgreSQL client tool missing")

// pgToolDirs is where Debian installs each PostgreSQL version's programs.
var pgToolDirs = "/usr/lib/postgresql/*/bin"

// pgTool finds a PostgreSQL client program: on PATH, else the newest
// /usr/lib/postgresql/N/bin (Debian's layout).
func pgTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	dirs, _ := filepath.Glob(pgToolDirs)
	sort.Slice(dirs, func(i, j int) bool { return pgBinVersion(dirs[i]) > pgBinVersion(dirs[j]) })
	for _, d := range dirs {
		if p := filepath.Join(d, name); isExecutable(p) {
			return p, nil
		}
	}
	return "", refuse(ErrPGToolMissing, "backup and restore on PostgreSQL need %s (the PostgreSQL 15+ client tools): it is not on PATH nor in /usr/lib/postgresql/*/bin; install them (Debian: apt-get install postgresql-client)", name)
}

func pgBinVersion(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// pgCommand runs a PostgreSQL client tool against dsn: the password goes
// in the environment (PGPASSWORD), never on the command line where other
// users of the machine could read it; the tool's stderr is kept for the
// error, sanitised and cut to its first line.
func pgCommand(ctx context.Context, tool, dsn string, args ...string) ([]byte, error) {
	bin, err := pgTool(tool)
	if err != nil {
		return nil, err
	}
	conn, pw := dsn, ""
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		pw, _ = u.User.Password()
		u.User = url.User(u.User.Username())
		conn = u.String()
	}
	cmd := exec.CommandContext(ctx, bin, append(args, "--dbname="+conn)...)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+pw, "PGCONNECT_TIMEOUT=10")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		line, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		if line == "" {
			line = err.Error()
		}
		return nil, fmt.Errorf("%s: %s", tool, line)
	}
	return stdout.Bytes(), nil
}

// pgBackupDir is where a PostgreSQL database's backups go unless told
// otherwise: opsdeck/backups/HOST-PORT-DATABASE under the XDG data dir.
func pgBackupDir(dbRef string) string {
	name := "postgres"
	if u, err := url.Parse(dbRef); err == nil {
		name = strings.Trim(u.Hostname()+"-"+u.Port()+"-"+strings.TrimPrefix(u.Path, "/"), "-")
	}
	name = strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, name)
	return filepath.Join(xdg.DataHome, "opsdeck", "backups", name)
}

// pgBackupTo writes a verified pg_dump of the store into dir, as backupTo
// does for a SQLite file: a locked partial file, the dump, fsync,
// SHA-256, the archive's table of contents checked against the counted
// tables, then the real name and the manifest last.
func (s *Store) pgBackupTo(ctx context.Context, dir string, opts BackupOptions) (res BackupResult, err error) {
	res.Started = s.Now()
	report := opts.Progress
	if report == nil {
		report = func(BackupProgress) {}
	}
	if _, err := pgTool("pg_dump"); err != nil {
		return res, err
	}
	if dir == "" {
		dir = pgBackupDir(s.path)
	}
	var f *os.File
	if dir, f, err = createPartial(dir); err != nil {
		return res, err
	}
	tmp := f.Name()
	defer func() {
		f.Close()
		if err != nil {
			os.Remove(tmp)
		}
	}()
	report(BackupProgress{Phase: "snapshot"})
	// The snapshot: counted here, dumped by pg_dump in the same snapshot.
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return res, fmt.Errorf("backup: begin snapshot: %w", err)
	}
	defer tx.Rollback()
	var snapID string
	if err := tx.QueryRowContext(ctx, `SELECT pg_export_snapshot()`).Scan(&snapID); err != nil {
		return res, fmt.Errorf("backup: export snapshot: %w", err)
	}
	counts, err := rowCounts(ctx, tx)
	if err != nil {
		return res, fmt.Errorf("backup: count rows: %w", err)
	}
	version, err := schemaVersionOf(ctx, tx)
	if err != nil {
		return res, fmt.Errorf("backup: schema version: %w", err)
	}
	report(BackupProgress{Phase: "copy"})
	if _, err := pgCommand(ctx, "pg_dump", s.dsn, "--format=custom", "--snapshot="+snapID, "--file="+tmp); err != nil {
		if ctx.Err() != nil {
			return res, fmt.Errorf("backup cancelled: %w", ctx.Err())
		}
		return res, fmt.Errorf("backup: %w", err)
	}
	tx.Rollback()
	report(BackupProgress{Phase: "verify"})
	if err := f.Sync(); err != nil {
		return res, fmt.Errorf("backup: sync %s: %w", tmp, err)
	}
	sum, size, err := hashFile(ctx, tmp)
	if err != nil {
		return res, err
	}
	v := verifyDumpTOC(ctx, tmp, counts)
	v.SHA256, v.SizeBytes, v.SchemaVersion = sum, size, version
	res.Verify = v
	if !v.OK {
		return res, fmt.Errorf("backup: the dump failed verification: %s", strings.Join(v.Problems, "; "))
	}
	m := Manifest{Format: ManifestFormat, CreatedAt: res.Started.UTC(), Source: s.path, Reason: opts.Reason,
		SchemaVersion: version, SizeBytes: size, SHA256: sum, RowCounts: counts}
	final, err := publishAs(tmp, dir, res.Started, pgDumpExt)
	if err != nil {
		return res, err
	}
	if err := writeFileAtomic(ManifestPath(final), m); err != nil {
		os.Remove(final)
		return res, err
	}
	if err := syncDir(dir); err != nil {
		return res, err
	}
	res.File, res.Manifest, res.Duration = final, m, s.Now().Sub(res.Started)
	v.File = final
	res.Verify = v
	report(BackupProgress{Phase: "done"})
	return res, nil
}

// verifyDumpTOC reads a dump's table of contents (pg_restore --list): the
// archive must be readable and hold the data of every table in expected
// (nil: readable only). Row counts are compared by a restore (the restore
// test), which needs a server.
func verifyDumpTOC(ctx context.Context, path string, expected map[string]int64) VerifyReport {
	v := VerifyReport{File: path, Expected: expected}
	bin, err := pgTool("pg_restore")
	if err != nil {
		v.Problems = append(v.Problems, err.Error())
		return v
	}
	cmd := exec.CommandContext(ctx, bin, "--list", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		line, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		v.Integrity = "unreadable"
		v.Problems = append(v.Problems, "pg_restore --list: "+model.Sanitize(line))
		return v
	}
	data := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		// "215; 0 16390 TABLE DATA public people opsdeck"
		f := strings.Fields(sc.Text())
		for i := 0; i+3 < len(f); i++ {
			if f[i] == "TABLE" && f[i+1] == "DATA" {
				data[f[i+3]] = true
			}
		}
	}
	for _, t := range sortedKeys(expected) {
		if !data[t] {
			v.Problems = append(v.Problems, fmt.Sprintf("table %s is not in the dump", t))
		}
	}
	v.Integrity = "ok (pg_restore --list)"
	v.OK = len(v.Problems) == 0
	return v
}

// pgAdmin runs one statement that may not run in a transaction (CREATE,
// DROP, ALTER DATABASE) on a connection to database db of dsn's server.
func pgAdmin(ctx context.Context, dsn, db, q string) error {
	c, err := pgx.Connect(ctx, pgWithDB(dsn, db))
	if err != nil {
		return err
	}
	defer c.Close(context.WithoutCancel(ctx))
	_, err = c.Exec(ctx, q)
	return err
}

// pgWithDB is dsn naming database db instead ("" keeps dsn's).
func pgWithDB(dsn, db string) string {
	if db == "" {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + db
	return u.String()
}

func pgDBName(dsn string) string {
	if u, err := url.Parse(dsn); err == nil {
		if n := strings.TrimPrefix(u.Path, "/"); n != "" {
			return n
		}
		if n := u.User.Username(); n != "" {
			return n
		}
	}
	return "postgres"
}

func pgIdent(name string) string { return pgx.Identifier{name}.Sanitize() }

// pgRestoreScratch restores the dump into a new database beside dsn's
// (NAME_restore_TIMESTAMP) and verifies it there: row counts against the
// manifest and opsdeck opening it (migrating an older one). It returns the
// scratch database's name; the caller drops it or swaps it in.
func pgRestoreScratch(ctx context.Context, dsn, file string, now time.Time, progress func(BackupProgress)) (string, VerifyReport, error) {
	progress(BackupProgress{Phase: "check"})
	v := VerifyBackup(ctx, file)
	v.File = file
	if !v.OK {
		return "", v, fmt.Errorf("%s does not verify: %s", file, strings.Join(v.Problems, "; "))
	}
	base := pgDBName(dsn)
	if len(base) > 30 { // names stay within PostgreSQL's 63 bytes
		base = base[:30]
	}
	scratch := fmt.Sprintf("%s_restore_%s_%d", base, now.UTC().Format("20060102T150405"), os.Getpid())
	if err := pgAdmin(ctx, dsn, "", `CREATE DATABASE `+pgIdent(scratch)); err != nil {
		return "", v, fmt.Errorf("create the scratch database %s: %w", scratch, err)
	}
	drop := func() {
		pgAdmin(context.WithoutCancel(ctx), dsn, "", `DROP DATABASE IF EXISTS `+pgIdent(scratch)+` WITH (FORCE)`)
	}
	progress(BackupProgress{Phase: "copy"})
	sdsn := pgWithDB(dsn, scratch)
	if _, err := pgCommand(ctx, "pg_restore", sdsn, "--exit-on-error", "--no-owner", "--no-privileges", file); err != nil {
		drop()
		return "", v, fmt.Errorf("restore into the scratch database %s: %w", scratch, err)
	}
	progress(BackupProgress{Phase: "verify"})
	m, _ := ReadManifest(file)
	st, err := OpenWith(sdsn, OpenOptions{})
	if err != nil {
		drop()
		v.Problems = append(v.Problems, "open the restored copy: "+err.Error())
		v.OK = false
		return "", v, errors.New(v.Problems[len(v.Problems)-1])
	}
	counts, err := rowCounts(ctx, st.r)
	st.Close()
	if err != nil {
		drop()
		v.Problems = append(v.Problems, "count the restored rows: "+err.Error())
		v.OK = false
		return "", v, errors.New(v.Problems[len(v.Problems)-1])
	}
	v.RowCounts = counts
	v.compareCounts(m.RowCounts)
	v.OK = len(v.Problems) == 0
	if !v.OK {
		drop()
		return "", v, fmt.Errorf("the restored copy does not verify: %s", strings.Join(v.Problems, "; "))
	}
	return scratch, v, nil
}

// pgRestoreTest restores a dump into a scratch database, verifies it and
// drops it.
func (s *Store) pgRestoreTest(ctx context.Context, file string, progress func(BackupProgress)) VerifyReport {
	scratch, v, err := pgRestoreScratch(ctx, s.dsn, file, s.Now(), progress)
	if err != nil {
		if len(v.Problems) == 0 {
			v.Problems = []string{"restore test: " + err.Error()}
		}
		v.OK = false
		return v
	}
	if err := pgAdmin(context.WithoutCancel(ctx), s.dsn, "", `DROP DATABASE IF EXISTS `+pgIdent(scratch)+` WITH (FORCE)`); err != nil {
		v.Problems = append(v.Problems, "drop the scratch database "+scratch+": "+err.Error())
		v.OK = false
	}
	return v
}

// pgRestore replaces the database dsn names with the dump: restored and
// verified in a scratch database first, then, while no other session is
// connected to the database (an opsdeck serve, run or console would be),
// the database is renamed to NAME_before_restore_TIMESTAMP (the safety
// copy) and the scratch database takes its name. Any failure before the
// renames leaves the database as it was.
func pgRestore(ctx context.Context, file, dsn string, now time.Time, progress func(BackupProgress)) (res RestoreResult, err error) {
	res.File, res.DB = file, RedactURL(dsn)
	if _, err := pgTool("pg_restore"); err != nil {
		return res, err
	}
	name := pgDBName(dsn)
	// The renames run from the server's maintenance database: a database
	// cannot be renamed from a session connected to it.
	maint := "postgres"
	if err := pgAdmin(ctx, dsn, maint, `SELECT 1`); err != nil {
		maint = "template1"
	}
	busy := func() error {
		c, err := pgx.Connect(ctx, pgWithDB(dsn, maint))
		if err != nil {
			return fmt.Errorf("restore: connect to the server: %w", err)
		}
		defer c.Close(context.WithoutCancel(ctx))
		var n int
		if err := c.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, name).Scan(&n); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("restore refused: %d other session(s) are connected to %s (stop opsdeck serve, run and consoles on it first); nothing was replaced", n, res.DB)
		}
		return nil
	}
	if err := busy(); err != nil {
		return res, err
	}
	scratch, v, err := pgRestoreScratch(ctx, dsn, file, now, progress)
	res.Verify = v
	if err != nil {
		return res, fmt.Errorf("restore refused: %w (nothing was replaced)", err)
	}
	dropScratch := func() {
		pgAdmin(context.WithoutCancel(ctx), dsn, maint, `DROP DATABASE IF EXISTS `+pgIdent(scratch)+` WITH (FORCE)`)
	}
	if err := busy(); err != nil {
		dropScratch()
		return res, err
	}
	base := name
	if len(base) > 30 {
		base = base[:30]
	}
	safety := fmt.Sprintf("%s_before_restore_%s", base, now.UTC().Format("20060102T150405Z"))
	if err := pgAdmin(ctx, dsn, maint, `ALTER DATABASE `+pgIdent(name)+` RENAME TO `+pgIdent(safety)); err != nil {
		dropScratch()
		return res, fmt.Errorf("restore: set %s aside: %w (nothing was replaced)", name, err)
	}
	if err := pgAdmin(context.WithoutCancel(ctx), dsn, maint, `ALTER DATABASE `+pgIdent(scratch)+` RENAME TO `+pgIdent(name)); err != nil {
		// Put the old database back rather than leave none.
		pgAdmin(context.WithoutCancel(ctx), dsn, maint, `ALTER DATABASE `+pgIdent(safety)+` RENAME TO `+pgIdent(name))
		dropScratch()
		return res, fmt.Errorf("restore: rename the restored database into place: %w (the old one is back)", err)
	}
	res.SafetyCopy = safety
	progress(BackupProgress{Phase: "done"})
	return res, nil
}
