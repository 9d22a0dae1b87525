// Command spycheck-bench measures what a full check costs: it generates
// (or reuses) synthetic iPhone backups at several scales (see
// bench/workload), checks each twice exactly as `spycheck check-backup
// -o DIR` does, each run in a fresh child process so its peak memory is
// its own, and prints one table: per-module rows and time, indicator
// loading, total wall time, peak RSS, and the cost of one indicator
// lookup with 1k, 10k and 100k indicators.
//
//	go run ./bench/cmd/spycheck-bench [-scale 1,10] [-indicators 11000] [-dir DIR]
//
// It exits with status 1 when the findings of a run differ from the ones
// the workload planted, or when two runs write different alerts.json or
// timeline.csv. -profile DIR writes CPU and heap profiles of the first run
// at each scale (cpu-x1.pprof, heap-x1.pprof).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/spycheck/spycheck/bench"
	"github.com/spycheck/spycheck/bench/workload"
	"github.com/spycheck/spycheck/ioc"
)

// options are the command line.
type options struct {
	scales     []float64
	indicators int
	seed       uint64
	dir        string
	profile    string
	// Child mode: measure one run of the workload in measure into out.
	measure, out string
	scale        float64
}

func main() {
	var o options
	var scales string
	flag.StringVar(&scales, "scale", "1,10", "comma-separated workload scales (1 = 200k Safari visits, 100k messages, 20k processes, 20k Manifest rows)")
	flag.IntVar(&o.indicators, "indicators", 11000, "indicators in the workload's STIX2 file")
	flag.Uint64Var(&o.seed, "seed", 1, "workload seed")
	flag.StringVar(&o.dir, "dir", filepath.Join(os.TempDir(), "spycheck-bench"), "folder caching the workloads and the results folders")
	flag.StringVar(&o.profile, "profile", "", "write CPU and heap profiles of the first run at each scale into this folder")
	flag.StringVar(&o.measure, "measure", "", "internal: measure one run of the workload in this folder")
	flag.StringVar(&o.out, "out", "", "internal: results folder of the measured run")
	flag.Float64Var(&o.scale, "child-scale", 0, "internal: scale of the measured workload")
	flag.Parse()
	var err error
	if o.measure != "" {
		err = measure(o)
	} else if o.scales, err = parseScales(scales); err == nil {
		err = runAll(o, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "spycheck-bench:", err)
		os.Exit(1)
	}
}

func parseScales(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("bad scale %q in -scale", f)
		}
		out = append(out, v)
	}
	return out, nil
}

func (o options) config(scale float64) workload.Config {
	return workload.Config{Scale: scale, Indicators: o.indicators, Seed: o.seed}
}

func label(scale float64) string { return "×" + strconv.FormatFloat(scale, 'f', -1, 64) }

