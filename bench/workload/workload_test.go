package workload

import (
	"crypto/sha256"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/spycheck/spycheck/record"
)

// tiny is a workload small enough for unit tests.
var tiny = Config{Scale: 0.002, Indicators: 200, Seed: 7}

// treeSum hashes every file under dir.
func treeSum(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = sha256.Sum256(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGenerateDeterministic(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	wa, err := Generate(a, tiny)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(b, tiny); err != nil {
		t.Fatal(err)
	}
	sa, sb := treeSum(t, a), treeSum(t, b)
	if len(sa) != len(sb) {
		t.Fatalf("%d files vs %d", len(sa), len(sb))
	}
	for name, sum := range sa {
		if sb[name] != sum {
			t.Errorf("%s differs between two generations with the same seed", name)
		}
	}
	want := Counts{Visits: 400, Messages: 200, Processes: 40, Manifest: 40}
	if c := wa.Counts; c.Visits != want.Visits || c.Messages != want.Messages || c.Processes != want.Processes || c.Manifest != want.Manifest {
		t.Errorf("counts = %+v, want %+v", c, want)
	}
	if len(wa.Expected) != 9 {
		t.Errorf("expected findings = %v", wa.Expected)
	}
	w, err := Open(a, tiny)
	if err != nil {
		t.Fatal(err)
	}
	if w.Counts != wa.Counts || len(w.Expected) != len(wa.Expected) {
		t.Errorf("reopened %+v, generated %+v", w, wa)
	}
	if _, err := Open(a, Config{Scale: 1, Indicators: 200, Seed: 7}); err == nil {
		t.Error("a workload of another configuration was reused")
	}
}

func TestSampleHitsAndMisses(t *testing.T) {
	obs := Sample(1000, 100, 1)
	kinds := map[record.Kind]int{}
	for _, o := range obs {
		kinds[o.Kind]++
	}
	if len(obs) != 1000 || kinds[record.URL] == 0 || kinds[record.Process] == 0 {
		t.Errorf("sample kinds %v", kinds)
	}
}
