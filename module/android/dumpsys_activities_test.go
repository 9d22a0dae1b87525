package android

import (
	"testing"

	"github.com/spycheck/spycheck/record"
)

func TestDumpsysActivitiesSample(t *testing.T) {
	recs := extractOK(t, DumpsysActivities{}, mvtSample(t, "dumpsys_packages.txt", "package"))
	if len(recs) != 4 || recs[0].String("package_name") != "com.samsung.android.app.social" ||
		recs[0].String("activity") != "com.samsung.android.app.social/.feed.FeedsActivity" {
		t.Fatalf("records = %+v", recs)
	}
	obs := DumpsysActivities{}.Observables(recs[0])
	if len(obs) != 1 || obs[0].Kind != record.AppID || obs[0].Value != "com.samsung.android.app.social" {
		t.Errorf("observables = %+v", obs)
	}
}

func TestDumpsysActivitiesBlocks(t *testing.T) {
	text := section("package", "Activity Resolver Table:\n  Non-Data Actions:\n"+
		"      android.intent.action.MAIN:\n        1a2b com.a/.Main filter 3c\n        4d5e com.b/.Other\n"+
		"       stray\n        9f com.c/.Lost\n      android.intent.action.VIEW:\n        77 com.d/.View\n\n"+
		"      after.blank:\n        88 com.e/.E\n")
	recs := extractOK(t, DumpsysActivities{}, dumpstateSource(t, text))
	want := []string{"android.intent.action.MAIN com.a com.a/.Main", "android.intent.action.MAIN com.b com.b/.Other",
		"android.intent.action.VIEW com.d com.d/.View"}
	if len(recs) != len(want) {
		t.Fatalf("records = %+v", recs)
	}
	for i, r := range recs {
		if got := r.String("intent") + " " + r.String("package_name") + " " + r.String("activity"); got != want[i] {
			t.Errorf("[%d] = %q, want %q", i, got, want[i])
		}
	}
}
