package testkit

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/spycheck/spycheck/evidence"
)

// Source is a folder acquisition for module tests: files are written
// under a temporary root and found by Query.DevicePaths globs relative to
// it (path.Match per element), whatever the Kind. Production code reads
// folders and archives through the real sources; this one exists so a
// module's tests need nothing but the files they write.
type Source struct {
	kind evidence.Kind
	root string
	ws   *evidence.Workspace
}

// NewSource writes files (path relative to the root → content) into a
// temporary folder and returns a source of the given kind over it.
func NewSource(t testing.TB, kind evidence.Kind, files map[string][]byte) *Source {
	t.Helper()
	root := t.TempDir()
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		check(t, os.MkdirAll(filepath.Dir(p), 0o755))
		check(t, os.WriteFile(p, data, 0o644))
	}
	s := &Source{kind: kind, root: root, ws: evidence.NewWorkspace()}
	t.Cleanup(func() { s.Close() })
	return s
}

// Kind implements evidence.Source.
func (s *Source) Kind() evidence.Kind { return s.kind }

// Path implements evidence.Source.
func (s *Source) Path() string { return s.root }

// Workspace implements evidence.Source.
func (s *Source) Workspace() *evidence.Workspace { return s.ws }

// Close implements evidence.Source.
func (s *Source) Close() error { return s.ws.Close() }

// Find implements evidence.Source for DevicePaths globs.
func (s *Source) Find(_ context.Context, q evidence.Query) ([]evidence.Entry, error) {
	var out []evidence.Entry
	seen := map[string]bool{}
	err := fs.WalkDir(os.DirFS(s.root), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, pat := range q.DevicePaths {
			if ok, _ := path.Match(pat, p); ok && !seen[p] {
				seen[p] = true
				out = append(out, evidence.Entry{DevicePath: p, Local: filepath.Join(s.root, filepath.FromSlash(p))})
			}
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].DevicePath < out[j].DevicePath })
	return out, err
}

// Open implements evidence.Source.
func (s *Source) Open(e evidence.Entry) (io.ReadCloser, error) {
	return s.ws.OpenFile(e.Local, e.Name())
}

// ModTime returns the modification time of an entry's file, so modules
// that read entry times (bug report timestamps, tombstones) can be tested;
// set it with os.Chtimes on the entry's Local path.
func (s *Source) ModTime(e evidence.Entry) (time.Time, error) {
	st, err := os.Stat(e.Local)
	if err != nil {
		return time.Time{}, &evidence.FileError{Op: "stat", Path: e.Name(), Evidence: e.Local, Err: err}
	}
	return st.ModTime(), nil
}
