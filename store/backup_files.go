package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"time"
)

// The files of a backup: its manifest, its name, and the careful writes
// (temporary name, fsync, rename or link, directory fsync) that make a
// file either complete or absent.
// Manifest is the sidecar written next to each backup (FILE.json). It makes
// a backup self-describing: after the disk with the database died, the
// backup still says which rows it should hold and what its bytes hash to.
// A backup without its manifest is not a complete backup.
type Manifest struct {
	Format        string           `json:"format"`
	CreatedAt     time.Time        `json:"created_at"`
	Source        string           `json:"source"`
	Reason        string           `json:"reason"`
	SchemaVersion int              `json:"schema_version"`
	PageSize      int64            `json:"page_size"`
	Pages         int64            `json:"pages"`
	SizeBytes     int64            `json:"size_bytes"`
	SHA256        string           `json:"sha256"`
	RowCounts     map[string]int64 `json:"row_counts"`
}

// ManifestPath is the manifest of the backup file at path.
func ManifestPath(path string) string { return path + manifestExt }

// ReadManifest reads the manifest of the backup at path.
func ReadManifest(path string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(ManifestPath(path))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("read manifest of %s: %w", path, err)
	}
	if m.Format != ManifestFormat {
		return m, fmt.Errorf("read manifest of %s: unknown format %q", path, m.Format)
	}
	return m, nil
}

// publish gives the verified temporary file its real name,
// opsdeck-YYYYMMDDTHHMMSSZ.db (with a -N suffix when two backups land in
// the same second). It links rather than renames, because a link never
// replaces an existing file: two concurrent backups cannot overwrite each
// other.
func publish(tmp, dir string, now time.Time) (string, error) {
	return publishAs(tmp, dir, now, backupExt)
}

// publishAs is publish with the file name's extension (.db, .pgdump).
func publishAs(tmp, dir string, now time.Time, ext string) (string, error) {
	base := backupPrefix + now.UTC().Format("20060102T150405Z")
	for i := 1; i < 1000; i++ {
		name := base + ext
		if i > 1 {
			name = fmt.Sprintf("%s-%d%s", base, i, ext)
		}
		p := filepath.Join(dir, name)
		err := os.Link(tmp, p)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			// No hard links here (FAT, some network mounts): rename,
			// after checking that the name is free.
			if _, serr := os.Lstat(p); !errors.Is(serr, os.ErrNotExist) {
				continue
			}
			if err := os.Rename(tmp, p); err != nil {
				return "", fmt.Errorf("backup: name %s: %w", p, err)
			}
			return p, nil
		}
		if err := os.Remove(tmp); err != nil {
			os.Remove(p)
			return "", fmt.Errorf("backup: name %s: %w", p, err)
		}
		return p, nil
	}
	return "", fmt.Errorf("backup: no free file name in %s", dir)
}

// removeStalePartials deletes .partial files whose writer is gone: a live
// backup holds an exclusive flock on its partial file, a killed one does not.
func removeStalePartials(dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, "."+backupPrefix+"*"+partialExt))
	for _, p := range names {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		if flock(f, syscall.LOCK_EX) == nil {
			os.Remove(p)
		}
		f.Close()
	}
}

// hashFile returns the SHA-256 and size of the file at path.
func hashFile(ctx context.Context, path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, &ctxReader{ctx: ctx, r: f})
	if err != nil {
		return "", 0, fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// ctxReader stops a long read when ctx is cancelled and reports the bytes
// read so far to progress (optional).
type ctxReader struct {
	ctx      context.Context
	r        io.Reader
	n        int64
	progress func(int64)
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.progress != nil && n > 0 {
		c.progress(c.n)
	}
	return n, err
}

// writeFileAtomic writes v as JSON to path through a synced temporary file
// and a rename, so path is either absent or complete.
func writeFileAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	// The temporary name must not look like a backup's .partial file, which
	// another backup's cleanup may remove.
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if e := f.Close(); err == nil {
		err = e
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// sortedKeys lists a count map's tables in order, for stable messages.
func sortedKeys(m map[string]int64) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
