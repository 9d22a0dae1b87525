package android

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

func TestAQFProcessesPSLayouts(t *testing.T) {
	ps := "USER PID PPID VSZ RSS WCHAN ADDR S NAME\n" +
		"root 1 0 57912 2084 SyS_epoll_wait 0 S init\n" + // 9 columns
		"u0_a12 345 1 100 20 0 R com.example.app\n" + // 8 columns: no WCHAN
		"u:r:init:s0 root 2 0 0 0 0 0 S [kthreadd]\n" + // SELinux label
		"u:r:untrusted_app:s0 u0_a1 7 1 5 6 0 S com.x\n" + // label, no WCHAN
		"\nbad line\nroot x 0 0 0 0 0 S y\n"
	want := []map[string]any{
		{"user": "root", "pid": int64(1), "ppid": int64(0), "virtual_memory_size": int64(57912), "resident_set_size": int64(2084),
			"wchan": "SyS_epoll_wait", "aprocress": "0", "stat": "S", "proc_name": "init", "label": ""},
		{"user": "u0_a12", "pid": int64(345), "ppid": int64(1), "virtual_memory_size": int64(100), "resident_set_size": int64(20),
			"wchan": "", "aprocress": "0", "stat": "R", "proc_name": "com.example.app", "label": ""},
		{"user": "root", "pid": int64(2), "ppid": int64(0), "virtual_memory_size": int64(0), "resident_set_size": int64(0),
			"wchan": "0", "aprocress": "0", "stat": "S", "proc_name": "kthreadd", "label": "u:r:init:s0"},
		{"user": "u0_a1", "pid": int64(7), "ppid": int64(1), "virtual_memory_size": int64(5), "resident_set_size": int64(6),
			"wchan": "", "aprocress": "0", "stat": "S", "proc_name": "com.x", "label": "u:r:untrusted_app:s0"},
	}
	for _, name := range []string{"ps.txt", "processes.txt"} {
		recs := aqfExtract(t, AQFProcesses{}, map[string]string{name: ps})
		var got []map[string]any
		for _, r := range recs {
			got = append(got, r.Data)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

func TestAQFProcessesPrefersNewestFile(t *testing.T) {
	recs := aqfExtract(t, AQFProcesses{}, map[string]string{
		"ps.txt":        "USER PID PPID VSZ RSS WCHAN ADDR S NAME\nroot 1 0 1 1 0 0 S old\n",
		"processes.txt": "USER PID PPID VSZ RSS WCHAN ADDR S NAME\nroot 1 0 1 1 0 0 S new\n",
	})
	if len(recs) != 1 || recs[0].String("proc_name") != "new" {
		t.Errorf("records %v", recs)
	}
}

func TestAQFProcessesJSON(t *testing.T) {
	recs := aqfExtract(t, AQFProcesses{}, map[string]string{
		"processes.txt": "USER PID PPID VSZ RSS WCHAN ADDR S NAME\nroot 1 0 1 1 0 0 S ignored\n",
		"processes.json": `[{"pid":1234,"uid":10080,"ppid":1,"filename":"(com.evil.spy)","state":"S","path":"","context":"u:r:untrusted_app:s0",
			"command_line":["com.evil.spy:remote"],"env":[],"cwd":"/"},
			{"pid":99,"uid":0,"ppid":1,"filename":"(implantd)","path":"/data/local/tmp/implantd","command_line":["/data/local/tmp/implantd","-d"]},
			{"pid":5,"filename":"","command_line":["/system/bin/gatekeeperd"]}]`,
	})
	if len(recs) != 3 {
		t.Fatalf("records %v", recs)
	}
	if recs[0].String("proc_name") != "com.evil.spy" || recs[0].String("label") != "u:r:untrusted_app:s0" {
		t.Errorf("record %v", recs[0].Data)
	}
	obs := AQFProcesses{}.Observables(recs[0])
	if !hasObservable(obs, record.AppID, "com.evil.spy") || !hasObservable(obs, record.Process, "com.evil.spy") || len(obs) != 2 {
		t.Errorf("observables %v", obs)
	}
	obs = AQFProcesses{}.Observables(recs[1])
	if !hasObservable(obs, record.ProcessPath, "/data/local/tmp/implantd") || len(obs) != 4 {
		t.Errorf("observables %v", obs)
	}
	if obs := (AQFProcesses{}).Observables(recs[2]); recs[2].String("proc_name") != "gatekeeperd" || obs != nil {
		t.Errorf("gatekeeperd: %v", recs[2].Data)
	}
}

func TestAQFProcessesErrors(t *testing.T) {
	_, err := testkit.Extract(t, AQFProcesses{}, aqfSource(t, map[string]string{"processes.json": "{oops"}))
	if !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), "processes.json") {
		t.Errorf("corrupt: %v", err)
	}
	if _, err := testkit.Extract(t, AQFProcesses{}, aqfSource(t, nil)); !errors.Is(err, evidence.ErrNotFound) {
		t.Errorf("absent: %v", err)
	}
}

func FuzzParsePSLine(f *testing.F) {
	f.Add([]byte("u:r:init:s0 root 1 0 57912 2084 0 0 S [init]"))
	f.Fuzz(func(t *testing.T, line []byte) {
		if d := parsePSLine(line); d != nil && d["proc_name"] == nil {
			t.Fatal("record without proc_name")
		}
	})
}
