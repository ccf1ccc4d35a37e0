package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/opsdeck/opsdeck/model"
)

// BackupFile is a complete backup found on disk: a file with its manifest.
type BackupFile struct {
	File     string   `json:"file"`
	Manifest Manifest `json:"manifest"`
}

// ListBackupFiles lists the complete backups in dir, newest first. Files
// without a readable manifest (partial, foreign, damaged) are not listed:
// retention never counts them as backups, and never deletes them either.
func ListBackupFiles(dir string) ([]BackupFile, error) {
	names, err := filepath.Glob(filepath.Join(dir, backupPrefix+"*"+backupExt))
	if err != nil {
		return nil, err
	}
	dumps, _ := filepath.Glob(filepath.Join(dir, backupPrefix+"*"+pgDumpExt))
	names = append(names, dumps...)
	var out []BackupFile
	for _, p := range names {
		m, err := ReadManifest(p)
		if err != nil {
			continue
		}
		out = append(out, BackupFile{File: p, Manifest: m})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Manifest.CreatedAt.After(out[j].Manifest.CreatedAt) })
	return out, nil
}

// PruneBackups applies the retention policy to the complete backups in
// dir (default: beside the database): it deletes each backup not kept
// (file, then manifest) and marks its run pruned, audited. With dryRun it
// only reports the decisions.
func (s *Store) PruneBackups(ctx context.Context, actor model.Actor, dir string, p model.RetentionPolicy, dryRun bool) ([]model.RetentionDecision, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if dir == "" {
		dir = DefaultBackupDir(s.path)
	}
	files, err := ListBackupFiles(dir)
	if err != nil {
		return nil, fmt.Errorf("prune %s: %w", dir, err)
	}
	items := make([]model.RetentionItem, len(files))
	for i, f := range files {
		items[i] = model.RetentionItem{Key: f.File, At: f.Manifest.CreatedAt}
	}
	decisions := model.SelectRetention(items, p)
	if dryRun {
		return decisions, nil
	}
	var errs []string
	for _, d := range decisions {
		if d.Keep {
			continue
		}
		if err := os.Remove(d.Key); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err.Error())
			continue
		}
		os.Remove(ManifestPath(d.Key))
		if err := s.Write(ctx, actor, func(t *Tx) error { return t.MarkBackupPruned(d.Key) }); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return decisions, fmt.Errorf("prune %s: %s", dir, strings.Join(errs, "; "))
	}
	return decisions, nil
}
