package bench

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/spycheck/spycheck/bench/workload"
)

// generate makes a workload in a temporary folder, skipping when a module
// the workload plants traces for is not registered yet.
func generate(tb testing.TB, cfg workload.Config) *workload.Workload {
	tb.Helper()
	w, err := workload.Generate(filepath.Join(tb.TempDir(), "workload"), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if missing := Unregistered(w); len(missing) > 0 {
		tb.Skipf("modules %v are not in module/list yet", missing)
	}
	return w
}

func TestCheckFindsPlantedTraces(t *testing.T) {
	w := generate(t, workload.Config{Scale: 0.002, Indicators: 200, Seed: 3})
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	for _, out := range []string{a, b} {
		run, err := Check(context.Background(), w, out)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range run.Modules {
			if m.Error != "" {
				t.Errorf("module %s: %s", m.Name, m.Error)
			}
		}
		if err := Verify(w, out); err != nil {
			t.Error(err)
		}
	}
	if err := SameOutputs(a, b); err != nil {
		t.Error(err)
	}
}

func BenchmarkCheckBackup(b *testing.B) {
	w := generate(b, workload.Config{Scale: 0.05, Indicators: 11000, Seed: 1})
	out := b.TempDir()
	rows := 0
	for b.Loop() {
		run, err := Check(context.Background(), w, out)
		if err != nil {
			b.Fatal(err)
		}
		rows = 0
		for _, m := range run.Modules {
			rows += m.Records
		}
	}
	if err := Verify(w, out); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
