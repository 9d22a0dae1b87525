package ios

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

const (
	safariDefaultURL = "https://default.example.net/visited-page"
	safariProfileURL = "https://profile.example.net/visited-page"
	safariProfileDir = "Library/Safari/Profiles/00000000-0000-4000-A000-000000000001"
)

// historyDB builds a History.db with one visit to url at Mac time
// 726100000, plus extra SQL.
func historyDB(t *testing.T, url, extra string) []byte {
	return testkit.SQLite(t, `CREATE TABLE history_items (id INTEGER PRIMARY KEY, url TEXT);
		CREATE TABLE history_visits (id INTEGER PRIMARY KEY, history_item INTEGER, visit_time REAL,
			redirect_source INTEGER, redirect_destination INTEGER);
		INSERT INTO history_items VALUES (1, '`+url+`');
		INSERT INTO history_visits VALUES (1, 1, 726100000.0, NULL, NULL);`+extra)
}

func urlSet(recs []record.Record, field string) map[string]bool {
	out := map[string]bool{}
	for _, r := range recs {
		out[r.String(field)] = true
	}
	return out
}

func TestSafariHistoryBackupWithProfile(t *testing.T) {
	b := testkit.NewBackup(t, nil)
	b.Blob("1a0e7afc19d307da602ccdcece51af33afe92c53", historyDB(t, safariDefaultURL, ""))
	b.Add("AppDomain-com.apple.mobilesafari", safariProfileDir+"/History.db", historyDB(t, safariProfileURL, ""))
	recs, err := testkit.Extract(t, SafariHistory{}, b.Open())
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("got %d records, want 2", len(recs))
	}
	if got := urlSet(recs, "url"); !got[safariDefaultURL] || !got[safariProfileURL] {
		t.Errorf("urls = %v", got)
	}
	if got := urlSet(recs, "safari_history_db"); len(got) != 2 {
		t.Errorf("databases = %v, want 2 distinct", got)
	}
	r := recs[0]
	if r.String("isodate") != "2024-01-04 22:26:40.000000" || r.String("safari_history_db") == "" {
		t.Errorf("record = %v", r.Data)
	}
	for _, k := range []string{"id", "url", "visit_id", "timestamp", "isodate", "redirect_source", "redirect_destination", "safari_history_db"} {
		if _, ok := r.Data[k]; !ok {
			t.Errorf("field %s missing from %v", k, r.Data)
		}
	}
	obs := SafariHistory{}.Observables(r)
	if len(obs) != 1 || obs[0].Kind != record.URL || obs[0].Value != r.String("url") || obs[0].Severity != record.Critical {
		t.Errorf("observables = %+v", obs)
	}
	ev := SafariHistory{}.Timeline(r)
	if len(ev) != 1 || ev[0].Event != "safari_history" || !strings.HasPrefix(ev[0].Data, "Safari visit to https://") ||
		!strings.HasSuffix(ev[0].Data, "(ID: 1, Visit ID: 1)") {
		t.Errorf("timeline = %+v", ev)
	}
}

// safariFSDump is a filesystem dump with a default and a profile History.db.
func safariFSDump(t *testing.T, defaultExtra, profileExtra string) *testkit.Source {
	return testkit.NewSource(t, evidence.IOSFS, map[string][]byte{
		"private/var/mobile/Library/Safari/History.db":           historyDB(t, safariDefaultURL, defaultExtra),
		"private/var/mobile/" + safariProfileDir + "/History.db": historyDB(t, safariProfileURL, profileExtra),
	})
}

func TestSafariHistoryFSDumpWithProfile(t *testing.T) {
	recs, err := testkit.Extract(t, SafariHistory{}, safariFSDump(t, "", ""))
	if err != nil {
		t.Fatal(err)
	}
	if got := urlSet(recs, "url"); len(recs) != 2 || !got[safariDefaultURL] || !got[safariProfileURL] {
		t.Fatalf("records = %v", recs)
	}
	if got := recs[0].String("safari_history_db"); got != "private/var/mobile/Library/Safari/History.db" {
		t.Errorf("safari_history_db = %q", got)
	}
}

func TestSafariHistoryRedirectIDsAreScopedToDatabase(t *testing.T) {
	// The default database redirects visit 1 to its own visit 2 on the same
	// domain; the profile database also has a visit 2, on another domain,
	// which must not be taken as the destination.
	dump := safariFSDump(t, `
		UPDATE history_items SET url = 'http://safe.example.com/start' WHERE id = 1;
		INSERT INTO history_items VALUES (2, 'https://safe.example.com/end');
		UPDATE history_visits SET redirect_destination = 2 WHERE id = 1;
		INSERT INTO history_visits VALUES (2, 2, 726100000.1, 1, NULL);`,
		`UPDATE history_visits SET id = 2 WHERE id = 1;`)
	recs, err := testkit.Extract(t, SafariHistory{}, dump)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("got %d records, want 3", len(recs))
	}
	if f := inspect(SafariHistory{}, recs); len(f) != 0 {
		t.Errorf("findings = %+v, want none", f)
	}
	// The profile's visit 2 seen first must not resolve the redirect either.
	if recs[2].String("url") != safariProfileURL {
		t.Fatalf("last record = %v, want the profile's visit", recs[2].Data)
	}
	if f := inspect(SafariHistory{}, []record.Record{recs[2], recs[0], recs[1]}); len(f) != 0 {
		t.Errorf("findings (profile first) = %+v, want none", f)
	}
}

