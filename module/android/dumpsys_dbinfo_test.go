package android

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDumpsysDBInfoSample(t *testing.T) {
	recs := extractOK(t, DumpsysDBInfo{}, mvtSample(t, "dumpsys_dbinfo.txt", ""))
	if len(recs) != 5 {
		t.Fatalf("got %d records, MVT gives 5", len(recs))
	}
	r := recs[0]
	if r.String("action") != "executeForCursorWindow" || r.String("sql") != "PRAGMA database_list;" ||
		r.String("path") != "/data/user/0/com.wssyncmldm/databases/idmsdk.db" {
		t.Errorf("[0] = %+v", r.Data)
	}
	found := false
	for _, o := range (DumpsysDBInfo{}).Observables(r) {
		found = found || o.Value == "com.wssyncmldm"
	}
	if !found {
		t.Error("the package in the path is not an observable")
	}
}

func TestDumpsysDBInfoMonthDay(t *testing.T) {
	text := section("dbinfo", "Connection pool for /data/user/0/com.example/databases/current.db:\n"+
		"  Most recently executed operations:\n"+
		`        0: [07-15 20:27:39.431] executeForCursorWindow took 1ms - succeeded, sql="SELECT 1"`+"\n"+
		`        1: [2024-07-15 20:27:39.431] [Pid:(42)]execute took 1ms, sql="PRAGMA x"`+"\n"+
		"  Other:\n"+`        2: [07-15 20:27:39.431] execute sql="not in operations"`+"\n")
	recs := extractOK(t, DumpsysDBInfo{}, dumpstateSource(t, text))
	want := []map[string]any{
		{"isodate": "07-15 20:27:39.431", "action": "executeForCursorWindow", "sql": "SELECT 1", "path": "/data/user/0/com.example/databases/current.db"},
		{"isodate": "2024-07-15 20:27:39.431", "action": "execute", "sql": "PRAGMA x", "path": "/data/user/0/com.example/databases/current.db", "pid": "42"},
	}
	var got []map[string]any
	for _, r := range recs {
		got = append(got, r.Data)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}
