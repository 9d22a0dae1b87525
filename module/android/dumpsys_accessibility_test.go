package android

import (
	"errors"
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// mvtSample reads one of MVT's android_data samples; when service is not
// "" the text is wrapped as that dumpsys section (the samples are
// sections without their header). It returns a bug report source.
func mvtSample(t *testing.T, file, service string) *testkit.Source {
	t.Helper()
	text := string(androidDataFile(t, file))
	if service != "" {
		text = section(service, text)
	}
	return dumpstateSource(t, text)
}

func TestDumpstateLocation(t *testing.T) {
	body := section("platform_compat", "ChangeId(168419799; name=DOWNSCALED; disabled; rawOverrides={com.a=ENABLED, com.b=DISABLED}; x)\n")
	for name, files := range map[string]map[string][]byte{
		"main_entry":   {"main_entry.txt": []byte("bugreport-1.txt"), "bugreport-1.txt": []byte(body), "dumpState_x.log": nil},
		"dumpState":    {"dumpState_1.log": []byte(body)},
		"dumpsys root": {"dumpsys.txt": []byte(body)},
		"dumpsys dir":  {"uuid/dumpsys.txt": []byte(body)},
	} {
		recs := extractOK(t, DumpsysPlatformCompat{}, testkit.NewSource(t, evidence.Bugreport, files))
		if len(recs) != 2 || recs[1].String("package_name") != "com.b" {
			t.Errorf("%s: records %+v", name, recs)
		}
	}
	_, err := testkit.Extract(t, DumpsysPlatformCompat{}, testkit.NewSource(t, evidence.Bugreport, map[string][]byte{"x": nil}))
	if !errors.Is(err, evidence.ErrNotFound) {
		t.Errorf("no dumpstate: err = %v, want ErrNotFound", err)
	}
	_, err = testkit.Extract(t, DumpsysPlatformCompat{}, testkit.NewSource(t, evidence.Bugreport, map[string][]byte{"main_entry.txt": []byte("gone.txt")}))
	if !errors.Is(err, evidence.ErrNotFound) || !strings.Contains(err.Error(), "gone.txt") {
		t.Errorf("main_entry names a missing file: err = %v", err)
	}
}

// TestDumpsysGarbage feeds every dumpsys module binary junk around and
// inside its sections: no panic, no records, no error.
func TestDumpsysGarbage(t *testing.T) {
	junk := "\xff\xfe\x00\x01{=}\r\n  Uid 0:\n      \n\x00"
	var text string
	for _, s := range []string{"accessibility", "package", "appops", "batterystats", "dbinfo", "platform_compat", "adb"} {
		text += section(s, junk+"\n"+junk+"\n")
	}
	text += "------ SYSTEM PROPERTIES ------\n" + junk + "\n------\n"
	src := dumpstateSource(t, junk+text)
	for _, m := range []module.Module{DumpsysAccessibility{}, DumpsysActivities{}, DumpsysAppops{}, DumpsysBatteryDaily{},
		DumpsysBatteryHistory{}, DumpsysDBInfo{}, DumpsysGetProp{}, DumpsysPackages{}, DumpsysPlatformCompat{},
		DumpsysReceivers{}, DumpsysADBState{}} {
		if _, err := testkit.Extract(t, m, src); err != nil {
			t.Errorf("%s: %v", m.Info().Name, err)
		}
	}
}

func TestDumpsysAccessibilityOld(t *testing.T) {
	recs := extractOK(t, DumpsysAccessibility{}, mvtSample(t, "dumpsys_accessibility.txt", "accessibility"))
	if len(recs) != 4 || recs[0].String("package_name") != "com.android.settings" ||
		recs[0].String("service") != "com.android.settings/com.samsung.android.settings.development.gpuwatch.GPUWatchInterceptor" {
		t.Fatalf("records = %+v", recs)
	}
	if f := aqfFindings(DumpsysAccessibility{}, recs); len(f) != 4 || f[0].Severity != record.Medium {
		t.Errorf("findings = %+v", f)
	}
	obs := DumpsysAccessibility{}.Observables(recs[0])
	if len(obs) != 1 || obs[0].Kind != record.AppID || obs[0].Value != "com.android.settings" {
		t.Errorf("observables = %+v", obs)
	}
}

func TestDumpsysAccessibilityV14(t *testing.T) {
	recs := extractOK(t, DumpsysAccessibility{}, mvtSample(t, "dumpsys_accessibility_v14_or_later.txt", ""))
	if len(recs) != 1 || recs[0].String("package_name") != "com.malware.accessibility" || recs[0].String("service") != "com.malware.service.malwareservice" {
		t.Fatalf("records = %+v", recs)
	}
	f := aqfFindings(DumpsysAccessibility{}, recs)
	if len(f) != 1 || f[0].Severity != record.Medium || f[0].Message != `Found accessibility service: "com.malware.service.malwareservice"` {
		t.Errorf("findings = %+v", f)
	}
}

func TestDumpsysAccessibilityBoth(t *testing.T) {
	text := section("accessibility", "Enabled services:{{com.b/com.b.S}, {com.c/.T}}\n  installed services: {\n    0 : com.a/com.a.S\n  }\n    1 : com.z/x\n")
	recs := extractOK(t, DumpsysAccessibility{}, dumpstateSource(t, text))
	var got []string
	for _, r := range recs {
		got = append(got, r.String("package_name")+"|"+r.String("service"))
	}
	if strings.Join(got, " ") != "com.a|com.a/com.a.S com.b|com.b.S com.c|.T" {
		t.Errorf("records %q", got)
	}
	if recs := extractOK(t, DumpsysAccessibility{}, dumpstateSource(t, section("accessibility", "nothing here\n"))); len(recs) != 0 {
		t.Errorf("no services: %+v", recs)
	}
}

// TestDumpsysAndroidQFSections runs the dumpsys modules on MVT's
// androidqf/dumpsys.txt (MVT's current androidqf modules do not read it;
// the counts are what its parsers give on the file's sections).
func TestDumpsysAndroidQFSections(t *testing.T) {
	src := sharedAQF(t)
	tests := []struct {
		m                         module.Module
		records, events, findings int
	}{
		{DumpsysAccessibility{}, 4, 0, 4}, {DumpsysActivities{}, 0, 0, 0}, {DumpsysAppops{}, 12, 16, 1},
		{DumpsysBatteryDaily{}, 3, 3, 0}, {DumpsysBatteryHistory{}, 6, 0, 0}, {DumpsysDBInfo{}, 6, 0, 0},
		{DumpsysGetProp{}, 0, 0, 0}, {DumpsysPackages{}, 2, 6, 0}, {DumpsysPlatformCompat{}, 2, 0, 0},
		{DumpsysReceivers{}, 8, 0, 0},
		// No acquisition.json in the sample: its key cannot be compared (LOW).
		{DumpsysADBState{}, 1, 0, 1},
	}
	for _, tc := range tests {
		recs := extractOK(t, tc.m, src)
		ev, f := aqfTimeline(tc.m, recs), aqfFindings(tc.m, recs)
		if len(recs) != tc.records || len(ev) != tc.events || len(f) != tc.findings {
			t.Errorf("%s: R=%d T=%d A=%d, want %d %d %d", tc.m.Info().Name, len(recs), len(ev), len(f), tc.records, tc.events, tc.findings)
		}
	}
}
