package android

import (
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
	return extractOK(t, m, aqfSource(t, files))
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

// hasObservable reports whether obs holds kind:value.
func hasObservable(obs []record.Observable, kind record.Kind, value string) bool {
	for _, o := range obs {
		if o.Kind == kind && o.Value == value {
			return true
		}
	}
	return false
}
