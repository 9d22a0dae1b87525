package ios

import (
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence/iosbackup"
	"github.com/spycheck/spycheck/internal/testkit"
)

const chromeFaviconScript = `CREATE TABLE icon_mapping (id INTEGER PRIMARY KEY, page_url TEXT, icon_id INTEGER);
CREATE TABLE favicons (id INTEGER PRIMARY KEY, url TEXT, icon_type INTEGER);
CREATE TABLE favicon_bitmaps (id INTEGER PRIMARY KEY, icon_id INTEGER, last_updated INTEGER, last_requested INTEGER);
INSERT INTO favicons VALUES (1, 'https://www.example.org/favicon.ico', 1);
INSERT INTO favicons VALUES (2, 'https://evil.example.net/i.png', 1);
INSERT INTO icon_mapping VALUES (1, 'https://www.example.org/', 1);
INSERT INTO icon_mapping VALUES (2, 'https://evil.example.net/', 2);
INSERT INTO favicon_bitmaps VALUES (1, 1, 13270000000000000, 0);
INSERT INTO favicon_bitmaps VALUES (2, 2, 0, 13260000000000000);`

func TestChromeFavicon(t *testing.T) {
	recs, err := testkit.Extract(t, ChromeFavicon{}, backupWith(t, "AppDomain-com.google.chrome.ios", chromeDir+"Favicons", testkit.SQLite(t, chromeFaviconScript)))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].String("url") != "https://evil.example.net/" || recs[0].Data["timestamp"] != int64(13260000000000000) {
		t.Fatalf("records %+v", recs)
	}
	ev := timeline(ChromeFavicon{}, recs)
	if len(ev) != 2 || ev[0].Event != "new_favicon" || ev[0].Data != "https://evil.example.net/i.png from https://evil.example.net/" {
		t.Errorf("timeline %+v", ev)
	}
	if got := matches(loadIOCs(t, map[string]string{"domains.txt": "evil.example.net\n"}), ChromeFavicon{}, recs); len(got) != 1 {
		t.Errorf("matches %+v", got)
	}
	if got := iosbackup.FileID("AppDomain-com.google.chrome.ios", chromeDir+"Favicons"); got != chromeFaviconQuery.BackupIDs[0] {
		t.Errorf("file ID %s", got)
	}
}

func TestChromeFaviconUnknownSchema(t *testing.T) {
	bad := backupWith(t, "AppDomain-com.google.chrome.ios", chromeDir+"Favicons", testkit.SQLite(t, "CREATE TABLE favicons (id INTEGER);"))
	if _, err := testkit.Extract(t, ChromeFavicon{}, bad); err == nil || !strings.Contains(err.Error(), "icon_mapping") {
		t.Errorf("error %v", err)
	}
}
