package ios

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosbackup"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/ioc"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// moduleRun is what the checker makes of one module without indicators:
// records, de-duplicated timeline and heuristic findings.
type moduleRun struct {
	recs     []record.Record
	events   []record.Event
	findings []record.Finding
}

// runWithoutIndicators extracts m from src and judges the records as the
// checker does when no indicator is loaded.
func runWithoutIndicators(t *testing.T, m module.Module, src evidence.Source) (moduleRun, error) {
	t.Helper()
	recs, err := testkit.Extract(t, m, src)
	return judgeWithoutIndicators(m, recs), err
}

// judgeWithoutIndicators runs m's timeline and heuristics over recs.
func judgeWithoutIndicators(m module.Module, recs []record.Record) moduleRun {
	run := moduleRun{recs: recs, events: timeline(m, recs)}
	if h, ok := m.(module.Heuristic); ok {
		run.findings = inspect(h, recs)
	}
	return run
}

// inspect runs a module's heuristics over records, as the checker does.
func inspect(m module.Heuristic, recs []record.Record) []record.Finding {
	var out []record.Finding
	raise := func(f record.Finding) { out = append(out, f) }
	in := m.NewInspector()
	for _, r := range recs {
		in.Inspect(r, raise)
	}
	in.Finish(raise)
	return out
}

// timeline collects a module's de-duplicated timeline, as the checker does.
func timeline(m module.Module, recs []record.Record) []record.Event {
	seen := map[record.Event]bool{}
	var out []record.Event
	for _, r := range recs {
		for _, ev := range m.Timeline(r) {
			if !seen[ev] {
				seen[ev] = true
				out = append(out, ev)
			}
		}
	}
	return out
}

// viaJSON is recs as read back from a saved results file.
func viaJSON(t *testing.T, recs []record.Record) []record.Record {
	t.Helper()
	out := make([]record.Record, len(recs))
	for i, r := range recs {
		b, err := json.Marshal(r.Data)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		out[i] = record.Record{Module: r.Module}
		if err := dec.Decode(&out[i].Data); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// findingTexts is "LEVEL message" per finding.
func findingTexts(fs []record.Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Severity.String()+" "+f.Message)
	}
	return strings.Join(out, "\n")
}

// recordsObserving lists the records having an observable of kind whose value
// satisfies match.
func recordsObserving(m module.Module, recs []record.Record, kind record.Kind, match func(string) bool) []record.Record {
	var out []record.Record
	for _, r := range recs {
		for _, o := range m.Observables(r) {
			if o.Kind == kind && match(o.Value) {
				out = append(out, r)
				break
			}
		}
	}
	return out
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

// sharedBackupDir is MVT's test backup folder, checked unchanged at the end of the test.
func sharedBackupDir(t *testing.T) string {
	t.Helper()
	dir := testkit.SharedTestdata(t, "mvt", "ios_backup")
	keepUnchanged(t, dir)
	return dir
}

// sharedBackup opens MVT's test backup and checks it is left unchanged.
func sharedBackup(t *testing.T) *iosbackup.Backup {
	t.Helper()
	src, err := iosbackup.Open(sharedBackupDir(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

// backupWith is a backup holding data at domain/relPath and nothing else.
func backupWith(t *testing.T, domain, relPath string, data []byte) *iosbackup.Backup {
	t.Helper()
	b := testkit.NewBackup(t, nil)
	b.Add(domain, relPath, data)
	return b.Open()
}

// assertCorrupt checks that m, given data at domain/relPath, fails with
// ErrCorrupt and an error naming each of names.
func assertCorrupt(t *testing.T, m module.Module, domain, relPath string, data []byte, names ...string) {
	t.Helper()
	_, err := testkit.Extract(t, m, backupWith(t, domain, relPath, data))
	ok := errors.Is(err, evidence.ErrCorrupt)
	for _, n := range names {
		ok = ok && strings.Contains(err.Error(), n)
	}
	if !ok {
		t.Errorf("%s, %d bytes at %s: err = %v, want ErrCorrupt naming %q", m.Info().Name, len(data), relPath, err, names)
	}
}

// oneRecord extracts m from src and fails the test unless that gives one record, whose data is want.
func oneRecord(t *testing.T, m module.Module, src evidence.Source, want map[string]any) record.Record {
	t.Helper()
	recs, err := testkit.Extract(t, m, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 {
		t.Fatalf("got %d records, want 1", len(recs))
	}
	if diff := cmp.Diff(want, recs[0].Data); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	return recs[0]
}

// loadIOCs writes plain indicator lists (file name → content) and loads them.
func loadIOCs(t *testing.T, lists map[string]string) *ioc.Index {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "TestMalware")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for name, content := range lists {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	ix, err := ioc.Load(paths...)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// matches counts the records whose observables match an indicator (one
// finding per record, as the checker raises them) and returns the first
// matching observable of each.
func matches(ix *ioc.Index, m module.Module, recs []record.Record) []record.Observable {
	var out []record.Observable
	for _, r := range recs {
		for _, o := range m.Observables(r) {
			if _, ok := ix.Lookup(o); ok {
				out = append(out, o)
				break
			}
		}
	}
	return out
}

// eachListMatchesOnce checks that, for each set of indicator lists, exactly
// one record matches, at CRITICAL.
func eachListMatchesOnce(t *testing.T, m module.Module, recs []record.Record, lists ...map[string]string) {
	t.Helper()
	for _, l := range lists {
		got := matches(loadIOCs(t, l), m, recs)
		if len(got) != 1 || got[0].Severity != record.Critical {
			t.Errorf("%v: matches %+v", l, got)
		}
	}
}
