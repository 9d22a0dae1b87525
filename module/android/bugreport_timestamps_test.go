package android

import (
	"testing"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

// dumpstateSource is a bug report whose dumpstate (named by main_entry.txt)
// holds text.
func dumpstateSource(t *testing.T, text string) *testkit.Source {
	t.Helper()
	return testkit.NewSource(t, evidence.Bugreport, map[string][]byte{
		"main_entry.txt": []byte("bugreport-x.txt\n"), "bugreport-x.txt": []byte(text)})
}

// section wraps body as the dumpsys section of service name.
func section(name, body string) string {
	return "------------------------------------------------------------------------------\n" +
		"DUMP OF SERVICE " + name + ":\n" + body +
		"--------- 0.001s was the duration of dumpsys " + name + "\n" +
		"------------------------------------------------------------------------------\n"
}

func TestBugReportTimestamps(t *testing.T) {
	src := testkit.NewSource(t, evidence.Bugreport, map[string][]byte{
		"FS/data/anr/anr_1": []byte("x"), "FS/data/tombstones/tombstone_00": []byte("y"), "version.txt": []byte("2.0")})
	mt := time.Date(2021, 9, 29, 17, 43, 49, 0, time.Local)
	setModTime(t, src, mt, "FS/data/anr/anr_1", "FS/data/tombstones/tombstone_00")
	recs := extractOK(t, BugReportTimestamps{}, src)
	if len(recs) != 2 || recs[0].String("path") != "FS/data/anr/anr_1" || recs[1].String("modified_time") != "2021-09-29 17:43:49.000000" {
		t.Fatalf("records = %+v", recs)
	}
	ev := BugReportTimestamps{}.Timeline(recs[0])
	if len(ev) != 1 || ev[0].Event != "M---" || ev[0].Data != "FS/data/anr/anr_1" || ev[0].Timestamp != "2021-09-29 17:43:49.000000" {
		t.Errorf("timeline = %+v", ev)
	}
	if _, err := testkit.Extract(t, BugReportTimestamps{}, testkit.NewSource(t, evidence.Bugreport, nil)); err == nil {
		t.Error("no FS folder: want an error wrapping ErrNotFound")
	}
}

func TestBugReportTimestampsConformance(t *testing.T) {
	recs := extractOK(t, BugReportTimestamps{}, sharedBugreport(t))
	if len(recs) != 2 || len(aqfTimeline(BugReportTimestamps{}, recs)) != 2 {
		t.Errorf("got %d records, want the 2 tombstones under FS/", len(recs))
	}
	for _, r := range recs {
		if _, err := time.Parse(record.TimeLayout, r.String("modified_time")); err != nil {
			t.Errorf("modified_time %q: %v", r.String("modified_time"), err)
		}
	}
}
