package android

// Env: the environment of androidqf's adb shell. MVT does not read it.
//
//   androidqf: env.txt (`env`, 2023-07+): KEY=VALUE lines
//
// One record {name, value} per variable, in file order; a line without '='
// continues the previous value (a value holding a newline).
//
// Heuristics (MEDIUM), since a stock shell has neither:
//   - LD_PRELOAD set to anything: a library injected into every program;
//   - a PATH or LD_LIBRARY_PATH entry that is empty or relative, in a
//     writable location (/data/, /sdcard/, /storage/, /mnt/, /tmp/,
//     /cache/), or a root tool's folder (any name holding "magisk",
//     /debug_ramdisk, /su or a folder named su).
// The preloaded libraries are also matched against file path indicators.

import (
	"context"
	"fmt"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Env reads env.txt.
type Env struct{}

// Info implements module.Module.
func (Env) Info() module.Info {
	return module.Info{Name: "env", Title: "Environment", Kinds: androidQF}
}

// Extract implements module.Module.
func (Env) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	data, _, err := readRootFile(ctx, src, "env.txt")
	if err != nil {
		return err
	}
	var cur map[string]any
	for _, line := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		name, value, ok := strings.Cut(line, "=")
		if ok && name != "" && !strings.ContainsAny(name, " \t") {
			if cur != nil {
				emit(record.Record{Data: cur})
			}
			cur = map[string]any{"name": name, "value": value}
		} else if cur != nil && line != "" {
			cur["value"] = cur["value"].(string) + "\n" + line
		}
	}
	if cur != nil {
		emit(record.Record{Data: cur})
	}
	return nil
}

// envPreloadLibraries lists the libraries of an LD_PRELOAD value
// (separated by ':' or white space).
func envPreloadLibraries(value string) []string {
	return strings.FieldsFunc(value, func(r rune) bool { return r == ':' || r == ' ' || r == '\t' || r == '\n' })
}

// Observables implements module.Module: preloaded libraries as paths.
func (Env) Observables(r record.Record) []record.Observable {
	if r.String("name") != "LD_PRELOAD" {
		return nil
	}
	return module.Observe(record.Critical, record.FilePath, "value", envPreloadLibraries(r.String("value"))...)
}

// Timeline implements module.Module: no time.
func (Env) Timeline(record.Record) []record.Event { return nil }

// NewInspector implements module.Heuristic.
func (Env) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		name, value := r.String("name"), r.String("value")
		switch name {
		case "LD_PRELOAD":
			if strings.TrimSpace(value) != "" {
				raise(module.Alert(record.Medium, r, "", fmt.Sprintf("Suspicious environment variable LD_PRELOAD=%s: a library is injected into every program", value)))
			}
		case "PATH", "LD_LIBRARY_PATH":
			for _, dir := range strings.Split(value, ":") {
				if why := suspiciousSearchDir(dir); why != "" {
					raise(module.Alert(record.Medium, r, "", fmt.Sprintf("Suspicious %s entry \"%s\" (%s)", name, dir, why)))
				}
			}
		}
	})
}

// writableDirs are device locations an app or an adb user can write to.
var writableDirs = []string{"/data/", "/sdcard/", "/storage/", "/mnt/", "/tmp/", "/cache/"}

// suspiciousSearchDir says why a search path entry is suspicious, or "".
func suspiciousSearchDir(dir string) string {
	switch {
	case dir == "":
		return "empty entry: the current folder"
	case !strings.HasPrefix(dir, "/"):
		return "relative folder"
	}
	lower := strings.ToLower(strings.TrimSuffix(dir, "/") + "/")
	for _, w := range writableDirs {
		if strings.HasPrefix(lower, w) {
			return "writable location"
		}
	}
	if strings.Contains(lower, "magisk") || strings.HasPrefix(lower, "/debug_ramdisk/") || strings.Contains(lower, "/su/") {
		return "root tool folder"
	}
	return ""
}
