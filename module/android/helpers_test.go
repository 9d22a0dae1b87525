package android

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// extractOK runs m on src and fails the test on error.
func extractOK(t *testing.T, m module.Module, src evidence.Source) []record.Record {
	t.Helper()
	recs, err := testkit.Extract(t, m, src)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// keepUnchanged fails the test, when it ends, if any file under dir has changed.
func keepUnchanged(t *testing.T, dir string) {
	t.Helper()
	before := testkit.HashTree(t, dir)
	t.Cleanup(func() {
		if diff := cmp.Diff(before, testkit.HashTree(t, dir)); diff != "" {
			t.Errorf("evidence folder changed (-before +after):\n%s", diff)
		}
	})
}

// setModTime sets the modification time of the files rels (slash paths) in src to mt.
func setModTime(t *testing.T, src *testkit.Source, mt time.Time, rels ...string) {
	t.Helper()
	for _, rel := range rels {
		if err := os.Chtimes(filepath.Join(src.Path(), filepath.FromSlash(rel)), mt, mt); err != nil {
			t.Fatal(err)
		}
	}
}

// androidDataFile reads one of MVT's android_data samples (skipping the test without them).
func androidDataFile(t *testing.T, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testkit.SharedTestdata(t, "mvt", "android_data"), file))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// sharedAQF is MVT's androidqf test folder as a source, and a check that
// the folder is unchanged at the end of the test.
func sharedAQF(t *testing.T) *testkit.Source {
	t.Helper()
	dir := testkit.SharedTestdata(t, "mvt", "androidqf")
	keepUnchanged(t, dir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if e.Type().IsRegular() {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files[e.Name()] = data
		}
	}
	return testkit.NewSource(t, evidence.AndroidQF, files)
}

// sharedBugreport is MVT's bug report test folder as a source (files keep
// their modification times), and a check that the folder is unchanged at
// the end of the test.
func sharedBugreport(t *testing.T) *testkit.Source {
	t.Helper()
	return sharedTree(t, evidence.Bugreport, "mvt", "android_data", "bugreport")
}

// sharedTree copies a shared test folder, recursively, into a source.
func sharedTree(t *testing.T, kind evidence.Kind, parts ...string) *testkit.Source {
	t.Helper()
	dir := testkit.SharedTestdata(t, parts...)
	keepUnchanged(t, dir)
	files := map[string][]byte{}
	times := map[string]time.Time{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		st, err := d.Info()
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)], times[filepath.ToSlash(rel)] = data, st.ModTime()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	src := testkit.NewSource(t, kind, files)
	for rel, mt := range times {
		setModTime(t, src, mt, rel)
	}
	return src
}
