// Package testkit builds small acquisitions for tests (with
// internal/fixture, written into t.TempDir() and failing the test on
// error), runs a module over a source, finds ../shared/testdata or skips,
// and hashes folders so tests can prove evidence was left byte-identical.
package testkit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosbackup"
	"github.com/spycheck/spycheck/internal/fixture"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// SQLiteFile creates a SQLite database at path from an SQL script.
func SQLiteFile(t testing.TB, path, script string) {
	t.Helper()
	check(t, fixture.SQLiteFile(path, script))
}

// SQLite builds a database from a script and returns its bytes.
func SQLite(t testing.TB, script string) []byte {
	t.Helper()
	data, err := fixture.SQLite(script)
	check(t, err)
	return data
}

// Plist encodes v as a binary property list.
func Plist(t testing.TB, v any) []byte {
	t.Helper()
	data, err := fixture.Plist(v)
	check(t, err)
	return data
}

// Backup is an iOS backup folder under construction in t.TempDir().
type Backup struct {
	t    testing.TB
	Root string
	b    *fixture.Backup
}

// NewBackup starts a backup with an Info.plist holding info (nil: a minimal one).
func NewBackup(t testing.TB, info map[string]any) *Backup {
	t.Helper()
	fb, err := fixture.NewBackup(filepath.Join(t.TempDir(), "backup"))
	check(t, err)
	if info == nil {
		info = map[string]any{"Build Version": "18C66", "Product Version": "14.3", "Product Type": "iPhone9,3"}
	}
	b := &Backup{t: t, Root: fb.Root, b: fb}
	b.RootFile("Info.plist", Plist(t, info))
	return b
}

// RootFile writes a file at the top of the backup folder.
func (b *Backup) RootFile(name string, data []byte) {
	b.t.Helper()
	check(b.t, b.b.RootFile(name, data))
}

// Add stores a file under domain/relativePath, listed in Manifest.db.
// It returns the file ID.
func (b *Backup) Add(domain, rel string, data []byte) string {
	return b.AddWithMeta(domain, rel, data, nil)
}

// AddWithMeta is Add with an explicit Manifest "file" metadata blob.
func (b *Backup) AddWithMeta(domain, rel string, data, meta []byte) string {
	b.t.Helper()
	id, err := b.b.Add(domain, rel, data, meta)
	check(b.t, err)
	return id
}

// Blob stores bytes under a file ID without listing them in Manifest.db.
func (b *Backup) Blob(id string, data []byte) {
	b.t.Helper()
	check(b.t, b.b.Blob(id, data))
}

// Finish writes Manifest.db and returns the backup folder.
func (b *Backup) Finish() string {
	b.t.Helper()
	check(b.t, b.b.Finish())
	return b.Root
}

// Open finishes the backup and opens it as an evidence source, closed at
// the end of the test.
func (b *Backup) Open() *iosbackup.Backup {
	b.t.Helper()
	src, err := iosbackup.Open(b.Finish())
	check(b.t, err)
	b.t.Cleanup(func() { src.Close() })
	return src
}

// HashTree returns the SHA-256 of every file under dir, keyed by relative
// path, so a test can assert the folder is unchanged.
func HashTree(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Extract runs a module's Extract on src and returns its records, with
// Module set as the checker sets it.
func Extract(t testing.TB, m module.Module, src evidence.Source) ([]record.Record, error) {
	t.Helper()
	var out []record.Record
	err := m.Extract(context.Background(), src, func(r record.Record) {
		r.Module = m.Info().Name
		out = append(out, r)
	})
	return out, err
}

// SharedTestdata returns ../shared/testdata (found from the module root)
// or skips the test with a clear message when it is absent.
func SharedTestdata(t testing.TB, parts ...string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("go.mod not found; cannot locate ../shared/testdata")
		}
		dir = parent
	}
	p := filepath.Join(append([]string{dir, "..", "shared", "testdata"}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("conformance data %s not present (needs ../shared/testdata beside the project): %v", p, err)
	}
	return p
}
