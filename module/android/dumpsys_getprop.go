package android

// DumpsysGetProp: the device's system properties, from the "SYSTEM
// PROPERTIES" block of a bug report's dumpstate (androidqf's own
// getprop.txt is read by aqf_get_prop).
//
//   bug report: the dumpstate file (main_entry.txt, dumpState_*.log)
//   androidqf:  dumpsys.txt (a full dumpsys has no such block: no records)
//
// The block runs from the line starting "------ SYSTEM PROPERTIES" to a
// line that is exactly "------"; property lines are getprop's
// "[name]: [value]", parsed as aqf_get_prop parses them.

import (
	"context"
	"time"

	"github.com/spycheck/spycheck/android/dumpsys"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// DumpsysGetProp reads the dumpstate's system properties.
type DumpsysGetProp struct {
	// now is the clock of the security patch heuristic (nil: time.Now).
	now func() time.Time
}

// Info implements module.Module.
func (DumpsysGetProp) Info() module.Info {
	return module.Info{Name: "dumpsys_get_prop", Title: "DumpsysGetProp", Kinds: dumpstateKinds}
}

// Extract implements module.Module.
func (DumpsysGetProp) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	return eachDumpsysLine(ctx, src, dumpsys.Properties, dumpsys.Ignore, func(line string) error {
		if name, value, ok := parseGetPropLine([]byte(line)); ok {
			emit(record.Record{Data: map[string]any{"name": name, "value": value}})
		}
		return nil
	})
}

// Observables implements module.Module, as aqf_get_prop.
func (DumpsysGetProp) Observables(r record.Record) []record.Observable {
	return AQFGetProp{}.Observables(r)
}

// Timeline implements module.Module: properties carry no time.
func (DumpsysGetProp) Timeline(record.Record) []record.Event { return nil }

// NewInspector implements module.Heuristic: the security patch level
// check of aqf_get_prop.
func (m DumpsysGetProp) NewInspector() module.Inspector {
	return AQFGetProp(m).NewInspector()
}
