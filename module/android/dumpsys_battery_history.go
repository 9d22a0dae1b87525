package android

// DumpsysBatteryHistory: jobs, alarms and foreground apps from the battery
// history at the top of the "batterystats" section of the dumpsys output.
//
//   bug report: the dumpstate file (main_entry.txt, dumpState_*.log)
//   androidqf:  dumpsys.txt
//
// Lines up to the first blank one: the time (elapsed "+1h2m3s4ms", or
// "MM-DD HH:MM:SS.mmm" on newer Android), then events: +job=/-job=
// uid:"package/service" (start_job/end_job), "+running +wake_lock=uid:
// …*walarm*:package/…" (wake), +top=/-top= uid:package (start_top/end_top).

import (
	"context"
	"strings"

	"github.com/spycheck/spycheck/android/dumpsys"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// DumpsysBatteryHistory reads the battery history.
type DumpsysBatteryHistory struct{}

// Info implements module.Module.
func (DumpsysBatteryHistory) Info() module.Info {
	return module.Info{Name: "dumpsys_battery_history", Title: "DumpsysBatteryHistory", Kinds: dumpstateKinds}
}

// Extract implements module.Module.
func (DumpsysBatteryHistory) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	return eachDumpsysLine(ctx, src, "batterystats", dumpsys.Replace, func(line string) error {
		if strings.HasPrefix(line, "Battery History ") {
			return nil
		}
		if strings.TrimSpace(line) == "" {
			return dumpsys.ErrStop
		}
		if d := batteryHistoryEvent(line); d != nil {
			emit(record.Record{Data: d})
		}
		return nil
	})
}

// batteryHistoryEvent parses one history line; lines without a known
// event give nil.
func batteryHistoryEvent(line string) map[string]any {
	fields := strings.Fields(line)
	elapsed := fields[0]
	if len(fields) > 1 && len(fields[0]) == 5 && fields[0][2] == '-' && strings.Contains(fields[1], ":") {
		elapsed = fields[0] + " " + fields[1]
	}
	var uid, service, pkg string
	switch {
	case pyFind(line, "+job") > 0, pyFind(line, "-job") > 0:
		event, sep := "start_job", "+job="
		if pyFind(line, "+job") <= 0 {
			event, sep = "end_job", "-job="
		}
		_, payload, _ := strings.Cut(line, sep)
		var ok bool
		if uid, service, ok = strings.Cut(payload, ":"); !ok {
			return nil
		}
		service = strings.Trim(strings.TrimSpace(service), `"`)
		pkg, _, _ = strings.Cut(service, "/")
		return batteryRecord(elapsed, event, uid, pkg, service)
	case pyFind(line, "+running +wake_lock=") > 0:
		_, payload, _ := strings.Cut(line, "+running +wake_lock=")
		var ok bool
		if uid, _, ok = strings.Cut(payload, ":"); !ok {
			return nil
		}
		rest := pySlice(line, pyFind(line, "*walarm*:")+9, len(line))
		service, _, _ = strings.Cut(rest, " ")
		service = strings.TrimSpace(strings.Trim(service, `"`))
		if service == "" || !strings.Contains(service, "/") {
			return nil
		}
		pkg, _, _ = strings.Cut(service, "/")
		return batteryRecord(elapsed, "wake", uid, pkg, service)
	case pyFind(line, "+top=") > 0, pyFind(line, "-top") > 0:
		event, pos := "start_top", pyFind(line, "+top=")
		if pos <= 0 {
			event, pos = "end_top", pyFind(line, "-top=")
		}
		colon := pos + pyFind(pySlice(line, pos, len(line)), ":")
		uid = pySlice(line, pos+5, colon)
		pkg = strings.Trim(pySlice(line, colon+1, len(line)), `"`)
		return batteryRecord(elapsed, event, uid, pkg, "")
	}
	return nil
}

func batteryRecord(elapsed, event, uid, pkg, service string) map[string]any {
	return map[string]any{"time_elapsed": elapsed, "event": event, "uid": uid, "package_name": pkg, "service": service}
}

// pyFind is Python's str.find: the byte index of sub in s, or -1.
func pyFind(s, sub string) int { return strings.Index(s, sub) }

// pySlice is Python's s[i:j] on byte indexes: negative indexes count from
// the end, and out-of-range ones are clamped.
func pySlice(s string, i, j int) string {
	clamp := func(k int) int {
		if k < 0 {
			k += len(s)
		}
		return max(0, min(k, len(s)))
	}
	i, j = clamp(i), clamp(j)
	if i >= j {
		return ""
	}
	return s[i:j]
}

// Observables implements module.Module.
func (DumpsysBatteryHistory) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.AppID, "package_name", r.String("package_name"))
}

// Timeline implements module.Module: MVT makes none (times are relative).
func (DumpsysBatteryHistory) Timeline(record.Record) []record.Event { return nil }
