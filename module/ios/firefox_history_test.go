package ios

import (
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence/iosbackup"
	"github.com/spycheck/spycheck/internal/testkit"
)

const firefoxScript = `CREATE TABLE history (id INTEGER PRIMARY KEY, guid TEXT, url TEXT, title TEXT);
CREATE TABLE visits (id INTEGER PRIMARY KEY, siteID INTEGER, date INTEGER, type INTEGER, is_local INTEGER);
CREATE TABLE favicons (id INTEGER PRIMARY KEY, url TEXT, width INTEGER, height INTEGER, type INTEGER, date INTEGER);
CREATE TABLE favicon_sites (id INTEGER PRIMARY KEY, siteID INTEGER, faviconID INTEGER);
INSERT INTO history VALUES (1, 'g', 'https://www.example.org/', 'Example');
INSERT INTO visits VALUES (5, 1, 1626566400123456, 1, 1);
INSERT INTO favicons VALUES (3, 'https://cdn.example.net/f.ico', 16, 16, 0, 1626566400);
INSERT INTO favicon_sites VALUES (1, 1, 3);`

func TestFirefoxHistory(t *testing.T) {
	recs, err := testkit.Extract(t, FirefoxHistory{}, backupWith(t, "AppDomainGroup-group.org.mozilla.ios.Firefox", "profile.profile/browser.db", testkit.SQLite(t, firefoxScript)))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].String("isodate") != "2021-07-18 00:00:00.000000" || recs[0].Data["i1000000s_local"] != int64(1) ||
		recs[0].String("title") != "Example" {
		t.Fatalf("records %+v", recs)
	}
	ev := timeline(FirefoxHistory{}, recs)
	if len(ev) != 1 || ev[0].Event != "firefox_history" || ev[0].Data != "Firefox visit with ID 5 to URL: https://www.example.org/" {
		t.Errorf("timeline %+v", ev)
	}
	if got := iosbackup.FileID("AppDomainGroup-group.org.mozilla.ios.Firefox", "profile.profile/browser.db"); got != firefoxBrowserQuery.BackupIDs[0] {
		t.Errorf("file ID %s", got)
	}
}

func TestFirefoxHistoryFS(t *testing.T) {
	src := dumpFixture(t, map[string][]byte{"private/var/mobile/profile.profile/browser.db": testkit.SQLite(t, firefoxScript)})
	recs, err := testkit.Extract(t, FirefoxHistory{}, src)
	if err != nil || len(recs) != 1 {
		t.Fatalf("records %+v, err %v", recs, err)
	}
	bad := dumpFixture(t, map[string][]byte{"private/var/mobile/profile.profile/browser.db": []byte(strings.Repeat("x", 2048))})
	if _, err := testkit.Extract(t, FirefoxHistory{}, bad); err == nil || !strings.Contains(err.Error(), "browser.db") {
		t.Errorf("corrupt: %v", err)
	}
}
