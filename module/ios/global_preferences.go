package ios

// GlobalPreferences: the device-wide preferences, read to tell whether
// Lockdown Mode is on.
//
//   backup: 0dc926a1810f7aee4e8f38793ed788701f93bf9d (HomeDomain Library/Preferences/.GlobalPreferences.plist)
//   fs:     private/var/mobile/Library/Preferences/.GlobalPreferences.plist
//
// iOS 16+ writes LDMGlobalEnabled; every top-level key becomes a record,
// in the order the property list stores them.

import (
	"context"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// GlobalPreferences reads .GlobalPreferences.plist.
type GlobalPreferences struct{}

var globalPreferencesQuery = artifact("0dc926a1810f7aee4e8f38793ed788701f93bf9d",
	"private/var/mobile/Library/Preferences/.GlobalPreferences.plist")

// Info implements module.Module.
func (GlobalPreferences) Info() module.Info {
	return module.Info{Name: "global_preferences", Title: "GlobalPreferences", Kinds: mixed}
}

// Extract implements module.Module: one {entry, value} record per key.
func (GlobalPreferences) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	e, err := module.FindOne(ctx, src, globalPreferencesQuery)
	if err != nil {
		return err
	}
	dict, raw, err := readPlistDict(src, e)
	if err != nil {
		return err
	}
	for _, k := range keysInPlistOrder(dict, plistKeyOrder(raw)) {
		emit(record.Record{Data: map[string]any{"entry": k, "value": evidence.Plain(dict[k])}})
	}
	return nil
}

// Observables implements module.Module: MVT checks no indicators here.
func (GlobalPreferences) Observables(record.Record) []record.Observable { return nil }

// Timeline implements module.Module: preferences carry no times.
func (GlobalPreferences) Timeline(record.Record) []record.Event { return nil }

// NewInspector implements module.Heuristic: report the Lockdown Mode state.
func (GlobalPreferences) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		if r.String("entry") != "LDMGlobalEnabled" {
			return
		}
		if record.Truthy(r.Data["value"]) {
			raise(module.Alert(record.Info, r, "", "Lockdown mode enabled"))
		} else {
			raise(module.Alert(record.Low, r, "", "Lockdown mode disabled"))
		}
	})
}
