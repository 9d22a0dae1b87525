package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A hostile androidqf acquisition: an empty backup.ab, a truncated
// bugreport.zip and a files.json with a malformed line. Each problem is
// named, and the rest (packages, root binaries) is still checked.
func TestAndroidQFBrokenPartsDoNotStopTheCheck(t *testing.T) {
	dir := t.TempDir()
	acq := filepath.Join(dir, "androidqf")
	files := map[string]string{
		"getprop.txt":        "[ro.build.version.sdk]: [34]\n[persist.sys.timezone]: [Europe/Paris]\n",
		"packages.json":      `[{"name": "com.example.implant", "installer": "null", "system": false, "files": []}]`,
		"root_binaries.json": `["/system/xbin/su"]`,
		"files.json":         "{\"path\": \"/sdcard/a.txt\", \"size\": 1, \"mode\": \"-rw-r--r--\", \"modified_time\": 1700000000}\n{\"path\": broken\n",
		"backup.ab":          "",
		"bugreport.zip":      "PK\x03\x04\x14\x00\x00\x00 truncated",
	}
	for name, data := range files {
		p := filepath.Join(acq, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stix := filepath.Join(dir, "i.stix2")
	os.WriteFile(stix, []byte(`{"type":"bundle","id":"bundle--1","objects":[
		{"type":"indicator","id":"indicator--1","pattern":"[app:id='com.example.implant']","pattern_type":"stix"}]}`), 0o644)
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runCLI(t, "check", acq, "--iocs", stix, "--no-default-iocs", "-o", out)
	if code != exitFindings {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	got := byModule(readAlerts(t, out))
	if got["aqf_packages"] == 0 || got["root_binaries"] != 1 {
		t.Errorf("alerts per module: %v", got)
	}
	for _, want := range []string{"backup.ab", "bugreport.zip"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the log does not name %s:\n%s", want, stderr)
		}
	}
	if !strings.Contains(stdout, "aqf_files failed") || !strings.Contains(stdout, "files.json") {
		t.Errorf("the summary does not report the malformed files.json:\n%s", stdout)
	}
	if n := len(records(t, out, "aqf_files")); n != 1 {
		t.Errorf("aqf_files kept %d records before the bad line, want 1", n)
	}
}
