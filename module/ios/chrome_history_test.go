package ios

import (
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosbackup"
	"github.com/spycheck/spycheck/internal/testkit"
)

const chromeDir = "Library/Application Support/Google/Chrome/Default/"

const chromeHistoryScript = `CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT, title TEXT);
CREATE TABLE visits (id INTEGER PRIMARY KEY, url INTEGER, visit_time INTEGER, from_visit INTEGER);
INSERT INTO urls VALUES (1, 'https://www.example.org/', 'Example');
INSERT INTO visits VALUES (7, 1, 13270000000000000, 0);`

func TestChromeHistory(t *testing.T) {
	b := testkit.NewBackup(t, nil)
	b.Add("AppDomain-com.google.chrome.ios", chromeDir+"History", testkit.SQLite(t, chromeHistoryScript))
	fs := dumpFixture(t, map[string][]byte{
		"private/var/mobile/Containers/Data/Application/0A1B/" + chromeDir + "History": testkit.SQLite(t, chromeHistoryScript),
	})
	for _, src := range []evidence.Source{b.Open(), fs} {
		recs, err := testkit.Extract(t, ChromeHistory{}, src)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1 || recs[0].String("isodate") != "2021-07-05 23:06:40.000000" || recs[0].Data["visit_id"] != int64(7) {
			t.Fatalf("records %+v", recs)
		}
		ev := timeline(ChromeHistory{}, recs)
		if len(ev) != 1 || ev[0].Event != "visit" || ev[0].Data != "1 - https://www.example.org/ (visit ID: 7, redirect source: 0)" {
			t.Errorf("timeline %+v", ev)
		}
	}
	if got := iosbackup.FileID("AppDomain-com.google.chrome.ios", chromeDir+"History"); got != chromeHistoryQuery.BackupIDs[0] {
		t.Errorf("file ID %s", got)
	}
}

func TestChromeHistoryCorrupt(t *testing.T) {
	bad := backupWith(t, "AppDomain-com.google.chrome.ios", chromeDir+"History", []byte(strings.Repeat("junk", 300)))
	if _, err := testkit.Extract(t, ChromeHistory{}, bad); err == nil || !strings.Contains(err.Error(), "History") {
		t.Errorf("error %v", err)
	}
}
