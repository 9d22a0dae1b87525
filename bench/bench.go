// Package bench runs spycheck's whole check on a generated workload (see
// bench/workload) the way `spycheck check-backup -o DIR` does — load the
// indicators, open the backup, run every backup module with check.Run,
// write the results folder — timing each step, and verifies the results:
// the findings must be exactly the workload's planted ones, and two runs
// must write byte-identical alerts and timelines.
//
// The spycheck-bench command (bench/cmd/spycheck-bench) prints these
// measurements at several scales; BenchmarkCheckBackup times a small one.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spycheck/spycheck/bench/workload"
	"github.com/spycheck/spycheck/check"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosbackup"
	"github.com/spycheck/spycheck/ioc"
	"github.com/spycheck/spycheck/module/list"
	"github.com/spycheck/spycheck/report"
)

// Run is what one check of a workload cost.
type Run struct {
	Indicators     int           `json:"indicators"`
	LoadIndicators time.Duration `json:"load_indicators"`
	Check          time.Duration `json:"check"`
	Write          time.Duration `json:"write"`
	Total          time.Duration `json:"total"`
	Modules        []Module      `json:"modules"`
	// PeakRSS is the process's peak resident set in bytes, when the
	// caller measured it (0 otherwise).
	PeakRSS int64 `json:"peak_rss"`
}

// Module is one module's share of a run (modules run concurrently, so
// the durations overlap).
type Module struct {
	Name     string        `json:"name"`
	State    string        `json:"state"`
	Records  int           `json:"records"`
	Findings int           `json:"findings"`
	Duration time.Duration `json:"duration"`
	Error    string        `json:"error,omitempty"`
}

// Check runs the check-backup pipeline on w and writes the results folder
// to out.
func Check(ctx context.Context, w *workload.Workload, out string) (*Run, error) {
	start := time.Now()
	src, err := iosbackup.Open(w.Backup())
	if err != nil {
		return nil, err
	}
	defer src.Close()
	folder, err := report.NewFolder(out)
	if err != nil {
		return nil, err
	}
	run := &Run{}
	t := time.Now()
	ix, err := ioc.Load(w.Indicators())
	if err != nil {
		return nil, err
	}
	run.LoadIndicators, run.Indicators = time.Since(t), ix.Len()
	t = time.Now()
	res := check.Run(ctx, src, check.Options{Modules: list.For(src.Kind()), Matcher: ix, Output: folder})
	defer res.Close()
	run.Check = time.Since(t)
	t = time.Now()
	meta := report.Meta{
		TargetPath: src.Path(), Version: "bench", Date: time.Now().Format("2006-01-02 15:04:05.000000"),
		Command: "spycheck-bench", IOCFiles: ix.Files(), Indicators: ix.Len(),
		Modules: report.ModuleInfos(res.Statuses), Hashes: src.Workspace().Hashes(),
	}
	if err := folder.WriteResult(res, meta); err != nil {
		return nil, err
	}
	run.Write = time.Since(t)
	run.Total = time.Since(start)
	for _, s := range res.Statuses {
		m := Module{Name: s.Module, State: string(s.State), Records: s.Records, Findings: s.Findings, Duration: s.Duration}
		if s.Err != nil {
			m.Error = s.Err.Error()
		}
		run.Modules = append(run.Modules, m)
	}
	return run, nil
}

// Unregistered lists the modules the workload's expectations name that
// are not among the backup modules of module/list.
func Unregistered(w *workload.Workload) []string {
	have := map[string]bool{}
	for _, m := range list.For(evidence.IOSBackup) {
		have[m.Info().Name] = true
	}
	var out []string
	for _, f := range w.Expected {
		if !have[f.Module] && !slices.Contains(out, f.Module) {
			out = append(out, f.Module)
		}
	}
	return out
}

// Verify compares the alerts.json in the results folder out with the
// findings the workload expects; a heuristic finding (no indicator)
// counts as unexpected, since the workload plants none.
func Verify(w *workload.Workload, out string) error {
	data, err := os.ReadFile(filepath.Join(out, "alerts.json"))
	if err != nil {
		return err
	}
	var alerts []struct {
		Level     string `json:"level"`
		Module    string `json:"module"`
		Message   string `json:"message"`
		Indicator *struct {
			Value string `json:"value"`
		} `json:"matched_indicator"`
	}
	if err := json.Unmarshal(data, &alerts); err != nil {
		return fmt.Errorf("alerts.json: %w", err)
	}
	got := make([]workload.Finding, 0, len(alerts))
	for _, a := range alerts {
		f := workload.Finding{Module: a.Module, Level: a.Level, Value: "heuristic: " + a.Message}
		if a.Indicator != nil {
			f.Value = a.Indicator.Value
		}
		got = append(got, f)
	}
	workload.SortFindings(got)
	want := slices.Clone(w.Expected)
	workload.SortFindings(want)
	if slices.Equal(got, want) {
		return nil
	}
	var missing, extra []string
	for _, f := range want {
		if i := slices.Index(got, f); i >= 0 {
			got = slices.Delete(got, i, i+1)
		} else {
			missing = append(missing, fmt.Sprint(f))
		}
	}
	for _, f := range got {
		extra = append(extra, fmt.Sprint(f))
	}
	return fmt.Errorf("findings differ from the planted ones: missing %s; unexpected %s",
		orNone(missing), orNone(extra))
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	if len(s) > 10 {
		s = append(s[:10:10], fmt.Sprintf("… %d more", len(s)-10))
	}
	return strings.Join(s, ", ")
}

// Compared are the results files two runs must write identically.
var Compared = []string{"alerts.json", "timeline.csv"}

// SameOutputs reports an error when two results folders differ in one of
// the Compared files.
func SameOutputs(a, b string) error {
	for _, name := range Compared {
		da, err := os.ReadFile(filepath.Join(a, name))
		if err != nil {
			return err
		}
		db, err := os.ReadFile(filepath.Join(b, name))
		if err != nil {
			return err
		}
		if !bytes.Equal(da, db) {
			return fmt.Errorf("%s differs between two runs (%d and %d bytes)", name, len(da), len(db))
		}
	}
	return nil
}
