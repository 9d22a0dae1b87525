package ios

import (
	"errors"
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

func TestApplicationsBackup(t *testing.T) {
	meta := func(id, source string) []byte {
		m := map[string]any{"itemName": "App", "artistName": "Dev", "bundleShortVersionString": "1.0",
			"com.apple.iTunesStore.downloadInfo": map[string]any{"purchaseDate": "2021-07-18T00:00:00Z"}}
		if id != "" {
			m["softwareVersionBundleId"] = id
		}
		if source != "" {
			m["sourceApp"] = source
		}
		return testkit.Plist(t, m)
	}
	b := testkit.NewBackup(t, map[string]any{"Build Version": "18C66", "Applications": map[string]any{
		"com.example.store":    map[string]any{"iTunesMetadata": meta("com.example.store", ""), "PlaceholderIcon": []byte("icon")},
		"com.example.mdm":      map[string]any{"iTunesMetadata": meta("com.example.mdm", "com.apple.dmd")},
		"com.example.sideload": map[string]any{"iTunesMetadata": meta("com.example.sideload", "com.example.altstore")},
		"com.example.noid":     map[string]any{"iTunesMetadata": meta("", "")},
		"com.example.broken":   map[string]any{"iTunesMetadata": []byte("garbage")},
	}})
	run, err := runWithoutIndicators(t, Applications{}, b.Open())
	if !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), "com.example.broken") {
		t.Errorf("err = %v", err)
	}
	if len(run.recs) != 4 || len(run.events) != 4 {
		t.Fatalf("R=%d T=%d, want 4 and 4", len(run.recs), len(run.events))
	}
	want := "MEDIUM Suspicious application identified without softwareVersionBundleId\n" +
		"MEDIUM Suspicious app not installed from the App Store or MDM: com.example.sideload"
	if got := findingTexts(run.findings); got != want {
		t.Errorf("findings:\n%s", got)
	}
	var store record.Record
	for _, r := range run.recs {
		if r.String("name") == "com.example.store" {
			store = r
		}
	}
	if store.String("isodate") != "2021-07-18 00:00:00.000000" || len(store.String("icon_sha256")) != 64 {
		t.Errorf("record %v", store.Data)
	}
	obs := Applications{}.Observables(store)
	if len(obs) != 2 || obs[0].Kind != record.Process || obs[1].Kind != record.AppID || obs[1].Value != "com.example.store" {
		t.Errorf("observables %+v", obs)
	}
	ev := Applications{}.Timeline(store)
	if len(ev) != 1 || ev[0].Data != "App com.example.store version 1.0 from Dev installed from " {
		t.Errorf("timeline %+v", ev)
	}
}

func TestApplicationsConformance(t *testing.T) {
	run, err := runWithoutIndicators(t, Applications{}, sharedBackup(t))
	if err != nil || len(run.recs) != 0 || len(run.findings) != 0 {
		t.Errorf("R=%d A=%d err=%v, want nothing (no Applications key)", len(run.recs), len(run.findings), err)
	}
}
