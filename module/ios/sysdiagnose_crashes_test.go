package ios

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

// crashJSONIPS is an iOS 26 crash report: JSON header, JSON body.
const crashJSONIPS = `{"app_name":"Setup","timestamp":"2025-11-22 19:29:43.00 -0500","app_version":"1.0","slice_uuid":"0e2b5c61-4b4c-3a8e-9d8b-0a1b2c3d4e5f","build_version":"1.0","platform":2,"bundleID":"com.apple.purplebuddy","share_with_app_devs":0,"is_first_party":1,"bug_type":"309","os_version":"iPhone OS 26.1 (23B85)","roots_installed":0,"incident_id":"41030059-1E11-4EF3-B9C3-EDDF13AFD93F","name":"Setup"}
{
  "uptime" : 440,
  "procRole" : "Foreground",
  "version" : 2,
  "userID" : 501,
  "modelCode" : "iPhone16,1",
  "coalitionID" : 666,
  "osVersion" : {"isEmbedded" : true, "train" : "iPhone OS 26.1", "releaseType" : "User", "build" : "23B85"},
  "captureTime" : "2025-11-22 19:29:43.4815 -0500",
  "incident" : "41030059-1E11-4EF3-B9C3-EDDF13AFD93F",
  "pid" : 435,
  "procName" : "Setup",
  "procPath" : "\/Applications\/Setup.app\/Setup",
  "bundleInfo" : {"CFBundleShortVersionString" : "1.0", "CFBundleVersion" : "1.0", "CFBundleIdentifier" : "com.apple.purplebuddy"},
  "parentPid" : 1,
  "parentProc" : "launchd",
  "coalitionName" : "com.apple.purplebuddy",
  "exception" : {"codes" : "0x0000000000000000, 0x0000000000000000", "rawCodes" : [0,0], "type" : "EXC_CRASH", "signal" : "SIGABRT"},
  "termination" : {"flags" : 0, "code" : 6, "namespace" : "SIGNAL", "indicator" : "Abort trap: 6", "byProc" : "Setup", "byPid" : 435},
  "faultingThread" : 0,
  "threads" : [{"id" : 8114, "queue" : "com.apple.main-thread", "frames" : [{"imageOffset" : 2900388204, "imageIndex" : 0}]}],
  "usedImages" : [{"base" : 6442450944, "size" : 4811128948, "uuid" : "eba74a13-337f-38aa-9eec-231ffce9e8b6", "source" : "S"}]
}`

// crashSuspiciousIPS is an iOS 14-style report: JSON header, text body,
// for a process running from where Pegasus ran.
const crashSuspiciousIPS = `{"app_name":"roleaboutd","timestamp":"2025-11-22 10:15:00.00 +0100","app_version":"","slice_uuid":"6a1c2f30-0000-3000-8000-000000000001","build_version":"","platform":2,"share_with_app_devs":0,"is_first_party":0,"bug_type":"109","os_version":"iPhone OS 14.6 (18F72)","incident_id":"0B7F1D55-2222-4C3D-8E4F-A1B2C3D4E5F6","name":"roleaboutd"}
Incident Identifier: 0B7F1D55-2222-4C3D-8E4F-A1B2C3D4E5F6
CrashReporter Key:   0123456789abcdef0123456789abcdef01234567
Hardware Model:      iPhone12,1
Process:             roleaboutd [1201]
Path:                /private/var/db/com.apple.xpc.roleaccountd.staging/roleaboutd
Identifier:          roleaboutd
Version:             ???
Code Type:           ARM-64 (Native)
Role:                Unspecified
Parent Process:      launchd [1]
Coalition:           com.apple.roleaboutd [512]

Date/Time:           2025-11-22 10:14:59.8812 +0100
Launch Time:         2025-11-22 10:14:58.0000 +0100
OS Version:          iPhone OS 14.6 (18F72)

Exception Type:  EXC_BAD_ACCESS (SIGSEGV)
Exception Subtype: KERN_INVALID_ADDRESS at 0x0000000000000010

Thread 0 name:  Dispatch queue: com.apple.main-thread
Thread 0 Crashed:
0   roleaboutd                    	0x0000000100e1c0a4 0x100e18000 + 16548
Path:                /should/not/be/read
`

// crashOldText is a .crash file: no JSON header at all.
const crashOldText = `Incident Identifier: 9A8B7C6D-3333-4E5F-8A9B-0C1D2E3F4A5B
Process:             MobileSafari [612]
Path:                /Applications/MobileSafari.app/MobileSafari
Identifier:          com.apple.mobilesafari
Parent Process:      launchd [1]
Date/Time:           2019-02-13 15:49:12.123 +0100
OS Version:          iPhone OS 12.1.4 (16D57)
Exception Type:  EXC_RESOURCE
`

// crashStacks is a stackshot: header only facts.
const crashStacks = `{"bug_type":"288","timestamp":"2025-11-22 19:36:22.00 -0500","os_version":"iPhone OS 26.1 (23B85)","incident_id":"5E6F7A8B-4444-4C5D-9E8F-0A1B2C3D4E5F"}
{"reason":"Periodic stack shot","processByPid":{"1":{"procname":"launchd","pid":1}}}
`

