package ios

import (
	"archive/tar"
	"compress/gzip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosfs"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

// sysdiagnoseTop is the top folder of the test archives, named as iOS 26
// names it (capture 2025-11-22 19:36:23 at UTC-5).
const sysdiagnoseTop = "sysdiagnose_2025.11.22_19-36-23-0500_iPhone-OS_iPhone_23B85"

// sysdiagnoseLog is the start of a sysdiagnose.log naming the archive.
const sysdiagnoseLog = `Sat Nov 22 19:36:23 2025: sysdiagnose (full) version 3.0
Sat Nov 22 19:36:23 2025: Output directory: /private/var/mobile/Library/Logs/CrashReporter/DiagnosticLogs/sysdiagnose/IN_PROGRESS_sysdiagnose_2025.11.22_19-36-23-0500_iPhone-OS_iPhone_23B85
`

const psClean = `USER               UID PRSNA   PID  PPID        F  %CPU %MEM PRI NI      VSZ    RSS WCHAN    TT  STAT STARTED      TIME COMMAND
root                 0     -     1     0     4004   0.0  0.1  31  0        0      0 -        ??  Ss    7:22PM   0:12.34 /sbin/launchd
mobile             501     -   435     1     4004   0.0  0.6  31  0  4245248  55040 -        ??  Ss    7:29PM   0:01.02 /Applications/Setup.app/Setup
mobile             501   200  2210     1     4004   0.0  0.4  31  0  4199168  40016 -        ??  Ss    7:30PM   0:00.55 /private/var/containers/Bundle/Application/5D2C9E0C-1111-4A4B-9C2D-0123456789AB/My Notes.app/My Notes -launchedBy springboard
root                 0     -    33     1     4004   0.0  0.0  31  0        0      0 -        ??  Ss    7:22PM   0:03.10 /usr/libexec/logd
root                 0     -     0     0        0   0.0  0.0   0  0        0      0 -        ??  ?      7:22PM   0:00.00 (kernel_task)
`

// psSuspicious adds processes in the folders Pegasus and Predator used.
const psSuspicious = psClean +
	`root                 0     -  1201     1     4004   0.0  0.0  31  0  4190208   2416 -        ??  Ss    7:31PM   0:00.10 /private/var/db/com.apple.xpc.roleaccountd.staging/roleaboutd
root                 0     -  1202     1     4004   0.0  0.0  31  0  4190208   2416 -        ??  Ss    7:31PM   0:00.10 /private/var/tmp/UpdateHelper -d
`

func psRecords(t *testing.T, files map[string]string) []record.Record {
	t.Helper()
	raw := map[string][]byte{}
	for k, v := range files {
		raw[k] = []byte(v)
	}
	recs, err := testkit.Extract(t, SysdiagnosePS{}, testkit.NewSource(t, evidence.IOSSysdiagnose, raw))
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestSysdiagnosePSClean(t *testing.T) {
	recs := psRecords(t, map[string]string{"ps.txt": psClean, "sysdiagnose.log": sysdiagnoseLog})
	if len(recs) != 5 {
		t.Fatalf("got %d records, want 5", len(recs))
	}
	want := map[string]any{"isodate": "2025-11-23 00:36:23.000000", "user": "root", "uid": int64(0), "pid": int64(1), "ppid": int64(0),
		"stat": "Ss", "started": "7:22PM", "time": "0:12.34", "command": "/sbin/launchd", "executable": "/sbin/launchd", "process_name": "launchd"}
	if diff := cmp.Diff(want, recs[0].Data); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	if got := recs[2].String("executable"); got != "/private/var/containers/Bundle/Application/5D2C9E0C-1111-4A4B-9C2D-0123456789AB/My Notes.app/My Notes" {
		t.Errorf("app executable %q", got)
	}
	if recs[4].String("executable") != "" || recs[4].String("process_name") != "kernel_task" {
		t.Errorf("kernel_task record %v", recs[4].Data)
	}
	if f := inspect(SysdiagnosePS{}, recs); len(f) != 0 {
		t.Errorf("clean table raised %+v", f)
	}
	if ev := timeline(SysdiagnosePS{}, recs); len(ev) != 0 {
		t.Errorf("timeline %+v", ev)
	}
}

func TestSysdiagnosePSSuspicious(t *testing.T) {
	recs := psRecords(t, map[string]string{"ps.txt": psSuspicious})
	if len(recs) != 7 || recs[0].String("isodate") != "" {
		t.Fatalf("got %d records, first %v", len(recs), recs[0].Data)
	}
	for _, rs := range [][]record.Record{recs, viaJSON(t, recs)} {
		f := inspect(SysdiagnosePS{}, rs)
		if len(f) != 2 || f[0].Severity != record.High ||
			!strings.Contains(f[0].Message, "Process running from /private/var/db/ when the sysdiagnose was taken") ||
			!strings.Contains(f[0].Message, "PID 1201") || !strings.Contains(f[1].Message, "/private/var/tmp/UpdateHelper") {
			t.Errorf("findings %+v", f)
		}
	}
	eachListMatchesOnce(t, SysdiagnosePS{}, recs,
		map[string]string{"processes.txt": "roleaboutd\n"},
		map[string]string{"file_paths.txt": "/private/var/db/com.apple.xpc.roleaccountd.staging/\n"},
		map[string]string{"file_names.txt": "UpdateHelper\n"},
		map[string]string{"processes.txt": "kernel_task\n"},
	)
}

func TestSysdiagnosePSCaptureFromName(t *testing.T) {
	src := testkit.NewSource(t, evidence.IOSSysdiagnose, map[string][]byte{"ps.txt": []byte(psClean)})
	got, ok := sysdiagnoseStampTime("/cases/" + sysdiagnoseTop + ".tar.gz")
	if !ok || record.ISO(got) != "2025-11-23 00:36:23.000000" {
		t.Errorf("stamp %v %v", got, ok)
	}
	if _, ok := sysdiagnoseCapture(t.Context(), src); ok {
		t.Error("capture time from a folder without a stamp")
	}
}

func TestSysdiagnosePSAbsentAndCorrupt(t *testing.T) {
	src := testkit.NewSource(t, evidence.IOSSysdiagnose, map[string][]byte{"other.txt": []byte("x")})
	if _, err := testkit.Extract(t, SysdiagnosePS{}, src); err == nil || !strings.Contains(err.Error(), "not present") {
		t.Errorf("absent: %v", err)
	}
	for _, garbage := range []string{"", "\x00\xff\xfe garbage\nmore", "PID COMMAND"} {
		src := testkit.NewSource(t, evidence.IOSSysdiagnose, map[string][]byte{"ps.txt": []byte(garbage)})
		recs, err := testkit.Extract(t, SysdiagnosePS{}, src)
		if garbage == "PID COMMAND" {
			if err != nil || len(recs) != 0 {
				t.Errorf("header only: %v %v", recs, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "ps.txt") {
			t.Errorf("%q: error %v", garbage, err)
		}
	}
	long := "PID COMMAND\n1 /a" + strings.Repeat("x", 3*maxSysdiagnoseLine) + "\n2 /b\n"
	var got []string
	if err := parsePS(strings.NewReader(long), func(d map[string]any) { got = append(got, d["executable"].(string)) }); err != nil ||
		len(got) != 2 || got[1] != "/b" || len(got[0]) > maxSysdiagnoseLine {
		t.Errorf("long line: %d records, err %v", len(got), err)
	}
}

// writeSysdiagnoseTarGz writes files under sysdiagnoseTop into a .tar.gz
// as the device writes it and returns its path.
func writeSysdiagnoseTarGz(t *testing.T, files map[string]string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), sysdiagnoseTop+".tar.gz")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		hdr := &tar.Header{Name: sysdiagnoseTop + "/" + n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(files[n])); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []interface{ Close() error }{tw, gz, f} {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// openSysdiagnose opens a sysdiagnose archive as check-sysdiagnose does.
func openSysdiagnose(t *testing.T, p string) *iosfs.FS {
	t.Helper()
	src, err := iosfs.Open(p, iosfs.Options{Kind: evidence.IOSSysdiagnose})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

// TestSysdiagnoseArchive runs every sysdiagnose module on one archive.
func TestSysdiagnoseArchive(t *testing.T) {
	archive := writeSysdiagnoseTarGz(t, map[string]string{
		"ps.txt": psSuspicious,
		"crashes_and_spins/roleaboutd-2025-11-22-101500.ips": crashSuspiciousIPS,
		"crashes_and_spins/Setup-2025-11-22-192943.ips":      crashJSONIPS,
		"logs/MobileInstallation/mobile_installation.log.0":  miLog,
		"system_logs.logarchive/Extra/shutdown.log":          shutdownClean,
		"system_logs.logarchive/00/0000000000000001.tracev3": "\x00binary",
		"crashes_and_spins/._Setup-2025-11-22-192943.ips":    "\x00\x05\x16\x07",
	})
	keepUnchanged(t, filepath.Dir(archive))
	src := openSysdiagnose(t, archive)
	ps, err := testkit.Extract(t, SysdiagnosePS{}, src)
	if err != nil || len(ps) != 7 || ps[0].String("isodate") != "2025-11-23 00:36:23.000000" {
		t.Fatalf("ps: %d records, err %v", len(ps), err)
	}
	if f := inspect(SysdiagnosePS{}, ps); len(f) != 2 {
		t.Errorf("ps findings %+v", f)
	}
	crashes, err := testkit.Extract(t, SysdiagnoseCrashes{}, src)
	if err != nil || len(crashes) != 2 {
		t.Fatalf("crashes: %d records, err %v", len(crashes), err)
	}
	if f := inspect(SysdiagnoseCrashes{}, crashes); len(f) != 1 || f[0].Severity != record.High {
		t.Errorf("crash findings %+v", f)
	}
	mi, err := testkit.Extract(t, SysdiagnoseMobileInstallation{}, src)
	if err != nil || len(mi) != 6 || mi[0].String("utc_offset") != "-0500" {
		t.Fatalf("mobile installation: %d records, err %v", len(mi), err)
	}
}

func FuzzSysdiagnosePS(f *testing.F) {
	f.Add(psSuspicious)
	f.Add("PID COMMAND\n1 /a/b.app/b c\n")
	f.Fuzz(func(t *testing.T, s string) {
		var recs []record.Record
		_ = parsePS(strings.NewReader(s), func(d map[string]any) { recs = append(recs, record.Record{Data: d}) })
		inspect(SysdiagnosePS{}, recs)
	})
}
