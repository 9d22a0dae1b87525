package ios

import (
	"strings"
	"testing"

	"github.com/spycheck/spycheck/internal/testkit"
)

func TestIOSVersionHistory(t *testing.T) {
	const dir = "private/var/db/analyticsd/"
	src := dumpFixture(t, map[string][]byte{
		dir + "Analytics-Journal-2021-07-18-100000.ips": []byte(`{"timestamp":"2021-07-18 12:00:00.00 +0200","os_version":"iPhone OS 14.6 (18F72)"}` + "\n{\"more\":1}\n"),
		dir + "Analytics-Journal-2020-09-13-100000.ips": []byte(`{"timestamp":"2020-09-13 10:00:00.123456 -0400","os_version":"iPhone OS 14.0 (18A373)"}`),
	})
	recs, err := testkit.Extract(t, IOSVersionHistory{}, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].String("isodate") != "2020-09-13 14:00:00.123456" || recs[1].String("isodate") != "2021-07-18 10:00:00.000000" {
		t.Fatalf("records %+v", recs)
	}
	ev := timeline(IOSVersionHistory{}, recs)
	if len(ev) != 2 || ev[1].Event != "ios_version" || ev[1].Data != "Recorded iOS version iPhone OS 14.6 (18F72)" {
		t.Errorf("timeline %+v", ev)
	}
}

func TestIOSVersionHistoryCorrupt(t *testing.T) {
	src := dumpFixture(t, map[string][]byte{
		"private/var/db/analyticsd/Analytics-Journal-a.ips": []byte("\x00\xffnot json"),
		"private/var/db/analyticsd/Analytics-Journal-b.ips": []byte(`{"timestamp":"yesterday","os_version":"x"}`),
		"private/var/db/analyticsd/Analytics-Journal-c.ips": []byte(`{"timestamp":"2021-07-18 12:00:00.0 +0000","os_version":"ok"}`),
	})
	recs, err := testkit.Extract(t, IOSVersionHistory{}, src)
	if err == nil || !strings.Contains(err.Error(), "Journal-a.ips") || !strings.Contains(err.Error(), "Journal-b.ips") {
		t.Errorf("error %v", err)
	}
	if len(recs) != 1 {
		t.Errorf("records %+v", recs)
	}
}

func FuzzJournalHeader(f *testing.F) {
	f.Add([]byte(`{"timestamp":"2021-07-18 12:00:00.00 +0200","os_version":"iPhone OS 14.6 (18F72)"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := parseJournalHeader(b)
		if err == nil && d["isodate"] == "" {
			t.Errorf("no time from %q", b)
		}
	})
}
