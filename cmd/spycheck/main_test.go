package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/internal/testkit"
)

type alert struct {
	Level     string         `json:"level"`
	Module    string         `json:"module"`
	Message   string         `json:"message"`
	EventTime string         `json:"event_time"`
	Event     map[string]any `json:"event"`
	Indicator *struct {
		Value string `json:"value"`
		Type  string `json:"type"`
	} `json:"matched_indicator"`
}

func readAlerts(t *testing.T, dir string) []alert {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "alerts.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []alert
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// summary is "LEVEL module" for each alert, sorted, for comparing runs.
func summary(alerts []alert) []string {
	var out []string
	for _, a := range alerts {
		out = append(out, a.Level+" "+a.Module)
	}
	sort.Strings(out)
	return out
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// The five alerts MVT 2026.7.29 raises on its own test backup with its
// generated test indicators, then the same from check-iocs on the
// results folder alone; the evidence must be byte-identical afterwards.
func TestConformanceMVTBackup(t *testing.T) {
	backup := testkit.SharedTestdata(t, "mvt", "ios_backup")
	iocs := testkit.SharedTestdata(t, "iocs", "test.stix2")
	before := testkit.HashTree(t, backup)
	out := filepath.Join(t.TempDir(), "results")

	code, stdout, stderr := runCLI(t, "check-backup", backup, "--iocs", iocs, "--no-default-iocs", "-o", out)
	if code != exitFindings {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitFindings, stdout, stderr)
	}
	alerts := readAlerts(t, out)
	want := []struct{ level, module, text string }{
		{"CRITICAL", "tcc", "Launch"},
		{"CRITICAL", "sms", "badbadbad.example.org"},
		{"CRITICAL", "whatsapp", "https://example.org/news"},
		{"LOW", "datausage", "Missing process 5"},
		{"INFORMATIONAL", "global_preferences", "Lockdown mode enabled"},
	}
	if len(alerts) != len(want) {
		t.Errorf("got %d alerts, want %d: %v", len(alerts), len(want), summary(alerts))
	}
	for _, w := range want {
		found := false
		for _, a := range alerts {
			blob, _ := json.Marshal(a)
			if a.Level == w.level && a.Module == w.module && strings.Contains(string(blob), w.text) {
				found = true
			}
		}
		if !found {
			t.Errorf("missing alert %s %s mentioning %q; got %v", w.level, w.module, w.text, summary(alerts))
		}
	}

	counts := map[string]int{
		"manifest": 3721, "tcc": 11, "datausage": 42, "global_preferences": 16, "calendar": 1,
		"sms": 1, "safari_browser_state": 1, "webkit_resource_load_statistics": 2,
		"whatsapp_contacts": 2, "interaction_c": 3, "whatsapp": 6,
	}
	for mod, n := range counts {
		var recs []any
		data, err := os.ReadFile(filepath.Join(out, mod+".json"))
		if err == nil {
			err = json.Unmarshal(data, &recs)
		}
		if err != nil || len(recs) != n {
			t.Errorf("%s.json: %d records (%v), want %d", mod, len(recs), err, n)
		}
	}
	for _, f := range []string{"timeline.csv", "alerts_timeline.csv", "info.json", "command.log", "urls.json", "backup_info.json", "tcc_detected.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("results folder lacks %s", f)
		}
	}
	var info struct {
		Hashes []struct {
			Path   string `json:"file_path"`
			SHA256 string `json:"sha256"`
		} `json:"hashes"`
	}
	data, _ := os.ReadFile(filepath.Join(out, "info.json"))
	if err := json.Unmarshal(data, &info); err != nil {
		t.Fatal(err)
	}
	hashed := map[string]string{}
	for _, h := range info.Hashes {
		hashed[h.Path] = h.SHA256
	}
	for _, rel := range []string{"Manifest.db", "Info.plist", "64/64d0019cb3d46bfc8cce545a8ba54b93e7ea9347"} {
		if hashed[filepath.Join(backup, rel)] != before[rel] {
			t.Errorf("info.json hash of %s = %q, want %q", rel, hashed[filepath.Join(backup, rel)], before[rel])
		}
	}

	// Re-check the results folder alone.
	code, stdout, stderr = runCLI(t, "check-iocs", out, "--iocs", iocs, "--no-default-iocs")
	if code != exitFindings {
		t.Fatalf("check-iocs exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	out2 := filepath.Join(t.TempDir(), "recheck")
	runCLI(t, "check-iocs", out, "--iocs", iocs, "--no-default-iocs", "-o", out2)
	if diff := cmp.Diff(summary(alerts), summary(readAlerts(t, out2))); diff != "" {
		t.Errorf("check-iocs alerts differ (-check +recheck):\n%s", diff)
	}

	if diff := cmp.Diff(before, testkit.HashTree(t, backup)); diff != "" {
		t.Errorf("evidence changed (-before +after):\n%s", diff)
	}
}

func TestDemo(t *testing.T) {
	demo := filepath.Join("..", "..", "testdata", "demo")
	before := testkit.HashTree(t, demo)
	out := filepath.Join(t.TempDir(), "results")
	code, stdout, stderr := runCLI(t, "check-backup", filepath.Join(demo, "backup"), "--iocs", filepath.Join(demo, "demo.stix2"), "--no-default-iocs", "-o", out)
	if code != exitFindings {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	want := []string{"CRITICAL sms", "CRITICAL tcc", "LOW global_preferences"}
	if diff := cmp.Diff(want, summary(readAlerts(t, out))); diff != "" {
		t.Errorf("demo alerts (-want +got):\n%s", diff)
	}
	if !strings.Contains(stdout, "demo-spyware.example") || !strings.Contains(stdout, "demoimplantd") {
		t.Errorf("summary does not name the planted traces:\n%s", stdout)
	}
	if diff := cmp.Diff(before, testkit.HashTree(t, demo)); diff != "" {
		t.Errorf("demo evidence changed:\n%s", diff)
	}
}

func TestErrors(t *testing.T) {
	empty := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"not a backup", []string{"check-backup", empty}, exitError, "does not look like an iOS backup"},
		{"missing folder", []string{"check-backup", filepath.Join(empty, "nope")}, exitError, "nope"},
		{"unknown flag", []string{"check-backup", empty, "--bogus"}, exitUsage, "bogus"},
		{"bad severity", []string{"check-backup", empty, "--fail-on", "severe"}, exitUsage, "severe"},
		{"missing indicators", []string{"check-iocs", empty, "--iocs", filepath.Join(empty, "none.stix2"), "--no-default-iocs"}, exitError, "none.stix2"},
		{"output inside evidence", []string{"check-backup", empty, "-o", filepath.Join(empty, "out")}, exitUsage, "inside the evidence"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d (want %d), stderr:\n%s", code, tc.code, stderr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(empty, "out")); err == nil {
		t.Errorf("an output folder was created inside the evidence")
	}
}
