package report

import (
	"fmt"
	"io"
	"sort"

	"github.com/spycheck/spycheck/check"
	"github.com/spycheck/spycheck/record"
)

func sortFindingsByTime(f []record.Finding) {
	sort.SliceStable(f, func(i, j int) bool {
		if f[i].EventTime != f[j].EventTime {
			return f[i].EventTime < f[j].EventTime
		}
		return f[i].Module < f[j].Module
	})
}

var severities = []record.Severity{record.Critical, record.High, record.Medium, record.Low, record.Info}

// Summary prints, for a person, what the check found: counts by severity,
// then every finding (most severe first) with where it was and why, then
// modules that failed.
func Summary(w io.Writer, res *check.Result) {
	counts := map[record.Severity]int{}
	for _, f := range res.Findings {
		counts[f.Severity]++
	}
	fmt.Fprintf(w, "\n%d finding(s):", len(res.Findings))
	for _, s := range severities {
		fmt.Fprintf(w, " %s %d", s, counts[s])
	}
	fmt.Fprintln(w)
	for _, s := range severities {
		for _, f := range res.Findings {
			if f.Severity != s {
				continue
			}
			fmt.Fprintf(w, "  [%s] %s", f.Severity, f.Module)
			if f.EventTime != "" {
				fmt.Fprintf(w, " at %s", f.EventTime)
			}
			fmt.Fprintf(w, ": %s\n", f.Message)
			if f.Indicator != nil {
				fmt.Fprintf(w, "      indicator %s %q from %s (%s)\n", f.Indicator.Type, f.Indicator.Value, f.Indicator.File, f.Indicator.Name)
			}
		}
	}
	for _, st := range res.Statuses {
		if st.State == check.Failed {
			fmt.Fprintf(w, "  module %s failed: %v\n", st.Module, st.Err)
		}
	}
	if len(res.Findings) == 0 {
		fmt.Fprintln(w, "No known traces were found. This does not prove the phone is clean: check again when new indicators are published.")
	}
}
