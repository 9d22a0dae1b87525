package ios

// ShutdownLog: the processes still running when the device shut down, as
// launchd writes them to shutdown.log at every reboot.
//
//   fs:          private/var/db/diagnostics/shutdown.log
//                private/var/db/diagnostics/shutdown.*.log (rotated; iOS 26 keeps shutdown.0.log …)
//   sysdiagnose: system_logs.logarchive/Extra/shutdown.log and shutdown.*.log
//                (relative to the sysdiagnose's top folder)
//
// A reboot is a block of lines:
//
//	After 1.23s, these clients are still here:
//	remaining client pid: 123 (/usr/libexec/foo)
//	…
//	SIGTERM: [1700000000]
//
// (older logs put the Unix time after an "@"). iOS 26 writes client paths
// with a per-binary "/<UUID>" suffix; the record keeps the raw client and
// adds client_path without it, so file:path and process indicators match.
//
// Besides MVT's indicator checks, two heuristics from Kaspersky's
// iShutdown (MVT has neither): a reboot delayed three or more times names
// its "sticky" clients [MEDIUM], and a client running from /private/var/db/
// or /private/var/tmp/, where Pegasus, Predator and Reign ran [HIGH].

import (
	"bufio"
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// ShutdownLog reads shutdown.log and its rotations.
type ShutdownLog struct{}

var shutdownLogQuery = evidence.Query{DevicePaths: []string{
	"private/var/db/diagnostics/shutdown.log",
	"private/var/db/diagnostics/shutdown.*.log",
	"system_logs.logarchive/Extra/shutdown.log",
	"system_logs.logarchive/Extra/shutdown.*.log",
}}

// maxShutdownLog bounds the size of one log read whole.
const maxShutdownLog = 256 << 20

// shutdownStickyDelays is iShutdown's threshold of delays for one reboot.
const shutdownStickyDelays = 3

// Info implements module.Module.
func (ShutdownLog) Info() module.Info {
	return module.Info{Name: "shutdown_log", Title: "ShutdownLog",
		Kinds: []evidence.Kind{evidence.IOSFS, evidence.IOSSysdiagnose}, TimeField: "isodate"}
}

// Extract implements module.Module. Every log is read, then the records
// are sorted by reboot time (stable), as MVT does.
func (ShutdownLog) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	entries, err := src.Find(ctx, shutdownLogQuery)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return fmt.Errorf("find shutdown.log: %w", evidence.ErrNotFound)
	}
	var all []map[string]any
	for _, e := range entries {
		data, err := evidence.ReadFile(src, e, maxShutdownLog)
		if err != nil {
			return err
		}
		all = append(all, parseShutdownLog(string(data))...)
	}
	emitByISODate(all, emit)
	return nil
}

// shutdownClient is a "remaining client" line waiting for its SIGTERM.
type shutdownClient struct {
	pid, client  string
	delay        float64
	timesDelayed int64
}

// parseShutdownLog turns a log into records, in log order. Like MVT, a
// client line takes the delay accumulated so far; an "After" line adds
// its seconds; a SIGTERM line closes the reboot with its time.
func parseShutdownLog(content string) []map[string]any {
	var out []map[string]any
	var pending []shutdownClient
	var delay float64
	var times int64
	sc := bufio.NewScanner(strings.NewReader(content))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "remaining client pid:"):
			pending = append(pending, shutdownClient{
				pid:    pySlice(line, strings.Index(line, "pid: ")+5, strings.Index(line, " (")),
				client: pySlice(line, strings.Index(line, "(")+1, strings.Index(line, ")")),
				delay:  delay, timesDelayed: times,
			})
		case strings.HasPrefix(line, "After "):
			delay += shutdownDelay(line)
			times++
		case strings.HasPrefix(line, "SIGTERM: "):
			iso := ""
			if ts := shutdownTime(line); ts != 0 {
				iso = record.FromUnix(float64(ts))
			}
			for _, c := range pending {
				out = append(out, map[string]any{
					"isodate": iso, "pid": c.pid, "client": c.client, "client_path": shutdownClientPath(c.client),
					"delay": c.delay, "times_delayed": c.timesDelayed,
				})
			}
			pending, delay, times = nil, 0, 0
		}
	}
	return out
}

// shutdownDelay reads the seconds of "After 1.23s, these clients …"; a
// value that is not a number counts as no delay.
func shutdownDelay(line string) float64 {
	f := strings.Fields(line)
	if len(f) < 2 || len(f[1]) < 2 {
		return 0
	}
	v, err := strconv.ParseFloat(f[1][:len(f[1])-2], 64)
	if err != nil {
		return 0
	}
	return v
}

// shutdownTime reads the Unix time of a SIGTERM line: "[1700000000]", or
// the ten digits after " @"; 0 when neither parses.
func shutdownTime(line string) int64 {
	if v, err := strconv.ParseInt(pySlice(line, strings.Index(line, "[")+1, strings.Index(line, "]")), 10, 64); err == nil {
		return v
	}
	i := strings.Index(line, " @")
	if i < 0 {
		return 0
	}
	v, err := strconv.ParseInt(pySlice(line, i+2, i+12), 10, 64)
	if err != nil {
		return 0
	}
	return v
}

