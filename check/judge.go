package check

import (
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// judge holds one module's findings, timeline and URLs during a run.
type judge struct {
	records   int
	info      module.Info
	mod       module.Module
	matcher   Matcher
	inspector module.Inspector
	findings  []record.Finding
	events    []record.Event // the latest events, handed to timeline in batches
	timeline  *Timeline
	urls      []URL
}

func newJudge(info module.Info, m module.Module, matcher Matcher, tl *Timeline) *judge {
	j := &judge{info: info, mod: m, matcher: matcher, timeline: tl}
	if h, ok := m.(module.Heuristic); ok {
		j.inspector = h.NewInspector()
	}
	return j
}

func (j *judge) raise(f record.Finding) {
	if f.Module == "" {
		f.Module = j.info.Name
	}
	j.findings = append(j.findings, f)
}

func (j *judge) judge(r record.Record) {
	j.records++
	obs := j.mod.Observables(r)
	when := r.String(j.info.TimeField)
	if j.matcher != nil {
		for _, o := range obs {
			if m, ok := j.matcher.Lookup(o); ok {
				ind, sev := m.Indicator, o.Severity
				if m.Context {
					sev = record.Info
				}
				j.raise(record.Finding{Severity: sev, Module: j.info.Name, Message: m.Message, EventTime: when, Event: r.Data, Indicator: &ind})
				if f, ok := j.mod.(module.MatchFollower); ok && !m.Context {
					for _, more := range f.FollowMatch(r) {
						j.raise(more)
					}
				}
				break
			}
		}
	}
	if j.info.CollectURLs {
		for _, o := range obs {
			if o.Kind == record.URL {
				j.urls = append(j.urls, URL{URL: o.Value, Timestamp: when, Source: j.info.Name})
			}
		}
	}
	if j.inspector != nil {
		j.inspector.Inspect(r, j.raise)
	}
	for _, ev := range j.mod.Timeline(r) {
		if ev.Module == "" {
			ev.Module = j.info.Title
		}
		j.events = append(j.events, ev)
	}
	if len(j.events) >= timelineChunk {
		j.timeline.add(j.events)
		j.events = nil
	}
}

// done hands the last events to the timeline and returns the findings
// and the URLs.
func (j *judge) done() ([]record.Finding, []URL) {
	if j.inspector != nil && j.records > 0 {
		j.inspector.Finish(j.raise)
		j.inspector = nil
	}
	j.timeline.add(j.events)
	j.events = nil
	return j.findings, j.urls
}
