package ios

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"howett.net/plist"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
)

func globalPreferencesBackup(t *testing.T, data []byte) evidence.Source {
	return backupWith(t, "HomeDomain", "Library/Preferences/.GlobalPreferences.plist", data)
}

func TestGlobalPreferencesLockdown(t *testing.T) {
	for _, tc := range []struct {
		value any
		want  string
	}{{true, "INFORMATIONAL Lockdown mode enabled"}, {false, "LOW Lockdown mode disabled"}, {nil, ""}} {
		prefs := map[string]any{"AppleLocale": "en_FR"}
		if tc.value != nil {
			prefs["LDMGlobalEnabled"] = tc.value
		}
		run, err := runWithoutIndicators(t, GlobalPreferences{}, globalPreferencesBackup(t, testkit.Plist(t, prefs)))
		if err != nil {
			t.Fatal(err)
		}
		if got := findingTexts(run.findings); got != tc.want || len(run.events) != 0 {
			t.Errorf("LDMGlobalEnabled=%v: findings %q, %d events", tc.value, got, len(run.events))
		}
	}
}

func TestGlobalPreferencesFileOrder(t *testing.T) {
	xml := `<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>
		<key>Zeta</key><integer>1</integer><key>Nested</key><dict><key>b</key><true/><key>a</key><array><dict><key>q</key><string/></dict></array></dict>
		<key>Alpha</key><string>x</string></dict></plist>`
	run, err := runWithoutIndicators(t, GlobalPreferences{}, globalPreferencesBackup(t, []byte(xml)))
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	for _, r := range run.recs {
		entries = append(entries, r.String("entry"))
	}
	if got := strings.Join(entries, ","); got != "Zeta,Nested,Alpha" {
		t.Errorf("entries in order %s, want the file's", got)
	}
	if got := plistKeyOrder([]byte(xml), "Nested"); !cmp.Equal(got, []string{"b", "a"}) {
		t.Errorf("nested order %v", got)
	}
}

func TestGlobalPreferencesCorrupt(t *testing.T) {
	_, err := testkit.Extract(t, GlobalPreferences{}, globalPreferencesBackup(t, []byte("garbage, not a property list \x00\x01")))
	if !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), ".GlobalPreferences.plist") {
		t.Errorf("err = %v", err)
	}
	_, err = testkit.Extract(t, GlobalPreferences{}, globalPreferencesBackup(t, testkit.Plist(t, []any{"a"})))
	if !errors.Is(err, evidence.ErrCorrupt) {
		t.Errorf("array top level: err = %v", err)
	}
}

func TestGlobalPreferencesConformance(t *testing.T) {
	run, err := runWithoutIndicators(t, GlobalPreferences{}, sharedBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.recs) != 16 || len(run.events) != 0 || findingTexts(run.findings) != "INFORMATIONAL Lockdown mode enabled" {
		t.Errorf("R=%d T=%d findings %q", len(run.recs), len(run.events), findingTexts(run.findings))
	}
	if diff := cmp.Diff(map[string]any{"entry": "WebKitShowLinkPreviews", "value": false}, run.recs[0].Data); diff != "" {
		t.Errorf("results[0] (-want +got):\n%s", diff)
	}
}

func FuzzPlistKeyOrder(f *testing.F) {
	f.Add(testkit.Plist(f, map[string]any{"a": map[string]any{"b": 1, "c": "d"}, "e": []any{1}}))
	data, err := plist.Marshal(map[string]any{"a": map[string]any{"b": 1}}, plist.XMLFormat)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = plistKeyOrder(data)
		_ = plistKeyOrder(data, "a")
	})
}
