package ios

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

// shortcutActions is a ZDATA property list with two actions.
func shortcutActions(t testing.TB) []byte {
	return testkit.Plist(t, []any{
		map[string]any{"WFWorkflowActionIdentifier": "is.workflow.actions.url",
			"WFWorkflowActionParameters": map[string]any{"WFURLActionURL": "https://evil.example.org/payload", "UUID": "A1"}},
		map[string]any{"WFWorkflowActionIdentifier": "is.workflow.actions.gettext",
			"WFWorkflowActionParameters": map[string]any{"WFTextActionText": "see http://a.example.net/x', and more", "Items": []any{int64(1), "HTTPS://b.example.net/y"}}},
	})
}

const shortcutsSchema = `CREATE TABLE ZSHORTCUT (Z_PK INTEGER PRIMARY KEY, ZNAME VARCHAR, ZCREATIONDATE TIMESTAMP, ZMODIFICATIONDATE TIMESTAMP, ZACTIONSDESCRIPTION VARCHAR);
	CREATE TABLE ZSHORTCUTACTIONS (Z_PK INTEGER PRIMARY KEY, ZSHORTCUT INTEGER, ZDATA BLOB);`

func TestShortcuts(t *testing.T) {
	recs, err := testkit.Extract(t, Shortcuts{}, backupWith(t, "HomeDomain", "Library/Shortcuts/Shortcuts.sqlite", testkit.SQLite(t, shortcutsSchema+`
		INSERT INTO ZSHORTCUT VALUES (1, 'Open site', 654598606.0, 654598706.5, 'Opens a site');
		INSERT INTO ZSHORTCUTACTIONS VALUES (1, 1, X'`+hex.EncodeToString(shortcutActions(t))+`');
		INSERT INTO ZSHORTCUT VALUES (2, 'Empty', 654598606.0, NULL, NULL);`)))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("got %d records, want 2", len(recs))
	}
	want := map[string]any{"shortcut_id": int64(1), "shortcut_name": "Open site", "description": "Opens a site",
		"isodate": "2021-09-29 08:56:46.000000", "modified_date": "2021-09-29 08:58:26.500000", "parsed_actions": int64(2),
		"action_urls": []string{"https://evil.example.org/payload", "HTTPS://b.example.net/y", "http://a.example.net/x"}}
	if diff := cmp.Diff(want, recs[0].Data); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	obs := Shortcuts{}.Observables(recs[0])
	if len(obs) != 3 || obs[0].Kind != record.URL || obs[0].Value != "https://evil.example.org/payload" {
		t.Errorf("observables = %+v", obs)
	}
	ev := Shortcuts{}.Timeline(recs[0])
	wantData := "iOS Shortcut 'Open site': Opens a site - URLs in actions: https://evil.example.org/payload, HTTPS://b.example.net/y, http://a.example.net/x"
	if len(ev) != 2 || ev[0].Event != "shortcut_created" || ev[1].Event != "shortcut_modified" || ev[0].Data != wantData {
		t.Errorf("timeline = %+v", ev)
	}

	// No actions row: no action data, as MVT records it; no modification date.
	if recs[1].Data["action_urls"] != nil || recs[1].Data["parsed_actions"] != int64(0) || recs[1].String("modified_date") != "" {
		t.Errorf("record without actions = %v", recs[1].Data)
	}
	if ev := (Shortcuts{}).Timeline(recs[1]); len(ev) != 1 || ev[0].Data != "iOS Shortcut 'Empty':  " {
		t.Errorf("timeline = %+v", ev)
	}
}

func TestShortcutActionURLsBadInput(t *testing.T) {
	good := shortcutActions(t)
	for name, data := range map[string][]byte{
		"nil": nil, "truncated": good[:len(good)/2], "a dictionary": testkit.Plist(t, map[string]any{"a": "https://x.example/"}),
	} {
		if n, urls := shortcutActionURLs(data); n != 0 || urls != nil {
			t.Errorf("%s: %d actions, urls %v", name, n, urls)
		}
	}
	if n, urls := shortcutActionURLs(testkit.Plist(t, []any{"not an action", map[string]any{}})); n != 1 || len(urls) != 0 || urls == nil {
		t.Errorf("odd list: %d actions, urls %#v", n, urls)
	}
}

func FuzzShortcutActionURLs(f *testing.F) {
	f.Add(shortcutActions(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, urls := shortcutActionURLs(data)
		if n == 0 && len(urls) > 0 {
			t.Fatalf("urls %v without actions", urls)
		}
	})
}

func TestShortcutsConformance(t *testing.T) {
	recs, err := testkit.Extract(t, Shortcuts{}, sharedBackup(t))
	// MVT finds no Shortcuts.sqlite in the backup: R=0.
	if !errors.Is(err, evidence.ErrNotFound) || len(recs) != 0 {
		t.Errorf("got %d records, err %v; want none, not found", len(recs), err)
	}
}

func TestShortcutsCorrupt(t *testing.T) {
	const p = "Library/Shortcuts/Shortcuts.sqlite"
	assertCorrupt(t, Shortcuts{}, "HomeDomain", p, []byte("garbage garbage garbage garbage garbage"), p)
	assertCorrupt(t, Shortcuts{}, "HomeDomain", p, testkit.SQLite(t, "CREATE TABLE ZSHORTCUT (Z_PK INTEGER);"), "ZNAME")
}
