package ios

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

func TestProfileEvents(t *testing.T) {
	run, err := runWithoutIndicators(t, ProfileEvents{}, backupWith(t, profilesDomain, "Library/ConfigurationProfiles/MCProfileEvents.plist", testkit.Plist(t, map[string]any{
		"ProfileEvents": []any{
			map[string]any{"com.example.profile": map[string]any{"Timestamp": time.Date(2021, 7, 18, 0, 0, 0, 0, time.UTC),
				"Operation": "install", "Process": "/usr/libexec/mdmd"}},
			"not an event",
		},
	})))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"profile_id": "com.example.profile", "timestamp": "2021-07-18 00:00:00.000000", "operation": "install", "process": "/usr/libexec/mdmd"}
	if len(run.recs) != 1 {
		t.Fatalf("R=%d", len(run.recs))
	}
	if diff := cmp.Diff(want, run.recs[0].Data); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	if got := findingTexts(run.findings); got != `LOW On 2021-07-18 00:00:00.000000 process "/usr/libexec/mdmd" started operation "install" of profile "com.example.profile"` {
		t.Errorf("findings %q", got)
	}
	if run.findings[0].EventTime != "2021-07-18 00:00:00.000000" {
		t.Errorf("event time %q", run.findings[0].EventTime)
	}
	wantEv := []record.Event{{Timestamp: "2021-07-18 00:00:00.000000", Module: "ProfileEvents", Event: "profile_operation",
		Data: "Process /usr/libexec/mdmd started operation install of profile com.example.profile"}}
	if diff := cmp.Diff(wantEv, run.events); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
	obs := ProfileEvents{}.Observables(run.recs[0])
	if len(obs) != 2 || obs[0].Kind != record.Process || obs[1].Kind != record.ProfileUUID || obs[1].Value != "com.example.profile" {
		t.Errorf("observables %+v", obs)
	}
}

func TestProfileEventsCorruptAndConformance(t *testing.T) {
	assertCorrupt(t, ProfileEvents{}, profilesDomain, "Library/ConfigurationProfiles/MCProfileEvents.plist", []byte("bplist00garbage"))
	run, err := runWithoutIndicators(t, ProfileEvents{}, sharedBackup(t))
	if err != nil || len(run.recs) != 0 || len(run.findings) != 0 {
		t.Errorf("shared backup: R=%d A=%d err=%v", len(run.recs), len(run.findings), err)
	}
}
