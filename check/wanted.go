package check

import (
	"context"
	"io"
	"path"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Wanted returns the device-path globs the modules ask a source of the
// given kind for, found by letting each module look for its artifacts in
// an empty acquisition. An archive that can only be read from the start
// (.tar.gz) uses them to extract, in one pass, just the files the modules
// will open.
func Wanted(ctx context.Context, kind evidence.Kind, mods []module.Module) []string {
	p := &probe{kind: kind, ws: evidence.NewWorkspace()}
	defer p.ws.Close()
	for _, m := range mods {
		func() {
			defer func() { _ = recover() }() // a module surprised by emptiness asks for nothing more
			_ = m.Extract(ctx, p, func(record.Record) {})
		}()
	}
	return p.patterns
}

// WantFunc turns globs into a predicate over device paths; a SQLite
// database's -wal, -shm and -journal files are wanted with it.
func WantFunc(patterns []string) func(devicePath string) bool {
	return func(p string) bool {
		for _, suffix := range []string{"-wal", "-shm", "-journal"} {
			p = strings.TrimSuffix(p, suffix)
		}
		for _, pat := range patterns {
			if ok, _ := path.Match(pat, p); ok {
				return true
			}
		}
		return false
	}
}

// probe is an empty source that remembers what was asked of it.
type probe struct {
	kind     evidence.Kind
	ws       *evidence.Workspace
	patterns []string
}

func (p *probe) Kind() evidence.Kind                        { return p.kind }
func (p *probe) Path() string                               { return "" }
func (p *probe) Workspace() *evidence.Workspace             { return p.ws }
func (p *probe) Close() error                               { return nil }
func (p *probe) Open(evidence.Entry) (io.ReadCloser, error) { return nil, evidence.ErrNotFound }

func (p *probe) Find(_ context.Context, q evidence.Query) ([]evidence.Entry, error) {
	for _, d := range q.DevicePaths {
		p.patterns = append(p.patterns, strings.TrimPrefix(path.Clean("/"+d), "/"))
	}
	return nil, nil
}
