package check

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/ioc"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// fakeModule emits preset records, or fails, or panics.
type fakeModule struct {
	name    string
	records []map[string]any
	err     error
	panics  bool
	dict    bool
}

func (f fakeModule) Info() module.Info {
	return module.Info{Name: f.name, Title: strings.ToUpper(f.name), TimeField: "isodate", CollectURLs: true, Dict: f.dict}
}

func (f fakeModule) Extract(_ context.Context, _ evidence.Source, emit func(record.Record)) error {
	if f.panics {
		panic("boom")
	}
	for _, d := range f.records {
		emit(record.Record{Data: d})
	}
	return f.err
}

func (fakeModule) Observables(r record.Record) []record.Observable {
	return append(module.Observe(record.High, record.Process, "proc", r.String("proc")),
		module.Observe(record.Critical, record.URL, "url", r.String("url"))...)
}

func (f fakeModule) Timeline(r record.Record) []record.Event {
	return module.Event(f.Info().Title, r.String("isodate"), "seen", r.String("url"))
}

// NewInspector flags records whose note is "odd", and counts records in Finish.
func (fakeModule) NewInspector() module.Inspector { return &countInspector{} }

type countInspector struct{ n int }

func (c *countInspector) Inspect(r record.Record, raise func(record.Finding)) {
	c.n++
	if r.String("note") == "odd" {
		raise(module.Alert(record.Medium, r, r.String("isodate"), "odd record"))
	}
}

func (c *countInspector) Finish(raise func(record.Finding)) {
	raise(record.Finding{Severity: record.Info, Message: fmt.Sprintf("%d records", c.n)})
}

// mapMatcher matches exact values.
type mapMatcher map[string]string

func (m mapMatcher) Lookup(o record.Observable) (ioc.Match, bool) {
	name, ok := m[o.Value]
	if !ok {
		return ioc.Match{}, false
	}
	return ioc.Match{Indicator: record.Indicator{Value: o.Value, Name: name}, Message: "matched " + o.Value}, true
}

