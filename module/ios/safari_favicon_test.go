package ios

import (
	"strings"
	"testing"

	"github.com/spycheck/spycheck/internal/testkit"
)

const faviconsScript = `CREATE TABLE page_url (uuid TEXT, url TEXT);
CREATE TABLE icon_info (uuid TEXT, url TEXT, timestamp REAL, width INTEGER, height INTEGER, has_generated_representations INTEGER);
CREATE TABLE rejected_resources (page_url TEXT, icon_url TEXT, timestamp REAL);
INSERT INTO page_url VALUES ('u1', 'https://www.example.org/');
INSERT INTO icon_info VALUES ('u1', 'https://www.example.org/favicon.ico', 650000000, 32, 32, 0);
INSERT INTO rejected_resources VALUES ('https://evil.example.net/', 'https://cdn.example.com/i.png', 640000000);`

func TestSafariFavicon(t *testing.T) {
	src := dumpFixture(t, map[string][]byte{
		"private/var/mobile/Library/Image Cache/Favicons/Favicons.db": testkit.SQLite(t, faviconsScript),
	})
	recs, err := testkit.Extract(t, SafariFavicon{}, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("got %d records", len(recs))
	}
	r := recs[0] // the rejected icon is older
	if r.String("type") != "rejected" || r.String("url") != "https://evil.example.net/" || r.String("isodate") != "2021-04-13 09:46:40.000000" ||
		r.String("safari_favicon_db_path") != "private/var/mobile/Library/Image Cache/Favicons/Favicons.db" {
		t.Errorf("record %v", r.Data)
	}
	ev := timeline(SafariFavicon{}, recs)
	if len(ev) != 2 || ev[1].Data != "Safari favicon from https://www.example.org/ with icon URL https://www.example.org/favicon.ico (valid)" {
		t.Errorf("timeline %+v", ev)
	}
	got := matches(loadIOCs(t, map[string]string{"domains.txt": "cdn.example.com\n"}), SafariFavicon{}, recs)
	if len(got) != 1 || got[0].Field != "icon_url" {
		t.Errorf("matches %+v", got)
	}
}

func TestSafariFaviconCorrupt(t *testing.T) {
	src := dumpFixture(t, map[string][]byte{
		"private/var/mobile/Library/Image Cache/Favicons/Favicons.db": testkit.SQLite(t, "CREATE TABLE page_url (uuid TEXT, url TEXT);"),
	})
	if _, err := testkit.Extract(t, SafariFavicon{}, src); err == nil || !strings.Contains(err.Error(), "Favicons.db") {
		t.Errorf("error %v", err)
	}
}
