package ios

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

func TestLocationdClients(t *testing.T) {
	run, err := runWithoutIndicators(t, LocationdClients{}, backupWith(t, "RootDomain", "Library/Caches/locationd/clients.plist", testkit.Plist(t, map[string]any{
		"com.apple.Maps:": map[string]any{"BundleId": "com.apple.Maps", "LocationTimeStopped": 648259200.5,
			"ClientStorageToken": []byte{1, 2, 3}, "Registered": true, "Authorization": 2},
		"/usr/libexec/evild:": map[string]any{"Executable": "/usr/libexec/evild", "VisitTimeStopped": 0.0},
		"migration":           5,
	})))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.recs) != 2 {
		t.Fatalf("R=%d, want 2", len(run.recs))
	}
	byPkg := map[string]record.Record{}
	for _, r := range run.recs {
		byPkg[r.String("package")] = r
	}
	maps := byPkg["com.apple.Maps"]
	want := map[string]any{"package": "com.apple.Maps", "BundleId": "com.apple.Maps", "LocationTimeStopped": "2021-07-18 00:00:00.500000",
		"ClientStorageToken": "AQID", "Registered": true, "Authorization": int64(2)}
	if diff := cmp.Diff(want, maps.Data); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	wantObs := []record.Observable{
		{Kind: record.Process, Value: "com.apple.Maps", Field: "package", Severity: record.High},
		{Kind: record.Process, Value: "com.apple.Maps", Field: "BundleId", Severity: record.High},
	}
	if diff := cmp.Diff(wantObs, LocationdClients{}.Observables(maps)); diff != "" {
		t.Errorf("observables (-want +got):\n%s", diff)
	}
	evild := byPkg["/usr/libexec/evild"]
	obs := LocationdClients{}.Observables(evild)
	if len(obs) != 2 || obs[0].Value != "evild" || obs[1].Kind != record.FilePath || obs[1].Value != "/usr/libexec/evild" {
		t.Errorf("observables %+v", obs)
	}
	if evild.Data["VisitTimeStopped"] != "" {
		t.Errorf("zero time %v, want empty", evild.Data["VisitTimeStopped"])
	}
	wantEv := []record.Event{{Timestamp: "2021-07-18 00:00:00.500000", Module: "LocationdClients", Event: "LocationTimeStopped", Data: "LocationTimeStopped from com.apple.Maps"}}
	if diff := cmp.Diff(wantEv, run.events); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
}

func TestLocationdClientsCorruptAndConformance(t *testing.T) {
	assertCorrupt(t, LocationdClients{}, "RootDomain", "Library/Caches/locationd/clients.plist", []byte("<plist><dict><key>x</key>"))
	recs, err := testkit.Extract(t, LocationdClients{}, sharedBackup(t))
	if !errors.Is(err, evidence.ErrNotFound) || len(recs) != 0 {
		t.Errorf("shared backup: R=%d err=%v, want nothing found", len(recs), err)
	}
}
