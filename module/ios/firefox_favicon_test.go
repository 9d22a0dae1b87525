package ios

import (
	"strings"
	"testing"

	"github.com/spycheck/spycheck/internal/testkit"
)

func TestFirefoxFavicon(t *testing.T) {
	recs, err := testkit.Extract(t, FirefoxFavicon{}, backupWith(t, "AppDomainGroup-group.org.mozilla.ios.Firefox", "profile.profile/browser.db", testkit.SQLite(t, firefoxScript)))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].String("isodate") != "2021-07-18 00:00:00.000000" || recs[0].Data["history_id"] != int64(1) ||
		recs[0].String("url") != "https://cdn.example.net/f.ico" {
		t.Fatalf("records %+v", recs)
	}
	ev := timeline(FirefoxFavicon{}, recs)
	if len(ev) != 1 || ev[0].Data != "Firefox favicon https://cdn.example.net/f.ico when visiting https://www.example.org/" {
		t.Errorf("timeline %+v", ev)
	}
	got := matches(loadIOCs(t, map[string]string{"domains.txt": "www.example.org\n"}), FirefoxFavicon{}, recs)
	if len(got) != 1 || got[0].Field != "history_url" {
		t.Errorf("matches %+v", got)
	}
}

func TestFirefoxFaviconUnknownSchema(t *testing.T) {
	bad := backupWith(t, "AppDomainGroup-group.org.mozilla.ios.Firefox", "profile.profile/browser.db", testkit.SQLite(t, "CREATE TABLE favicons (id INTEGER);"))
	if _, err := testkit.Extract(t, FirefoxFavicon{}, bad); err == nil || !strings.Contains(err.Error(), "favicons") {
		t.Errorf("error %v", err)
	}
}
