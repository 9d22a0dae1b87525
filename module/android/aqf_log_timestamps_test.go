package android

import (
	"errors"
	"testing"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

func TestAQFLogTimestamps(t *testing.T) {
	src := aqfSource(t, map[string]string{"logs/data/anr/traces.txt": "x", "logs/proc/last_kmsg": "y", "getprop.txt": ""})
	mtime := time.Date(2024, 3, 1, 10, 30, 0, 0, time.Local)
	setModTime(t, src, mtime, "logs/data/anr/traces.txt", "logs/proc/last_kmsg")
	recs := extractOK(t, AQFLogTimestamps{}, src)
	if len(recs) != 2 || recs[0].String("path") != "logs/data/anr/traces.txt" || recs[1].String("path") != "logs/proc/last_kmsg" {
		t.Fatalf("records %v", recs)
	}
	if got := recs[0].String("modified_time"); got != "2024-03-01 10:30:00.000000" {
		t.Errorf("modified_time %q", got)
	}
	events := aqfTimeline(AQFLogTimestamps{}, recs)
	want := record.Event{Timestamp: "2024-03-01 10:30:00.000000", Module: "AQFLogTimestamps", Event: "M---", Data: "logs/data/anr/traces.txt"}
	if len(events) != 2 || events[0] != want {
		t.Errorf("events %+v", events)
	}
	if _, err := testkit.Extract(t, AQFLogTimestamps{}, aqfSource(t, map[string]string{"logs.txt": ""})); !errors.Is(err, evidence.ErrNotFound) {
		t.Errorf("absent: %v", err)
	}
}

// modTimeSource is a source that knows entry times itself, as archives do.
type modTimeSource struct {
	*testkit.Source
	at time.Time
}

func (s modTimeSource) ModTime(evidence.Entry) (time.Time, error) { return s.at, nil }

func TestAQFLogTimestampsArchiveTime(t *testing.T) {
	at := time.Date(2023, 7, 24, 0, 38, 0, 0, time.UTC)
	src := modTimeSource{aqfSource(t, map[string]string{"logs/a": ""}), at}
	recs, err := testkit.Extract(t, AQFLogTimestamps{}, src)
	if err != nil {
		t.Fatal(err)
	}
	if got := recs[0].String("modified_time"); got != "2023-07-24 00:38:00.000000" {
		t.Errorf("modified_time %q", got)
	}
}
