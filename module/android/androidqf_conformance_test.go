package android

import (
	"archive/zip"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// TestAndroidQFConformance runs the androidqf modules over MVT's androidqf
// test folder: MVT raises 10 alerts there (packages 5, settings 1, root
// binaries 4).
func TestAndroidQFConformance(t *testing.T) {
	src := sharedAQF(t)
	tests := []struct {
		m        module.Module
		records  int
		timeline int
		messages []string // the findings' messages, in order
	}{
		{AQFPackages{}, 7, 0, []string{
			`Found a non-system package installed via adb or another method: "com.whatsapp"`,
			`Found a package installed via a browser (installer="com.google.android.packageinstaller"): "app.revanced.manager.flutter"`,
			`Found a package installed via a browser (installer="com.google.android.packageinstaller"): "com.google.android.youtube"`,
			`Found a package installed via a browser (installer="com.google.android.packageinstaller"): "org.fdroid.fdroid"`,
			`Found a package installed via a third party store (installer="org.fdroid.fdroid"): "org.nuclearfog.apollo"`,
		}},
		{AQFProcesses{}, 15, 0, nil},
		{AQFGetProp{}, 10, 0, nil},
		{AQFSettings{}, 1, 0, []string{
			`Found suspicious "random" setting "samsung_errorlog_agree = 0" (disabled sharing of crash logs with manufacturer)`,
		}},
		{AQFFiles{}, 3, 6, nil},
		{RootBinaries{}, 4, 4, []string{
			`Found root binary "su" at path "/system/bin/su"`,
			`Found root binary "busybox" at path "/system/xbin/busybox"`,
			`Found root binary "magisk" at path "/data/local/tmp/magisk"`,
			`Found root binary "magiskhide" at path "/system/bin/magiskhide"`,
		}},
	}
	total := 0
	for _, tc := range tests {
		t.Run(tc.m.Info().Name, func(t *testing.T) {
			recs, err := testkit.Extract(t, tc.m, src)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != tc.records {
				t.Errorf("%d records, MVT has %d", len(recs), tc.records)
			}
			if got := len(aqfTimeline(tc.m, recs)); got != tc.timeline {
				t.Errorf("%d timeline events, want %d", got, tc.timeline)
			}
			findings := aqfFindings(tc.m, recs)
			total += len(findings)
			var msgs []string
			for _, f := range findings {
				msgs = append(msgs, f.Message)
			}
			if strings.Join(msgs, "\n") != strings.Join(tc.messages, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(tc.messages, "\n"))
			}
		})
	}
	if total != 10 {
		t.Errorf("%d findings in all, MVT raises 10", total)
	}
	for _, m := range []module.Module{AQFLogTimestamps{}, Mounts{}, SELinux{}, Env{}, Logcat{}, TmpFiles{}} {
		if _, err := testkit.Extract(t, m, src); !errors.Is(err, evidence.ErrNotFound) {
			t.Errorf("%s: error %v, want not found", m.Info().Name, err)
		}
	}
}

func TestAndroidQFConformanceSeverities(t *testing.T) {
	src := sharedAQF(t)
	recs, err := testkit.Extract(t, AQFPackages{}, src)
	if err != nil {
		t.Fatal(err)
	}
	var levels []record.Severity
	for _, f := range aqfFindings(AQFPackages{}, recs) {
		levels = append(levels, f.Severity)
	}
	want := []record.Severity{record.Medium, record.Medium, record.Medium, record.Medium, record.Info}
	if len(levels) != len(want) {
		t.Fatalf("levels %v, want %v", levels, want)
	}
	for i := range want {
		if levels[i] != want[i] {
			t.Errorf("finding %d level %v, want %v", i, levels[i], want[i])
		}
	}
	files, err := testkit.Extract(t, AQFFiles{}, src)
	if err != nil {
		t.Fatal(err)
	}
	if got := files[0].String("modified_time"); got != "2020-06-25 18:25:32.000000" {
		t.Errorf("modified_time %q (UTC: getprop.txt names no zone)", got)
	}
	procs, err := testkit.Extract(t, AQFProcesses{}, src)
	if err != nil {
		t.Fatal(err)
	}
	if procs[0].String("proc_name") != "init" || procs[1].String("proc_name") != "kthreadd" {
		t.Errorf("processes %v, %v", procs[0].Data, procs[1].Data)
	}
}

// TestAndroidQFZipGetProp reads getprop.txt out of MVT's androidqf.zip
// (where it sits under a top folder, which the real sources strip).
func TestAndroidQFZipGetProp(t *testing.T) {
	path := testkit.SharedTestdata(t, "mvt", "androidqf.zip")
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		_, name, _ := strings.Cut(f.Name, "/")
		files[name] = data
	}
	recs, err := testkit.Extract(t, AQFGetProp{}, testkit.NewSource(t, evidence.AndroidQF, files))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 10 || recs[0].String("name") != "dalvik.vm.appimageformat" || recs[0].String("value") != "lz4" {
		t.Fatalf("records %v", recs)
	}
	if f := aqfFindings(AQFGetProp{}, recs); len(f) != 0 {
		t.Errorf("findings %v", f)
	}
}
