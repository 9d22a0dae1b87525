package android

import (
	"strings"
	"testing"

	"github.com/spycheck/spycheck/record"
)

func TestEnv(t *testing.T) {
	recs := aqfExtract(t, Env{}, map[string]string{"env.txt": "_=/system/bin/env\n" +
		"PATH=/product/bin:/apex/com.android.runtime/bin:/system/bin:/system/xbin:/vendor/bin\n" +
		"LD_PRELOAD=/data/local/tmp/libhook.so\n" +
		"MOTD=line one\nline two\n" +
		"TMPDIR=/data/local/tmp\n"})
	if len(recs) != 5 || recs[3].String("value") != "line one\nline two" {
		t.Fatalf("records %v", recs)
	}
	f := aqfFindings(Env{}, recs)
	if len(f) != 1 || f[0].Severity != record.Medium || !strings.Contains(f[0].Message, "LD_PRELOAD=/data/local/tmp/libhook.so") {
		t.Errorf("findings %+v", f)
	}
	obs := Env{}.Observables(recs[2])
	if len(obs) != 1 || obs[0].Kind != record.FilePath || obs[0].Value != "/data/local/tmp/libhook.so" {
		t.Errorf("observables %v", obs)
	}
	if obs := (Env{}).Observables(recs[1]); obs != nil {
		t.Errorf("PATH observables %v", obs)
	}
}

func TestEnvSearchPaths(t *testing.T) {
	recs := aqfExtract(t, Env{}, map[string]string{"env.txt": "PATH=/system/bin::bin:/data/local/tmp/bin:/sbin/.magisk/busybox:/debug_ramdisk\n" +
		"LD_LIBRARY_PATH=/sdcard/libs\nLD_PRELOAD=\n"})
	var got []string
	for _, f := range aqfFindings(Env{}, recs) {
		got = append(got, f.Message)
	}
	want := []string{
		`Suspicious PATH entry "" (empty entry: the current folder)`,
		`Suspicious PATH entry "bin" (relative folder)`,
		`Suspicious PATH entry "/data/local/tmp/bin" (writable location)`,
		`Suspicious PATH entry "/sbin/.magisk/busybox" (root tool folder)`,
		`Suspicious PATH entry "/debug_ramdisk" (root tool folder)`,
		`Suspicious LD_LIBRARY_PATH entry "/sdcard/libs" (writable location)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s", strings.Join(got, "\n"))
	}
}
