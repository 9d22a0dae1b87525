package ios

import (
	"encoding/hex"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

// safariSessionBlob is session_data as Safari stores it: a 4-byte header,
// then a property list of the tab's back/forward list.
func safariSessionBlob(t testing.TB) []byte {
	pl := testkit.Plist(t, map[string]any{"SessionHistory": map[string]any{
		"SessionHistoryCurrentIndex": 1,
		"SessionHistoryEntries": []any{
			map[string]any{"SessionHistoryEntryOriginalURL": "https://start.example.net/", "SessionHistoryEntryURL": "https://start.example.net/", "SessionHistoryEntryData": []byte{1, 2, 3}},
			map[string]any{"SessionHistoryEntryOriginalURL": "https://evil.example.org/landing", "SessionHistoryEntryURL": "https://evil.example.org/landing?x=1"},
		},
	}})
	return append([]byte{0, 0, 0, 2}, pl...)
}

func TestSafariBrowserStateSchemas(t *testing.T) {
	blob := hex.EncodeToString(safariSessionBlob(t))
	wantEntries := []any{
		map[string]any{"entry_title": "https://start.example.net/", "entry_url": "https://start.example.net/", "data_length": int64(3)},
		map[string]any{"entry_title": "https://evil.example.org/landing", "entry_url": "https://evil.example.org/landing?x=1", "data_length": int64(0)},
	}
	tests := []struct{ name, script string }{
		{"tab_sessions", `CREATE TABLE tabs (id INTEGER PRIMARY KEY, uuid TEXT, title TEXT, url TEXT, user_visible_url TEXT, last_viewed_time REAL);
			CREATE TABLE tab_sessions (id INTEGER PRIMARY KEY, tab_uuid TEXT, session_data BLOB);
			INSERT INTO tabs VALUES (1, 'U1', 'A tab', 'https://evil.example.org/landing?x=1', 'https://evil.example.org/landing?x=1', 654598606.156382);
			INSERT INTO tab_sessions VALUES (1, 'U1', X'` + blob + `');`},
		{"old tabs only", `CREATE TABLE tabs (id INTEGER PRIMARY KEY, title TEXT, url TEXT, user_visible_url TEXT, last_viewed_time REAL, session_data BLOB);
			INSERT INTO tabs VALUES (1, 'A tab', 'https://evil.example.org/landing?x=1', 'https://evil.example.org/landing?x=1', 654598606.156382, X'` + blob + `');`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := testkit.Extract(t, SafariBrowserState{}, backupWith(t, "HomeDomain", "Library/Safari/BrowserState.db", testkit.SQLite(t, tc.script)))
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 1 {
				t.Fatalf("got %d records, want 1", len(recs))
			}
			want := map[string]any{
				"tab_title": "A tab", "tab_url": "https://evil.example.org/landing?x=1", "tab_visible_url": "https://evil.example.org/landing?x=1",
				"last_viewed_timestamp": "2021-09-29 08:56:46.156382", "session_data": wantEntries,
				"safari_browser_state_db": "3a/3a47b0981ed7c10f3e2800aa66bac96a3b5db28e",
			}
			if diff := cmp.Diff(want, recs[0].Data); diff != "" {
				t.Errorf("record (-want +got):\n%s", diff)
			}
			obs := SafariBrowserState{}.Observables(recs[0])
			if len(obs) != 3 || obs[0].Field != "tab_url" || obs[2].Value != "https://evil.example.org/landing?x=1" || obs[2].Kind != record.URL {
				t.Errorf("observables = %+v", obs)
			}
		})
	}
}

func TestSafariBrowserStateProfiles(t *testing.T) {
	db := testkit.SQLite(t, `CREATE TABLE tabs (id INTEGER PRIMARY KEY, uuid TEXT, title TEXT, url TEXT, user_visible_url TEXT, last_viewed_time REAL);
		CREATE TABLE tab_sessions (id INTEGER PRIMARY KEY, tab_uuid TEXT, session_data BLOB);
		INSERT INTO tabs VALUES (1, 'U1', 't', 'https://example.net/', 'https://example.net/', 654598606.0);
		INSERT INTO tab_sessions VALUES (1, 'U1', NULL);`)
	b := testkit.NewBackup(t, nil)
	b.Add("HomeDomain", "Library/Safari/BrowserState.db", db)
	b.Add("AppDomain-com.apple.mobilesafari", safariProfileDir+"/BrowserState.db", db)
	recs, err := testkit.Extract(t, SafariBrowserState{}, b.Open())
	if err != nil {
		t.Fatal(err)
	}
	if got := urlSet(recs, "safari_browser_state_db"); len(recs) != 2 || len(got) != 2 {
		t.Errorf("records = %v", recs)
	}

	dump := testkit.NewSource(t, evidence.IOSFS, map[string][]byte{
		"private/var/mobile/Library/Safari/BrowserState.db":           db,
		"private/var/mobile/" + safariProfileDir + "/BrowserState.db": db,
	})
	recs, err = testkit.Extract(t, SafariBrowserState{}, dump)
	if err != nil || len(recs) != 2 || recs[1].String("safari_browser_state_db") != "private/var/mobile/"+safariProfileDir+"/BrowserState.db" {
		t.Errorf("fs dump: records %v, err %v", recs, err)
	}
}

func TestSafariSessionEntriesBadInput(t *testing.T) {
	good := safariSessionBlob(t)
	for name, blob := range map[string][]byte{
		"nil": nil, "header only": good[:4], "truncated": good[:len(good)/2],
		"not a dict":         append([]byte{0, 0, 0, 0}, testkit.Plist(t, []any{"x"})...),
		"entries not a list": append([]byte{0, 0, 0, 0}, testkit.Plist(t, map[string]any{"SessionHistory": map[string]any{"SessionHistoryEntries": "x"}})...),
	} {
		if got := safariSessionEntries(blob); len(got) != 0 {
			t.Errorf("%s: entries = %v, want none", name, got)
		}
	}
}

func FuzzSafariSessionEntries(f *testing.F) {
	f.Add(safariSessionBlob(f))
	f.Add([]byte{0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, blob []byte) {
		for _, e := range safariSessionEntries(blob) {
			if _, ok := e.(map[string]any); !ok {
				t.Fatalf("entry %T", e)
			}
		}
	})
}

func TestSafariBrowserStateConformance(t *testing.T) {
	recs, err := testkit.Extract(t, SafariBrowserState{}, sharedBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	// MVT: R=1, T=1, A=0.
	if len(recs) != 1 {
		t.Fatalf("got %d records, want 1", len(recs))
	}
	if got := recs[0].String("tab_url"); got != "https://en.wikipedia.org/wiki/NSO_Group" {
		t.Errorf("tab_url = %q", got)
	}
	if ev := timeline(SafariBrowserState{}, recs); len(ev) != 1 || ev[0].Data != "NSO is bad - https://en.wikipedia.org/wiki/NSO_Group" || ev[0].Event != "tab" {
		t.Errorf("timeline = %+v", ev)
	}
}

func TestSafariBrowserStateCorrupt(t *testing.T) {
	const p = "Library/Safari/BrowserState.db"
	assertCorrupt(t, SafariBrowserState{}, "HomeDomain", p, []byte("garbage garbage garbage garbage garbage"), p)
	assertCorrupt(t, SafariBrowserState{}, "HomeDomain", p, testkit.SQLite(t, "CREATE TABLE tabs (id INTEGER, title TEXT);"))
}
