package ios

import (
	"errors"
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

func valueIs(want string) func(string) bool { return func(s string) bool { return s == want } }

func TestDatausageConformance(t *testing.T) {
	src := sharedBackup(t)
	run, err := runWithoutIndicators(t, Datausage{}, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.recs) != 42 || len(run.events) != 60 {
		t.Errorf("R=%d T=%d, want 42 and 60", len(run.recs), len(run.events))
	}
	if got := run.recs[0].String("isodate"); !strings.HasPrefix(got, "2019-08-27 15:08:09") {
		t.Errorf("first isodate %q", got)
	}
	if len(run.findings) != 1 || run.findings[0].Severity != record.Low || !strings.Contains(run.findings[0].Message, "Missing process 5") {
		t.Errorf("findings = %+v", run.findings)
	}
	if got := recordsObserving(Datausage{}, run.recs, record.Process, valueIs("CumulativeUsageTracker")); len(got) != 2 {
		t.Errorf("%d records observe CumulativeUsageTracker, want 2", len(got))
	}
}

const netBaseSchemaWiFi = `CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, ZFIRSTTIMESTAMP REAL, ZTIMESTAMP REAL, ZPROCNAME TEXT, ZBUNDLENAME TEXT);
CREATE TABLE ZLIVEUSAGE (Z_PK INTEGER PRIMARY KEY, ZHASPROCESS INTEGER, ZTIMESTAMP REAL, ZWIFIIN REAL, ZWIFIOUT REAL, ZWWANIN REAL, ZWWANOUT REAL);`

const netBaseSchema = `CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, ZFIRSTTIMESTAMP REAL, ZTIMESTAMP REAL, ZPROCNAME TEXT, ZBUNDLENAME TEXT);
CREATE TABLE ZLIVEUSAGE (Z_PK INTEGER PRIMARY KEY, ZHASPROCESS INTEGER, ZTIMESTAMP REAL, ZWWANIN REAL, ZWWANOUT REAL);`

const datausagePath = "Library/Databases/DataUsage.sqlite"

func datausageBackup(t *testing.T, script string) evidence.Source {
	return backupWith(t, "WirelessDomain", datausagePath, testkit.SQLite(t, script))
}

func TestDatausageWiFiSchema(t *testing.T) {
	src := datausageBackup(t, netBaseSchemaWiFi+`
		INSERT INTO ZPROCESS VALUES (1, 600000000, 600000100, 'locationd', 'com.apple.locationd');
		INSERT INTO ZLIVEUSAGE VALUES (1, 1, 600000050, 10, 20, 30, 40);`)
	run, err := runWithoutIndicators(t, Datausage{}, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.recs) != 1 || len(run.findings) != 0 || len(run.events) != 3 {
		t.Fatalf("R=%d A=%d T=%d, want 1, 0, 3", len(run.recs), len(run.findings), len(run.events))
	}
	d := run.recs[0].Data
	if d["wifi_in"] != 10.0 || d["wwan_out"] != 40.0 || d["first_isodate"] != "2020-01-06 10:40:00.000000" ||
		d["live_isodate"] != "2020-01-06 10:40:50.000000" || d["proc_id"] != int64(1) || d["live_id"] != int64(1) {
		t.Errorf("record %v", d)
	}
	if want := "locationd (Bundle ID: com.apple.locationd, ID: 1) WWAN IN: 30.0, WWAN OUT: 40.0"; run.events[0].Data != want {
		t.Errorf("live_usage data %q, want %q", run.events[0].Data, want)
	}
}

func TestDatausageHeuristics(t *testing.T) {
	src := datausageBackup(t, netBaseSchema+`
		INSERT INTO ZPROCESS VALUES (1, 600000000, 600000100, 'first', NULL);
		INSERT INTO ZPROCESS VALUES (4, 600000200, 600000300, 'fourth', NULL);
		INSERT INTO ZLIVEUSAGE VALUES (1, 9, 600000400, 1, 2);
		INSERT INTO ZLIVEUSAGE VALUES (2, 9, 600000500, 3, 4);
		INSERT INTO ZLIVEUSAGE VALUES (3, 4, 600000600, 5, 6);`)
	run, err := runWithoutIndicators(t, Datausage{}, src)
	if err != nil {
		t.Fatal(err)
	}
	// 3 live rows, 1 process without live rows, 2 placeholders (2 and 3).
	if len(run.recs) != 6 {
		t.Fatalf("R=%d, want 6", len(run.recs))
	}
	var names []string
	for _, r := range run.recs {
		names = append(names, r.String("proc_name"))
	}
	want := "first|MISSING [follows first]|MISSING [follows first]|fourth|" + netBaseManipulatedName + "|" + netBaseManipulatedName
	if got := strings.Join(names, "|"); got != want {
		t.Errorf("order %s\nwant  %s", got, want)
	}
	wantMsgs := []string{
		"HIGH Found manipulated process entry 9. Entry on 2020-01-06 10:46:40.000000",
		"HIGH Found manipulated process entry 9/",
		"HIGH Found manipulated process entry 9/",
		`LOW Missing process 2. Previous process at "2020-01-06 10:40:00.000000" (first)`,
		`LOW Missing process 3. Previous process at "2020-01-06 10:40:00.000000" (first)`,
	}
	if got := findingTexts(run.findings); got != strings.Join(wantMsgs, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", got, strings.Join(wantMsgs, "\n"))
	}
	if run.findings[3].Event["proc_name"] != "first" {
		t.Errorf("missing-process alert is about %v, want the previous process", run.findings[3].Event)
	}
	for _, r := range run.recs {
		if obs := (Datausage{}).Observables(r); netBaseManipulated(r.Data) != (len(obs) == 0) {
			t.Errorf("observables of %v: %v", r.Data, obs)
		}
	}
	// Re-checking the records read back from JSON raises the same alerts.
	again := judgeWithoutIndicators(Datausage{}, viaJSON(t, run.recs))
	if got := findingTexts(again.findings); got != strings.Join(wantMsgs, "\n") {
		t.Errorf("re-check findings:\n%s", got)
	}
	if len(again.events) != len(run.events) {
		t.Errorf("re-check timeline %d events, want %d", len(again.events), len(run.events))
	}
}

func TestDatausageQuietAndCorrupt(t *testing.T) {
	src := datausageBackup(t, netBaseSchema+`INSERT INTO ZPROCESS VALUES (1, 600000000, 600000100, 'a', NULL);
		INSERT INTO ZPROCESS VALUES (2, 600000000, 600000100, 'b', NULL);`)
	run, err := runWithoutIndicators(t, Datausage{}, src)
	if err != nil || len(run.recs) != 2 || len(run.findings) != 0 {
		t.Fatalf("R=%d A=%d err=%v", len(run.recs), len(run.findings), err)
	}
	assertCorrupt(t, Datausage{}, "WirelessDomain", datausagePath, []byte("this is not a database at all, not even close"), "DataUsage.sqlite")
	assertCorrupt(t, Datausage{}, "WirelessDomain", datausagePath, testkit.SQLite(t, `CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY);`))
	if _, err := testkit.Extract(t, Datausage{}, testkit.NewBackup(t, nil).Open()); !errors.Is(err, evidence.ErrNotFound) {
		t.Errorf("absent database: %v", err)
	}
}