// measure is the child: one run, its figures as JSON on stdout.
func measure(o options) error {
	w, err := workload.Open(o.measure, o.config(o.scale))
	if err != nil {
		return err
	}
	if o.profile != "" {
		f, err := os.Create(filepath.Join(o.profile, "cpu-"+strings.TrimPrefix(label(o.scale), "×")+".pprof"))
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	run, err := bench.Check(context.Background(), w, o.out)
	if err != nil {
		return err
	}
	run.PeakRSS, _ = bench.PeakRSS()
	if o.profile != "" {
		pprof.StopCPUProfile()
		if err := writeHeapProfile(filepath.Join(o.profile, "heap-"+strings.TrimPrefix(label(o.scale), "×")+".pprof")); err != nil {
			return err
		}
	}
	return json.NewEncoder(os.Stdout).Encode(run)
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	err = pprof.WriteHeapProfile(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// scaleResult is what one scale measured.
type scaleResult struct {
	scale float64
	w     *workload.Workload
	best  *bench.Run // the faster of the two runs
	rss   int64      // the larger peak of the two runs
}

// lookupResult is the cost of one lookup among n indicators.
type lookupResult struct {
	n    int
	load time.Duration
	per  time.Duration
}

func runAll(o options, stdout io.Writer) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if o.profile != "" {
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return err
		}
	}
	var results []scaleResult
	var problems []error
	for _, s := range o.scales {
		res, errs, err := runScale(o, self, s)
		if err != nil {
			return err
		}
		results = append(results, res)
		problems = append(problems, errs...)
	}
	lookups, err := lookupCosts(o)
	if err != nil {
		return err
	}
	printTable(stdout, results, lookups, len(problems) == 0)
	return errors.Join(problems...)
}

// runScale generates or reuses the workload of one scale and measures two
// runs; errs are mismatches, err a failure to measure at all.
func runScale(o options, self string, s float64) (res scaleResult, errs []error, err error) {
	dir := filepath.Join(o.dir, fmt.Sprintf("workload-x%s-i%d-s%d", strconv.FormatFloat(s, 'f', -1, 64), o.indicators, o.seed))
	start := time.Now()
	w, reused, err := workload.OpenOrGenerate(dir, o.config(s))
	if err != nil {
		return res, nil, err
	}
	if !reused {
		fmt.Fprintf(os.Stderr, "generated the %s workload in %s (%s)\n", label(s), time.Since(start).Round(time.Millisecond), dir)
	}
	res = scaleResult{scale: s, w: w}
	if missing := bench.Unregistered(w); len(missing) > 0 {
		errs = append(errs, fmt.Errorf("%s: modules %v are not registered in module/list", label(s), missing))
	}
	var outs []string
	for i := range 2 {
		out := filepath.Join(o.dir, fmt.Sprintf("results-x%s-run%d", strconv.FormatFloat(s, 'f', -1, 64), i+1))
		if err := os.RemoveAll(out); err != nil {
			return res, nil, err
		}
		args := []string{"-measure", dir, "-out", out, "-child-scale", strconv.FormatFloat(s, 'f', -1, 64),
			"-indicators", strconv.Itoa(o.indicators), "-seed", strconv.FormatUint(o.seed, 10)}
		if i == 0 && o.profile != "" {
			args = append(args, "-profile", o.profile)
		}
		run, err := child(self, args)
		if err != nil {
			return res, nil, fmt.Errorf("%s run %d: %w", label(s), i+1, err)
		}
		for _, m := range run.Modules {
			if m.Error != "" {
				errs = append(errs, fmt.Errorf("%s run %d: module %s: %s", label(s), i+1, m.Name, m.Error))
			}
		}
		if err := bench.Verify(w, out); err != nil {
			errs = append(errs, fmt.Errorf("%s run %d: %w", label(s), i+1, err))
		}
		if res.best == nil || run.Total < res.best.Total {
			res.best = run
		}
		res.rss = max(res.rss, run.PeakRSS)
		outs = append(outs, out)
	}
	if err := bench.SameOutputs(outs[0], outs[1]); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", label(s), err))
	}
	return res, errs, nil
}

func child(self string, args []string) (*bench.Run, error) {
	cmd := exec.Command(self, args...)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, err
	}
	var run bench.Run
	if err := json.Unmarshal(stdout.Bytes(), &run); err != nil {
		return nil, fmt.Errorf("reading the child's measurements: %w", err)
	}
	return &run, nil
}

// lookupSample is how many observables each lookup measurement checks.
const lookupSample = 100_000

// lookupCosts loads 1k, 10k and 100k indicators and times lookups of
// workload-like observables among them.
func lookupCosts(o options) ([]lookupResult, error) {
	var out []lookupResult
	for _, n := range []int{1_000, 10_000, 100_000} {
		path := filepath.Join(o.dir, fmt.Sprintf("lookup-%d-s%d.stix2", n, o.seed))
		if _, err := os.Stat(path); err != nil {
			if err := workload.WriteIndicators(path, n, o.seed); err != nil {
				return nil, err
			}
		}
		t := time.Now()
		ix, err := ioc.Load(path)
		if err != nil {
			return nil, err
		}
		load := time.Since(t)
		obs := workload.Sample(lookupSample, n, o.seed)
		lookups := 0
		t = time.Now()
		for time.Since(t) < 300*time.Millisecond {
			for _, ob := range obs {
				ix.Lookup(ob)
			}
			lookups += len(obs)
		}
		out = append(out, lookupResult{n: n, load: load, per: time.Since(t) / time.Duration(lookups)})
	}
	return out, nil
}
