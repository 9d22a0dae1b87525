// Package check runs modules on an acquisition and judges what they
// extract: every observable is looked up in the indicator index, every
// module's heuristics run, and the findings, timeline and URL list come out
// in a deterministic order.
//
// The same pipeline serves a fresh check ([Run], records from a Source) and
// a re-check of a saved results folder ([Recheck], records read back from
// <module>.json): only where records come from differs.
package check

import (
	"cmp"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/ioc"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Matcher looks observables up among indicators (an *ioc.Index).
type Matcher interface {
	Lookup(o record.Observable) (ioc.Match, bool)
}

// Matchers tries each matcher in turn; the first match wins (infection
// indicators first, then context such as stalkerware vendors' websites).
type Matchers []Matcher

// Lookup implements Matcher.
func (ms Matchers) Lookup(o record.Observable) (ioc.Match, bool) {
	for _, m := range ms {
		if match, ok := m.Lookup(o); ok {
			return match, true
		}
	}
	return ioc.Match{}, false
}

// Output receives each module's records as they are extracted.
type Output interface {
	// Records opens the stream for one module.
	Records(info module.Info) (RecordWriter, error)
}

// RecordWriter takes one module's records.
type RecordWriter interface {
	Write(r record.Record) error
	Close() error
}

// State is how a module's run ended.
type State string

// Module states.
const (
	OK         State = "ok"
	NotPresent State = "not present"
	Failed     State = "failed"
)

// Status is one module's outcome.
type Status struct {
	Module   string
	State    State
	Records  int
	Findings int
	Err      error
	Duration time.Duration
}

// URL is one link found in messages (urls.json).
type URL struct {
	URL         string  `json:"url"`
	ExpandedURL *string `json:"expanded_url"`
	Timestamp   string  `json:"timestamp"`
	Source      string  `json:"source"`
}

// Result is the outcome of a check.
type Result struct {
	Statuses []Status
	// Findings in module order, then in the order they were raised.
	Findings []record.Finding
	// Timeline sorted by timestamp, module, event and data, de-duplicated per module.
	Timeline []record.Event
	URLs     []URL
}

// Options configure a run.
type Options struct {
	Modules []module.Module
	// Matcher may be nil: only heuristics run then.
	Matcher Matcher
	// Output may be nil: records are then only judged.
	Output Output
	// Workers bounds how many modules run at once (default: CPUs).
	Workers int
}

// feed produces one module's records.
type feed func(ctx context.Context, m module.Module, emit func(record.Record)) error

// Run extracts every module's records from src and judges them.
func Run(ctx context.Context, src evidence.Source, opts Options) *Result {
	return run(ctx, opts, func(ctx context.Context, m module.Module, emit func(record.Record)) error {
		return m.Extract(ctx, src, emit)
	})
}

type moduleResult struct {
	status   Status
	findings []record.Finding
	events   []record.Event
	urls     []URL
}

func run(ctx context.Context, opts Options, produce feed) *Result {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	results := make([]moduleResult, len(opts.Modules))
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, m := range opts.Modules {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i] = runModule(ctx, m, opts, produce)
		}()
	}
	wg.Wait()
	res := &Result{}
	timelines := make([][]record.Event, len(results))
	for i, r := range results {
		res.Statuses = append(res.Statuses, r.status)
		res.Findings = append(res.Findings, r.findings...)
		timelines[i] = r.events
		res.URLs = append(res.URLs, r.urls...)
	}
	res.Findings = append(res.Findings, correlate(res.Findings)...)
	res.Timeline = mergeTimelines(timelines)
	return res
}

// Merge adds another part's result (a nested acquisition checked into the
// same results) to r, keeping the timeline sorted.
func (r *Result) Merge(o *Result) {
	r.Statuses = append(r.Statuses, o.Statuses...)
	r.Findings = append(r.Findings, o.Findings...)
	r.Timeline = append(r.Timeline, o.Timeline...)
	r.URLs = append(r.URLs, o.URLs...)
	SortTimeline(r.Timeline)
}

