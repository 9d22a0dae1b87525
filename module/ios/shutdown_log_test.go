package ios

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

const (
	// shutdownClean: two ordinary reboots, one short delay each.
	shutdownClean = `SIGTERM: [1700000000]
After 0.52s, these clients are still here:
	remaining client pid: 101 (/usr/libexec/mobileassetd)
	remaining client pid: 102 (/System/Library/PrivateFrameworks/Example.framework/exampled)
SIGTERM: [1700000100]
After 0.31s, these clients are still here:
	remaining client pid: 201 (/usr/libexec/mobileassetd)
SIGTERM: [1700086400]
`
	// shutdownSticky: the second reboot is held up four times by the same
	// client, running from where Pegasus ran.
	shutdownSticky = `After 0.50s, these clients are still here:
	remaining client pid: 300 (/usr/libexec/nfcd)
SIGTERM: [1700000000]
After 1.00s, these clients are still here:
	remaining client pid: 301 (/private/var/db/com.apple.xpc.roleaccountd.staging/bh)
	remaining client pid: 302 (/usr/libexec/nfcd)
After 2.00s, these clients are still here:
	remaining client pid: 301 (/private/var/db/com.apple.xpc.roleaccountd.staging/bh)
After 3.00s, these clients are still here:
	remaining client pid: 301 (/private/var/db/com.apple.xpc.roleaccountd.staging/bh)
After 4.00s, these clients are still here:
	remaining client pid: 301 (/private/var/db/com.apple.xpc.roleaccountd.staging/bh)
SIGTERM: [1700090000]
`
	// shutdownIOS26: client paths carry a per-binary UUID; an older "@"
	// timestamp line too.
	shutdownIOS26 = `After 0.20s, these clients are still here:
	remaining client pid: 77 (/usr/sbin/filecoordinationd/123E4567-E89B-12D3-A456-426614174000)
	remaining client pid: 78 (/var/tmp/updater/0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0)
SIGTERM: [1760000000]
After 0.10s, these clients are still here:
	remaining client pid: 79 (/usr/libexec/locationd)
SIGTERM: something @1760000500 more
`
)

