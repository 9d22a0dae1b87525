package android

// TmpFiles: the files androidqf pulled from the device's temporary folder.
// MVT does not read them.
//
//   androidqf: tmp/<path below the temporary folder> (2022+); the folder is
//   acquisition.json's tmp_dir, /data/local/tmp/ unless the device's
//   TMPDIR differs.
//
// One record per file {path (on the device), local_path, size, sha256};
// each file is hashed while streamed. /data/local/tmp/ is where exploit
// chains and droppers stage their payloads, and nothing but adb users and
// androidqf's own collector normally writes there.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// TmpFiles reads tmp/.
type TmpFiles struct{}

// Info implements module.Module.
func (TmpFiles) Info() module.Info {
	return module.Info{Name: "tmp_files", Title: "TmpFiles", Kinds: androidQF}
}

// Extract implements module.Module.
func (TmpFiles) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	entries, err := src.Find(ctx, treeGlobs("tmp"))
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return fmt.Errorf("find tmp/: %w", evidence.ErrNotFound)
	}
	dir, err := acquisitionTmpDir(ctx, src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		sum, size, err := sha256Entry(src, e)
		if err != nil {
			return err
		}
		emit(record.Record{Data: map[string]any{"path": dir + strings.TrimPrefix(e.DevicePath, "tmp/"),
			"local_path": e.DevicePath, "size": size, "sha256": sum}})
	}
	return nil
}

// acquisitionTmpDir is the device folder tmp/ was pulled from, ending in
// '/': acquisition.json's tmp_dir, else /data/local/tmp/.
func acquisitionTmpDir(ctx context.Context, src evidence.Source) (string, error) {
	data, e, err := readRootFile(ctx, src, "acquisition.json")
	if errors.Is(err, evidence.ErrNotFound) {
		return suspiciousFileDir, nil
	}
	if err != nil {
		return "", err
	}
	var acq struct {
		TmpDir string `json:"tmp_dir"`
	}
	if err := json.Unmarshal(data, &acq); err != nil {
		return "", corruptFile(e, "parse JSON", err)
	}
	if !strings.HasPrefix(acq.TmpDir, "/") {
		return suspiciousFileDir, nil
	}
	return strings.TrimSuffix(acq.TmpDir, "/") + "/", nil
}

// Observables implements module.Module: the hash, then the device path.
func (TmpFiles) Observables(r record.Record) []record.Observable {
	return append(module.Observe(record.Critical, record.FileHash, "sha256", r.String("sha256")),
		module.Observe(record.Critical, record.FilePath, "path", r.String("path"))...)
}

// Timeline implements module.Module: the pulled copies carry no device time.
func (TmpFiles) Timeline(record.Record) []record.Event { return nil }

// NewInspector implements module.Heuristic: any file in /data/local/tmp/
// but androidqf's collector.
func (TmpFiles) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		p := r.String("path")
		if !strings.HasPrefix(p, suspiciousFileDir) || p == androidqfCollector {
			return
		}
		raise(module.Alert(record.Medium, r, "", fmt.Sprintf("Found file in %s: \"%s\"", strings.TrimSuffix(suspiciousFileDir, "/"), p)))
	})
}
