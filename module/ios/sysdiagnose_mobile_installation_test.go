package ios

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

// miLog is a mobile_installation.log with an install, an uninstall and
// lines the module skips (keychain groups, a multi-line list).
const miLog = `Sat Nov 22 09:05:18 2025 [47] <notice> (0x16bad3000) -[MIClientConnection _doInstallationForURL:withOptions:completion:]: Install of "/private/var/containers/Shared/SystemGroup/systemgroup.com.apple.installcoordinationd/Library/InstallCoordination/PromiseStaging/88A32DD3-79DD-420E-830B-D5BB3D5E846A/extract" type Customer (LSInstallType = 0) requested by appstored (pid 312)
Sat Nov 22 09:05:19 2025 [47] <notice> (0x16bad3000) -[MIContainer makeContainerLiveReplacingContainer:reason:withError:]: Made container live for com.example.flashlight at /private/var/containers/Bundle/Application/43F1FCE4-5D60-4553-9379-A732E7F59FD6
Sat Nov 22 09:05:19 2025 [47] <notice> (0x16bad3000) -[MIKeychainAccessGroupTracker _onQueue_updateReferencesWithOldBundle:newBundle:error:]: Updated bundle com.example.flashlight added ref for keychain group ABCDE12345.com.example.flashlight
Sat Nov 22 09:05:19 2025 [47] <notice> (0x16bad3000) -[MIInstaller performInstallationWithError:]: Install Successful for (Placeholder:com.example.flashlight); Staging: 0.10s; Waiting: 0.00s; Preflight/Patch: 0.00s, Verifying: 0.01s; Overall: 0.21s
Sun Nov 23 11:04:17 2025 [47] <notice> (0x16bad3000) -[MIClientConnection uninstallIdentifiers:withOptions:completion:]: Uninstall requested by lsd (pid 87) for identifier com.example.flashlight with options: (null)
Sun Nov 23 11:04:22 2025 [47] <notice> (0x16bad3000) -[MIUninstaller _uninstallBundleWithIdentifier:error:]: Uninstalling identifier com.example.flashlight
Sun Nov 23 11:04:22 2025 [47] <notice> (0x16bad3000) -[MIKeychainAccessGroupTracker _removeGroupsWithError:error:]: Removing keychain access groups: (
    "ABCDE12345.com.example.flashlight"
)
Sun Nov 23 11:04:22 2025 [47] <notice> (0x16bad3000) -[MIUninstallNotifier performRemovalWithCompletionBlock:]: Destroying container with identifier com.example.flashlight at /private/var/mobile/Containers/Data/Application/3B0886CB-6F96-413C-BE74-A2A34FF214A2
`

func TestSysdiagnoseMobileInstallation(t *testing.T) {
	src := testkit.NewSource(t, evidence.IOSSysdiagnose, map[string][]byte{
		"logs/MobileInstallation/mobile_installation.log.0": []byte(miLog),
		"logs/MobileInstallation/mobile_installation.log.1": []byte("Thu Nov 22 21:07:36 2018 [47] <notice> (0x16bb5f000) -[MIInstaller performInstallationWithError:]: Install Successful for (com.google.Gmail); Overall: 12.82s\n"),
		"sysdiagnose.log": []byte(sysdiagnoseLog),
	})
	recs, err := testkit.Extract(t, SysdiagnoseMobileInstallation{}, src)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, r := range recs {
		actions = append(actions, r.String("action"))
	}
	wantActions := []string{"install_requested", "container_live", "install_successful", "uninstall_requested", "uninstalling",
		"container_destroyed", "install_successful"}
	if diff := cmp.Diff(wantActions, actions); diff != "" {
		t.Fatalf("actions (-want +got):\n%s", diff)
	}
	want := map[string]any{"action": "install_successful", "bundle_id": "com.example.flashlight", "local_time": "Sat Nov 22 09:05:19 2025",
		"isodate": "2025-11-22 14:05:19.000000", "utc_offset": "-0500", "file": "logs/MobileInstallation/mobile_installation.log.0"}
	if diff := cmp.Diff(want, recs[2].Data); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	if recs[0].String("requested_by") != "appstored" || recs[3].String("requested_by") != "lsd" || recs[6].String("bundle_id") != "com.google.Gmail" {
		t.Errorf("records %v / %v / %v", recs[0].Data, recs[3].Data, recs[6].Data)
	}
	ev := timeline(SysdiagnoseMobileInstallation{}, recs)
	if len(ev) != 7 || ev[4].Event != "uninstalling" || ev[4].Data != "App com.example.flashlight uninstalled" ||
		ev[3].Data != "Uninstall of com.example.flashlight requested by lsd" || strings.Contains(ev[0].Data, "%!") {
		t.Errorf("timeline %+v", ev)
	}
	got := matches(loadIOCs(t, map[string]string{"app_ids.txt": "com.example.flashlight\n"}), SysdiagnoseMobileInstallation{}, recs)
	if len(got) != 5 || got[0].Severity != record.Critical {
		t.Errorf("app id matches %+v", got)
	}
	if got := matches(loadIOCs(t, map[string]string{"processes.txt": "appstored\n"}), SysdiagnoseMobileInstallation{}, recs); len(got) != 1 {
		t.Errorf("process matches %+v", got)
	}
}

func TestSysdiagnoseMobileInstallationNoOffset(t *testing.T) {
	d := parseMILine("Thu Nov  1 21:07:36 2018 [47] <notice> (0x1) -[A b]: Uninstalling identifier com.x.y", time.UTC)
	if d == nil || d["isodate"] != "2018-11-01 21:07:36.000000" || d["utc_offset"] != "+0000" || d["bundle_id"] != "com.x.y" {
		t.Errorf("record %v", d)
	}
	for _, line := range []string{"", "garbage", "Thu Nov 99 99:99:99 2018 [47] <notice> (0x1) Uninstalling identifier x", "    \"com.x\""} {
		if d := parseMILine(line, time.UTC); d != nil && d["isodate"] != "" {
			t.Errorf("%q gave %v", line, d)
		}
	}
	src := testkit.NewSource(t, evidence.IOSSysdiagnose, map[string][]byte{"logs/x.log": []byte("x")})
	if _, err := testkit.Extract(t, SysdiagnoseMobileInstallation{}, src); err == nil || !strings.Contains(err.Error(), "not present") {
		t.Errorf("absent: %v", err)
	}
}

func FuzzSysdiagnoseMobileInstallationLine(f *testing.F) {
	for _, line := range strings.Split(miLog, "\n") {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if d := parseMILine(line, time.FixedZone("", -5*3600)); d != nil {
			r := record.Record{Data: d}
			SysdiagnoseMobileInstallation{}.Timeline(r)
			SysdiagnoseMobileInstallation{}.Observables(r)
		}
	})
}
