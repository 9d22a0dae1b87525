package ios

import (
	"errors"
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

const cacheDBScript = `CREATE TABLE cfurl_cache_response (entry_ID INTEGER PRIMARY KEY, version INTEGER, hash_value INTEGER,
	storage_policy INTEGER, request_key TEXT UNIQUE, time_stamp TEXT DEFAULT CURRENT_TIMESTAMP, partition TEXT);
INSERT INTO cfurl_cache_response VALUES (1, 0, 123, 0, 'http://example.com/thisisbad', '2026-01-01 00:00:00', NULL);
INSERT INTO cfurl_cache_response VALUES (2, 0, 456, 0, 'https://www.apple.com/', '2026-01-02 00:00:00', NULL);`

func TestCacheFiles(t *testing.T) {
	db := testkit.SQLite(t, cacheDBScript)
	src := dumpFixture(t, map[string][]byte{
		"private/var/mobile/Containers/Data/Application/A/Library/Caches/com.example/Cache.db": db,
		"private/var/root/Library/Caches/locationd/Cache.db":                                   db,
		"private/var/mobile/Library/Caches/other/Cache.db":                                     testkit.SQLite(t, "CREATE TABLE other (x);"),
	})
	recs, err := testkit.Extract(t, CacheFiles{}, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("got %d records, want 4", len(recs))
	}
	r := recs[0]
	if r.String("cache_file") != "private/var/mobile/Containers/Data/Application/A/Library/Caches/com.example/Cache.db" ||
		r.String("url") != "http://example.com/thisisbad" || r.String("isodate") != "2026-01-01 00:00:00" || r.Data["hash_value"] != int64(123) {
		t.Errorf("record %v", r.Data)
	}
	ev := timeline(CacheFiles{}, recs)
	if len(ev) != 4 || ev[0].Event != "cache_response" ||
		ev[0].Data != "private/var/mobile/Containers/Data/Application/A/Library/Caches/com.example/Cache.db recorded visit to URL http://example.com/thisisbad" {
		t.Errorf("timeline %+v", ev)
	}
}

// TestCacheFilesDetection is MVT's test: a saved record of
// Library/Caches/example/Cache.db matches the test URL indicator.
func TestCacheFilesDetection(t *testing.T) {
	r := record.Record{Module: "cache_files", Data: map[string]any{"entry_id": int64(1), "version": int64(1), "hash_value": int64(123),
		"storage_policy": int64(0), "url": "http://example.com/thisisbad", "isodate": "2026-01-01 00:00:00.000000",
		"cache_file": "Library/Caches/example/Cache.db"}}
	ix := loadIOCs(t, map[string]string{"urls.txt": "http://example.com/thisisbad\n"})
	got := matches(ix, CacheFiles{}, viaJSON(t, []record.Record{r}))
	if len(got) != 1 || got[0].Severity != record.Critical || got[0].Kind != record.URL {
		t.Errorf("matches %+v", got)
	}
}

func TestCacheFilesCorrupt(t *testing.T) {
	src := dumpFixture(t, map[string][]byte{
		"private/var/mobile/Library/Caches/a/Cache.db": []byte(strings.Repeat("garbage!", 512)),
		"private/var/mobile/Library/Caches/b/Cache.db": testkit.SQLite(t, cacheDBScript),
	})
	recs, err := testkit.Extract(t, CacheFiles{}, src)
	if err == nil || !strings.Contains(err.Error(), "Caches/a/Cache.db") {
		t.Errorf("error %v does not name the corrupt file", err)
	}
	if len(recs) != 2 {
		t.Errorf("the good database gave %d records", len(recs))
	}
	if _, err := testkit.Extract(t, CacheFiles{}, dumpFixture(t, map[string][]byte{"private/var/x": nil})); !errors.Is(err, evidence.ErrNotFound) {
		t.Errorf("no Cache.db: %v", err)
	}
}