func crashRecords(t *testing.T, files map[string]string) []record.Record {
	t.Helper()
	raw := map[string][]byte{}
	for k, v := range files {
		raw[k] = []byte(v)
	}
	recs, err := testkit.Extract(t, SysdiagnoseCrashes{}, testkit.NewSource(t, evidence.IOSSysdiagnose, raw))
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestSysdiagnoseCrashesClean(t *testing.T) {
	recs := crashRecords(t, map[string]string{
		"crashes_and_spins/Setup-2025-11-22-192943.ips":    crashJSONIPS,
		"crashes_and_spins/Retired/MobileSafari.crash.ips": crashOldText,
		"crashes_and_spins/stacks-2025-11-22-193622.ips":   crashStacks,
		"crashes_and_spins/MobileSafari-2019-02-13.crash":  crashOldText,
		"crashes_and_spins/notes.txt":                      "not a report",
		"crashes_and_spins/empty.ips":                      "",
		"crashes_and_spins/garbage.ips":                    "{\"bug_type\":\x00\xff\n{",
		"crashes_and_spins/._Setup-2025-11-22-192943.ips":  "\x00\x05\x16\x07",
	})
	if len(recs) != 4 {
		for _, r := range recs {
			t.Log(r.Data)
		}
		t.Fatalf("got %d records, want 4", len(recs))
	}
	want := map[string]any{"file": "crashes_and_spins/MobileSafari-2019-02-13.crash", "isodate": "2019-02-13 14:49:12.123000",
		"proc_name": "MobileSafari", "pid": int64(612), "proc_path": "/Applications/MobileSafari.app/MobileSafari",
		"bundle_id": "com.apple.mobilesafari", "parent_proc": "launchd", "os_version": "iPhone OS 12.1.4 (16D57)",
		"exception_type": "EXC_RESOURCE", "incident_id": "9A8B7C6D-3333-4E5F-8A9B-0C1D2E3F4A5B"}
	if diff := cmp.Diff(want, recs[0].Data); diff != "" {
		t.Errorf(".crash record (-want +got):\n%s", diff)
	}
	want = map[string]any{"file": "crashes_and_spins/Setup-2025-11-22-192943.ips", "isodate": "2025-11-23 00:29:43.000000",
		"app_name": "Setup", "bug_type": "309", "bundle_id": "com.apple.purplebuddy", "incident_id": "41030059-1E11-4EF3-B9C3-EDDF13AFD93F",
		"os_version": "iPhone OS 26.1 (23B85)", "proc_name": "Setup", "proc_path": "/Applications/Setup.app/Setup", "pid": int64(435),
		"parent_proc": "launchd", "coalition_name": "com.apple.purplebuddy", "exception_type": "EXC_CRASH"}
	if diff := cmp.Diff(want, recs[2].Data); diff != "" {
		t.Errorf(".ips record (-want +got):\n%s", diff)
	}
	if recs[3].String("bug_type") != "288" || recs[3].String("proc_name") != "" {
		t.Errorf("stackshot %v", recs[3].Data)
	}
	if f := inspect(SysdiagnoseCrashes{}, recs); len(f) != 0 {
		t.Errorf("clean reports raised %+v", f)
	}
	ev := timeline(SysdiagnoseCrashes{}, recs)
	// the Retired/ copy of the .crash makes the same event, merged
	if len(ev) != 3 || ev[1].Event != "crash_report" || ev[2].Data != "Diagnostic report (bug type 288)" ||
		ev[1].Data != "Diagnostic report (bug type 309) for /Applications/Setup.app/Setup: EXC_CRASH" {
		t.Errorf("timeline %+v", ev)
	}
}

func TestSysdiagnoseCrashesSuspicious(t *testing.T) {
	recs := crashRecords(t, map[string]string{"crashes_and_spins/roleaboutd-2025-11-22-101500.ips": crashSuspiciousIPS})
	if len(recs) != 1 {
		t.Fatalf("got %d records", len(recs))
	}
	r := recs[0]
	if r.String("proc_path") != "/private/var/db/com.apple.xpc.roleaccountd.staging/roleaboutd" || r.String("isodate") != "2025-11-22 09:15:00.000000" ||
		r.String("coalition_name") != "com.apple.roleaboutd" || r.String("exception_type") != "EXC_BAD_ACCESS (SIGSEGV)" {
		t.Errorf("record %v", r.Data)
	}
	for _, rs := range [][]record.Record{recs, viaJSON(t, recs)} {
		f := inspect(SysdiagnoseCrashes{}, rs)
		if len(f) != 1 || f[0].Severity != record.High || !strings.Contains(f[0].Message, "Crash report for a process running from /private/var/db/") ||
			!strings.Contains(f[0].Message, "where Pegasus, Predator and Reign ran") {
			t.Errorf("findings %+v", f)
		}
	}
	eachListMatchesOnce(t, SysdiagnoseCrashes{}, recs,
		map[string]string{"processes.txt": "roleaboutd\n"},
		map[string]string{"file_paths.txt": "/private/var/db/com.apple.xpc.roleaccountd.staging/\n"},
		map[string]string{"app_ids.txt": "com.apple.roleaboutd\n"},
	)
}

func TestSysdiagnoseCrashesAbsent(t *testing.T) {
	src := testkit.NewSource(t, evidence.IOSSysdiagnose, map[string][]byte{"crashes_and_spins/x.txt": []byte("x")})
	if _, err := testkit.Extract(t, SysdiagnoseCrashes{}, src); err == nil || !strings.Contains(err.Error(), "not present") {
		t.Errorf("absent: %v", err)
	}
}

func FuzzSysdiagnoseCrashReport(f *testing.F) {
	for _, s := range []string{crashJSONIPS, crashSuspiciousIPS, crashOldText, crashStacks, "{}\n{\"pid\":\"x\"}", "Process: [\nPath:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := parseCrashReport(strings.NewReader(s))
		if d == nil {
			return
		}
		r := record.Record{Data: d}
		inspect(SysdiagnoseCrashes{}, []record.Record{r})
		SysdiagnoseCrashes{}.Timeline(r)
		SysdiagnoseCrashes{}.Observables(r)
	})
}
