package android

// DumpsysAccessibility: the accessibility services installed or enabled,
// from the "accessibility" section of the dumpsys output.
//
//   bug report: the dumpstate file (main_entry.txt, dumpState_*.log)
//   androidqf:  dumpsys.txt
//
// Two layouts: up to Android 13 an "installed services:" block with one
// "N : package/service" line per service, ending at "}"; since Android 14
// an "Enabled services:{{package/service}, {…}}" line.

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/spycheck/spycheck/android/dumpsys"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// DumpsysAccessibility reads the accessibility section.
type DumpsysAccessibility struct{}

// Info implements module.Module.
func (DumpsysAccessibility) Info() module.Info {
	return module.Info{Name: "dumpsys_accessibility", Title: "DumpsysAccessibility", Kinds: dumpstateKinds}
}

// Extract implements module.Module.
func (DumpsysAccessibility) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	p := &accessibilityParser{emit: emit}
	if err := eachDumpsysLine(ctx, src, "accessibility", dumpsys.Ignore, p.line); err != nil {
		return err
	}
	p.end()
	return nil
}

// enabledService is one {package/service} of the Android 14 layout.
var enabledService = regexp.MustCompile(`{([^{]+?)}`)

// accessibilityParser emits the old layout's services as they come and
// the new layout's at the end, the order MVT gives (two passes there).
type accessibilityParser struct {
	emit       func(record.Record)
	inServices bool
	oldDone    bool
	enabled    []record.Record
}

func (p *accessibilityParser) line(line string) error {
	t := strings.TrimSpace(line)
	if strings.HasPrefix(t, "Enabled services:") {
		for _, m := range enabledService.FindAllStringSubmatch(line, -1) {
			pkg, service, _ := strings.Cut(m[1], "/")
			p.enabled = append(p.enabled, record.Record{Data: map[string]any{"package_name": pkg, "service": service}})
		}
	}
	switch {
	case p.oldDone:
	case strings.HasPrefix(t, "installed services:"):
		p.inServices = true
	case !p.inServices:
	case t == "}":
		p.oldDone = true
	default:
		// "N : package/service"; MVT fails on a line without a colon.
		if parts := strings.Split(line, ":"); len(parts) > 1 {
			service := strings.TrimSpace(parts[1])
			pkg, _, _ := strings.Cut(service, "/")
			p.emit(record.Record{Data: map[string]any{"package_name": pkg, "service": service}})
		}
	}
	return nil
}

func (p *accessibilityParser) end() {
	for _, r := range p.enabled {
		p.emit(r)
	}
}

// Observables implements module.Module.
func (DumpsysAccessibility) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.AppID, "package_name", r.String("package_name"))
}

// Timeline implements module.Module: services carry no time.
func (DumpsysAccessibility) Timeline(record.Record) []record.Event { return nil }

// NewInspector implements module.Heuristic: every accessibility service
// is worth a look (MEDIUM).
func (DumpsysAccessibility) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		raise(module.Alert(record.Medium, r, "", fmt.Sprintf("Found accessibility service: \"%s\"", r.String("service"))))
	})
}
