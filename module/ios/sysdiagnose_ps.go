package ios

// SysdiagnosePS: the process table at the moment a sysdiagnose was taken,
// as ps(1) writes it to ps.txt at the top of the archive.
//
//   sysdiagnose: ps.txt (relative to the sysdiagnose's top folder)
//
// iOS 12 to 26 write the same layout: a header line naming the columns,
// then one process a line, the command last (it may hold spaces):
//
//	USER  UID PRSNA   PID  PPID        F  %CPU %MEM PRI NI   VSZ   RSS WCHAN  TT  STAT STARTED      TIME COMMAND
//	root    0     -     1     0     4004   0.0  0.1  31  0     0     0 -      ??  Ss    7:22PM   0:12.34 /sbin/launchd
//
// Columns are found by the header's names, so an older header without
// PRSNA or F still parses. ps.txt holds no date: every record takes the
// capture time of the sysdiagnose (see sysdiagnoseCaptureTime), so the
// module adds nothing to the timeline (hundreds of rows at one instant).
// ps_thread.txt is not read: it is the same table with every thread
// added, so it names no process ps.txt does not.
//
// MVT has no sysdiagnose modules. The executable is matched as shutdown_log
// matches its clients (file:path/name, then its elements against process
// names) and the command name against process names [CRITICAL]; one
// heuristic, as Kaspersky's for shutdown.log: a process running from
// /private/var/db/ or /private/var/tmp/, where Pegasus, Predator and Reign
// ran [HIGH].

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// SysdiagnosePS reads ps.txt.
type SysdiagnosePS struct{}

var sysdiagnosePSQuery = evidence.Query{DevicePaths: []string{"ps.txt"}}

// maxSysdiagnoseLine bounds one line of the sysdiagnose text files read
// here; a longer line is cut at this length.
const maxSysdiagnoseLine = 64 << 10

// Info implements module.Module.
func (SysdiagnosePS) Info() module.Info {
	return module.Info{Name: "sysdiagnose_ps", Title: "SysdiagnosePS",
		Kinds: []evidence.Kind{evidence.IOSSysdiagnose}, TimeField: "isodate"}
}

// Extract implements module.Module: one record per process, in file order.
func (SysdiagnosePS) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	e, err := module.FindOne(ctx, src, sysdiagnosePSQuery)
	if err != nil {
		return fmt.Errorf("find ps.txt: %w", err)
	}
	t, _ := sysdiagnoseCapture(ctx, src)
	captured := record.ISO(t)
	return readSysdiagnoseLines(src, e, func(r io.Reader) error {
		return parsePS(r, func(d map[string]any) {
			d["isodate"] = captured
			emit(record.Record{Data: d})
		})
	})
}

// readSysdiagnoseLines opens e and hands it to parse; errors name the file.
func readSysdiagnoseLines(src evidence.Source, e evidence.Entry, parse func(io.Reader) error) error {
	rc, err := src.Open(e)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := parse(rc); err != nil {
		return &evidence.FileError{Op: "parse", Path: e.Name(), Evidence: e.Local, Err: err}
	}
	return nil
}

