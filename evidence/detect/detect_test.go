package detect

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
)

func writeFiles(t *testing.T, files ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func zipOf(t *testing.T, names ...string) string {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		f, err := w.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("x"))
	}
	w.Close()
	p := filepath.Join(t.TempDir(), "a.zip")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func tarOf(t *testing.T, gz bool, names ...string) string {
	t.Helper()
	var buf bytes.Buffer
	var w *tar.Writer
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		w = tar.NewWriter(zw)
	} else {
		w = tar.NewWriter(&buf)
	}
	for _, n := range names {
		if err := w.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: 1, Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("x"))
	}
	w.Close()
	if zw != nil {
		zw.Close()
	}
	p := filepath.Join(t.TempDir(), "a.tar")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestKind(t *testing.T) {
	abFile := filepath.Join(t.TempDir(), "backup.ab")
	if err := os.WriteFile(abFile, []byte("ANDROID BACKUP\n5\n1\nnone\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want evidence.Kind
	}{
		{"backup folder", writeFiles(t, "Manifest.db", "Info.plist", "3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28"), evidence.IOSBackup},
		{"backup in a sub-folder", writeFiles(t, "00008110-0001/Manifest.db", "00008110-0001/Info.plist"), evidence.IOSBackup},
		{"filesystem folder", writeFiles(t, "private/var/mobile/Library/SMS/sms.db"), evidence.IOSFS},
		{"filesystem folder under a top folder", writeFiles(t, "dump/private/var/mobile/x"), evidence.IOSFS},
		{"filesystem zip", zipOf(t, "fs/private/var/mobile/Library/SMS/sms.db"), evidence.IOSFS},
		{"filesystem tar", tarOf(t, false, "./private/var/db/diagnostics/shutdown.log"), evidence.IOSFS},
		{"filesystem tar.gz", tarOf(t, true, "private/var/mobile/x"), evidence.IOSFS},
		{"sysdiagnose tar.gz", tarOf(t, true, "sysdiagnose_2026.01.02_10-00-00+0100_iPhone-OS_iPhone_23A341/system_logs.logarchive/Extra/shutdown.log"), evidence.IOSSysdiagnose},
		{"androidqf folder", writeFiles(t, "getprop.txt", "packages.json", "ps.txt"), evidence.AndroidQF},
		{"androidqf zip under a folder", zipOf(t, "androidqfzip/getprop.txt"), evidence.AndroidQF},
		{"bug report zip", zipOf(t, "main_entry.txt", "bugreport-x-2024.txt", "FS/data/tombstones/tombstone_00"), evidence.Bugreport},
		{"android backup file", abFile, evidence.AndroidBackup},
		{"unpacked android backup", writeFiles(t, "apps/com.android.providers.telephony/d_f/000000_sms_backup"), evidence.AndroidBackup},
		{"intrusion logs", writeFiles(t, "intrusion_logs/log1.txt"), evidence.IntrusionLogs},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Kind(tc.path)
			if err != nil || got != tc.want {
				t.Errorf("Kind = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestUnknown(t *testing.T) {
	notes := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notes, []byte("hello"), 0o644)
	for _, p := range []string{writeFiles(t, "photo.jpg"), notes, zipOf(t, "random/file.txt")} {
		_, err := Kind(p)
		if !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "expected an iTunes/Finder backup") {
			t.Errorf("Kind(%s) error = %v", p, err)
		}
	}
	if _, err := Kind(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Errorf("a missing path gave no error")
	}
	age := filepath.Join(t.TempDir(), "acq.zip.age")
	os.WriteFile(age, []byte("age-encryption.org/v1\n-> X25519 abc\n"), 0o644)
	if _, err := Kind(age); err == nil || !strings.Contains(err.Error(), "age") {
		t.Errorf("age file: %v", err)
	}
	if _, err := Kind(zipOf(t, "b/Manifest.db", "b/Info.plist")); err == nil || !strings.Contains(err.Error(), "extract it") {
		t.Errorf("zipped backup: %v", err)
	}
	corrupt := filepath.Join(t.TempDir(), "bad.zip")
	os.WriteFile(corrupt, []byte("PK\x03\x04 truncated"), 0o644)
	if _, err := Kind(corrupt); !errors.Is(err, evidence.ErrCorrupt) {
		t.Errorf("corrupt zip: %v", err)
	}
}

func TestSharedTestdata(t *testing.T) {
	for rel, want := range map[string]evidence.Kind{
		"mvt/ios_backup":               evidence.IOSBackup,
		"mvt/androidqf":                evidence.AndroidQF,
		"mvt/androidqf.zip":            evidence.AndroidQF,
		"mvt/android_data/bugreport":   evidence.Bugreport,
		"mvt/android_backup/backup.ab": evidence.AndroidBackup,
	} {
		p := testkit.SharedTestdata(t, strings.Split(rel, "/")...)
		if got, err := Kind(p); err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", rel, got, err, want)
		}
	}
}

// FuzzKind: any file content is judged without panicking.
func FuzzKind(f *testing.F) {
	f.Add([]byte("ANDROID BACKUP\n5\n1\nnone\n"))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{0x1f, 0x8b, 8, 0})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "input")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _ = Kind(p)
	})
}
