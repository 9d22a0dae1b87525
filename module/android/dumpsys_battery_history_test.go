package android

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDumpsysBatteryHistorySample(t *testing.T) {
	recs := extractOK(t, DumpsysBatteryHistory{}, mvtSample(t, "dumpsys_battery.txt", "batterystats"))
	if len(recs) != 5 {
		t.Fatalf("got %d records, MVT gives 5", len(recs))
	}
	checks := []struct {
		i          int
		field, val string
	}{{0, "package_name", "com.samsung.android.app.reminder"}, {1, "event", "end_job"}, {2, "event", "start_top"},
		{2, "uid", "u0a280"}, {2, "package_name", "com.whatsapp"}, {3, "event", "end_top"}, {4, "package_name", "com.sec.android.app.launcher"}}
	for _, c := range checks {
		if got := recs[c.i].String(c.field); got != c.val {
			t.Errorf("[%d].%s = %q, want %q", c.i, c.field, got, c.val)
		}
	}
}

func TestDumpsysBatteryHistoryAbsoluteTimes(t *testing.T) {
	text := section("batterystats", "Battery History (0% used):\n"+
		`07-15 20:27:39.431 (2) 100 +job=u0a123:"com.example/.ExampleJob"`+"\n"+
		`07-15 20:27:40.000 (2) 100 -job=u0a123:"com.example/.ExampleJob"`+"\n"+
		`  +1s0ms (2) 100 +running +wake_lock=u0a9:"*walarm*:com.x/.Alarm" stuff`+"\n"+
		"\n"+`+2s (2) +job=u1:"after/blank"`+"\n")
	recs := extractOK(t, DumpsysBatteryHistory{}, dumpstateSource(t, text))
	want := []map[string]any{
		{"time_elapsed": "07-15 20:27:39.431", "event": "start_job", "uid": "u0a123", "package_name": "com.example", "service": "com.example/.ExampleJob"},
		{"time_elapsed": "07-15 20:27:40.000", "event": "end_job", "uid": "u0a123", "package_name": "com.example", "service": "com.example/.ExampleJob"},
		{"time_elapsed": "+1s0ms", "event": "wake", "uid": "u0a9", "package_name": "com.x", "service": "com.x/.Alarm"},
	}
	var got []map[string]any
	for _, r := range recs {
		got = append(got, r.Data)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestPySlice(t *testing.T) {
	for _, c := range []struct {
		i, j int
		want string
	}{{0, 3, "abc"}, {-1, 5, "e"}, {2, -1, "cd"}, {4, 2, ""}, {0, 99, "abcde"}} {
		if got := pySlice("abcde", c.i, c.j); got != c.want {
			t.Errorf("[%d:%d] = %q, want %q", c.i, c.j, got, c.want)
		}
	}
}
