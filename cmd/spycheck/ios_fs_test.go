package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/internal/testkit"
)

// writeTarGz writes files (name → content) as a .tar.gz.
func writeTarGz(t *testing.T, path string, files map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, name := range sortedKeys(files) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(files[name])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(files[name]))
	}
	tw.Close()
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

const sysdiagTop = "sysdiagnose_2026.03.01_10-00-00+0100_iPhone-OS_iPhone_23D60/"

// A sysdiagnose archive as the device writes it: the shutdown.log
// heuristics fire on a sticky reboot with a process under /private/var/db,
// and stay quiet on a clean log.
func TestSysdiagnoseShutdownLog(t *testing.T) {
	sticky := "remaining client pid: 412 (/usr/libexec/backboardd)\n" +
		"After 1.02s, these clients are still here:\n" +
		"remaining client pid: 933 (/private/var/db/com.apple.xpc.roleaccountd.staging/rolemgrd/1C2D3E4F-0000-4000-8000-000000000001)\n" +
		"After 2.05s, these clients are still here:\n" +
		"remaining client pid: 933 (/private/var/db/com.apple.xpc.roleaccountd.staging/rolemgrd/1C2D3E4F-0000-4000-8000-000000000001)\n" +
		"After 3.10s, these clients are still here:\n" +
		"remaining client pid: 933 (/private/var/db/com.apple.xpc.roleaccountd.staging/rolemgrd/1C2D3E4F-0000-4000-8000-000000000001)\n" +
		"SIGTERM: [1772355600]\n"
	clean := "remaining client pid: 412 (/usr/libexec/backboardd)\nSIGTERM: [1772355600]\n"
	for name, tc := range map[string]struct {
		log  string
		want []string
	}{
		"sticky": {sticky, []string{"HIGH shutdown_log", "MEDIUM shutdown_log"}},
		"clean":  {clean, nil},
	} {
		t.Run(name, func(t *testing.T) {
			archive := filepath.Join(t.TempDir(), "sysdiagnose.tar.gz")
			writeTarGz(t, archive, map[string]string{
				sysdiagTop + "system_logs.logarchive/Extra/shutdown.0.log": tc.log,
				sysdiagTop + "sysdiagnose.log":                             "started\n",
			})
			out := filepath.Join(t.TempDir(), "out")
			code, stdout, stderr := runCLI(t, "check", archive, "--no-default-iocs", "-o", out)
			if tc.want == nil && code != exitClean || tc.want != nil && code != exitFindings {
				t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
			}
			var got []string
			for _, s := range summary(readAlerts(t, out)) {
				if !slices.Contains(got, s) {
					got = append(got, s)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("alerts (-want +got):\n%s", diff)
			}
			if n := len(records(t, out, "shutdown_log")); n == 0 {
				t.Errorf("no shutdown_log records")
			}
		})
	}
}

// MVT's filesystem test: its ios_backup folder as a fake dump gives 23
// filesystem records; a process indicator equal to a path component
// matches once.
func TestConformanceFilesystem(t *testing.T) {
	dump := testkit.SharedTestdata(t, "mvt", "ios_backup")
	stix := filepath.Join(t.TempDir(), "p.stix2")
	os.WriteFile(stix, []byte(`{"type":"bundle","id":"bundle--1","objects":[
		{"type":"indicator","id":"indicator--1","pattern":"[process:name='64d0019cb3d46bfc8cce545a8ba54b93e7ea9347']","pattern_type":"stix"}]}`), 0o644)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI(t, "check-fs", dump, "--iocs", stix, "--no-default-iocs", "-o", out, "-m", "filesystem")
	if code != exitFindings {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if n := len(records(t, out, "filesystem")); n != 23 {
		t.Errorf("filesystem records %d, want 23", n)
	}
	if diff := cmp.Diff([]string{"HIGH filesystem"}, summary(readAlerts(t, out))); diff != "" {
		t.Errorf("alerts:\n%s", diff)
	}
}

// A filesystem dump read straight from a .tar.gz and from a .zip gives the
// same findings as the folder.
func TestFilesystemDumpArchives(t *testing.T) {
	sms := testkit.SQLite(t, `CREATE TABLE handle (ROWID INTEGER PRIMARY KEY, id TEXT);
		CREATE TABLE message (ROWID INTEGER PRIMARY KEY, text TEXT, handle_id INTEGER, date INTEGER, date_read INTEGER, is_from_me INTEGER, service TEXT);
		INSERT INTO handle VALUES (1, '+15550100');
		INSERT INTO message VALUES (1, 'open https://x.demo-spyware.example/a', 1, 738892800000000000, 0, 0, 'SMS');`)
	files := map[string]string{"private/var/mobile/Library/SMS/sms.db": string(sms)}
	dir := t.TempDir()
	folder := filepath.Join(dir, "folder")
	for name, data := range files {
		p := filepath.Join(folder, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(data), 0o644)
	}
	tgz := filepath.Join(dir, "dump.tar.gz")
	prefixed := map[string]string{}
	for k, v := range files {
		prefixed["dump/"+k] = v
	}
	writeTarGz(t, tgz, prefixed)
	zpath := filepath.Join(dir, "dump.zip")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range files {
		w, _ := zw.Create("/" + name)
		w.Write([]byte(data))
	}
	zw.Close()
	os.WriteFile(zpath, buf.Bytes(), 0o644)

	demo := filepath.Join("..", "..", "testdata", "demo", "demo.stix2")
	for _, p := range []string{folder, tgz, zpath} {
		out := filepath.Join(t.TempDir(), "out")
		code, stdout, stderr := runCLI(t, "check", p, "--iocs", demo, "--no-default-iocs", "-o", out)
		if code != exitFindings {
			t.Fatalf("%s: exit %d\n%s\n%s", p, code, stdout, stderr)
		}
		if diff := cmp.Diff([]string{"CRITICAL sms"}, summary(readAlerts(t, out))); diff != "" {
			t.Errorf("%s alerts:\n%s", p, diff)
		}
	}
}

func TestCheckUnknownKind(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "holiday.jpg"), []byte("jpeg"), 0o644)
	code, _, stderr := runCLI(t, "check", dir)
	if code != exitError || !strings.Contains(stderr, "expected an iTunes/Finder backup folder") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}
