// Package module defines what a spycheck module is: the code that reads one
// artifact (sms.db, TCC.db, DataUsage.sqlite …) and emits records.
//
// Modules extract; they never see indicators. A module declares, per
// record, which values are worth matching (Observables) and which timeline
// events the record makes (Timeline); the check package does the matching.
// A module with heuristics of its own (a redirect that took no time, a
// deleted process row) also implements Heuristic. Because Observables,
// Timeline and the heuristics only read a record's Data, re-checking a
// saved results folder runs exactly the same code as a fresh check.
//
// The modules themselves live in module/ios (one file per artifact); the
// one list of them is module/list.
package module

import (
	"context"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/record"
)

// Info describes a module.
type Info struct {
	// Name is the result name, MVT's slug: "sms" writes sms.json.
	Name string
	// Title is MVT's class name ("SMS"), the timeline's Plugin column.
	Title string
	// Kinds are the acquisition kinds the module reads.
	Kinds []evidence.Kind
	// TimeField is the record field holding the time of a finding's event.
	TimeField string
	// Dict marks modules whose results are one dictionary (backup_info).
	Dict bool
	// CollectURLs sends the module's URL observables to urls.json.
	CollectURLs bool
}

// Module reads one artifact.
type Module interface {
	Info() Info
	// Extract finds the artifact in src and emits its records in a stable
	// order. An absent artifact returns an error wrapping
	// evidence.ErrNotFound; emitted records stay valid after an error.
	Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error
	// Observables lists a record's values worth matching, in the order
	// they are checked; the first match makes the record's finding.
	Observables(r record.Record) []record.Observable
	// Timeline lists the record's timeline events.
	Timeline(r record.Record) []record.Event
}

// Heuristic is implemented by modules that judge their records themselves.
type Heuristic interface {
	// NewInspector returns a fresh inspector for one run.
	NewInspector() Inspector
}

// Inspector sees every record of its module in order, then Finish.
type Inspector interface {
	Inspect(r record.Record, raise func(record.Finding))
	Finish(raise func(record.Finding))
}

// MatchFollower is implemented by modules that say more about a record
// once one of its observables matched an indicator (WebKit's session log
// then describes the redirect chain the suspicious domain was part of).
type MatchFollower interface {
	FollowMatch(r record.Record) []record.Finding
}

// InspectFunc turns a per-record function into an Inspector.
type InspectFunc func(r record.Record, raise func(record.Finding))

// Inspect implements Inspector.
func (f InspectFunc) Inspect(r record.Record, raise func(record.Finding)) { f(r, raise) }

// Finish implements Inspector.
func (InspectFunc) Finish(func(record.Finding)) {}

// Alert builds a heuristic finding about r.
func Alert(sev record.Severity, r record.Record, eventTime, message string) record.Finding {
	return record.Finding{Severity: sev, Module: r.Module, Message: message, EventTime: eventTime, Event: r.Data}
}

// Observe builds observables of one kind and severity for the non-empty values.
func Observe(sev record.Severity, kind record.Kind, field string, values ...string) []record.Observable {
	var out []record.Observable
	for _, v := range values {
		if v != "" {
			out = append(out, record.Observable{Kind: kind, Value: v, Field: field, Severity: sev})
		}
	}
	return out
}

// Event builds a timeline event of r's module; an empty timestamp gives none.
func Event(title, timestamp, event, data string) []record.Event {
	if timestamp == "" {
		return nil
	}
	return []record.Event{{Timestamp: timestamp, Module: title, Event: event, Data: data}}
}

// FindOne returns the first entry of q in src, or an error wrapping
// evidence.ErrNotFound naming what was looked for.
func FindOne(ctx context.Context, src evidence.Source, q evidence.Query) (evidence.Entry, error) {
	all, err := src.Find(ctx, q)
	if err != nil {
		return evidence.Entry{}, err
	}
	if len(all) == 0 {
		return evidence.Entry{}, evidence.ErrNotFound
	}
	return all[0], nil
}
