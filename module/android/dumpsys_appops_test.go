package android

import (
	"strings"
	"testing"

	"github.com/spycheck/spycheck/record"
)

func TestDumpsysAppopsSample(t *testing.T) {
	recs := extractOK(t, DumpsysAppops{}, mvtSample(t, "dumpsys_appops.txt", "appops"))
	if len(recs) != 13 {
		t.Fatalf("got %d records, MVT gives 13", len(recs))
	}
	r0 := recs[0]
	perms := appopsPermissions(r0)
	if r0.String("package_name") != "com.android.phone" || r0.String("uid") != "0" || len(perms) != 1 ||
		perms[0]["name"] != "MANAGE_IPSEC_TUNNELS" || perms[0]["access"] != "allow" {
		t.Errorf("[0] = %+v", r0.Data)
	}
	if p := appopsPermissions(recs[6]); recs[6].String("package_name") != "com.sec.factory.camera" || len(appopsEntries(p[1])) != 1 {
		t.Errorf("[6] = %+v", recs[6].Data)
	}
	if n := len(appopsPermissions(recs[11])); n != 4 {
		t.Errorf("[11] has %d permissions, want 4", n)
	}
	// MVT: with indicator com.facebook.katana, 1 indicator alert and 2
	// REQUEST_INSTALL_PACKAGES heuristics.
	f := aqfFindings(DumpsysAppops{}, recs)
	if len(f) != 2 {
		t.Fatalf("findings = %+v", f)
	}
	for _, x := range f {
		if x.Severity != record.Medium || !strings.Contains(x.Message, "REQUEST_INSTALL_PACKAGES") {
			t.Errorf("finding %+v", x)
		}
	}
}

const appopsText = "Current AppOps Service state:\n" +
	"  Uid 0:\n" +
	"    Package com.example.app:\n" +
	"      REQUEST_INSTALL_PACKAGES (allow):\n" +
	"          Access: [fg-s]2021-05-19 22:02:52.054 (-314d1h25m2s33ms)\n" +
	"          Reject: [bg]2021-05-18 10:00:00.100 (-315d)\n" +
	"          Weird: ignored\n" +
	"      CAMERA (allow):\n" +
	"  Uid 2000:\n" +
	"    Package com.android.shell:\n" +
	"      READ_LOGS (allow):\n" +
	"\n" +
	"    Package after.blank:\n"

func TestDumpsysAppopsHeuristics(t *testing.T) {
	recs := extractOK(t, DumpsysAppops{}, dumpstateSource(t, section("appops", appopsText)))
	if len(recs) != 2 || recs[1].String("uid") != "2000" {
		t.Fatalf("records = %+v", recs)
	}
	entries := appopsEntries(appopsPermissions(recs[0])[0])
	if len(entries) != 2 || entries[0]["timestamp"] != "2021-05-19 22:02:52.054000" || entries[0]["type"] != "fg-s" || entries[1]["access"] != "Reject" {
		t.Errorf("entries = %+v", entries)
	}
	ev := DumpsysAppops{}.Timeline(recs[0])
	if len(ev) != 2 || ev[0].Event != "Access" || ev[0].Data != "com.example.app access to REQUEST_INSTALL_PACKAGES: Access" {
		t.Errorf("timeline = %+v", ev)
	}
	f := aqfFindings(DumpsysAppops{}, recs)
	want := []string{
		"Package 'com.example.app' had risky permission 'REQUEST_INSTALL_PACKAGES' set to 'Reject' at 2021-05-18 10:00:00.100000",
		"Package 'com.example.app' had risky permission 'REQUEST_INSTALL_PACKAGES' set to 'Access' at 2021-05-19 22:02:52.054000",
		"Risky package 'com.android.shell' had 'READ_LOGS' permission set to 'Unknown' at ",
	}
	if len(f) != len(want) {
		t.Fatalf("findings = %+v", f)
	}
	for i, x := range f {
		if x.Message != want[i] || x.Severity != record.Medium {
			t.Errorf("[%d] = %s %q", i, x.Severity, x.Message)
		}
		if ps, _ := x.Event["permissions"].([]any); len(ps) != 1 {
			t.Errorf("[%d] event permissions = %v", i, x.Event["permissions"])
		}
	}
	if f[0].EventTime != "2021-05-18 10:00:00.100000" {
		t.Errorf("event time %q", f[0].EventTime)
	}
	// A package without risky permissions stays quiet.
	quiet := extractOK(t, DumpsysAppops{}, dumpstateSource(t, section("appops", "  Uid 0:\n    Package a.b:\n      CAMERA (allow):\n")))
	if f := aqfFindings(DumpsysAppops{}, quiet); len(quiet) != 1 || len(f) != 0 {
		t.Errorf("quiet: %+v %+v", quiet, f)
	}
}

func TestDumpsysAppopsConformance(t *testing.T) {
	recs := extractOK(t, DumpsysAppops{}, sharedBugreport(t))
	f := aqfFindings(DumpsysAppops{}, recs)
	if len(recs) != 12 || len(aqfTimeline(DumpsysAppops{}, recs)) != 16 || len(f) != 1 {
		t.Errorf("R=%d T=%d A=%d, MVT gives 12, 16, 1", len(recs), len(aqfTimeline(DumpsysAppops{}, recs)), len(f))
	}
}
