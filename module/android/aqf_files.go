package android

// AQFFiles: the file listing androidqf takes of the device.
//
//   androidqf: files.json (2022+; a JSON array, newline-delimited JSON in
//   some old versions). Through the collector `mode` is a Go mode string
//   ("-rwxr-xr-x"); through the `find -printf` fallback it is octal ("755",
//   also accepted as a number); the plain `find` fallback writes path-only
//   objects. Times are Unix seconds.
//
// access_time, changed_time and modified_time become the device's local
// wall-clock time (time zone persist.sys.timezone from getprop.txt, else
// UTC), as MVT writes them.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // device time zones on systems without a zoneinfo database

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// AQFFiles reads files.json.
type AQFFiles struct{}

// Info implements module.Module.
func (AQFFiles) Info() module.Info {
	return module.Info{Name: "aqf_files", Title: "AQFFiles", Kinds: androidQF, TimeField: "modified_time"}
}

// fileTimeFields are files.json's time fields, in MVT's timeline order.
var fileTimeFields = []string{"access_time", "changed_time", "modified_time"}

// suspiciousFileDir is where MVT considers any file suspicious, and
// androidqfCollector the one file there that androidqf itself puts.
const (
	suspiciousFileDir  = "/data/local/tmp/"
	androidqfCollector = "/data/local/tmp/collector"
)

// Extract implements module.Module.
func (AQFFiles) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	e, err := module.FindOne(ctx, src, rootFile("files.json"))
	if err != nil {
		return fmt.Errorf("find files.json: %w", err)
	}
	loc, err := deviceLocation(ctx, src)
	if err != nil {
		return err
	}
	return eachJSONItem(src, e, func(v any) error {
		f, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("file is %T, not an object", v)
		}
		for _, k := range fileTimeFields {
			if t, present := f[k]; present {
				f[k] = localTime(t, loc)
			}
		}
		emit(record.Record{Data: f})
		return nil
	})
}

// deviceLocation is the device's time zone from getprop.txt; UTC when
// getprop.txt is absent or names no zone this build knows.
func deviceLocation(ctx context.Context, src evidence.Source) (*time.Location, error) {
	tz, err := deviceProperty(ctx, src, "persist.sys.timezone")
	if errors.Is(err, evidence.ErrNotFound) || tz == "" {
		return time.UTC, nil
	}
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC, nil
	}
	return loc, nil
}

// localTime formats Unix seconds as wall-clock time in loc, to the
// microsecond; a value that is not a finite number gives "".
func localTime(v any, loc *time.Location) string {
	sec, ok := record.Num(v)
	if !ok || math.IsNaN(sec) || math.IsInf(sec, 0) {
		return ""
	}
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(math.Round(frac*1e6))*1e3).In(loc).Format(record.TimeLayout)
}

// Observables implements module.Module: the path, then its hashes.
func (AQFFiles) Observables(r record.Record) []record.Observable {
	out := module.Observe(record.Critical, record.FilePath, "path", r.String("path"))
	for _, h := range []string{"sha256", "sha1", "md5"} {
		out = append(out, module.Observe(record.Critical, record.FileHash, h, r.String(h))...)
	}
	return out
}

// Timeline implements module.Module: one MACB event per distinct time.
func (m AQFFiles) Timeline(r record.Record) []record.Event {
	return macbEvents(m.Info().Title, r)
}

// macbEvents is MVT's file-timestamp timeline: one event per distinct
// non-empty access/changed/modified time, named by which of the three
// fell then ("M", "A", "C" or "-" each, then "-"); data is the path, with
// the SELinux context in parentheses when there is one.
func macbEvents(title string, r record.Record) []record.Event {
	data := r.String("path")
	if c := r.String("context"); c != "" {
		data += " (" + c + ")"
	}
	var out []record.Event
	seen := map[string]bool{}
	for _, k := range fileTimeFields {
		ts := r.String(k)
		if ts == "" || seen[ts] {
			continue
		}
		seen[ts] = true
		macb := []byte("----")
		for i, f := range []string{"modified_time", "access_time", "changed_time"} {
			if r.String(f) == ts {
				macb[i] = "MAC"[i]
			}
		}
		out = append(out, module.Event(title, ts, string(macb), data)...)
	}
	return out
}

// NewInspector implements module.Heuristic: any file under
// /data/local/tmp/ but androidqf's collector.
func (AQFFiles) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		p := r.String("path")
		if !strings.HasPrefix(p, suspiciousFileDir) || p == androidqfCollector {
			return
		}
		kind := ""
		if modeExecutable(r.Data["mode"]) {
			kind = "executable "
		}
		raise(module.Alert(record.High, r, "", fmt.Sprintf("Found %sfile at suspicious path \"%s\"", kind, p)))
	})
}

// modeExecutable reports whether a files.json mode grants execution: a
// mode string with an 'x' (MVT's test), or an octal
// mode (a string or a number written in octal digits) with an execute bit.
func modeExecutable(v any) bool {
	var octal string
	switch m := v.(type) {
	case string:
		if strings.ContainsAny(m, "rwx-") {
			return strings.Contains(m, "x")
		}
		octal = m
	default:
		n, ok := record.Num(v)
		if !ok || n < 0 || n != float64(int64(n)) {
			return false
		}
		octal = strconv.FormatInt(int64(n), 10)
	}
	bits, err := strconv.ParseUint(strings.TrimSpace(octal), 8, 32)
	return err == nil && bits&0o111 != 0
}
