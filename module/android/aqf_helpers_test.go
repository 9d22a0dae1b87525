package android

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// aqfSource builds an androidqf acquisition from file contents.
func aqfSource(t *testing.T, files map[string]string) *testkit.Source {
	t.Helper()
	raw := make(map[string][]byte, len(files))
	for k, v := range files {
		raw[k] = []byte(v)
	}
	return testkit.NewSource(t, evidence.AndroidQF, raw)
}

// aqfExtract runs m on files and fails the test on error.
func aqfExtract(t *testing.T, m module.Module, files map[string]string) []record.Record {
	t.Helper()
	recs, err := testkit.Extract(t, m, aqfSource(t, files))
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// aqfFindings runs m's heuristics over recs.
func aqfFindings(m module.Module, recs []record.Record) []record.Finding {
	h, ok := m.(module.Heuristic)
	if !ok {
		return nil
	}
	var out []record.Finding
	raise := func(f record.Finding) { out = append(out, f) }
	in := h.NewInspector()
	for _, r := range recs {
		in.Inspect(r, raise)
	}
	in.Finish(raise)
	return out
}

// aqfTimeline lists m's timeline events for recs, identical ones merged.
func aqfTimeline(m module.Module, recs []record.Record) []record.Event {
	var out []record.Event
	seen := map[record.Event]bool{}
	for _, r := range recs {
		for _, e := range m.Timeline(r) {
			if !seen[e] {
				seen[e] = true
				out = append(out, e)
			}
		}
	}
	return out
}

// sharedAQF is MVT's androidqf test folder as a source, and a check that
// the folder is unchanged at the end of the test.
func sharedAQF(t *testing.T) *testkit.Source {
	t.Helper()
	dir := testkit.SharedTestdata(t, "mvt", "androidqf")
	before := testkit.HashTree(t, dir)
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
	t.Cleanup(func() {
		after := testkit.HashTree(t, dir)
		if len(after) != len(before) {
			t.Errorf("evidence folder changed: %d files before, %d after", len(before), len(after))
		}
		for k, v := range before {
			if after[k] != v {
				t.Errorf("evidence file %s changed", k)
			}
		}
	})
	return testkit.NewSource(t, evidence.AndroidQF, files)
}

// hasObservable reports whether obs holds kind:value.
func hasObservable(obs []record.Observable, kind record.Kind, value string) bool {
	for _, o := range obs {
		if o.Kind == kind && o.Value == value {
			return true
		}
	}
	return false
}