func TestRunJudgesAndOrders(t *testing.T) {
	good := fakeModule{name: "alpha", records: []map[string]any{
		{"isodate": "2021-01-02 00:00:00.000000", "url": "https://evil.example/x", "proc": "implant"},
		{"isodate": "2021-01-01 00:00:00.000000", "url": "https://ok.example/", "note": "odd"},
		{"isodate": "2021-01-01 00:00:00.000000", "url": "https://ok.example/", "note": "odd"},
	}}
	res := Run(context.Background(), nil, Options{
		Modules: []module.Module{
			good,
			fakeModule{name: "broken", err: fmt.Errorf("read x.db: %w", evidence.ErrCorrupt)},
			fakeModule{name: "absent", err: evidence.ErrNotFound},
			fakeModule{name: "panicky", panics: true},
		},
		Matcher: mapMatcher{"implant": "Pegasus", "https://evil.example/x": "Other"},
	})
	var got []string
	for _, f := range res.Findings {
		got = append(got, fmt.Sprintf("%s %s %s %s", f.Severity, f.Module, f.EventTime, f.Message))
	}
	want := []string{
		// One finding per record: the first observable that matches.
		"HIGH alpha 2021-01-02 00:00:00.000000 matched implant",
		"MEDIUM alpha 2021-01-01 00:00:00.000000 odd record",
		"MEDIUM alpha 2021-01-01 00:00:00.000000 odd record",
		"INFORMATIONAL alpha  3 records",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	states := map[string]State{}
	for _, s := range res.Statuses {
		states[s.Module] = s.State
	}
	if diff := cmp.Diff(map[string]State{"alpha": OK, "broken": Failed, "absent": NotPresent, "panicky": Failed}, states); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
	if !errors.Is(res.Statuses[1].Err, evidence.ErrCorrupt) {
		t.Errorf("broken module error = %v", res.Statuses[1].Err)
	}
	// Identical events merge; order is by time.
	wantTL := []record.Event{
		{Timestamp: "2021-01-01 00:00:00.000000", Module: "ALPHA", Event: "seen", Data: "https://ok.example/"},
		{Timestamp: "2021-01-02 00:00:00.000000", Module: "ALPHA", Event: "seen", Data: "https://evil.example/x"},
	}
	if diff := cmp.Diff(wantTL, res.Timeline.Events()); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
	if len(res.URLs) != 3 || res.URLs[0].Source != "alpha" {
		t.Errorf("urls = %+v", res.URLs)
	}
}

func TestRunWithoutMatcherRunsHeuristics(t *testing.T) {
	res := Run(context.Background(), nil, Options{Modules: []module.Module{
		fakeModule{name: "alpha", records: []map[string]any{{"proc": "implant", "note": "odd"}}},
	}})
	if len(res.Findings) != 2 || res.Findings[0].Message != "odd record" {
		t.Errorf("findings = %+v", res.Findings)
	}
}

func TestRecheckReadsSavedRecords(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("alpha.json", `[{"isodate": "2021-01-02 00:00:00.000000", "proc": "implant", "n": 588813210539788032}, {"note": "odd"}]`)
	write("dicty.json", `{"proc": "implant"}`)
	write("bad.json", `[{"proc": `)
	opts := Options{
		Modules: []module.Module{fakeModule{name: "alpha"}, fakeModule{name: "dicty", dict: true}, fakeModule{name: "bad"}, fakeModule{name: "gone"}},
		Matcher: mapMatcher{"implant": "Pegasus"},
	}
	res, err := Recheck(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Module+": "+f.Message)
	}
	want := []string{"alpha: matched implant", "alpha: odd record", "alpha: 2 records", "dicty: matched implant", "dicty: 1 records"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if n, ok := record.Num(res.Findings[0].Event["n"]); !ok || int64(n) != 588813210539788032 {
		t.Errorf("big number not kept exactly: %v", res.Findings[0].Event["n"])
	}
	if st := res.Statuses[2]; st.State != Failed || !strings.Contains(st.Err.Error(), "bad.json") {
		t.Errorf("bad.json status = %+v", st)
	}
	if st := res.Statuses[3]; st.State != NotPresent {
		t.Errorf("gone status = %+v", st)
	}
	if _, err := Recheck(context.Background(), filepath.Join(dir, "alpha.json"), opts); err == nil {
		t.Errorf("a file instead of a folder should be refused")
	}
}

// contextMatcher matches everything as context (a vendor's website).
type contextMatcher struct{}

func (contextMatcher) Lookup(o record.Observable) (ioc.Match, bool) {
	return ioc.Match{Indicator: record.Indicator{Value: o.Value}, Message: "vendor site", Context: true}, true
}

func TestContextMatchesAreInformational(t *testing.T) {
	res := Run(context.Background(), nil, Options{
		Modules: []module.Module{fakeModule{name: "alpha", records: []map[string]any{{"url": "https://evil.example/x"}, {"url": "https://vendor.example/"}}}},
		Matcher: Matchers{mapMatcher{"https://evil.example/x": "Spy"}, contextMatcher{}},
	})
	var got []string
	for _, f := range res.Findings {
		if f.Indicator != nil {
			got = append(got, f.Severity.String()+" "+f.Message)
		}
	}
	want := []string{"CRITICAL matched https://evil.example/x", "INFORMATIONAL vendor site"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// followingModule says more about a record once it matched.
type followingModule struct{ fakeModule }

func (followingModule) FollowMatch(r record.Record) []record.Finding {
	return []record.Finding{module.Alert(record.High, r, "", "and more")}
}

func TestMatchFollower(t *testing.T) {
	res := Run(context.Background(), nil, Options{
		Modules: []module.Module{followingModule{fakeModule{name: "alpha", records: []map[string]any{{"url": "https://evil.example/x"}, {"url": "https://ok.example/"}}}}},
		Matcher: mapMatcher{"https://evil.example/x": "Spy"},
	})
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Severity.String()+" "+f.Message)
	}
	want := []string{"CRITICAL matched https://evil.example/x", "HIGH and more", "INFORMATIONAL 2 records"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// panickyInspector fails while judging, on the consumer goroutine or at the end.
type panickyInspector struct{ inFinish bool }

func (p panickyInspector) Inspect(record.Record, func(record.Finding)) {
	if !p.inFinish {
		panic("inspect boom")
	}
}

func (p panickyInspector) Finish(func(record.Finding)) {
	if p.inFinish {
		panic("finish boom")
	}
}

type panickyHeuristics struct {
	fakeModule
	inFinish bool
}

func (p panickyHeuristics) NewInspector() module.Inspector { return panickyInspector{p.inFinish} }

func TestPanickingHeuristicsFailTheModuleOnly(t *testing.T) {
	recs := make([]map[string]any, 200)
	for i := range recs {
		recs[i] = map[string]any{"url": "https://x.example/"}
	}
	res := Run(context.Background(), nil, Options{Modules: []module.Module{
		panickyHeuristics{fakeModule: fakeModule{name: "a", records: recs}},
		panickyHeuristics{fakeModule: fakeModule{name: "b", records: recs}, inFinish: true},
		fakeModule{name: "c", records: recs[:1]},
	}})
	for i, want := range []State{Failed, Failed, OK} {
		if st := res.Statuses[i]; st.State != want || (want == Failed && !strings.Contains(st.Err.Error(), "boom")) {
			t.Errorf("module %s: %+v", st.Module, st)
		}
	}
}
