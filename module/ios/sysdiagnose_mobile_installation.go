package ios

// SysdiagnoseMobileInstallation: app installs, uninstalls and container
// moves as installd logs them, the sysdiagnose's copy of
// /private/var/installd/Library/Logs/MobileInstallation/.
//
//   sysdiagnose: logs/MobileInstallation/mobile_installation.log.*
//                (relative to the sysdiagnose's top folder; .0 is newest)
//
// Every entry starts with the device's local time, installd's pid, a
// level, a thread and the method:
//
//	Sun Dec  2 11:04:22 2018 [47] <notice> (0x16bad3000) -[MIUninstaller _uninstallBundleWithIdentifier:error:]: Uninstalling identifier com.example.app
//
// (continuation lines of multi-line entries are skipped). The messages
// kept are those naming a bundle id or the process asking for the change:
// "Install Successful for (Placeholder:ID)", "Uninstalling identifier ID",
// "Uninstall requested by PROC (pid N) for identifier ID", "Install of
// "PATH" type T … requested by PROC (pid N)", "Made container live for
// ID at PATH", "Destroying container with identifier ID at PATH", "Data
// container for ID is now at PATH". The log gives no UTC offset: times
// are converted with the sysdiagnose's own offset (from its name), which
// is right unless the device changed time zone or daylight saving time
// since; the record keeps the local text and the offset used.
//
// The bundle ids are the point: an app installed then removed before the
// sysdiagnose leaves no other trace in it. MVT has no sysdiagnose modules;
// the bundle id is matched against app ids and the requesting process
// against process names [CRITICAL]. No heuristic.

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// SysdiagnoseMobileInstallation reads the MobileInstallation logs.
type SysdiagnoseMobileInstallation struct{}

var sysdiagnoseMILogQuery = evidence.Query{DevicePaths: []string{
	"logs/MobileInstallation/mobile_installation.log",
	"logs/MobileInstallation/mobile_installation.log.*",
}}

// Info implements module.Module.
func (SysdiagnoseMobileInstallation) Info() module.Info {
	return module.Info{Name: "sysdiagnose_mobile_installation", Title: "SysdiagnoseMobileInstallation",
		Kinds: []evidence.Kind{evidence.IOSSysdiagnose}, TimeField: "isodate"}
}

// Extract implements module.Module: the kept entries of every log, logs in
// name order, entries in log order.
func (SysdiagnoseMobileInstallation) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	entries, err := src.Find(ctx, sysdiagnoseMILogQuery)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return fmt.Errorf("find mobile_installation.log: %w", evidence.ErrNotFound)
	}
	loc := time.UTC
	if t, ok := sysdiagnoseCapture(ctx, src); ok {
		loc = t.Location()
	}
	for _, e := range entries {
		err := readSysdiagnoseLines(src, e, func(r io.Reader) error {
			return eachSysdiagnoseLine(r, func(line string) bool {
				if d := parseMILine(line, loc); d != nil {
					d["file"] = e.DevicePath
					emit(record.Record{Data: d})
				}
				return true
			})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// miLine splits an entry's first line: local time, then the message after
// the method (or after the thread when there is no method).
var miLine = regexp.MustCompile(`^([A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}) \[\d+\] <[^>]*> \([^)]*\) (?:[-+]\[[^\]]*\]: )?(.*)$`)

// miMessage is one kind of kept message: its action and the pattern
// giving, by name, bundle_id, path and requested_by.
type miMessage struct {
	action  string
	pattern *regexp.Regexp
}

var miMessages = []miMessage{
	{"install_successful", regexp.MustCompile(`^Install Successful for \((?:[A-Za-z]+:)?(?P<bundle_id>[^)\s]+)\)`)},
	{"uninstall_requested", regexp.MustCompile(`^Uninstall requested by (?P<requested_by>\S+) \(pid \d+\) for identifier (?P<bundle_id>\S+)`)},
	{"install_requested", regexp.MustCompile(`^Install of "(?P<path>[^"]*)" type .* requested by (?P<requested_by>\S+) \(pid \d+\)`)},
	{"uninstalling", regexp.MustCompile(`^Uninstalling identifier (?P<bundle_id>\S+)`)},
	{"container_live", regexp.MustCompile(`^Made container live for (?P<bundle_id>\S+) at (?P<path>.+)$`)},
	{"container_destroyed", regexp.MustCompile(`^Destroying container with identifier (?P<bundle_id>\S+) at (?P<path>.+)$`)},
	{"data_container_moved", regexp.MustCompile(`^Data container for (?P<bundle_id>\S+) is now at (?P<path>.+)$`)},
}

// miTimeLayout is the log's local time.
const miTimeLayout = "Mon Jan _2 15:04:05 2006"

// parseMILine turns a kept entry into a record, nil for any other line.
func parseMILine(line string, loc *time.Location) map[string]any {
	m := miLine.FindStringSubmatch(line)
	if m == nil {
		return nil
	}
	for _, k := range miMessages {
		sub := k.pattern.FindStringSubmatch(m[2])
		if sub == nil {
			continue
		}
		d := map[string]any{"action": k.action, "local_time": m[1], "isodate": "", "utc_offset": ""}
		if t, err := time.ParseInLocation(miTimeLayout, m[1], loc); err == nil {
			d["isodate"], d["utc_offset"] = record.ISO(t), t.Format("-0700")
		}
		for i, name := range k.pattern.SubexpNames() {
			if name != "" {
				d[name] = strings.TrimSpace(sub[i])
			}
		}
		return d
	}
	return nil
}

// Observables implements module.Module.
func (SysdiagnoseMobileInstallation) Observables(r record.Record) []record.Observable {
	obs := module.Observe(record.Critical, record.AppID, "bundle_id", r.String("bundle_id"))
	return append(obs, module.Observe(record.Critical, record.Process, "requested_by", r.String("requested_by"))...)
}

// miTimelineText is the timeline text of each action.
var miTimelineText = map[string]string{
	"install_successful":   "App %[1]s installed",
	"uninstall_requested":  "Uninstall of %[1]s requested by %[2]s",
	"install_requested":    "Install of %[3]s requested by %[2]s",
	"uninstalling":         "App %[1]s uninstalled",
	"container_live":       "Container for %[1]s made live at %[3]s",
	"container_destroyed":  "Container of %[1]s destroyed at %[3]s",
	"data_container_moved": "Data container of %[1]s now at %[3]s",
}

// Timeline implements module.Module.
func (m SysdiagnoseMobileInstallation) Timeline(r record.Record) []record.Event {
	format, ok := miTimelineText[r.String("action")]
	if !ok {
		return nil
	}
	return module.Event(m.Info().Title, r.String("isodate"), r.String("action"),
		fmt.Sprintf(format, r.String("bundle_id"), r.String("requested_by"), r.String("path")))
}
