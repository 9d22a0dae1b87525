package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Recheck judges the records saved in a results folder (<module>.json
// files, as spycheck or MVT write them) without the original evidence.
// Modules whose file is absent are reported as not present.
func Recheck(ctx context.Context, dir string, opts Options) (*Result, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("open results folder: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("open results folder %s: not a folder", dir)
	}
	return run(ctx, opts, func(ctx context.Context, m module.Module, emit func(record.Record)) error {
		return readSaved(ctx, filepath.Join(dir, m.Info().Name+".json"), m.Info().Dict, emit)
	}), nil
}

// readSaved streams the records of one saved <module>.json file: a JSON
// list of objects, or one object for dictionary modules. Numbers are kept
// exact (json.Number) so nanosecond timestamps survive.
func readSaved(ctx context.Context, path string, dict bool, emit func(record.Record)) error {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return evidence.ErrNotFound
		}
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.UseNumber()
	bad := func(err error) error {
		return &evidence.FileError{Op: "read results", Evidence: path, Err: fmt.Errorf("%w: %v", evidence.ErrCorrupt, err)}
	}
	if dict {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return bad(err)
		}
		emit(record.Record{Data: m})
		return nil
	}
	tok, err := dec.Token()
	if err != nil {
		return bad(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return bad(errors.New("expected a JSON list of records"))
	}
	for dec.More() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return bad(err)
		}
		emit(record.Record{Data: m})
	}
	if _, err := dec.Token(); err != nil {
		return bad(err)
	}
	return nil
}
