package ios

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

// swcBanner is a section title line as swcutil centres it in 80 columns.
func swcBanner(title string) string {
	pad := 80 - len(title) - 2
	return strings.Repeat("=", pad/2) + " " + title + " " + strings.Repeat("=", pad-pad/2) + "\n"
}

const swcDash = "--------------------------------------------------------------------------------\n"

// swcShow is a swcutil_show.txt of an iOS 18.2 device: an Apple app, a
// third-party app in the 24-hour format of older iOS, one in the AM/PM
// format (with a narrow no-break space) and a development entry with an
// error and no check times; then the other sections.
var swcShow = swcBanner("DATABASE") + `Service:              webcredentials
App ID:               com.apple.mobilesafari
App Version:          8620.1.16.10.8
App PI:               <LSPersistentIdentifier 0x8a3c1d2e0> { v = 0, t = 0x8, u = 0x12, db = 2135AC5C-110D-4E2E-A350-90494244DBB4, {length = 8, bytes = 0x1200000000000000} }
Domain:               apple.com
User Approval:        unspecified
Site/Fmwk Approval:   approved
Flags:                systemApplication
Last Checked:         2025-11-20 14:02:11 +0000
Next Check:           2025-11-27 13:40:52 +0000
` + swcDash + `Service:              applinks
App ID:               ABCDE12345.com.example.flashlight
App Version:          3.2
App PI:               <LSPersistentIdentifier 0x8a3c1d4a0> { v = 0, t = 0x8, u = 0x3ec, db = 2135AC5C-110D-4E2E-A350-90494244DBB4, {length = 8, bytes = 0xec03000000000000} }
Domain:               links.flashlight-tools.example
User Approval:        unspecified
Site/Fmwk Approval:   approved
Flags:                
Last Checked:         2025-11-21 09:15:42 +0100
Next Check:           2025-11-28 08:58:03 +0100
` + swcDash + `Service:              webcredentials
App ID:               Z9Y8X7W6V5.net.example.messenger
App Version:          12.0
Domain:               *.messenger.example
User Approval:        unspecified
Site/Fmwk Approval:   denied
Flags:                
Last Checked:         2025-11-22 8:51:02` + "\u202f" + `PM -0500
Next Check:           2025-11-29 9:07:44` + "\u202f" + `AM -0500
` + swcDash + `Service:              applinks
App ID:               ABCDE12345.com.example.flashlight
App Version:          3.2
Domain:               staging.flashlight-tools.example?mode=developer
User Approval:        unspecified
Site/Fmwk Approval:   unspecified
Flags:                developer
Last Checked:         (null)
Next Check:           (null)
Error:                Error Domain=NSURLErrorDomain Code=-1003 "A server with the specified hostname could not be found."
Retries:              2
` + swcBanner("NETWORK") + `(empty)
` + swcBanner("SETTINGS") + `{ s = applinks, a = com.apple.AppStore, d = (null) }: {
    "com.apple.LaunchServices.enabled" = 1;
}
` + swcBanner("MEMORY USAGE") + `swcd:      6 KB
`