func shutdownRecords(t *testing.T, files map[string]string) []record.Record {
	t.Helper()
	dump := map[string][]byte{}
	for k, v := range files {
		dump[k] = []byte(v)
	}
	recs, err := testkit.Extract(t, ShutdownLog{}, dumpFixture(t, dump))
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestShutdownLogClean(t *testing.T) {
	recs := shutdownRecords(t, map[string]string{"private/var/db/diagnostics/shutdown.log": shutdownClean})
	if len(recs) != 3 {
		t.Fatalf("got %d records, want 3", len(recs))
	}
	want := map[string]any{"isodate": "2023-11-14 22:15:00.000000", "pid": "101", "client": "/usr/libexec/mobileassetd",
		"client_path": "/usr/libexec/mobileassetd", "delay": 0.52, "times_delayed": int64(1)}
	if diff := cmp.Diff(want, recs[0].Data); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	if f := inspect(ShutdownLog{}, recs); len(f) != 0 {
		t.Errorf("clean log raised %+v", f)
	}
	ev := timeline(ShutdownLog{}, recs)
	if len(ev) != 3 || ev[0].Event != "shutdown" ||
		ev[0].Data != "Client /usr/libexec/mobileassetd with PID 101 was running when the device was shut down" {
		t.Errorf("timeline %+v", ev)
	}
}

func TestShutdownLogSticky(t *testing.T) {
	recs := shutdownRecords(t, map[string]string{"private/var/db/diagnostics/shutdown.log": shutdownSticky})
	if len(recs) != 6 {
		t.Fatalf("got %d records, want 6", len(recs))
	}
	last := recs[len(recs)-1]
	if n, _ := last.Number("times_delayed"); n != 4 || last.Data["delay"] != 10.0 {
		t.Errorf("last record %v", last.Data)
	}
	for _, rs := range [][]record.Record{recs, viaJSON(t, recs)} {
		var medium, high []string
		for _, f := range inspect(ShutdownLog{}, rs) {
			switch f.Severity {
			case record.Medium:
				medium = append(medium, f.Message)
			case record.High:
				high = append(high, f.Message)
			}
		}
		if len(medium) != 1 || !strings.Contains(medium[0], "delayed 4 times") ||
			!strings.Contains(medium[0], "/private/var/db/com.apple.xpc.roleaccountd.staging/bh") || strings.Contains(medium[0], "nfcd") {
			t.Errorf("sticky alerts %q", medium)
		}
		if len(high) != 1 || !strings.Contains(high[0], "Process running from /private/var/db/") ||
			!strings.Contains(high[0], "where Pegasus, Predator and Reign ran") {
			t.Errorf("path alerts %q", high)
		}
	}
}

func TestShutdownLogIOS26(t *testing.T) {
	recs := shutdownRecords(t, map[string]string{"private/var/db/diagnostics/shutdown.0.log": shutdownIOS26})
	if len(recs) != 3 {
		t.Fatalf("got %d records, want 3", len(recs))
	}
	if recs[0].String("client") != "/usr/sbin/filecoordinationd/123E4567-E89B-12D3-A456-426614174000" ||
		recs[0].String("client_path") != "/usr/sbin/filecoordinationd" {
		t.Errorf("record %v", recs[0].Data)
	}
	if recs[2].String("isodate") != "2025-10-09 09:01:40.000000" {
		t.Errorf("@ timestamp gave %q", recs[2].String("isodate"))
	}
	f := inspect(ShutdownLog{}, recs)
	if len(f) != 1 || f[0].Severity != record.High || !strings.Contains(f[0].Message, "from /var/tmp/") {
		t.Errorf("findings %+v", f)
	}
	eachListMatchesOnce(t, ShutdownLog{}, recs,
		map[string]string{"file_paths.txt": "/usr/sbin/filecoordinationd\n"},
		map[string]string{"file_names.txt": "filecoordinationd\n"},
		map[string]string{"processes.txt": "filecoordinationd\n"},
	)
}

// TestShutdownLogTrailingUUIDIndicator is MVT's test: a saved record with
// a UUID-suffixed client (no client_path) matches a file:path indicator.
func TestShutdownLogTrailingUUIDIndicator(t *testing.T) {
	r := record.Record{Module: "shutdown_log", Data: map[string]any{"isodate": "2023-11-14 22:13:20.000000", "pid": "1",
		"client": "/usr/sbin/filecoordinationd/123e4567-e89b-12d3-a456-426614174000", "delay": 0.0, "times_delayed": int64(0)}}
	ix := loadIOCs(t, map[string]string{"file_paths.txt": "/usr/sbin/filecoordinationd\n"})
	got := matches(ix, ShutdownLog{}, []record.Record{r})
	if len(got) != 1 {
		t.Fatalf("A=%d, want 1", len(got))
	}
	if m, _ := ix.Lookup(got[0]); m.Indicator.Value != "/usr/sbin/filecoordinationd" {
		t.Errorf("matched %+v", m.Indicator)
	}
}

// TestShutdownLogRotated is MVT's test: shutdown.log and shutdown.0.log.
func TestShutdownLogRotated(t *testing.T) {
	recs := shutdownRecords(t, map[string]string{
		"private/var/db/diagnostics/shutdown.log":   "remaining client pid: 100 (/usr/libexec/first)\nSIGTERM: [1700000000]",
		"private/var/db/diagnostics/shutdown.0.log": "remaining client pid: 200 (/usr/libexec/second)\nSIGTERM: [1700000001]",
	})
	got := map[string]bool{}
	for _, r := range recs {
		got[r.String("client")] = true
	}
	if !cmp.Equal(got, map[string]bool{"/usr/libexec/first": true, "/usr/libexec/second": true}) {
		t.Errorf("clients %v", got)
	}
}

func TestShutdownLogSysdiagnose(t *testing.T) {
	src := testkit.NewSource(t, evidence.IOSSysdiagnose, map[string][]byte{
		"system_logs.logarchive/Extra/shutdown.0.log": []byte(shutdownIOS26),
	})
	recs, err := testkit.Extract(t, ShutdownLog{}, src)
	if err != nil || len(recs) != 3 {
		t.Fatalf("got %d records, err %v", len(recs), err)
	}
}

func TestShutdownLogAbsentAndGarbage(t *testing.T) {
	if _, err := testkit.Extract(t, ShutdownLog{}, dumpFixture(t, map[string][]byte{"private/var/x": nil})); err == nil {
		t.Error("no error without a log")
	}
	recs := shutdownRecords(t, map[string]string{"private/var/db/diagnostics/shutdown.log": "\x00\xff(remaining client pid:)(\nSIGTERM: [x]\nAfter \n"})
	if len(recs) != 0 {
		t.Errorf("garbage gave %v", recs)
	}
}

func FuzzShutdownLog(f *testing.F) {
	f.Add(shutdownSticky)
	f.Add(shutdownIOS26)
	f.Add("remaining client pid: )(\nSIGTERM: @\nSIGTERM: ] [")
	f.Fuzz(func(t *testing.T, s string) {
		recs := parseShutdownLog(s)
		var rs []record.Record
		for _, d := range recs {
			rs = append(rs, record.Record{Data: d})
		}
		inspect(ShutdownLog{}, rs)
	})
}