// pySlice is Python's s[start:end] for the indexes str.find gives (-1 at
// the end means "all but the last byte"), never panicking.
func pySlice(s string, start, end int) string {
	norm := func(i int) int {
		if i < 0 {
			i += len(s)
		}
		return min(max(i, 0), len(s))
	}
	start, end = norm(start), norm(end)
	if start >= end {
		return ""
	}
	return s[start:end]
}

// shutdownUUIDSuffix is the "/<UUID>" iOS 26 appends to client paths.
var shutdownUUIDSuffix = regexp.MustCompile(`/[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// shutdownClientPath is the client without iOS 26's UUID suffix.
func shutdownClientPath(client string) string {
	return shutdownUUIDSuffix.ReplaceAllString(client, "")
}

// shutdownPath is the record's client path: client_path, or the client
// normalised (records MVT wrote have no client_path).
func shutdownPath(r record.Record) string {
	if p := r.String("client_path"); p != "" {
		return p
	}
	return shutdownClientPath(r.String("client"))
}

// Observables implements module.Module: the client path against file
// names and paths, then each of its elements against process names.
func (ShutdownLog) Observables(r record.Record) []record.Observable {
	p := shutdownPath(r)
	obs := module.Observe(record.Critical, record.FilePath, "client", p)
	return append(obs, module.Observe(record.Critical, record.ProcessPath, "client", p)...)
}

// Timeline implements module.Module.
func (m ShutdownLog) Timeline(r record.Record) []record.Event {
	return module.Event(m.Info().Title, r.String("isodate"), "shutdown",
		fmt.Sprintf("Client %s with PID %s was running when the device was shut down", r.String("client"), pyText(r.Data["pid"])))
}

// NewInspector implements module.Heuristic.
func (ShutdownLog) NewInspector() module.Inspector {
	return &shutdownInspector{reboots: map[string]*shutdownReboot{}, seen: map[string]bool{}}
}

// shutdownSuspiciousDirs are where Pegasus (/private/var/db/) and
// Predator and Reign (/private/var/tmp/) ran, in both spellings.
var shutdownSuspiciousDirs = []string{"/private/var/db/", "/private/var/tmp/", "/var/db/", "/var/tmp/"}

// shutdownReboot gathers the records of one reboot.
type shutdownReboot struct {
	worst   record.Record // the record delayed most times
	delays  int64
	sticky  []string // clients still there after shutdownStickyDelays delays
	counted map[string]bool
}

type shutdownInspector struct {
	reboots map[string]*shutdownReboot
	seen    map[string]bool // reboot time + client already reported for its path
}

// Inspect implements module.Inspector: the path heuristic per client and
// reboot; the delays are gathered for Finish.
func (in *shutdownInspector) Inspect(r record.Record, raise func(record.Finding)) {
	p, when := shutdownPath(r), r.String("isodate")
	for _, dir := range shutdownSuspiciousDirs {
		if strings.HasPrefix(p, dir) && !in.seen[when+"\x00"+p] {
			in.seen[when+"\x00"+p] = true
			raise(module.Alert(record.High, r, when, fmt.Sprintf(
				"Process running from %s at shutdown: %s (PID %s, shutdown at %s); %s is where Pegasus, Predator and Reign ran",
				dir, r.String("client"), pyText(r.Data["pid"]), when, strings.TrimSuffix(dir, "/"))))
			break
		}
	}
	in.gather(r, p)
}

func (in *shutdownInspector) gather(r record.Record, p string) {
	when := r.String("isodate")
	rb := in.reboots[when]
	if rb == nil {
		rb = &shutdownReboot{counted: map[string]bool{}}
		in.reboots[when] = rb
	}
	n, _ := r.Number("times_delayed")
	if int64(n) > rb.delays || rb.worst.Data == nil {
		rb.delays, rb.worst = int64(n), r
	}
	if int64(n) >= shutdownStickyDelays && !rb.counted[p] {
		rb.counted[p] = true
		rb.sticky = append(rb.sticky, r.String("client"))
	}
}

// Finish implements module.Inspector: one alert per reboot delayed three
// or more times, in time order.
func (in *shutdownInspector) Finish(raise func(record.Finding)) {
	times := make([]string, 0, len(in.reboots))
	for t := range in.reboots {
		times = append(times, t)
	}
	sort.Strings(times)
	for _, t := range times {
		rb := in.reboots[t]
		if rb.delays < shutdownStickyDelays {
			continue
		}
		raise(module.Alert(record.Medium, rb.worst, t, fmt.Sprintf(
			"Reboot at %s was delayed %d times by clients that would not exit (sticky processes, as Pegasus's were): %s",
			t, rb.delays, strings.Join(rb.sticky, ", "))))
	}
}