func swcRecords(t *testing.T, text string) []record.Record {
	t.Helper()
	src := testkit.NewSource(t, evidence.IOSSysdiagnose, map[string][]byte{"swcutil_show.txt": []byte(text)})
	recs, err := testkit.Extract(t, SysdiagnoseSWCUtil{}, src)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestSysdiagnoseSWCUtil(t *testing.T) {
	recs := swcRecords(t, swcShow)
	if len(recs) != 4 {
		t.Fatalf("got %d records, want 4", len(recs))
	}
	want := map[string]any{"service": "applinks", "app_id": "ABCDE12345.com.example.flashlight", "bundle_id": "com.example.flashlight",
		"app_version": "3.2", "domain": "links.flashlight-tools.example", "flags": "",
		"approvals":    map[string]any{"user": "unspecified", "site": "approved"},
		"last_checked": "2025-11-21 08:15:42.000000", "next_check": "2025-11-28 07:58:03.000000"}
	if diff := cmp.Diff(want, recs[1].Data); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	if recs[0].String("bundle_id") != "com.apple.mobilesafari" || recs[0].String("flags") != "systemApplication" {
		t.Errorf("Apple app record %v", recs[0].Data)
	}
	if recs[2].String("last_checked") != "2025-11-23 01:51:02.000000" || recs[2].String("next_check") != "2025-11-29 14:07:44.000000" ||
		recs[2].String("bundle_id") != "net.example.messenger" {
		t.Errorf("AM/PM record %v", recs[2].Data)
	}
	if recs[3].String("last_checked") != "" || recs[3].String("domain") != "staging.flashlight-tools.example?mode=developer" {
		t.Errorf("development record %v", recs[3].Data)
	}
	for _, rs := range [][]record.Record{recs, viaJSON(t, recs)} {
		ev := timeline(SysdiagnoseSWCUtil{}, rs)
		if len(ev) != 3 || ev[1].Event != "domain_checked" || ev[1].Timestamp != "2025-11-21 08:15:42.000000" ||
			ev[1].Data != "applinks association of ABCDE12345.com.example.flashlight with links.flashlight-tools.example checked (site approval: approved)" {
			t.Errorf("timeline %+v", ev)
		}
	}
}

func TestSysdiagnoseSWCUtilObservables(t *testing.T) {
	recs := swcRecords(t, swcShow)
	got := matches(loadIOCs(t, map[string]string{"domains.txt": "flashlight-tools.example\nmessenger.example\n",
		"app_ids.txt": "com.example.flashlight\n"}), SysdiagnoseSWCUtil{}, recs)
	if len(got) != 3 {
		t.Fatalf("matches %+v", got)
	}
	for _, o := range got {
		if o.Kind != record.URL || o.Severity != record.Critical {
			t.Errorf("domain should match first: %+v", o)
		}
	}
	got = matches(loadIOCs(t, map[string]string{"app_ids.txt": "net.example.messenger\n"}), SysdiagnoseSWCUtil{}, recs)
	if len(got) != 1 || got[0].Kind != record.AppID || got[0].Value != "net.example.messenger" {
		t.Errorf("app id matches %+v", got)
	}
}

// TestSysdiagnoseSWCUtilExcerpt reads entries without banners or dashed
// separators, as in Apple's TN3155 excerpt, and times it cannot read.
func TestSysdiagnoseSWCUtilExcerpt(t *testing.T) {
	recs := swcRecords(t, `Service:              applinks
App ID:               1234abcd.com.example
Domain:               example.com
User Approval:        unspecified
Site/Fmwk Approval:   approved
Last Checked:         2023-08-24 10:09:00 +0000
Service:              activitycontinuation
App ID:               ABCDE12345.com.example.app
Domain:               example.com
Last Checked:         2025-11-22 08:51:02 p. m. -0500
`)
	if len(recs) != 2 || recs[0].String("bundle_id") != "1234abcd.com.example" || recs[0].String("last_checked") != "2023-08-24 10:09:00.000000" {
		t.Fatalf("records %v", recs)
	}
	if recs[1].String("service") != "activitycontinuation" || recs[1].String("last_checked") != "2025-11-22 08:51:02 p. m. -0500" {
		t.Errorf("second record %v", recs[1].Data)
	}
	if ev := timeline(SysdiagnoseSWCUtil{}, recs); len(ev) != 1 {
		t.Errorf("timeline %+v", ev)
	}
}

func TestSysdiagnoseSWCUtilAbsentAndCorrupt(t *testing.T) {
	src := testkit.NewSource(t, evidence.IOSSysdiagnose, map[string][]byte{"ps.txt": []byte(psClean)})
	if _, err := testkit.Extract(t, SysdiagnoseSWCUtil{}, src); err == nil || !strings.Contains(err.Error(), "not present") {
		t.Errorf("absent: %v", err)
	}
	for _, garbage := range []string{"", "\x00\xff\xfe garbage\nmore: x", "Service: applinks\n"} {
		src := testkit.NewSource(t, evidence.IOSSysdiagnose, map[string][]byte{"swcutil_show.txt": []byte(garbage)})
		if _, err := testkit.Extract(t, SysdiagnoseSWCUtil{}, src); err == nil || !strings.Contains(err.Error(), "swcutil_show.txt") {
			t.Errorf("%q: error %v", garbage, err)
		}
	}
	if recs := swcRecords(t, swcBanner("DATABASE")+swcBanner("SETTINGS")+"(empty)\n"); len(recs) != 0 {
		t.Errorf("empty database gave %v", recs)
	}
	long := swcBanner("DATABASE") + "Service: applinks\nApp ID: ABCDE12345.a.b\nDomain: x.example" +
		strings.Repeat("x", 3*maxSysdiagnoseLine) + "\nLast Checked: 2025-11-22 10:00:00 +0000\n"
	recs := swcRecords(t, long)
	if len(recs) != 1 || len(recs[0].String("domain")) > maxSysdiagnoseLine || recs[0].String("last_checked") == "" {
		t.Errorf("long line: %d records", len(recs))
	}
}

// TestSysdiagnoseSWCUtilArchive reads the file from a sysdiagnose .tar.gz.
func TestSysdiagnoseSWCUtilArchive(t *testing.T) {
	archive := writeSysdiagnoseTarGz(t, map[string]string{"swcutil_show.txt": swcShow, "ps.txt": psClean})
	keepUnchanged(t, filepath.Dir(archive))
	recs, err := testkit.Extract(t, SysdiagnoseSWCUtil{}, openSysdiagnose(t, archive))
	if err != nil || len(recs) != 4 || recs[2].String("domain") != "*.messenger.example" {
		t.Fatalf("%d records, err %v", len(recs), err)
	}
}

func FuzzSysdiagnoseSWCUtil(f *testing.F) {
	f.Add(swcShow)
	f.Add("Service: applinks\nApp ID: ABCDE12345.a\nDomain: d\nLast Checked: 2024-11-15 8:51:02 PM +0000\n")
	f.Fuzz(func(t *testing.T, s string) {
		_ = parseSWCUtil(strings.NewReader(s), func(d map[string]any) {
			r := record.Record{Data: d}
			SysdiagnoseSWCUtil{}.Timeline(r)
			SysdiagnoseSWCUtil{}.Observables(r)
		})
	})
}
