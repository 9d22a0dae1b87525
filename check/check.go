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
	"context"
	"errors"
	"fmt"
	"runtime"
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
	// Timeline holds the events sorted by timestamp, module, event and
	// data, each identical event once; Close removes its temporary files.
	Timeline *Timeline
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
	urls     []URL
}

func run(ctx context.Context, opts Options, produce feed) *Result {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	results := make([]moduleResult, len(opts.Modules))
	tl := NewTimeline()
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, m := range opts.Modules {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i] = runModule(ctx, m, opts, produce, tl)
		}()
	}
	wg.Wait()
	res := &Result{Timeline: tl}
	for _, r := range results {
		res.Statuses = append(res.Statuses, r.status)
		res.Findings = append(res.Findings, r.findings...)
		res.URLs = append(res.URLs, r.urls...)
	}
	res.Findings = append(res.Findings, correlate(res.Findings)...)
	return res
}

// Merge adds another part's result (a nested acquisition checked into the
// same results) to r.
func (r *Result) Merge(o *Result) {
	r.Statuses = append(r.Statuses, o.Statuses...)
	r.Findings = append(r.Findings, o.Findings...)
	if r.Timeline == nil {
		r.Timeline = NewTimeline()
	}
	r.Timeline.Merge(o.Timeline)
	r.URLs = append(r.URLs, o.URLs...)
}

// Close removes the timeline's temporary files.
func (r *Result) Close() error {
	if r.Timeline == nil {
		return nil
	}
	return r.Timeline.Close()
}

func runModule(ctx context.Context, m module.Module, opts Options, produce feed, tl *Timeline) (mr moduleResult) {
	info := m.Info()
	start := time.Now()
	mr.status = Status{Module: info.Name, State: OK}
	j := newJudge(info, m, opts.Matcher, tl)
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
		mr.findings, mr.urls = finishJudge(j, &mr.status)
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

// finishJudge runs the module's final judgement, turning a panic of its
// heuristics into a failed status.
func finishJudge(j *judge, st *Status) (findings []record.Finding, urls []URL) {
	defer func() {
		if p := recover(); p != nil {
			st.State = Failed
			st.Err = fmt.Errorf("module %s: internal error: %v", st.Module, p)
			findings, urls = j.findings, j.urls
		}
	}()
	return j.done()
}
