package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spycheck/spycheck/bench"
)

// printTable writes the one table: a row per measure, three columns
// (rows, time, rows/s) per scale, and the ratio of the last scale's time
// to the first's.
func printTable(w io.Writer, results []scaleResult, lookups []lookupResult, ok bool) {
	fmt.Fprintf(w, "spycheck-bench: %s/%s, %d CPUs (%s), %s, GOMAXPROCS %d\n\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), runtime.Version(), runtime.GOMAXPROCS(0))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "\t"
	for _, r := range results {
		head += fmt.Sprintf("%s rows\ttime\trows/s\t", label(r.scale))
	}
	if len(results) > 1 {
		head += "time ratio\t"
	}
	fmt.Fprintln(tw, head)
	row := func(name string, cell func(r scaleResult) (rows int, d time.Duration, text string)) {
		line := name + "\t"
		var first, last time.Duration
		for i, r := range results {
			rows, d, text := cell(r)
			switch {
			case text != "":
				line += "\t" + text + "\t\t"
			case rows > 0:
				line += fmt.Sprintf("%d\t%s\t%s\t", rows, seconds(d), perSecond(rows, d))
			default:
				line += fmt.Sprintf("\t%s\t\t", seconds(d))
			}
			if i == 0 {
				first = d
			}
			last = d
		}
		if len(results) > 1 && first > 0 {
			line += fmt.Sprintf("%.2f×\t", float64(last)/float64(first))
		} else if len(results) > 1 {
			line += "\t"
		}
		fmt.Fprintln(tw, line)
	}
	for _, name := range moduleOrder(results) {
		row(name, func(r scaleResult) (int, time.Duration, string) {
			for _, m := range r.best.Modules {
				if m.Name == name {
					return m.Records, m.Duration, ""
				}
			}
			return 0, 0, "-"
		})
	}
	row("other modules (not present)", func(r scaleResult) (int, time.Duration, string) {
		n := 0
		for _, m := range r.best.Modules {
			if m.Records == 0 {
				n++
			}
		}
		return 0, 0, fmt.Sprint(n)
	})
	row(fmt.Sprintf("indicator load (%d)", results[0].best.Indicators), func(r scaleResult) (int, time.Duration, string) {
		return 0, r.best.LoadIndicators, ""
	})
	row("check.Run (all modules)", func(r scaleResult) (int, time.Duration, string) {
		return totalRows(r.best), r.best.Check, ""
	})
	row("write results", func(r scaleResult) (int, time.Duration, string) { return 0, r.best.Write, "" })
	row("total wall", func(r scaleResult) (int, time.Duration, string) {
		return totalRows(r.best), r.best.Total, ""
	})
	row("peak RSS", func(r scaleResult) (int, time.Duration, string) {
		if r.rss == 0 {
			return 0, 0, "n/a"
		}
		return 0, 0, fmt.Sprintf("%d MB", r.rss>>20)
	})
	verdict := "mismatch"
	if ok {
		verdict = "as planted, runs identical"
	}
	row("findings", func(r scaleResult) (int, time.Duration, string) {
		return 0, 0, fmt.Sprintf("%d %s", len(r.w.Expected), verdict)
	})
	for _, l := range lookups {
		line := fmt.Sprintf("lookup, %dk indicators\t\t%s/obs\t(load %s)\t", l.n/1000, l.per, l.load.Round(time.Millisecond))
		fmt.Fprintln(tw, line+strings.Repeat("\t", 3*(len(results)-1)+1))
	}
	tw.Flush()
}

// moduleOrder lists the modules that read rows at some scale, in run order.
func moduleOrder(results []scaleResult) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range results {
		for _, m := range r.best.Modules {
			if m.Records > 0 && !seen[m.Name] {
				seen[m.Name] = true
				out = append(out, m.Name)
			}
		}
	}
	return out
}

func totalRows(r *bench.Run) int {
	n := 0
	for _, m := range r.Modules {
		n += m.Records
	}
	return n
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3fs", d.Seconds()) }

func perSecond(rows int, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0fk", float64(rows)/d.Seconds()/1000)
}

// cpuModel is the CPU's name from /proc/cpuinfo, where there is one.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
