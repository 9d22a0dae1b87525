package check

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spycheck/spycheck/record"
)

// Correlation of weak signals, after Kaspersky's triangle_check: a single
// deleted process row or an odd iMessage attachment proves little, but
// several independent weak signals within minutes of each other are what an
// exploitation leaves behind.
const (
	// correlationWindow is the longest span of one group of signals.
	correlationWindow = 5 * time.Minute
	// correlationModule names the findings this pass raises.
	correlationModule = "correlation"
)

// weakSignal is a heuristic finding of low or medium severity with a time.
type weakSignal struct {
	at time.Time
	f  record.Finding
}

// correlate returns one finding for every group of weak signals from at
// least two different modules that fall within correlationWindow. Signals
// are heuristic findings (no indicator matched) of LOW or MEDIUM severity.
// Groups do not overlap: a group grows while signals stay within the
// window of its first one.
func correlate(findings []record.Finding) []record.Finding {
	signals := weakSignals(findings)
	var out []record.Finding
	for i := 0; i < len(signals); {
		j := i + 1
		for j < len(signals) && signals[j].at.Sub(signals[i].at) <= correlationWindow {
			j++
		}
		if f, ok := groupFinding(signals[i:j]); ok {
			out = append(out, f)
		}
		i = j
	}
	return out
}

func weakSignals(findings []record.Finding) []weakSignal {
	var out []weakSignal
	for _, f := range findings {
		if f.Indicator != nil || f.Module == correlationModule || (f.Severity != record.Low && f.Severity != record.Medium) {
			continue
		}
		at, err := time.Parse(record.TimeLayout, f.EventTime)
		if err != nil {
			continue
		}
		out = append(out, weakSignal{at: at, f: f})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

func groupFinding(group []weakSignal) (record.Finding, bool) {
	modules := map[string]bool{}
	var names []string
	signals := make([]any, 0, len(group))
	for _, s := range group {
		if !modules[s.f.Module] {
			modules[s.f.Module] = true
			names = append(names, s.f.Module)
		}
		signals = append(signals, map[string]any{"module": s.f.Module, "level": s.f.Severity.String(), "event_time": s.f.EventTime, "message": s.f.Message})
	}
	if len(modules) < 2 {
		return record.Finding{}, false
	}
	sev := record.Medium
	if len(modules) >= 3 {
		sev = record.High
	}
	first, last := group[0].at, group[len(group)-1].at
	msg := fmt.Sprintf("%d weak signals from %d independent sources (%s) within %s of each other, starting %s: "+
		"together they look like the traces an exploit leaves; examine these events closely",
		len(group), len(modules), strings.Join(names, ", "), last.Sub(first).Round(time.Second), group[0].f.EventTime)
	return record.Finding{
		Severity:  sev,
		Module:    correlationModule,
		Message:   msg,
		EventTime: group[0].f.EventTime,
		Event:     map[string]any{"signals": signals},
	}, true
}
