package ios

import (
	"context"
	"errors"
	"path"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"howett.net/plist"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosbackup"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

// mbFile is a Manifest.db "file" blob for a file with the given times.
func mbFile(t *testing.T, birth, modified, changed int) []byte {
	t.Helper()
	return testkit.Plist(t, map[string]any{
		"$archiver": "NSKeyedArchiver", "$version": 100000,
		"$top": map[string]any{"root": plist.UID(1)},
		"$objects": []any{"$null",
			map[string]any{"$class": plist.UID(3), "Birth": birth, "LastModified": modified, "LastStatusChange": changed,
				"Mode": 0o100644, "UserID": 501, "Size": 1234, "RelativePath": plist.UID(2)},
			"x",
			map[string]any{"$classname": "MBFile", "$classes": []any{"MBFile", "NSObject"}},
		},
	})
}

func TestManifestRecords(t *testing.T) {
	b := testkit.NewBackup(t, nil)
	b.AddWithMeta("HomeDomain", "Library/WebKit/https_www.example.org_0.localstorage", []byte("x"), mbFile(t, 1626566400, 1626566500, 1626566500))
	b.AddWithMeta("HomeDomain", "Library/broken", []byte("x"), []byte("not a plist"))
	b.Add("HomeDomain", "Library/nometa", []byte("x"))
	run, err := runWithoutIndicators(t, Manifest{}, b.Open())
	if !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), "Manifest.db") {
		t.Errorf("err = %v, want a corrupt-metadata error naming Manifest.db", err)
	}
	if len(run.recs) != 3 {
		t.Fatalf("R=%d, want 3", len(run.recs))
	}
	want := map[string]any{"file_id": iosbackup.FileID("HomeDomain", "Library/WebKit/https_www.example.org_0.localstorage"),
		"domain": "HomeDomain", "relative_path": "Library/WebKit/https_www.example.org_0.localstorage", "flags": int64(1),
		"created": "2021-07-18 00:00:00.000000", "modified": "2021-07-18 00:01:40.000000", "status_changed": "2021-07-18 00:01:40.000000",
		"mode": "0o100644", "owner": int64(501), "size": int64(1234)}
	if diff := cmp.Diff(want, run.recs[0].Data); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	for _, r := range run.recs[1:] {
		if len(r.Data) != 5 || r.Data["created"] != "" {
			t.Errorf("record without metadata: %v", r.Data)
		}
	}
	wantEvents := []record.Event{
		{Timestamp: "2021-07-18 00:00:00.000000", Module: "Manifest", Event: "---B", Data: "Library/WebKit/https_www.example.org_0.localstorage - HomeDomain"},
		{Timestamp: "2021-07-18 00:01:40.000000", Module: "Manifest", Event: "M-C-", Data: "Library/WebKit/https_www.example.org_0.localstorage - HomeDomain"},
	}
	if diff := cmp.Diff(wantEvents, run.events); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
	obs := Manifest{}.Observables(run.recs[0])
	wantObs := []record.Observable{
		{Kind: record.FilePath, Value: "/Library/WebKit/https_www.example.org_0.localstorage", Field: "relative_path", Severity: record.High},
		{Kind: record.URL, Value: "www.example.org", Field: "relative_path", Severity: record.High},
	}
	if diff := cmp.Diff(wantObs, obs); diff != "" {
		t.Errorf("observables (-want +got):\n%s", diff)
	}
}

func TestManifestMACB(t *testing.T) {
	r := record.Record{Data: map[string]any{"relative_path": "a", "domain": "d", "created": "1", "modified": "1", "status_changed": "1"}}
	if ev := (Manifest{}).Timeline(r); len(ev) != 1 || ev[0].Event != "M-CB" {
		t.Errorf("one time: %+v", ev)
	}
	r.Data["modified"] = "2"
	if ev := (Manifest{}).Timeline(r); len(ev) != 2 || ev[0].Event != "--CB" || ev[1].Event != "M---" {
		t.Errorf("two times: %+v", ev)
	}
}

func TestLooksLikeDomain(t *testing.T) {
	for s, want := range map[string]bool{
		"example.org": true, "www.example.co.uk/path": true, "com.apple.corebrightness.plist": false,
		"library/preferences/com.apple.x": false, "co.uk": false, "localhost": false, "has space.com": false, "": false,
	} {
		if got := looksLikeDomain(s); got != want {
			t.Errorf("looksLikeDomain(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestManifestNeedsBackup(t *testing.T) {
	var src evidence.Source = notABackup{}
	err := Manifest{}.Extract(context.Background(), src, func(record.Record) {})
	if !errors.Is(err, evidence.ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

// notABackup is a source without Manifest.db.
type notABackup struct{ evidence.Source }

func (notABackup) Kind() evidence.Kind { return evidence.IOSFS }

func TestManifestConformance(t *testing.T) {
	run, err := runWithoutIndicators(t, Manifest{}, sharedBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.recs) != 3721 || len(run.events) != 5881 || len(run.findings) != 0 {
		t.Errorf("R=%d T=%d A=%d, want 3721, 5881, 0", len(run.recs), len(run.events), len(run.findings))
	}
	got := recordsObserving(Manifest{}, run.recs, record.FilePath, func(v string) bool { return path.Base(v) == "com.apple.CoreBrightness.plist" })
	if len(got) != 1 {
		t.Errorf("%d records match file name com.apple.CoreBrightness.plist, want 1", len(got))
	}
}
