package ios

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

const profilesDomain = "SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles"

func profilePlistBytes(t *testing.T, payloadType string) []byte {
	return testkit.Plist(t, map[string]any{
		"PayloadUUID": "11111111-2222-3333-4444-555555555555", "PayloadType": "Configuration",
		"PayloadDisplayName": "Quiet", "PayloadDescription": "desc",
		"InstallDate": time.Date(2021, 7, 18, 0, 0, 0, 0, time.UTC),
		"SignerCerts": []any{[]byte{1, 2, 3}}, "LastPushTokenHash": []byte{0xff},
		"PayloadContent": []any{map[string]any{"PayloadType": payloadType, "PERSISTENT_REF": []byte{4}}},
	})
}

func TestConfigurationProfiles(t *testing.T) {
	b := testkit.NewBackup(t, nil)
	b.Add(profilesDomain, "Library/ConfigurationProfiles/profile-abc.stub", profilePlistBytes(t, "com.apple.notificationsettings"))
	b.Add(profilesDomain, "Library/ConfigurationProfiles/profile-def.stub", profilePlistBytes(t, "com.apple.wifi.managed"))
	b.Add(profilesDomain, "Library/ConfigurationProfiles/CloudConfigurationDetails.plist", profilePlistBytes(t, "x"))
	run, err := runWithoutIndicators(t, ConfigurationProfiles{}, b.Open())
	if err != nil {
		t.Fatal(err)
	}
	if len(run.recs) != 2 || len(run.events) != 1 {
		t.Fatalf("R=%d T=%d, want 2 and 1", len(run.recs), len(run.events))
	}
	r := run.recs[0]
	p := r.Data["plist"].(map[string]any)
	if r.Data["install_date"] != "2021-07-18 00:00:00.000000" || r.Data["domain"] != profilesDomain ||
		p["SignerCerts"].([]any)[0] != "AQID" || p["LastPushTokenHash"] != "/w==" ||
		p["PayloadContent"].([]any)[0].(map[string]any)["PERSISTENT_REF"] != "BA==" || p["InstallDate"] != "2021-07-18 00:00:00.000000" {
		t.Errorf("record %v", r.Data)
	}
	want := `MEDIUM Found a potentially suspicious configuration profile "Quiet" with payload type com.apple.notificationsettings`
	if got := findingTexts(run.findings); got != want {
		t.Errorf("findings %q", got)
	}
	if ev := run.events[0]; ev.Event != "configuration_profile_install" || ev.Data != "Configuration installed: 11111111-2222-3333-4444-555555555555 - Quiet: desc" {
		t.Errorf("event %+v", ev)
	}
	obs := ConfigurationProfiles{}.Observables(r)
	if len(obs) != 1 || obs[0].Kind != record.ProfileUUID || obs[0].Value != "11111111-2222-3333-4444-555555555555" {
		t.Errorf("observables %+v", obs)
	}
}

func TestConfigurationProfilesCorrupt(t *testing.T) {
	run, err := runWithoutIndicators(t, ConfigurationProfiles{}, backupWith(t, profilesDomain, "Library/ConfigurationProfiles/profile-bad.stub", []byte("\x00garbage")))
	if !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), "profile-bad.stub") {
		t.Errorf("err = %v", err)
	}
	if len(run.recs) != 1 || len(run.recs[0].Data["plist"].(map[string]any)) != 0 || len(run.findings) != 0 || len(run.events) != 0 {
		t.Errorf("record %v findings %v events %v", run.recs, run.findings, run.events)
	}
}

func TestConfigurationProfilesConformance(t *testing.T) {
	run, err := runWithoutIndicators(t, ConfigurationProfiles{}, sharedBackup(t))
	if err != nil || len(run.recs) != 0 {
		t.Errorf("R=%d err=%v, want 0 and nil", len(run.recs), err)
	}
}
