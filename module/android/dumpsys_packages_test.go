package android

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/record"
)

func TestDumpsysPackagesSample(t *testing.T) {
	recs := extractOK(t, DumpsysPackages{}, mvtSample(t, "dumpsys_packages.txt", "package"))
	if len(recs) != 2 {
		t.Fatalf("got %d records, MVT gives 2", len(recs))
	}
	r := recs[0]
	if r.String("package_name") != "com.samsung.android.provider.filterprovider" || r.String("version_name") != "5.0.07" ||
		r.String("first_install_time") != "2008-12-31 16:00:00" || r.Data["system"] != true {
		t.Errorf("[0] = %+v", r.Data)
	}
	ev := DumpsysPackages{}.Timeline(r)
	if len(ev) != 3 || ev[1].Event != "package_first_install" || ev[1].Data != "Install or update of package com.samsung.android.provider.filterprovider" {
		t.Errorf("timeline = %+v", ev)
	}
}

func packageText(body string) string {
	return section("package", "Packages:\n  Package [com.example] (abc):\n"+body+"\n")
}

func TestDumpsysPackagesFields(t *testing.T) {
	body := "    userId=10123\n    pkgFlags=[ HAS_CODE ALLOW_BACKUP ]\n    versionCode=42 minSdk=26 targetSdk=33\n" +
		"    installerPackageName=com.android.vending\n    requested permissions:\n      android.permission.INTERNET\n" +
		"    install permissions:\n      android.permission.INTERNET: granted=true\n" +
		"    declared permissions:\n      com.example.PERM: prot=signature\n" +
		"    User 95: ceDataInode=0 installed=true\n      firstInstallTime=2024-03-10 09:19:39\n      runtime permissions:\n" +
		"        android.permission.READ_SMS: granted=true\n" +
		"    User 0: ceDataInode=1 installed=true\n      firstInstallTime=2024-01-10 09:19:39\n      runtime permissions:\n" +
		"        android.permission.CAMERA: granted=true, flags=[ USER_SET ]\n"
	recs := extractOK(t, DumpsysPackages{}, dumpstateSource(t, packageText(body)))
	if len(recs) != 1 {
		t.Fatalf("records = %+v", recs)
	}
	want := map[string]any{"package_name": "com.example", "uid": "10123", "version_name": "", "version_code": "42 minSdk=26 targetSdk=33",
		"timestamp": "", "first_install_time": "2024-01-10 09:19:39", "last_update_time": "", "installer": "com.android.vending", "system": false,
		"permissions": []any{
			map[string]any{"name": "android.permission.INTERNET", "granted": true, "type": "install"},
			map[string]any{"name": "com.example.PERM", "type": "declared"},
			map[string]any{"name": "android.permission.CAMERA", "granted": true, "type": "runtime"},
		},
		"requested_permissions": []any{"android.permission.INTERNET"}}
	if diff := cmp.Diff(want, recs[0].Data); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	// Without user 0, the first user's values.
	other := "    User 10: ceDataInode=0\n      firstInstallTime=2024-02-10 09:19:39\n      runtime permissions:\n        android.permission.CAMERA: granted=false\n"
	recs = extractOK(t, DumpsysPackages{}, dumpstateSource(t, packageText("    pkgFlags=[ SYSTEM HAS_CODE ]\n"+other)))
	perms, _ := recs[0].Data["permissions"].([]any)
	if recs[0].String("first_install_time") != "2024-02-10 09:19:39" || recs[0].Data["system"] != true || len(perms) != 1 {
		t.Errorf("user 10 = %+v", recs[0].Data)
	}
}

func TestDumpsysPackagesRoot(t *testing.T) {
	text := section("package", "Packages:\n  Package [com.topjohnwu.magisk] (1):\n    userId=1\n  Package [com.topjohnwu.magisk] (2):\n    userId=2\n"+
		"  Package [com.example] (3):\n    userId=3\n\n")
	recs := extractOK(t, DumpsysPackages{}, dumpstateSource(t, text))
	f := aqfFindings(DumpsysPackages{}, recs)
	if len(recs) != 3 || len(f) != 1 || f[0].Severity != record.Medium ||
		f[0].Message != `Found an installed package related to rooting/jailbreaking: "com.topjohnwu.magisk"` {
		t.Fatalf("records %d, findings %+v", len(recs), f)
	}
	if obs := (DumpsysPackages{}).Observables(recs[0]); obs != nil {
		t.Errorf("root package observables = %+v (MVT judges it by the heuristic only)", obs)
	}
	if obs := (DumpsysPackages{}).Observables(recs[2]); len(obs) != 1 || obs[0].Kind != record.AppID {
		t.Errorf("observables = %+v", obs)
	}
}

func TestDumpsysPackagesConformance(t *testing.T) {
	recs := extractOK(t, DumpsysPackages{}, sharedBugreport(t))
	if len(recs) != 2 {
		t.Fatalf("got %d records, MVT gives 2", len(recs))
	}
	for i, want := range []struct {
		name, installer string
		perms           int
	}{{"com.samsung.android.provider.filterprovider", "", 4}, {"com.instagram.android", "com.android.vending", 32}} {
		perms, _ := recs[i].Data["permissions"].([]any)
		if recs[i].String("package_name") != want.name || recs[i].String("installer") != want.installer || len(perms) != want.perms {
			t.Errorf("[%d] = %s installer %q with %d permissions", i, recs[i].String("package_name"), recs[i].String("installer"), len(perms))
		}
	}
	if f := aqfFindings(DumpsysPackages{}, recs); len(f) != 0 {
		t.Errorf("findings = %+v", f)
	}
}
