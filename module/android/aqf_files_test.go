package android

import (
	"errors"
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

const filesJSONArray = `[
{"path":"/data/local/tmp/payload","size":10,"mode":"-rwxr-xr-x","changed_time":1700000000,"modified_time":1700000000,"access_time":1700003600,"context":"u:object_r:shell_data_file:s0","sha256":"aa","sha1":"","md5":""},
{"path":"/data/local/tmp/notes.txt","mode":"644","changed_time":1700000000,"modified_time":1700000000,"access_time":1700000000,"context":""},
{"path":"/data/local/tmp/run.sh","mode":755,"modified_time":1700000000.5},
{"path":"/data/local/tmp/collector","mode":"-rwxr-xr-x"},
{"path":"/sdcard/a.jpg","mode":"-rw-rw----","md5":"mm"}
]`

func TestAQFFilesFormatsAndTimezone(t *testing.T) {
	ndjson := strings.ReplaceAll(strings.Trim(filesJSONArray, "[]\n"), "},\n{", "}\n{")
	for name, content := range map[string]string{"array": filesJSONArray, "ndjson": ndjson} {
		t.Run(name, func(t *testing.T) {
			recs := aqfExtract(t, AQFFiles{}, map[string]string{"files.json": content,
				"getprop.txt": "[persist.sys.timezone]: [Europe/Berlin]\n"})
			if len(recs) != 5 {
				t.Fatalf("%d records", len(recs))
			}
			// 1700000000 is 2023-11-14 22:13:20 UTC, 23:13:20 in Berlin.
			if got := recs[0].String("modified_time"); got != "2023-11-14 23:13:20.000000" {
				t.Errorf("modified_time %q", got)
			}
			if got := recs[2].String("modified_time"); got != "2023-11-14 23:13:20.500000" {
				t.Errorf("fractional modified_time %q", got)
			}
			if _, ok := recs[2].Data["access_time"]; ok {
				t.Errorf("absent time field added: %v", recs[2].Data)
			}
		})
	}
}

func TestAQFFilesUTCWithoutZone(t *testing.T) {
	for _, getprop := range []string{"", "[persist.sys.timezone]: [Not/AZone]\n"} {
		files := map[string]string{"files.json": filesJSONArray}
		if getprop != "" {
			files["getprop.txt"] = getprop
		}
		recs := aqfExtract(t, AQFFiles{}, files)
		if got := recs[0].String("modified_time"); got != "2023-11-14 22:13:20.000000" {
			t.Errorf("getprop %q: modified_time %q", getprop, got)
		}
	}
}

func TestAQFFilesHeuristicAndObservables(t *testing.T) {
	recs := aqfExtract(t, AQFFiles{}, map[string]string{"files.json": filesJSONArray})
	var got []string
	for _, f := range aqfFindings(AQFFiles{}, recs) {
		if f.Severity != record.High {
			t.Errorf("severity %v", f.Severity)
		}
		got = append(got, f.Message)
	}
	want := []string{`Found executable file at suspicious path "/data/local/tmp/payload"`,
		`Found file at suspicious path "/data/local/tmp/notes.txt"`,
		`Found executable file at suspicious path "/data/local/tmp/run.sh"`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings %q", got)
	}
	obs := AQFFiles{}.Observables(recs[0])
	if len(obs) != 2 || obs[0].Kind != record.FilePath || obs[0].Value != "/data/local/tmp/payload" || obs[1].Kind != record.FileHash || obs[1].Value != "aa" {
		t.Errorf("observables %v", obs)
	}
	if obs := (AQFFiles{}).Observables(recs[4]); !hasObservable(obs, record.FileHash, "mm") {
		t.Errorf("observables %v", obs)
	}
}

func TestAQFFilesTimeline(t *testing.T) {
	recs := aqfExtract(t, AQFFiles{}, map[string]string{"files.json": filesJSONArray})
	events := aqfTimeline(AQFFiles{}, recs[:3])
	want := []record.Event{
		{Timestamp: "2023-11-14 23:13:20.000000", Module: "AQFFiles", Event: "-A--", Data: "/data/local/tmp/payload (u:object_r:shell_data_file:s0)"},
		{Timestamp: "2023-11-14 22:13:20.000000", Module: "AQFFiles", Event: "M-C-", Data: "/data/local/tmp/payload (u:object_r:shell_data_file:s0)"},
		{Timestamp: "2023-11-14 22:13:20.000000", Module: "AQFFiles", Event: "MAC-", Data: "/data/local/tmp/notes.txt"},
		{Timestamp: "2023-11-14 22:13:20.500000", Module: "AQFFiles", Event: "M---", Data: "/data/local/tmp/run.sh"},
	}
	if len(events) != len(want) {
		t.Fatalf("events %v", events)
	}
	for i := range want {
		if events[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, events[i], want[i])
		}
	}
}

func TestModeExecutable(t *testing.T) {
	for mode, want := range map[any]bool{"-rwxr-xr-x": true, "-rw-r--r--": false, "755": true, "0644": false, "100": true,
		int64(755): true, int64(644): false, float64(711): true, "": false, nil: false, "rwx": true, "8": false} {
		if got := modeExecutable(mode); got != want {
			t.Errorf("%#v: %v", mode, got)
		}
	}
}

func TestAQFFilesCorrupt(t *testing.T) {
	_, err := testkit.Extract(t, AQFFiles{}, aqfSource(t, map[string]string{"files.json": "[{\"path\":1}, {oops"}))
	if !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), "files.json") {
		t.Errorf("corrupt: %v", err)
	}
}
