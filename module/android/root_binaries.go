package android

// RootBinaries: root tools found on the device's PATH.
//
//   androidqf: root_binaries.json (2023-08+; `which -a` for su, busybox,
//   supersu, Superuser.apk, KingoUser.apk, SuperSu.apk, magisk, magiskhide,
//   magiskinit, magiskpolicy)
//
// The file is a JSON array of strings, each the raw output of one `which
// -a`, so one string can hold several paths on separate lines; each path
// becomes its own record.

import (
	"context"
	"fmt"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// RootBinaries reads root_binaries.json.
type RootBinaries struct{}

// Info implements module.Module.
func (RootBinaries) Info() module.Info {
	return module.Info{Name: "root_binaries", Title: "RootBinaries", Kinds: androidQF}
}

// rootBinaryDescriptions describes the binaries androidqf looks for, by
// lower-case name.
var rootBinaryDescriptions = map[string]string{
	"su":            "SuperUser binary",
	"busybox":       "BusyBox utilities",
	"supersu":       "SuperSU root management",
	"superuser.apk": "Superuser app",
	"kingouser.apk": "KingRoot app",
	"supersu.apk":   "SuperSU app",
	"magisk":        "Magisk root framework",
	"magiskhide":    "Magisk hide utility",
	"magiskinit":    "Magisk init binary",
	"magiskpolicy":  "Magisk policy binary",
}

// Extract implements module.Module.
func (RootBinaries) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	e, err := module.FindOne(ctx, src, rootFile("root_binaries.json"))
	if err != nil {
		return fmt.Errorf("find root_binaries.json: %w", err)
	}
	return eachJSONItem(src, e, func(v any) error {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		for _, p := range strings.Split(s, "\n") {
			if p = strings.TrimSpace(p); p != "" {
				emit(record.Record{Data: rootBinaryRecord(p)})
			}
		}
		return nil
	})
}

func rootBinaryRecord(p string) map[string]any {
	name := strings.ToLower(p[strings.LastIndex(p, "/")+1:])
	desc, ok := rootBinaryDescriptions[name]
	if !ok {
		desc = "Unknown root binary"
	}
	return map[string]any{"path": p, "binary_name": name, "description": desc}
}

// Observables implements module.Module: MVT checks no indicator here.
func (RootBinaries) Observables(record.Record) []record.Observable { return nil }

// Timeline implements module.Module: MVT writes a "root_binary_found" row
// with no time for each binary.
func (m RootBinaries) Timeline(r record.Record) []record.Event {
	return []record.Event{{Module: m.Info().Title, Event: "root_binary_found",
		Data: fmt.Sprintf("Root binary found: %s (binary: %s)", r.String("path"), r.String("binary_name"))}}
}

// NewInspector implements module.Heuristic: every root binary is a sign of
// rooting.
func (RootBinaries) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		raise(module.Alert(record.High, r, "", fmt.Sprintf("Found root binary \"%s\" at path \"%s\"", r.String("binary_name"), r.String("path"))))
	})
}
