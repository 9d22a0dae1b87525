package ios

import (
	"testing"

	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

const calendarSchema = `CREATE TABLE Participant (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, UUID TEXT, email TEXT, phone_number TEXT, comment TEXT, last_modified REAL);
	CREATE TABLE CalendarItem (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, summary TEXT, description TEXT, start_date REAL, end_date REAL,
		all_day INTEGER, calendar_id INTEGER, organizer_id INTEGER, url TEXT, last_modified REAL, external_id TEXT, external_mod_tag TEXT,
		unique_identifier TEXT, hidden INTEGER, UUID TEXT, creation_date REAL, action TEXT, created_by_id INTEGER);`

func calendarRecords(t *testing.T, rows string) []record.Record {
	t.Helper()
	recs, err := testkit.Extract(t, Calendar{}, backupWith(t, "HomeDomain", "Library/Calendar/Calendar.sqlitedb", testkit.SQLite(t, calendarSchema+rows)))
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestCalendar(t *testing.T) {
	recs := calendarRecords(t, `
		INSERT INTO Participant VALUES (1, 'P1', 'organizer@example.org', NULL, NULL, 702930700.0);
		INSERT INTO CalendarItem VALUES (1, 'Meeting', 'Notes', 703502100.0, 703505700.0, 0, 1, 1, NULL, 702930638.0, NULL, NULL, NULL, 0, 'U-1', 702930606.0, NULL, NULL);
		INSERT INTO CalendarItem VALUES (2, 'Lunch', NULL, 703502100.0, 0, 0, 1, 0, NULL, NULL, NULL, NULL, NULL, 0, 'U-2', 'text date', NULL, NULL);`)
	if len(recs) != 2 {
		t.Fatalf("got %d records, want 2", len(recs))
	}
	r := recs[0]
	if r.String("start_date") != "2023-04-18 09:15:00.000000" || r.String("participant_email") != "organizer@example.org" ||
		r.String("participant_last_modified") != "2023-04-11 18:31:40.000000" || r.String("uuid") != "U-1" {
		t.Errorf("record = %v", r.Data)
	}
	obs := Calendar{}.Observables(r)
	if len(obs) != 1 || obs[0].Kind != record.Email || obs[0].Value != "organizer@example.org" || obs[0].Severity != record.Critical {
		t.Errorf("observables = %+v", obs)
	}
	ev := Calendar{}.Timeline(r)
	if len(ev) != 5 || ev[0].Event != "start_date" || ev[0].Data != "Calendar event Meeting (Notes) (invitation by organizer@example.org)" {
		t.Errorf("timeline = %+v", ev)
	}

	// A zero date is empty, a text date is kept; no organizer gives "None".
	r = recs[1]
	if r.String("end_date") != "" || r.String("creation_date") != "text date" || r.Data["participant_email"] != nil {
		t.Errorf("record = %v", r.Data)
	}
	ev = Calendar{}.Timeline(r)
	if len(ev) != 2 || ev[1].Event != "creation_date" || ev[0].Data != "Calendar event Lunch (None) (invitation by None)" {
		t.Errorf("timeline = %+v", ev)
	}
	if obs := (Calendar{}).Observables(r); len(obs) != 0 {
		t.Errorf("observables = %+v", obs)
	}
}

func TestCalendarQuadreamHeuristic(t *testing.T) {
	recs := calendarRecords(t, `
		INSERT INTO CalendarItem VALUES (1, 'Meeting', 'Notes', 703502100.0, 703505700.0, 0, 1, 0, NULL, NULL, NULL, NULL, NULL, 0, 'U-1', NULL, NULL, NULL);
		INSERT INTO CalendarItem VALUES (2, 'Meeting', 'Agenda', 703502100.0, 703505700.0, 0, 1, 0, NULL, NULL, NULL, NULL, NULL, 0, 'U-2', NULL, NULL, NULL);
		INSERT INTO CalendarItem VALUES (3, 'meeting', 'Notes', 703502100.0, 703505700.0, 0, 1, 0, NULL, NULL, NULL, NULL, NULL, 0, 'U-3', NULL, NULL, NULL);`)
	f := inspect(Calendar{}, recs)
	if len(f) != 1 || f[0].Severity != record.High || f[0].Message != "Potential Quadream exploit event identified: U-1" {
		t.Errorf("findings = %+v", f)
	}
}

func TestCalendarConformance(t *testing.T) {
	recs, err := testkit.Extract(t, Calendar{}, sharedBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	// MVT: R=1, T=4, A=0 (A=1 with the indicator user@example.org).
	if len(recs) != 1 || recs[0].String("summary") != "Super interesting meeting" {
		t.Fatalf("records = %v", recs)
	}
	if ev := timeline(Calendar{}, recs); len(ev) != 4 {
		t.Errorf("timeline has %d events, want 4: %+v", len(ev), ev)
	}
	if f := inspect(Calendar{}, recs); len(f) != 0 {
		t.Errorf("findings = %+v", f)
	}
	if obs := (Calendar{}).Observables(recs[0]); len(obs) != 1 || obs[0].Value != "user@example.org" {
		t.Errorf("observables = %+v", obs)
	}
}

func TestCalendarCorrupt(t *testing.T) {
	const p = "Library/Calendar/Calendar.sqlitedb"
	assertCorrupt(t, Calendar{}, "HomeDomain", p, []byte("garbage garbage garbage garbage garbage"), p)
	assertCorrupt(t, Calendar{}, "HomeDomain", p, testkit.SQLite(t, "CREATE TABLE CalendarItem (summary TEXT);"))
}
