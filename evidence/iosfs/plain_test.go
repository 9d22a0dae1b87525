package iosfs

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
)

// A non-iOS tree (an androidqf acquisition) is read as it is: tmp/ stays
// tmp/, and a zip's single top folder is the root.
func TestPlainLayout(t *testing.T) {
	files := map[string]string{"getprop.txt": "[ro.build.version.sdk]: [34]\n", "tmp/collector": "x", "logs/a/b.txt": "log"}
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(data), 0o644)
	}
	zpath := filepath.Join(t.TempDir(), "acq.zip")
	zf, _ := os.Create(zpath)
	zw := zip.NewWriter(zf)
	for name, data := range files {
		w, _ := zw.Create("androidqf_20260101/" + name)
		w.Write([]byte(data))
	}
	zw.Close()
	zf.Close()

	for _, p := range []string{dir, zpath} {
		src, err := Open(p, Options{Kind: evidence.AndroidQF})
		if err != nil {
			t.Fatal(err)
		}
		if src.Kind() != evidence.AndroidQF {
			t.Errorf("kind = %s", src.Kind())
		}
		got, err := src.Find(context.Background(), evidence.Query{DevicePaths: []string{"getprop.txt", "tmp/*", "logs/*/*"}})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range got {
			names = append(names, e.DevicePath)
		}
		if diff := cmp.Diff([]string{"getprop.txt", "logs/a/b.txt", "tmp/collector"}, names); diff != "" {
			t.Errorf("%s: entries (-want +got):\n%s", p, diff)
		}
		rc, err := src.Open(got[0])
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		if string(data) != files["getprop.txt"] {
			t.Errorf("read %q", data)
		}
		src.Close()
	}
}

func TestPlainLayoutSharedAndroidQF(t *testing.T) {
	for _, rel := range []string{"androidqf", "androidqf.zip"} {
		src, err := Open(testkit.SharedTestdata(t, "mvt", rel), Options{Kind: evidence.AndroidQF})
		if err != nil {
			t.Fatal(err)
		}
		got, err := src.Find(context.Background(), evidence.Query{DevicePaths: []string{"getprop.txt"}})
		if err != nil || len(got) != 1 {
			t.Errorf("%s: getprop.txt found %v, %v", rel, got, err)
		}
		src.Close()
	}
}

// A folder holding only the acquisition's top folder (an extracted
// sysdiagnose archive) is read from that top folder.
func TestPlainLayoutSingleTopFolder(t *testing.T) {
	dir := t.TempDir()
	top := filepath.Join(dir, "sysdiagnose_2026.01.01_10-00-00+0100_iPhone-OS_iPhone_23A341", "system_logs.logarchive", "Extra")
	if err := os.MkdirAll(top, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(top, "shutdown.log"), []byte("SIGTERM: [1]\n"), 0o644)
	src, err := Open(dir, Options{Kind: evidence.IOSSysdiagnose})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	got, err := src.Find(context.Background(), evidence.Query{DevicePaths: []string{"system_logs.logarchive/Extra/shutdown.log"}})
	if err != nil || len(got) != 1 {
		t.Errorf("found %v, %v", got, err)
	}
}
