package ios

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosbackup"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

const callsPath = "Library/CallHistoryDB/CallHistory.storedata"

func callsBackup(t *testing.T, db []byte) evidence.Source {
	return backupWith(t, "HomeDomain", callsPath, db)
}

func TestCallsFileID(t *testing.T) {
	if got := iosbackup.FileID("HomeDomain", callsPath); got != callsQuery.BackupIDs[0] {
		t.Errorf("file ID %s, module uses %s", got, callsQuery.BackupIDs[0])
	}
}

func TestCallsExtract(t *testing.T) {
	db := testkit.SQLite(t, `CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, ZDATE TIMESTAMP, ZDURATION FLOAT, ZLOCATION VARCHAR,
			ZADDRESS BLOB, ZSERVICE_PROVIDER VARCHAR);
		INSERT INTO ZCALLRECORD VALUES (1, 700000000.5, 12.0, 'France', CAST('+33100000000' AS BLOB), 'com.apple.Telephony');
		INSERT INTO ZCALLRECORD VALUES (2, NULL, 0.0, NULL, NULL, NULL);`)
	run, err := runWithoutIndicators(t, Calls{}, callsBackup(t, db))
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"isodate": "2023-03-08 20:26:40.500000", "duration": 12.0, "location": "France", "number": "+33100000000", "provider": "com.apple.Telephony"},
		{"isodate": "", "duration": 0.0, "location": nil, "number": nil, "provider": nil},
	}
	var got []map[string]any
	for _, r := range run.recs {
		got = append(got, r.Data)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	wantEvents := []record.Event{{Timestamp: "2023-03-08 20:26:40.500000", Module: "Calls", Event: "call",
		Data: "From +33100000000 using com.apple.Telephony during 12.0 seconds"}}
	if diff := cmp.Diff(wantEvents, run.events); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
	if obs := (Calls{}).Observables(run.recs[0]); obs != nil {
		t.Errorf("observables = %v", obs)
	}
}

func TestCallsProblems(t *testing.T) {
	for _, db := range map[string][]byte{
		"garbage":         []byte("garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage"),
		"missing columns": testkit.SQLite(t, "CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, ZDATE TIMESTAMP);"),
	} {
		assertCorrupt(t, Calls{}, "HomeDomain", callsPath, db, "CallHistory.storedata")
	}
}

func TestCallsConformance(t *testing.T) {
	// MVT's test backup has no call history: MVT finds nothing.
	if run, err := runWithoutIndicators(t, Calls{}, sharedBackup(t)); !errors.Is(err, evidence.ErrNotFound) || len(run.recs) != 0 {
		t.Errorf("got %d records, %v; want ErrNotFound", len(run.recs), err)
	}
}
