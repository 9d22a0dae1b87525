package ios

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosbackup"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

func whatsappContactsBackup(t *testing.T, db []byte) *iosbackup.Backup {
	return backupWith(t, whatsappDomain, "ContactsV2.sqlite", db)
}

func TestWhatsappContactsFileID(t *testing.T) {
	if got := iosbackup.FileID(whatsappDomain, "ContactsV2.sqlite"); got != whatsappContactsQuery.BackupIDs[0] {
		t.Errorf("file ID %s, module uses %s", got, whatsappContactsQuery.BackupIDs[0])
	}
}

func TestWhatsappContactsSchemas(t *testing.T) {
	tests := []struct {
		name   string
		script string
		want   map[string]any
	}{
		{
			name: "older columns, blobs, no timer",
			script: `CREATE TABLE ZWAADDRESSBOOKCONTACT (Z_PK INTEGER PRIMARY KEY, ZFULLNAME BLOB, ZWHATSAPPID BLOB, ZPHONENUMBERSTATUS INTEGER, ZLASTUPDATED REAL);
				INSERT INTO ZWAADDRESSBOOKCONTACT VALUES (7, CAST('Zoë' AS BLOB), x'31ff40732e77686174736170702e6e6574', 2, 0);`,
			want: map[string]any{"row_pk": int64(7), "full_name": "Zoë", "whatsapp_id": "1\uFFFD@s.whatsapp.net", "phone_status": int64(2),
				"last_updated": nil, "disappearing_mode_duration": nil, "disappearing_mode_is_on": nil, "disappearing_mode_label": nil,
				"sync_policy": nil, "lid": nil, "phone_number": nil, "localized_phone_number": nil, "given_name": nil, "last_name": nil,
				"user_name": nil, "business_name": nil, "about_text": nil, "about_emoji": nil, "notes": nil,
				"disappearing_mode_timestamp": nil, "about_timestamp": nil, "about_expiration_timestamp": nil},
		},
		{
			name: "odd timer",
			script: `CREATE TABLE ZWAADDRESSBOOKCONTACT (Z_PK INTEGER PRIMARY KEY, ZDISAPPEARINGMODEDURATION REAL, ZDISAPPEARINGMODETIMESTAMP REAL);
				INSERT INTO ZWAADDRESSBOOKCONTACT VALUES (1, 3600.0, 700000000);`,
			want: map[string]any{"row_pk": int64(1), "disappearing_mode_duration": 3600.0, "disappearing_mode_is_on": true,
				"disappearing_mode_label": "3600 seconds", "disappearing_mode_timestamp": "2023-03-08 20:26:40.000000",
				"sync_policy": nil, "phone_status": nil, "whatsapp_id": nil, "lid": nil, "phone_number": nil, "localized_phone_number": nil,
				"full_name": nil, "given_name": nil, "last_name": nil, "user_name": nil, "business_name": nil, "about_text": nil,
				"about_emoji": nil, "notes": nil, "about_timestamp": nil, "about_expiration_timestamp": nil, "last_updated": nil},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := testkit.Extract(t, WhatsappContacts{}, whatsappContactsBackup(t, testkit.SQLite(t, tc.script)))
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 1 {
				t.Fatalf("got %d records", len(recs))
			}
			if diff := cmp.Diff(tc.want, recs[0].Data); diff != "" {
				t.Errorf("record (-want +got):\n%s", diff)
			}
			if obs := (WhatsappContacts{}).Observables(recs[0]); obs != nil {
				t.Errorf("observables = %v", obs)
			}
		})
	}
}

func TestWhatsappContactsProblems(t *testing.T) {
	if _, err := testkit.Extract(t, WhatsappContacts{}, testkit.NewBackup(t, nil).Open()); !errors.Is(err, evidence.ErrNotFound) {
		t.Errorf("absent: err = %v, want ErrNotFound", err)
	}
	for _, db := range map[string][]byte{
		"garbage":  []byte("garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage"),
		"no table": testkit.SQLite(t, "CREATE TABLE other (x);"),
	} {
		assertCorrupt(t, WhatsappContacts{}, whatsappDomain, "ContactsV2.sqlite", db, "ContactsV2.sqlite")
	}
}

func TestWhatsappContactsConformance(t *testing.T) {
	run, err := runWithoutIndicators(t, WhatsappContacts{}, sharedBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.recs) != 2 || len(run.events) != 5 || len(run.findings) != 0 {
		t.Fatalf("R=%d T=%d A=%d, want 2, 5, 0", len(run.recs), len(run.events), len(run.findings))
	}
	alice, bob := run.recs[0].Data, run.recs[1].Data
	wantAlice := map[string]any{"full_name": "Alice Example", "phone_number": "+14155550100", "whatsapp_id": "14155550100@s.whatsapp.net",
		"lid": "100000000000001@lid", "user_name": "alice.example", "disappearing_mode_duration": 86400.0, "disappearing_mode_is_on": true,
		"disappearing_mode_label": "24 hours", "disappearing_mode_timestamp": "2025-07-23 21:46:40.000000",
		"about_timestamp": "2025-07-12 08:00:00.000000", "about_expiration_timestamp": "2025-08-16 01:20:00.000000",
		"last_updated": "2025-08-04 11:33:20.000000"}
	wantBob := map[string]any{"lid": nil, "disappearing_mode_duration": nil, "disappearing_mode_is_on": false,
		"disappearing_mode_label": "off", "disappearing_mode_timestamp": nil}
	for _, c := range []struct{ got, want map[string]any }{{alice, wantAlice}, {bob, wantBob}} {
		for k, v := range c.want {
			if !cmp.Equal(c.got[k], v) {
				t.Errorf("%v: %s = %#v, want %#v", c.got["full_name"], k, c.got[k], v)
			}
		}
	}
	texts := map[string][]record.Event{}
	for _, ev := range run.events {
		texts[ev.Event] = append(texts[ev.Event], ev)
	}
	check := func(event string, n int, parts ...string) {
		t.Helper()
		if len(texts[event]) != n {
			t.Errorf("%d %s events, want %d", len(texts[event]), event, n)
			return
		}
		all := ""
		for _, ev := range texts[event] {
			all += ev.Data + "\n"
		}
		for _, p := range parts {
			if !strings.Contains(all, p) {
				t.Errorf("%s events %q lack %q", event, all, p)
			}
		}
	}
	check("disappearing_mode_set", 1, "24 hours", "14155550100@s.whatsapp.net (Alice Example)")
	check("about_changed", 1, `changed to "Hey there! I am using WhatsApp."`)
	check("about_expiration", 1, "scheduled to expire")
	check("contact_last_updated", 2, "14155550101@s.whatsapp.net (Bob Example)")
	for _, ev := range texts["contact_last_updated"] {
		if ev.Timestamp != "2025-08-04 11:33:20.000000" {
			t.Errorf("contact_last_updated at %s", ev.Timestamp)
		}
	}
}
