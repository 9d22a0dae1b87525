package ios

// SysdiagnoseCrashes: the crash and diagnostic reports a sysdiagnose
// copies from the device's CrashReporter folder.
//
//   sysdiagnose: crashes_and_spins/*.ips, crashes_and_spins/*/*.ips
//                (Panics/, Retired/ …), crashes_and_spins/*.crash
//                (relative to the sysdiagnose's top folder)
//
// Since iOS 15 an .ips report is one line of JSON (the header: bug_type,
// app_name, timestamp "2025-11-22 19:29:43.00 -0500", bundleID,
// incident_id, os_version), then a JSON body with procName, procPath,
// pid, parentProc, coalitionName, bundleInfo.CFBundleIdentifier and
// exception.type. Older reports (and .crash files, which have no JSON
// header) carry the same facts as "Key: value" text lines: "Process:
// name [pid]", "Path:", "Identifier:", "Parent Process:", "Coalition:",
// "Date/Time:", "Exception Type:". Stackshots (stacks-*.ips), jetsam and
// other system-wide reports have no single process: their record keeps
// the header's facts only (their per-process lists are not read; ps.txt
// gives the process table).
//
// Each report is decoded as a stream (the body value alone is held, up to
// maxCrashReport); the text form is read line by line up to the first
// thread backtrace. Times are the header's (or Date/Time's) with their
// UTC offset, converted to UTC.
//
// MVT has no sysdiagnose modules. The process path is matched as
// shutdown_log matches its clients, then the process and parent names
// against process names, then the bundle and coalition ids against app
// ids [CRITICAL]; one heuristic: a crash of a process whose executable
// lies in /private/var/db/ or /private/var/tmp/, where Pegasus, Predator
// and Reign ran [HIGH].

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// SysdiagnoseCrashes reads crashes_and_spins/.
type SysdiagnoseCrashes struct{}

var sysdiagnoseCrashesQuery = evidence.Query{DevicePaths: []string{
	"crashes_and_spins/*.ips",
	"crashes_and_spins/*/*.ips",
	"crashes_and_spins/*.crash",
}}

// maxCrashReport bounds the JSON body of one report.
const maxCrashReport = 64 << 20

// maxCrashTextLines bounds the text lines read from an old-style report
// before its thread backtraces.
const maxCrashTextLines = 400

// Info implements module.Module.
func (SysdiagnoseCrashes) Info() module.Info {
	return module.Info{Name: "sysdiagnose_crashes", Title: "SysdiagnoseCrashes",
		Kinds: []evidence.Kind{evidence.IOSSysdiagnose}, TimeField: "isodate"}
}

// Extract implements module.Module: one record per report, in path
// order. A report that cannot be read at all (no header, no text keys)
// is skipped; hidden files (._ AppleDouble) are ignored.
func (SysdiagnoseCrashes) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	entries, err := src.Find(ctx, sysdiagnoseCrashesQuery)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return fmt.Errorf("find crashes_and_spins reports: %w", evidence.ErrNotFound)
	}
	for _, e := range entries {
		if strings.HasPrefix(path.Base(e.DevicePath), ".") {
			continue
		}
		rc, err := src.Open(e)
		if err != nil {
			return err
		}
		d := parseCrashReport(rc)
		rc.Close()
		if d != nil {
			d["file"] = e.DevicePath
			emit(record.Record{Data: d})
		}
	}
	return nil
}

// crashHeader is the first line of an .ips report.
type crashHeader struct {
	AppName    string          `json:"app_name"`
	Name       string          `json:"name"`
	Timestamp  string          `json:"timestamp"`
	BugType    json.RawMessage `json:"bug_type"`
	BundleID   string          `json:"bundleID"`
	IncidentID string          `json:"incident_id"`
	OSVersion  string          `json:"os_version"`
}

// crashBody is what is kept of an .ips body.
type crashBody struct {
	ProcName      string `json:"procName"`
	ProcPath      string `json:"procPath"`
	PID           any    `json:"pid"`
	ParentProc    string `json:"parentProc"`
	CoalitionName string `json:"coalitionName"`
	CaptureTime   string `json:"captureTime"`
	BundleInfo    struct {
		ID string `json:"CFBundleIdentifier"`
	} `json:"bundleInfo"`
	Exception struct {
		Type string `json:"type"`
	} `json:"exception"`
}

// parseCrashReport reads one report; nil when nothing of it is usable.
func parseCrashReport(r io.Reader) map[string]any {
	br := bufio.NewReaderSize(r, maxSysdiagnoseLine)
	first, _ := br.Peek(1)
	d := map[string]any{}
	if len(first) == 1 && first[0] == '{' {
		line, err := br.ReadSlice('\n')
		var h crashHeader
		if err != nil && err != io.EOF || json.Unmarshal(bytes.TrimSpace(line), &h) != nil {
			return nil
		}
		putCrashHeader(d, h)
	}
	if !skipSpace(br) {
		return crashRecord(d)
	}
	if next, _ := br.Peek(1); len(next) == 1 && next[0] == '{' {
		var b crashBody
		if json.NewDecoder(io.LimitReader(br, maxCrashReport)).Decode(&b) == nil {
			putCrashBody(d, b)
		}
		return crashRecord(d)
	}
	parseCrashText(br, d)
	return crashRecord(d)
}

// skipSpace drops white space; false at the end of the input.
func skipSpace(br *bufio.Reader) bool {
	for {
		c, err := br.ReadByte()
		if err != nil {
			return false
		}
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return br.UnreadByte() == nil
		}
	}
}