func TestSafariHistoryRedirectHeuristic(t *testing.T) {
	tests := []struct {
		name, origin, dest string
		destTime           string
		want               string // "" for no alert
	}{
		{"fast cross-domain", "http://news.example.com/a", "https://evil.example.org/x", "726100000.25", "Redirect took less than a second! (250.0 milliseconds)"},
		{"slow cross-domain", "http://news.example.com/a", "https://evil.example.org/x", "726100002.5", ""},
		{"same domain upgrade", "http://www.example.com/a", "https://example.com/a", "726100000.1", ""},
		{"https origin", "https://news.example.com/a", "https://evil.example.org/x", "726100000.1", ""},
		{"destination earlier", "http://news.example.com/a", "https://evil.example.org/x", "726099999.9", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := testkit.Extract(t, SafariHistory{}, backupWith(t, "HomeDomain", "Library/Safari/History.db", historyDB(t, tc.origin, `
				INSERT INTO history_items VALUES (2, '`+tc.dest+`');
				UPDATE history_visits SET redirect_destination = 2 WHERE id = 1;
				INSERT INTO history_visits VALUES (2, 2, `+tc.destTime+`, 1, NULL);`)))
			if err != nil {
				t.Fatal(err)
			}
			f := inspect(SafariHistory{}, recs)
			if tc.want == "" {
				if len(f) != 0 {
					t.Errorf("findings = %+v, want none", f)
				}
				return
			}
			if len(f) != 1 || f[0].Message != tc.want || f[0].Severity != record.Medium ||
				f[0].Event["url"] != tc.origin || f[0].EventTime != "2024-01-04 22:26:40.000000" {
				t.Errorf("findings = %+v", f)
			}
		})
	}
}

func TestSafariHistoryRedirectFromSavedJSON(t *testing.T) {
	// Saved results carry json.Number and may list the destination first.
	dest := record.Record{Module: "safari_history", Data: map[string]any{
		"url": "https://evil.example.org/x", "visit_id": json.Number("7"), "isodate": "2024-01-04 22:26:40.500000",
		"safari_history_db": "1a/1a0e7afc19d307da602ccdcece51af33afe92c53",
	}}
	origin := record.Record{Module: "safari_history", Data: map[string]any{
		"url": "HTTP://news.example.com/", "visit_id": json.Number("6"), "redirect_destination": json.Number("7"),
		"isodate": "2024-01-04 22:26:40.000000", "safari_history_db": "1a/1a0e7afc19d307da602ccdcece51af33afe92c53",
	}}
	f := inspect(SafariHistory{}, []record.Record{dest, origin})
	if len(f) != 1 || f[0].Message != "Redirect took less than a second! (500.0 milliseconds)" {
		t.Errorf("findings = %+v", f)
	}
}

func TestSafariURLDomain(t *testing.T) {
	for in, want := range map[string]string{
		"http://www.Example.com:8080/x": "example.com",
		"https://web.example.com/":      "web.example.com", // not MVT's lstrip("www.") "eb.example.com"
		"example.org/path":              "example.org",
		"http://localhost/":             "",
		"http://192.0.2.1/":             "",
		"http://example.invalidtld/":    "",
	} {
		if got := safariURLDomain(in); got != want {
			t.Errorf("safariURLDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSafariHistoryConformance(t *testing.T) {
	recs, err := testkit.Extract(t, SafariHistory{}, sharedBackup(t))
	// MVT: R=0, A=0 — the backup lists History.db but does not hold it.
	if !errors.Is(err, evidence.ErrNotFound) || len(recs) != 0 {
		t.Errorf("got %d records, err %v; want none, not found", len(recs), err)
	}
}

func TestSafariHistoryCorrupt(t *testing.T) {
	const p = "Library/Safari/History.db"
	assertCorrupt(t, SafariHistory{}, "HomeDomain", p, []byte("this is not a database, just garbage bytes"), p)
	assertCorrupt(t, SafariHistory{}, "HomeDomain", p, testkit.SQLite(t, "CREATE TABLE history_items (id INTEGER, url TEXT);"), "history_visits")
}

// A redirect a whole day plus half a second later is not "less than a
// second" (MVT's timedelta.seconds ignores the days and alerts).
func TestSafariRedirectIgnoresDaysNot(t *testing.T) {
	origin := record.Record{Module: "safari_history", Data: map[string]any{"url": "http://a.example.com/", "isodate": "2023-01-01 10:00:00.000000"}}
	var got []record.Finding
	raise := func(f record.Finding) { got = append(got, f) }
	later := newSafariVisit(record.Record{Data: map[string]any{"url": "https://b.example.net/", "isodate": "2023-01-02 10:00:00.500000"}})
	safariCheckRedirect(origin, later, raise)
	if len(got) != 0 {
		t.Errorf("a redirect a day later raised %v", got)
	}
	soon := newSafariVisit(record.Record{Data: map[string]any{"url": "https://b.example.net/", "isodate": "2023-01-01 10:00:00.250000"}})
	safariCheckRedirect(origin, soon, raise)
	if len(got) != 1 || !strings.Contains(got[0].Message, "250.0 milliseconds") {
		t.Errorf("a 250 ms redirect raised %v", got)
	}
}
