package main

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/internal/testkit"
)

// Real published indicators (Amnesty's Pegasus file) planted across
// modules of a backup are each found, at MVT's severity for that module.
func TestPlantedPegasusIndicators(t *testing.T) {
	pegasus := testkit.SharedTestdata(t, "iocs", "amnesty-investigations", "2021-07-18_nso", "pegasus.stix2")
	b := testkit.NewBackup(t, nil)
	b.Add("HomeDomain", "Library/SMS/sms.db", testkit.SQLite(t, `
		CREATE TABLE handle (ROWID INTEGER PRIMARY KEY, id TEXT, service TEXT);
		CREATE TABLE message (ROWID INTEGER PRIMARY KEY, guid TEXT, text TEXT, handle_id INTEGER, service TEXT, date INTEGER, date_read INTEGER, is_from_me INTEGER);
		INSERT INTO handle VALUES (1, '+15550100', 'SMS');
		INSERT INTO message VALUES (1, 'G1', 'Your parcel: https://www.weather4free.com/track?id=1', 1, 'SMS', 648259200000000000, 0, 0),
			(2, 'G2', 'see you at https://www.example.com/ tomorrow', 1, 'SMS', 648259300000000000, 0, 1);`))
	b.Add("HomeDomain", "Library/Safari/History.db", testkit.SQLite(t, `
		CREATE TABLE history_items (id INTEGER PRIMARY KEY, url TEXT);
		CREATE TABLE history_visits (id INTEGER PRIMARY KEY, history_item INTEGER, visit_time REAL, redirect_source INTEGER, redirect_destination INTEGER);
		INSERT INTO history_items VALUES (1, 'http://a1.tookcheckout.com/p/x'), (2, 'https://en.wikipedia.org/wiki/Journalism');
		INSERT INTO history_visits VALUES (1, 1, 648259200.5, NULL, NULL), (2, 2, 648259300.0, NULL, NULL);`))
	b.Add("WirelessDomain", "Library/Databases/DataUsage.sqlite", testkit.SQLite(t, `
		CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, ZFIRSTTIMESTAMP REAL, ZTIMESTAMP REAL, ZPROCNAME TEXT, ZBUNDLENAME TEXT);
		CREATE TABLE ZLIVEUSAGE (Z_PK INTEGER PRIMARY KEY, ZHASPROCESS INTEGER, ZTIMESTAMP REAL, ZWWANIN REAL, ZWWANOUT REAL);
		INSERT INTO ZPROCESS VALUES (1, 648259000, 648259100, 'ReminderIntentsU', NULL), (2, 648259000, 648259100, 'MobileSafari', 'com.apple.mobilesafari');
		INSERT INTO ZLIVEUSAGE VALUES (1, 1, 648259100, 1024, 2048);`))
	b.Add("HomeDomain", "Library/Calendar/Calendar.sqlitedb", testkit.SQLite(t, `
		CREATE TABLE Participant (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, UUID TEXT, email TEXT, phone_number TEXT, comment TEXT, last_modified REAL);
		CREATE TABLE CalendarItem (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, summary TEXT, description TEXT, start_date REAL, end_date REAL,
			all_day INTEGER, calendar_id INTEGER, organizer_id INTEGER, url TEXT, last_modified REAL, external_id TEXT, external_mod_tag TEXT,
			unique_identifier TEXT, hidden INTEGER, UUID TEXT, creation_date REAL, action TEXT, created_by_id INTEGER);
		INSERT INTO Participant VALUES (1, 'P1', 'Bogaardlisa803@gmail.com', NULL, NULL, 648259000);
		INSERT INTO CalendarItem (summary, description, start_date, end_date, organizer_id) VALUES ('Interview', 'notes', 648259000, 648262600, 1);`))
	b.Add("RootDomain", "Library/Preferences/roleaccountd.plist", testkit.Plist(t, map[string]any{"x": 1}))
	root := b.Finish()

	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI(t, "check", root, "--iocs", pegasus, "--no-default-iocs", "-o", out)
	if code != exitFindings {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	want := []string{"CRITICAL calendar", "CRITICAL datausage", "CRITICAL safari_history", "CRITICAL sms", "HIGH manifest"}
	if diff := cmp.Diff(want, summary(readAlerts(t, out))); diff != "" {
		t.Errorf("alerts (-want +got):\n%s\n%s", diff, stdout)
	}
	for _, a := range readAlerts(t, out) {
		if a.Indicator == nil || a.Indicator.Value == "" {
			t.Errorf("%s finding without its indicator: %+v", a.Module, a)
		}
	}
}
