package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence/iosbackup/backuptest"
	"github.com/spycheck/spycheck/internal/testkit"
)

// mvtBackupCopy copies MVT's test backup, without the file Manifest.db
// does not list (an encrypted backup holds no key for it).
func mvtBackupCopy(t *testing.T) string {
	t.Helper()
	src := testkit.SharedTestdata(t, "mvt", "ios_backup")
	dir := filepath.Join(t.TempDir(), "backup")
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "e7", "e794f6ffcc3c222535f47684a63d5178da3c4500")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func alertsJSON(t *testing.T, dir string) string {
	t.Helper()
	alerts := readAlerts(t, dir)
	data, err := json.MarshalIndent(alerts, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestCheckEncryptedBackup(t *testing.T) {
	iocs := testkit.SharedTestdata(t, "iocs", "test.stix2")
	plain, enc := mvtBackupCopy(t), mvtBackupCopy(t)
	if err := backuptest.Encrypt(enc, backuptest.Options{Password: "hunter2"}); err != nil {
		t.Fatal(err)
	}
	before := testkit.HashTree(t, enc)
	outPlain, outEnc := filepath.Join(t.TempDir(), "plain"), filepath.Join(t.TempDir(), "enc")
	if code, _, stderr := runCLI(t, "check-backup", plain, "--iocs", iocs, "--no-default-iocs", "-o", outPlain); code != exitFindings {
		t.Fatalf("plain: exit %d\n%s", code, stderr)
	}
	code, _, stderr := runCLI(t, "check-backup", enc, "--iocs", iocs, "--no-default-iocs", "-o", outEnc, "--password", "hunter2")
	if code != exitFindings {
		t.Fatalf("encrypted: exit %d\n%s", code, stderr)
	}
	if diff := cmp.Diff(alertsJSON(t, outPlain), alertsJSON(t, outEnc)); diff != "" {
		t.Errorf("alerts differ (-plain +encrypted):\n%s", diff)
	}
	for _, mod := range []string{"tcc", "sms", "datausage", "safari_browser_state", "whatsapp", "interaction_c"} {
		a, _ := os.ReadFile(filepath.Join(outPlain, mod+".json"))
		b, _ := os.ReadFile(filepath.Join(outEnc, mod+".json"))
		if len(a) == 0 || string(a) != string(b) {
			t.Errorf("%s.json differs (%d and %d bytes)", mod, len(a), len(b))
		}
	}
	// MVT's environment variable works too.
	t.Setenv("MVT_IOS_BACKUP_PASSWORD", "hunter2")
	if code, _, stderr := runCLI(t, "check-backup", enc, "--iocs", iocs, "--no-default-iocs", "-m", "tcc"); code != exitFindings {
		t.Errorf("password from MVT_IOS_BACKUP_PASSWORD: exit %d\n%s", code, stderr)
	}
	if diff := cmp.Diff(before, testkit.HashTree(t, enc)); diff != "" {
		t.Errorf("evidence changed:\n%s", diff)
	}
}

func encryptedFixture(t *testing.T) string {
	t.Helper()
	b := testkit.NewBackup(t, nil)
	b.Add("HomeDomain", "Library/Preferences/x.plist", testkit.Plist(t, map[string]any{"a": "b"}))
	dir := b.Finish()
	if err := backuptest.Encrypt(dir, backuptest.Options{Password: "right"}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestEncryptedBackupPasswordErrors(t *testing.T) {
	dir := encryptedFixture(t)
	out := filepath.Join(t.TempDir(), "results")
	code, _, stderr := runCLI(t, "check-backup", dir, "--no-default-iocs", "-o", out, "--password", "wrong")
	if code != exitError || !strings.Contains(stderr, "wrong password") || !strings.Contains(stderr, "Manifest.plist") || !strings.Contains(stderr, "hint:") {
		t.Errorf("wrong password: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("results folder created despite the wrong password")
	}
	// No password and no terminal (go test's stdin): say how to give it.
	code, _, stderr = runCLI(t, "check-backup", dir, "--no-default-iocs")
	if code != exitError || !strings.Contains(stderr, "--password") || !strings.Contains(stderr, "SPYCHECK_BACKUP_PASSWORD") {
		t.Errorf("no password: exit %d\n%s", code, stderr)
	}
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte(strings.Repeat("00", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "check-backup", dir, "--no-default-iocs", "--key-file", keyFile)
	if code != exitError || !strings.Contains(stderr, "wrong password") {
		t.Errorf("wrong key: exit %d\n%s", code, stderr)
	}
}

func TestDecryptBackupCommand(t *testing.T) {
	dir := encryptedFixture(t)
	before := testkit.HashTree(t, dir)
	dest := filepath.Join(t.TempDir(), "dec")

	code, _, stderr := runCLI(t, "decrypt-backup", dir, "-d", dest, "--password", "wrong")
	if code != exitError || strings.Count(stderr, "error:") != 1 || !strings.Contains(stderr, "wrong password") {
		t.Errorf("wrong password: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(dest); err == nil {
		t.Errorf("destination created despite the wrong password")
	}
	code, _, stderr = runCLI(t, "decrypt-backup", dir, "-d", filepath.Join(dir, "dec"), "--password", "right")
	if code != exitUsage || !strings.Contains(stderr, "inside the backup") {
		t.Errorf("destination inside the backup: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, "decrypt-backup", dir, "-d", dest, "--password", "right", "--real-paths")
	if code != exitClean || !strings.Contains(stdout, "Decrypted 1 files") {
		t.Fatalf("decrypt: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, p := range []string{"Manifest.db", "Manifest.plist", "Info.plist", "HomeDomain/Library/Preferences/x.plist"} {
		if _, err := os.Stat(filepath.Join(dest, p)); err != nil {
			t.Errorf("decrypted copy lacks %s", p)
		}
	}
	// The copy checks without a password.
	if code, _, stderr := runCLI(t, "check-backup", dest, "--no-default-iocs", "-m", "tcc"); code != exitClean {
		t.Errorf("check of the decrypted copy: exit %d\n%s", code, stderr)
	}
	if diff := cmp.Diff(before, testkit.HashTree(t, dir)); diff != "" {
		t.Errorf("evidence changed:\n%s", diff)
	}
}
