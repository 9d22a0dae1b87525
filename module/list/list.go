// Package list is the one registry of spycheck's modules: every module
// that exists is named here, in run order, and nowhere else.
package list

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/module/android"
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
		// iOS, filesystem dumps only (ShutdownLog also reads sysdiagnose archives).
		ios.CacheFiles{},
		ios.Filesystem{},
		ios.Netusage{},
		ios.Analytics{},
		ios.AnalyticsIOSVersions{},
		ios.SafariFavicon{},
		ios.ShutdownLog{},
		ios.IOSVersionHistory{},
		ios.WebkitIndexedDB(),
		ios.WebkitLocalStorage(),
		ios.WebkitSafariViewService(),
		// iOS, sysdiagnose archives (besides ShutdownLog).
		ios.SysdiagnosePS{},
		ios.SysdiagnoseCrashes{},
		ios.SysdiagnoseMobileInstallation{},
		ios.SysdiagnoseSWCUtil{},
		// iOS, backups and filesystem dumps.
		ios.Calls{},
		ios.ChromeFavicon{},
		ios.ChromeHistory{},
		ios.Contacts{},
		ios.FirefoxFavicon{},
		ios.FirefoxHistory{},
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
		ios.WebkitSessionResourceLog{},
		ios.Whatsapp{},
		ios.WhatsappContacts{},
		ios.Shortcuts{},
		ios.Applications{},
		ios.Calendar{},
		ios.GlobalPreferences{},
		// Android: androidqf acquisitions.
		android.AQFPackages{},
		android.AQFProcesses{},
		android.AQFGetProp{},
		android.AQFSettings{},
		android.AQFFiles{},
		android.AQFLogTimestamps{},
		android.RootBinaries{},
		android.Mounts{},
		android.SELinux{},
		android.Env{},
		android.Logcat{},
		android.TmpFiles{},
		// Android: bug reports (and androidqf's dumpsys.txt).
		android.DumpsysAccessibility{},
		android.DumpsysActivities{},
		android.DumpsysAppops{},
		android.DumpsysBatteryDaily{},
		android.DumpsysBatteryHistory{},
		android.DumpsysDBInfo{},
		android.DumpsysGetProp{},
		android.DumpsysPackages{},
		android.DumpsysPlatformCompat{},
		android.DumpsysReceivers{},
		android.DumpsysADBState{},
		android.BugReportTimestamps{},
		android.Tombstones{},
		// Android: backups.
		android.SMSBackup{},
		// Android: intrusion logs.
		android.DnsEvent{},
		android.ConnectEvent{},
		android.SecurityEvent{},
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

// Validate checks that every name is a module's result name (e.g. "sms")
// or MVT class name (e.g. "SMS"), in any case; an unknown name is an
// error that lists the valid ones.
func Validate(names []string) error {
	known := map[string]bool{}
	var valid []string
	for _, m := range All() {
		info := m.Info()
		if !known[info.Name] {
			valid = append(valid, info.Name)
		}
		known[info.Name], known[strings.ToLower(info.Title)] = true, true
	}
	var unknown []string
	for _, n := range names {
		if !known[strings.ToLower(n)] {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(valid)
	return fmt.Errorf("unknown module(s) %s; available: %s", strings.Join(unknown, ", "), strings.Join(valid, ", "))
}

// Keep keeps the modules named in names (see Validate); no names keeps all.
func Keep(mods []module.Module, names []string) []module.Module {
	if len(names) == 0 {
		return mods
	}
	want := map[string]bool{}
	for _, n := range names {
		want[strings.ToLower(n)] = true
	}
	var out []module.Module
	for _, m := range mods {
		if info := m.Info(); want[info.Name] || want[strings.ToLower(info.Title)] {
			out = append(out, m)
		}
	}
	return out
}

// ForKinds returns the modules of the given kinds, each result name once
// (the first module with a name wins), for re-checking a results folder.
func ForKinds(kinds []evidence.Kind) []module.Module {
	seen := map[string]bool{}
	var out []module.Module
	for _, k := range kinds {
		for _, m := range For(k) {
			if name := m.Info().Name; !seen[name] {
				seen[name] = true
				out = append(out, m)
			}
		}
	}
	return out
}

// Kinds lists every acquisition kind some module reads, iOS first.
func Kinds() []evidence.Kind {
	seen := map[evidence.Kind]bool{}
	var out []evidence.Kind
	for _, m := range All() {
		for _, k := range m.Info().Kinds {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}
