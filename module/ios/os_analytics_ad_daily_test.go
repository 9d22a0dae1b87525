package ios

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

func TestOSAnalyticsADDaily(t *testing.T) {
	day := time.Date(2021, 7, 18, 0, 0, 0, 0, time.UTC)
	run, err := runWithoutIndicators(t, OSAnalyticsADDaily{}, backupWith(t, "HomeDomain", "Library/Preferences/com.apple.osanalytics.addaily.plist", testkit.Plist(t, map[string]any{
		"netUsageBaseline": map[string]any{
			"com.apple.mobilesafari": []any{day, 1, 2, 3, 4},
			"bad":                    []any{day},
		},
	})))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"package": "com.apple.mobilesafari", "ts": "2021-07-18 00:00:00.000000",
		"wifi_in": int64(1), "wifi_out": int64(2), "wwan_in": int64(3), "wwan_out": int64(4)}
	if len(run.recs) != 1 {
		t.Fatalf("R=%d, want 1", len(run.recs))
	}
	if diff := cmp.Diff(want, run.recs[0].Data); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	wantEv := []record.Event{{Timestamp: "2021-07-18 00:00:00.000000", Module: "OSAnalyticsADDaily", Event: "osanalytics_addaily",
		Data: "com.apple.mobilesafari WIFI IN: 1, WIFI OUT: 2 - WWAN IN: 3, WWAN OUT: 4"}}
	if diff := cmp.Diff(wantEv, run.events); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
	if obs := (OSAnalyticsADDaily{}).Observables(run.recs[0]); len(obs) != 1 || obs[0].Kind != record.Process || obs[0].Value != "com.apple.mobilesafari" {
		t.Errorf("observables %+v", obs)
	}
}

func TestOSAnalyticsADDailyAbsentAndCorrupt(t *testing.T) {
	if _, err := testkit.Extract(t, OSAnalyticsADDaily{}, testkit.NewBackup(t, nil).Open()); !errors.Is(err, evidence.ErrNotFound) {
		t.Errorf("absent: %v", err)
	}
	assertCorrupt(t, OSAnalyticsADDaily{}, "HomeDomain", "Library/Preferences/com.apple.osanalytics.addaily.plist", []byte("bplist00\x00garbage"))
}

func TestOSAnalyticsADDailyConformance(t *testing.T) {
	// The shared backup lists the plist in Manifest.db without the file.
	recs, err := testkit.Extract(t, OSAnalyticsADDaily{}, sharedBackup(t))
	if !errors.Is(err, evidence.ErrNotFound) || len(recs) != 0 {
		t.Errorf("R=%d err=%v, want nothing found", len(recs), err)
	}
}