func putCrashHeader(d map[string]any, h crashHeader) {
	crashPut(d, "app_name", cmp.Or(h.AppName, h.Name))
	crashPut(d, "bug_type", crashBugType(h.BugType))
	crashPut(d, "bundle_id", h.BundleID)
	crashPut(d, "incident_id", h.IncidentID)
	crashPut(d, "os_version", h.OSVersion)
	crashPut(d, "isodate", crashTime(h.Timestamp))
}

func putCrashBody(d map[string]any, b crashBody) {
	crashPut(d, "proc_name", b.ProcName)
	crashPut(d, "proc_path", b.ProcPath)
	if n, ok := record.Num(b.PID); ok {
		d["pid"] = int64(n)
	}
	crashPut(d, "parent_proc", b.ParentProc)
	crashPut(d, "coalition_name", b.CoalitionName)
	crashPut(d, "bundle_id", b.BundleInfo.ID)
	crashPut(d, "exception_type", b.Exception.Type)
	crashPut(d, "isodate", crashTime(b.CaptureTime))
}

// crashBugType is bug_type, written as a string ("109") or a number.
func crashBugType(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

// crashPut sets d[k] to a non-empty v unless d already holds a value for k.
func crashPut(d map[string]any, k, v string) {
	if _, ok := d[k]; !ok && v != "" {
		d[k] = v
	}
}

// crashTextKeys maps the text report's keys to record fields.
var crashTextKeys = map[string]string{
	"Process": "proc_name", "Path": "proc_path", "Identifier": "bundle_id",
	"Parent Process": "parent_proc", "Coalition": "coalition_name",
	"Date/Time": "isodate", "Exception Type": "exception_type",
	"Incident Identifier": "incident_id", "OS Version": "os_version",
}

// parseCrashText reads the "Key: value" lines of an old-style report up
// to its first thread or binary image list.
func parseCrashText(br *bufio.Reader, d map[string]any) {
	n := 0
	_ = eachSysdiagnoseLine(br, func(line string) bool {
		n++
		if strings.HasPrefix(line, "Thread ") || strings.HasPrefix(line, "Binary Images") || n > maxCrashTextLines {
			return false
		}
		key, value, ok := strings.Cut(line, ":")
		field := crashTextKeys[strings.TrimSpace(key)]
		if !ok || field == "" {
			return true
		}
		value = strings.TrimSpace(value)
		switch field {
		case "isodate":
			value = crashTime(value)
		case "proc_name", "parent_proc", "coalition_name":
			value = crashTextName(d, field, value)
		}
		crashPut(d, field, value)
		return true
	})
}

// crashTextName splits "name [pid]": the pid of the process itself is
// kept as pid.
func crashTextName(d map[string]any, field, value string) string {
	i := strings.LastIndex(value, " [")
	if i < 0 || !strings.HasSuffix(value, "]") {
		return value
	}
	if n, err := strconv.ParseInt(value[i+2:len(value)-1], 10, 64); err == nil && field == "proc_name" {
		if _, set := d["pid"]; !set {
			d["pid"] = n
		}
	}
	return value[:i]
}

// crashTime converts "2025-11-22 19:29:43.00 -0500" (any fraction) to
// UTC; a time without an offset or that does not parse gives "".
func crashTime(s string) string {
	t, err := time.Parse("2006-01-02 15:04:05 -0700", strings.TrimSpace(s))
	if err != nil {
		return ""
	}
	return record.ISO(t)
}

// crashRecord is d, or nil when it names no process, app or bug type.
func crashRecord(d map[string]any) map[string]any {
	for _, k := range []string{"app_name", "proc_name", "proc_path", "bundle_id", "bug_type"} {
		if _, ok := d[k]; ok {
			if _, ok := d["isodate"]; !ok {
				d["isodate"] = ""
			}
			return d
		}
	}
	return nil
}

// Observables implements module.Module.
func (SysdiagnoseCrashes) Observables(r record.Record) []record.Observable {
	p := r.String("proc_path")
	obs := module.Observe(record.Critical, record.FilePath, "proc_path", p)
	obs = append(obs, module.Observe(record.Critical, record.ProcessPath, "proc_path", p)...)
	obs = append(obs, module.Observe(record.Critical, record.Process, "proc_name", r.String("proc_name"))...)
	obs = append(obs, module.Observe(record.Critical, record.Process, "app_name", r.String("app_name"))...)
	obs = append(obs, module.Observe(record.Critical, record.Process, "parent_proc", r.String("parent_proc"))...)
	obs = append(obs, module.Observe(record.Critical, record.AppID, "bundle_id", r.String("bundle_id"))...)
	return append(obs, module.Observe(record.Critical, record.AppID, "coalition_name", r.String("coalition_name"))...)
}

// Timeline implements module.Module.
func (m SysdiagnoseCrashes) Timeline(r record.Record) []record.Event {
	who := cmp.Or(r.String("proc_path"), cmp.Or(r.String("proc_name"), r.String("app_name")))
	text := fmt.Sprintf("Diagnostic report (bug type %s)", cmp.Or(r.String("bug_type"), "?"))
	if who != "" {
		text += " for " + who
	}
	if ex := r.String("exception_type"); ex != "" {
		text += ": " + ex
	}
	return module.Event(m.Info().Title, r.String("isodate"), "crash_report", text)
}

// NewInspector implements module.Heuristic.
func (SysdiagnoseCrashes) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		p := r.String("proc_path")
		if dir := suspiciousExecDir(p); dir != "" {
			raise(module.Alert(record.High, r, r.String("isodate"), fmt.Sprintf(
				"Crash report for a process running from %s: %s (%s); %s is where Pegasus, Predator and Reign ran",
				dir, p, r.String("file"), strings.TrimSuffix(dir, "/"))))
		}
	})
}
