package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/internal/testkit"
)

// One broken artifact never stops the others: a corrupt sms.db and a
// truncated .GlobalPreferences.plist are reported by name while TCC is
// still checked.
func TestBrokenArtifactsDoNotStopTheCheck(t *testing.T) {
	b := testkit.NewBackup(t, nil)
	b.Add("HomeDomain", "Library/SMS/sms.db", []byte(strings.Repeat("this is not sqlite ", 300)))
	prefs := testkit.Plist(t, map[string]any{"LDMGlobalEnabled": true, "AppleLocale": "en_US"})
	b.Add("HomeDomain", "Library/Preferences/.GlobalPreferences.plist", prefs[:len(prefs)/2])
	b.Add("HomeDomain", "Library/TCC/TCC.db", testkit.SQLite(t, `
		CREATE TABLE access (service TEXT, client TEXT, client_type INTEGER, auth_value INTEGER, auth_reason INTEGER, last_modified INTEGER);
		INSERT INTO access VALUES ('kTCCServiceMicrophone', 'implantd', 0, 2, 4, 1626566400);`))
	root := b.Finish()
	before := testkit.HashTree(t, root)

	stix := filepath.Join(t.TempDir(), "i.stix2")
	if err := os.WriteFile(stix, []byte(`{"type":"bundle","id":"bundle--1","objects":[
		{"type":"indicator","id":"indicator--1","pattern":"[process:name='implantd']","pattern_type":"stix"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI(t, "check-backup", root, "--iocs", stix, "--no-default-iocs", "-o", out)
	if code != exitFindings {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"sms failed", "HomeDomain/Library/SMS/sms.db", "global_preferences failed", ".GlobalPreferences.plist"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary does not say %q:\n%s", want, stdout)
		}
	}
	if got := summary(readAlerts(t, out)); !cmp.Equal(got, []string{"CRITICAL tcc"}) {
		t.Errorf("alerts = %v", got)
	}
	var info struct {
		Modules []struct{ Name, State, Error string } `json:"modules"`
	}
	data, _ := os.ReadFile(filepath.Join(out, "info.json"))
	if err := json.Unmarshal(data, &info); err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, m := range info.Modules {
		states[m.Name] = m.State
	}
	for name, want := range map[string]string{"sms": "failed", "global_preferences": "failed", "tcc": "ok", "calendar": "not present"} {
		if states[name] != want {
			t.Errorf("info.json: %s is %q, want %q", name, states[name], want)
		}
	}
	if diff := cmp.Diff(before, testkit.HashTree(t, root)); diff != "" {
		t.Errorf("evidence changed:\n%s", diff)
	}
}

func TestMalformedIndicatorsNameTheFile(t *testing.T) {
	root := testkit.NewBackup(t, nil).Finish()
	stix := filepath.Join(t.TempDir(), "broken.stix2")
	if err := os.WriteFile(stix, []byte(`{"type":"bundle","objects":[{"type":"indicator","id":"indicator--x","pattern":"[domain-name:value=]"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "check-backup", root, "--iocs", stix, "--no-default-iocs")
	if code != exitError || !strings.Contains(stderr, "broken.stix2") || !strings.Contains(stderr, "indicator--x") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}