// eachSysdiagnoseLine calls fn with every line of r, each cut at
// maxSysdiagnoseLine bytes, until fn returns false.
func eachSysdiagnoseLine(r io.Reader, fn func(line string) bool) error {
	br := bufio.NewReaderSize(r, maxSysdiagnoseLine)
	for {
		chunk, err := br.ReadSlice('\n')
		line := strings.TrimRight(string(chunk), "\r\n")
		for err == bufio.ErrBufferFull { // drop the rest of an over-long line
			_, err = br.ReadSlice('\n')
		}
		if len(chunk) > 0 && !fn(line) {
			return nil
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// psIntColumns are the ps.txt columns kept as numbers.
var psIntColumns = map[string]bool{"uid": true, "pid": true, "ppid": true}

// psKeptColumns are the ps.txt columns kept in a record, by header name.
var psKeptColumns = map[string]string{"USER": "user", "UID": "uid", "PID": "pid", "PPID": "ppid",
	"STAT": "stat", "STARTED": "started", "TIME": "time"}

// parsePS reads ps.txt: the header, then one record per process line. A
// file whose first line names no PID and COMMAND column is an error.
func parsePS(r io.Reader, emit func(map[string]any)) error {
	var header []string
	var bad error
	err := eachSysdiagnoseLine(r, func(line string) bool {
		if header == nil {
			header = strings.Fields(line)
			if len(header) < 2 || header[len(header)-1] != "COMMAND" || !slices.Contains(header, "PID") {
				bad = fmt.Errorf("%w: no ps header with PID and COMMAND columns", evidence.ErrCorrupt)
				return false
			}
			return true
		}
		if d := psRow(header, line); d != nil {
			emit(d)
		}
		return true
	})
	if err != nil {
		return err
	}
	if header == nil {
		return fmt.Errorf("%w: empty file", evidence.ErrCorrupt)
	}
	return bad
}

// psRow turns one process line into a record; a line with fewer columns
// than the header gives nil.
func psRow(header []string, line string) map[string]any {
	cols, command, ok := splitColumns(line, len(header)-1)
	if !ok {
		return nil
	}
	d := map[string]any{"command": command}
	for i, name := range header[:len(header)-1] {
		key, kept := psKeptColumns[name]
		if !kept {
			continue
		}
		d[key] = cols[i]
		if n, err := strconv.ParseInt(cols[i], 10, 64); err == nil && psIntColumns[key] {
			d[key] = n
		}
	}
	exe := psExecutable(command)
	d["executable"] = exe
	d["process_name"] = psProcessName(command, exe)
	return d
}

// splitColumns cuts n whitespace-separated columns off line and returns
// them with the rest (trimmed); ok is false when the rest is empty.
func splitColumns(line string, n int) (cols []string, rest string, ok bool) {
	rest = strings.TrimSpace(line)
	for range n {
		i := strings.IndexAny(rest, " \t")
		if i < 0 {
			return nil, "", false
		}
		cols = append(cols, rest[:i])
		rest = strings.TrimLeft(rest[i:], " \t")
	}
	return cols, rest, rest != ""
}

// psExecutable is the absolute executable path a command starts with, or
// "". Arguments follow the first space; an app bundle's executable may
// itself hold spaces ("/…/My App.app/My App"), so inside a bundle the
// executable named after the bundle is kept whole.
func psExecutable(command string) string {
	if !strings.HasPrefix(command, "/") {
		return ""
	}
	if i := strings.LastIndex(command, ".app/"); i >= 0 {
		bundle := command[:i]
		name := bundle[strings.LastIndex(bundle, "/")+1:]
		if after := command[i+len(".app/"):]; strings.HasPrefix(after, name) &&
			(len(after) == len(name) || after[len(name)] == ' ') {
			return command[:i+len(".app/")+len(name)]
		}
	}
	exe, _, _ := strings.Cut(command, " ")
	return exe
}

// psProcessName is the executable's base name, else the command's first
// word without the parentheses ps puts around a name it could not
// resolve ("(launchd)").
func psProcessName(command, exe string) string {
	if exe != "" {
		return path.Base(exe)
	}
	first, _, _ := strings.Cut(command, " ")
	return strings.Trim(first, "()")
}

// Observables implements module.Module: the executable against file
// names and paths, then its elements against process names; the process
// name when there is no executable path.
func (SysdiagnosePS) Observables(r record.Record) []record.Observable {
	exe := r.String("executable")
	obs := module.Observe(record.Critical, record.FilePath, "executable", exe)
	obs = append(obs, module.Observe(record.Critical, record.ProcessPath, "executable", exe)...)
	return append(obs, module.Observe(record.Critical, record.Process, "process_name", r.String("process_name"))...)
}

// Timeline implements module.Module: none (see the file comment).
func (SysdiagnosePS) Timeline(record.Record) []record.Event { return nil }

// NewInspector implements module.Heuristic.
func (SysdiagnosePS) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		exe := r.String("executable")
		if dir := suspiciousExecDir(exe); dir != "" {
			raise(module.Alert(record.High, r, r.String("isodate"), fmt.Sprintf(
				"Process running from %s when the sysdiagnose was taken: %s (PID %s); %s is where Pegasus, Predator and Reign ran",
				dir, exe, pyText(r.Data["pid"]), strings.TrimSuffix(dir, "/"))))
		}
	})
}

// suspiciousExecDir is the one of shutdownSuspiciousDirs p lies in, or "".
func suspiciousExecDir(p string) string {
	for _, dir := range shutdownSuspiciousDirs {
		if strings.HasPrefix(p, dir) {
			return dir
		}
	}
	return ""
}

// sysdiagnoseStamp is the capture time in a sysdiagnose's name
// ("sysdiagnose_2025.11.22_19-36-23-0500_iPhone-OS_…"), local time and
// UTC offset.
var sysdiagnoseStamp = regexp.MustCompile(`sysdiagnose_(\d{4}\.\d{2}\.\d{2}_\d{2}-\d{2}-\d{2})([+-]\d{4})_`)

// sysdiagnoseCapture is when the sysdiagnose was taken, in the device's
// time zone then (a fixed UTC offset): the stamp in the first line of
// sysdiagnose.log that names the archive being built
// ("IN_PROGRESS_sysdiagnose_…"), else the stamp in the acquisition's own
// path (its top folder or archive name); false when neither gives one.
func sysdiagnoseCapture(ctx context.Context, src evidence.Source) (time.Time, bool) {
	if e, err := module.FindOne(ctx, src, evidence.Query{DevicePaths: []string{"sysdiagnose.log"}}); err == nil {
		var found time.Time
		_ = readSysdiagnoseLines(src, e, func(r io.Reader) error {
			return eachSysdiagnoseLine(r, func(line string) bool {
				found, _ = sysdiagnoseStampTime(line)
				return found.IsZero()
			})
		})
		if !found.IsZero() {
			return found, true
		}
	}
	name := src.Path()
	if rooted, ok := src.(interface{ Root() string }); ok {
		name = rooted.Root() + " " + name
	}
	return sysdiagnoseStampTime(name)
}

// sysdiagnoseStampTime reads the first sysdiagnose stamp in s.
func sysdiagnoseStampTime(s string) (time.Time, bool) {
	m := sysdiagnoseStamp.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	t, err := time.Parse("2006.01.02_15-04-05-0700", m[1]+m[2])
	return t, err == nil
}
