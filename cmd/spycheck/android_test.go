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

// byModule counts alerts per module.
func byModule(alerts []alert) map[string]int {
	out := map[string]int{}
	for _, a := range alerts {
		out[a.Module]++
	}
	return out
}

func records(t *testing.T, dir, module string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, module+".json"))
	if err != nil {
		return nil
	}
	var out []map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// MVT's androidqf test folder: MVT raises 10 alerts (packages 5, settings
// 1, root binaries 4). spycheck raises those same 10 and, since it also
// reads androidqf's dumpsys.txt, the dumpsys modules' findings on it.
func TestConformanceAndroidQF(t *testing.T) {
	acq := testkit.SharedTestdata(t, "mvt", "androidqf")
	iocs := testkit.SharedTestdata(t, "iocs", "test.stix2")
	before := testkit.HashTree(t, acq)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI(t, "check-androidqf", acq, "--iocs", iocs, "--no-default-iocs", "-o", out)
	if code != exitFindings {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	got := byModule(readAlerts(t, out))
	for mod, n := range map[string]int{"aqf_packages": 5, "aqf_settings": 1, "root_binaries": 4} {
		if got[mod] != n {
			t.Errorf("%s: %d alerts, want %d (all: %v)", mod, got[mod], n, got)
		}
	}
	// The nested backup.ab is checked too (its SMS land in sms.json and urls.json).
	if n := len(records(t, out, "sms")); n != 2 {
		t.Errorf("sms.json from the nested backup.ab: %d records, want 2", n)
	}
	data, _ := os.ReadFile(filepath.Join(out, "timeline.csv"))
	if !strings.HasPrefix(string(data), `"Device Local Timestamp"`) {
		t.Errorf("Android timeline header: %.40q", data)
	}
	if diff := cmp.Diff(before, testkit.HashTree(t, acq)); diff != "" {
		t.Errorf("evidence changed:\n%s", diff)
	}
	// Auto-detection gives the same.
	out2 := filepath.Join(t.TempDir(), "auto")
	runCLI(t, "check", acq, "--iocs", iocs, "--no-default-iocs", "-o", out2)
	if diff := cmp.Diff(summary(readAlerts(t, out)), summary(readAlerts(t, out2))); diff != "" {
		t.Errorf("check vs check-androidqf (-specific +auto):\n%s", diff)
	}
}

func TestConformanceBugreport(t *testing.T) {
	br := testkit.SharedTestdata(t, "mvt", "android_data", "bugreport")
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI(t, "check", br, "--no-default-iocs", "-o", out)
	if code != exitFindings {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if diff := cmp.Diff(map[string]int{"dumpsys_appops": 1, "tombstones": 2}, byModule(readAlerts(t, out))); diff != "" {
		t.Errorf("alerts per module (-MVT +spycheck):\n%s", diff)
	}
}

func TestConformanceAndroidBackups(t *testing.T) {
	dir := testkit.SharedTestdata(t, "mvt", "android_backup")
	tests := []struct {
		file, password string
		code, sms      int
		stderr         string
	}{
		{"backup.ab", "", exitClean, 2, ""},
		{"backup3.ab", "", exitClean, 1, ""},
		{"backup2.ab", "123456", exitClean, 1, ""},
		{"backup2.ab", "invalid_password", exitError, 0, "password"},
		{"backup2.ab", "", exitError, 0, "--password"},
	}
	for _, tc := range tests {
		t.Run(tc.file+"/"+tc.password, func(t *testing.T) {
			t.Setenv("SPYCHECK_BACKUP_PASSWORD", "")
			t.Setenv("MVT_ANDROID_BACKUP_PASSWORD", "")
			out := filepath.Join(t.TempDir(), "out")
			args := []string{"check-android-backup", filepath.Join(dir, tc.file), "--no-default-iocs", "-o", out}
			if tc.password != "" {
				args = append(args, "--password", tc.password)
			}
			code, _, stderr := runCLI(t, args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit %d (want %d), stderr:\n%s", code, tc.code, stderr)
			}
			if n := len(records(t, out, "sms")); n != tc.sms {
				t.Errorf("sms records %d, want %d", n, tc.sms)
			}
		})
	}
}

func TestConformanceAndroidQFEncryptedBackup(t *testing.T) {
	acq := testkit.SharedTestdata(t, "mvt", "androidqf_encrypted")
	out := filepath.Join(t.TempDir(), "out")
	t.Setenv("MVT_ANDROID_BACKUP_PASSWORD", "123456")
	code, stdout, stderr := runCLI(t, "check-androidqf", acq, "--no-default-iocs", "-o", out)
	if code == exitError {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if n := len(records(t, out, "sms")); n != 1 {
		t.Errorf("sms records %d, want 1", n)
	}
}
