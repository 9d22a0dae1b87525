package android

// DumpsysPlatformCompat: packages still listed in the overrides of the
// DOWNSCALED compatibility change of the "platform_compat" section of the
// dumpsys output. Android keeps them after the app is uninstalled, so
// they are traces of removed apps.
//
//   bug report: the dumpstate file (main_entry.txt, dumpState_*.log)
//   androidqf:  dumpsys.txt
//
// The line reads "ChangeId(168419799; name=DOWNSCALED; …
// rawOverrides={pkg=…, pkg=…}; …)".

import (
	"context"
	"strings"

	"github.com/spycheck/spycheck/android/dumpsys"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// DumpsysPlatformCompat reads the platform_compat section.
type DumpsysPlatformCompat struct{}

// Info implements module.Module.
func (DumpsysPlatformCompat) Info() module.Info {
	return module.Info{Name: "dumpsys_platform_compat", Title: "DumpsysPlatformCompat", Kinds: dumpstateKinds}
}

// Extract implements module.Module.
func (DumpsysPlatformCompat) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	return eachDumpsysLine(ctx, src, "platform_compat", dumpsys.Replace, func(line string) error {
		for _, pkg := range downscaledPackages(line) {
			emit(record.Record{Data: map[string]any{"package_name": pkg}})
		}
		return nil
	})
}

// downscaledPackages lists the packages of a DOWNSCALED change line.
func downscaledPackages(line string) []string {
	if !strings.HasPrefix(line, "ChangeId(168419799; name=DOWNSCALED;") {
		return nil
	}
	_, overrides, ok := strings.Cut(line, "rawOverrides={")
	if !ok {
		return nil
	}
	overrides, _, _ = strings.Cut(overrides, "};")
	var out []string
	for _, entry := range strings.Split(overrides, ", ") {
		name, _, _ := strings.Cut(entry, "=")
		out = append(out, strings.TrimSpace(name))
	}
	return out
}

// Observables implements module.Module.
func (DumpsysPlatformCompat) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.AppID, "package_name", r.String("package_name"))
}

// Timeline implements module.Module: the list carries no time.
func (DumpsysPlatformCompat) Timeline(record.Record) []record.Event { return nil }