// SortTimeline orders events by timestamp, then module, event and data.
// Events equal in all four are identical, so the order is total.
func SortTimeline(ev []record.Event) { slices.SortFunc(ev, compareEvents) }

func compareEvents(a, b record.Event) int {
	return cmp.Or(strings.Compare(a.Timestamp, b.Timestamp), strings.Compare(a.Module, b.Module),
		strings.Compare(a.Event, b.Event), strings.Compare(a.Data, b.Data))
}

// mergeTimelines merges the modules' sorted timelines into one; equal
// events keep module order, as a stable sort of their concatenation would.
func mergeTimelines(runs [][]record.Event) []record.Event {
	h := &eventHeap{}
	n := 0
	for i, r := range runs {
		if len(r) > 0 {
			h.runs = append(h.runs, r)
			h.order = append(h.order, i)
			n += len(r)
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]record.Event, 0, n)
	heap.Init(h)
	for h.Len() > 0 {
		out = append(out, h.runs[0][0])
		if h.runs[0] = h.runs[0][1:]; len(h.runs[0]) == 0 {
			heap.Pop(h)
		} else {
			heap.Fix(h, 0)
		}
	}
	return out
}

// eventHeap holds what is left of each module's timeline, the run with
// the least first event on top.
type eventHeap struct {
	runs  [][]record.Event
	order []int // module index of each run, to break ties
}

func (h *eventHeap) Len() int { return len(h.runs) }

func (h *eventHeap) Less(i, j int) bool {
	if c := compareEvents(h.runs[i][0], h.runs[j][0]); c != 0 {
		return c < 0
	}
	return h.order[i] < h.order[j]
}

func (h *eventHeap) Swap(i, j int) {
	h.runs[i], h.runs[j] = h.runs[j], h.runs[i]
	h.order[i], h.order[j] = h.order[j], h.order[i]
}

// Push is never called: the heap only shrinks after Init.
func (h *eventHeap) Push(any) { panic("eventHeap: push") }

func (h *eventHeap) Pop() any {
	n := len(h.runs) - 1
	h.runs, h.order = h.runs[:n], h.order[:n]
	return nil
}

func runModule(ctx context.Context, m module.Module, opts Options, produce feed) (mr moduleResult) {
	info := m.Info()
	start := time.Now()
	mr.status = Status{Module: info.Name, State: OK}
	j := newJudge(info, m, opts.Matcher)
	var out RecordWriter
	var outErr error
	defer func() {
		if p := recover(); p != nil {
			mr.status.State = Failed
			mr.status.Err = fmt.Errorf("module %s: internal error: %v", info.Name, p)
		}
		if out != nil {
			if err := out.Close(); err != nil && outErr == nil {
				outErr = err
			}
		}
		if outErr != nil && mr.status.Err == nil {
			mr.status.State = Failed
			mr.status.Err = fmt.Errorf("write %s results: %w", info.Name, outErr)
		}
		mr.findings, mr.events, mr.urls = j.done()
		mr.status.Findings = len(mr.findings)
		mr.status.Duration = time.Since(start)
	}()
	err := produce(ctx, m, func(r record.Record) {
		r.Module = info.Name
		mr.status.Records++
		j.judge(r)
		if opts.Output == nil || outErr != nil {
			return
		}
		if out == nil {
			out, outErr = opts.Output.Records(info)
			if outErr != nil {
				return
			}
		}
		outErr = out.Write(r)
	})
	switch {
	case err == nil:
	case errors.Is(err, evidence.ErrNotFound) && mr.status.Records == 0:
		mr.status.State = NotPresent
	default:
		mr.status.State = Failed
		mr.status.Err = fmt.Errorf("module %s: %w", info.Name, err)
	}
	return mr
}
