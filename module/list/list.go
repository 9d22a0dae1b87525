// Package list is the one registry of spycheck's modules: every module
// that exists is named here, in run order, and nowhere else.
package list

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/module/ios"
)

// All returns every module, in MVT's run order.
func All() []module.Module {
	return []module.Module{
		// iOS, backups only.
		ios.BackupInfo{},
		ios.ConfigurationProfiles{},
		ios.Manifest{},
		ios.ProfileEvents{},
		// iOS, backups and filesystem dumps.
		ios.Calls{},
		ios.Contacts{},
		ios.IDStatusCache{},
		ios.InteractionC{},
		ios.LocationdClients{},
		ios.OSAnalyticsADDaily{},
		ios.Datausage{},
		ios.SafariBrowserState{},
		ios.SafariHistory{},
		ios.TCC{},
		ios.SMS{},
		ios.SMSAttachments{},
		ios.WebkitResourceLoadStatistics{},
		ios.Whatsapp{},
		ios.WhatsappContacts{},
		ios.Shortcuts{},
		ios.Applications{},
		ios.Calendar{},
		ios.GlobalPreferences{},
	}
}

// For returns the modules that read the given kind of acquisition.
func For(kind evidence.Kind) []module.Module {
	var out []module.Module
	for _, m := range All() {
		for _, k := range m.Info().Kinds {
			if k == kind {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// Select keeps the modules named in names (result name, e.g. "sms", or
// MVT class name, e.g. "SMS", any case); an unknown name is an error that
// lists the valid ones. No names keeps all.
func Select(mods []module.Module, names []string) ([]module.Module, error) {
	if len(names) == 0 {
		return mods, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		want[strings.ToLower(n)] = true
	}
	var out []module.Module
	for _, m := range mods {
		info := m.Info()
		if want[info.Name] || want[strings.ToLower(info.Title)] {
			out = append(out, m)
			delete(want, info.Name)
			delete(want, strings.ToLower(info.Title))
		}
	}
	if len(want) > 0 {
		var unknown, valid []string
		for n := range want {
			unknown = append(unknown, n)
		}
		for _, m := range mods {
			valid = append(valid, m.Info().Name)
		}
		sort.Strings(unknown)
		return nil, fmt.Errorf("unknown module(s) %s; available: %s", strings.Join(unknown, ", "), strings.Join(valid, ", "))
	}
	return out, nil
}
