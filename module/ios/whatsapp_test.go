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

const whatsappDomain = "AppDomainGroup-group.net.whatsapp.WhatsApp.shared"

const whatsappSchema = `
	CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER, ZFROMJID TEXT, ZTEXT TEXT, ZMESSAGEDATE REAL);
	CREATE TABLE ZWAMEDIAITEM (Z_PK INTEGER PRIMARY KEY, ZMESSAGE INTEGER, ZAUTHORNAME TEXT, ZMEDIAURL TEXT);
	CREATE TABLE ZWAMESSAGEDATAITEM (Z_PK INTEGER PRIMARY KEY, ZMESSAGE INTEGER, ZCONTENT1 TEXT, ZCONTENT2 TEXT,
		ZMATCHEDTEXT TEXT, ZSUMMARY TEXT, ZTITLE TEXT);
	CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, ZCONTACTJID TEXT, ZPARTNERNAME TEXT, ZSESSIONTYPE INTEGER,
		ZARCHIVED INTEGER, ZREMOVED INTEGER, ZMESSAGECOUNTER INTEGER, ZLASTMESSAGEDATE REAL, ZGROUPINFO INTEGER);
	CREATE TABLE ZWAGROUPINFO (Z_PK INTEGER PRIMARY KEY, ZCREATIONDATE REAL);`

const lidSchema = `CREATE TABLE ZWAPHONENUMBERLIDPAIR (Z_PK INTEGER PRIMARY KEY, ZTIMESTAMP REAL, ZLID TEXT, ZPHONENUMBER TEXT);`

func TestWhatsappFileIDs(t *testing.T) {
	if got := iosbackup.FileID(whatsappDomain, "ChatStorage.sqlite"); got != whatsappQuery.BackupIDs[0] {
		t.Errorf("ChatStorage file ID %s, module uses %s", got, whatsappQuery.BackupIDs[0])
	}
	if got := iosbackup.FileID(whatsappDomain, "LID.sqlite"); got != whatsappLIDID {
		t.Errorf("LID file ID %s, module uses %s", got, whatsappLIDID)
	}
}

func TestWhatsappMessagesAndLIDFallback(t *testing.T) {
	recs, err := testkit.Extract(t, Whatsapp{}, backupWith(t, whatsappDomain, "ChatStorage.sqlite", testkit.SQLite(t, whatsappSchema+lidSchema+`
		INSERT INTO ZWAMESSAGE VALUES (1, 1, '1@s.whatsapp.net', 'line1
see https://a.example.org/x https://a.example.org/x', 700000000);
		INSERT INTO ZWAMESSAGE VALUES (2, 1, NULL, NULL, NULL);
		INSERT INTO ZWAMESSAGE VALUES (3, 1, '1@s.whatsapp.net', 'photo', 700000001);
		INSERT INTO ZWAMESSAGE VALUES (4, 1, '1@s.whatsapp.net', 'no link here', 700000002);
		INSERT INTO ZWAMEDIAITEM VALUES (1, 3, NULL, 'https://mmg.whatsapp.net/d/f/abc.enc');
		INSERT INTO ZWAMESSAGEDATAITEM VALUES (1, 3, 'https://preview.example.net/p', NULL, 'https://mmg-fna.whatsapp.net/x', NULL, NULL);
		INSERT INTO ZWACHATSESSION VALUES (1, '42@lid', NULL, 0, 0, 0, 4, NULL, NULL);
		INSERT INTO ZWAPHONENUMBERLIDPAIR VALUES (1, 0, '42@lid', '+15555550100@s.whatsapp.net');`)))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 6 {
		t.Fatalf("got %d records, want 4 messages, 1 pair, 1 chat", len(recs))
	}
	if diff := cmp.Diff([]string{"https://a.example.org/x"}, recs[0].Data["links"]); diff != "" {
		t.Errorf("deduplicated links (-want +got):\n%s", diff)
	}
	if d := recs[1].Data; d["ZTEXT"] != "" || d["isodate"] != "" || !cmp.Equal(d["links"], []string{}) {
		t.Errorf("empty message = %v", d)
	}
	if diff := cmp.Diff([]string{"https://preview.example.net/p"}, recs[2].Data["links"]); diff != "" {
		t.Errorf("media CDN links must be left out (-want +got):\n%s", diff)
	}
	if _, ok := recs[3].Data["links"]; ok {
		t.Errorf("a message with text and no link has no links field, like MVT's: %v", recs[3].Data)
	}
	pair := recs[4].Data
	if pair["record_type"] != "lid_phone_number_pair" || pair["pair_timestamp"] != nil || pair["lid"] != "42@lid" {
		t.Errorf("pair = %v", pair)
	}
	chat := recs[5].Data
	if chat["partner_resolved_phone_number"] != "+15555550100" || chat["first_stored_message_date"] != "2023-03-08 20:26:40.000000" ||
		chat["last_stored_message_date"] != "2023-03-08 20:26:42.000000" || chat["last_message_date"] != nil || chat["stored_message_count"] != int64(4) {
		t.Errorf("chat = %v", chat)
	}
	obs := Whatsapp{}.Observables(recs[2])
	if len(obs) != 1 || obs[0].Kind != record.URL || obs[0].Severity != record.Critical {
		t.Errorf("observables = %+v", obs)
	}
	run := judgeWithoutIndicators(Whatsapp{}, viaJSON(t, recs))
	want := []record.Event{
		{Timestamp: "2023-03-08 20:26:40.000000", Module: "Whatsapp", Event: "message",
			Data: `'line1\nsee https://a.example.org/x https://a.example.org/x' from 1@s.whatsapp.net - Embedded links: https://a.example.org/x`},
		{Timestamp: "2023-03-08 20:26:41.000000", Module: "Whatsapp", Event: "message",
			Data: "'photo' from 1@s.whatsapp.net - Embedded links: https://preview.example.net/p"},
		{Timestamp: "2023-03-08 20:26:42.000000", Module: "Whatsapp", Event: "message", Data: "'no link here' from 1@s.whatsapp.net"},
		{Timestamp: "2023-03-08 20:26:40.000000", Module: "Whatsapp", Event: "chat_first_message", Data: "First stored message in WhatsApp chat with +15555550100"},
		{Timestamp: "2023-03-08 20:26:42.000000", Module: "Whatsapp", Event: "chat_last_message", Data: "Last message in WhatsApp chat with +15555550100"},
	}
	if diff := cmp.Diff(want, run.events); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
}

func TestWhatsappMinimalSchema(t *testing.T) {
	recs, err := testkit.Extract(t, Whatsapp{}, backupWith(t, whatsappDomain, "ChatStorage.sqlite", testkit.SQLite(t, `
		CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZTEXT TEXT, ZMESSAGEDATE REAL);
		INSERT INTO ZWAMESSAGE VALUES (1, 'https://x.example.org', 700000000);`)))
	if err != nil || len(recs) != 1 {
		t.Fatalf("got %d records, %v; want the one message", len(recs), err)
	}
	if _, ok := recs[0].Data["ZMEDIAURL"]; ok {
		t.Errorf("no media table, yet ZMEDIAURL: %v", recs[0].Data)
	}
	run := judgeWithoutIndicators(Whatsapp{}, recs)
	if len(run.events) != 1 || run.events[0].Data != "'https://x.example.org' from Unknown - Embedded links: https://x.example.org" {
		t.Errorf("timeline = %+v", run.events)
	}
}

func TestWhatsappLIDDatabaseProblems(t *testing.T) {
	chats := testkit.SQLite(t, whatsappSchema+`INSERT INTO ZWAMESSAGE VALUES (1, 1, NULL, 'hi', 700000000);
		INSERT INTO ZWACHATSESSION VALUES (1, '42@lid', 'Bob', 0, 0, 0, 1, 700000000, NULL);`)
	for name, lid := range map[string][]byte{
		"garbage":        []byte("garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage"),
		"unknown schema": testkit.SQLite(t, "CREATE TABLE other (x);"),
	} {
		b := testkit.NewBackup(t, nil)
		b.Add(whatsappDomain, "ChatStorage.sqlite", chats)
		b.Blob(whatsappLIDID, lid)
		recs, err := testkit.Extract(t, Whatsapp{}, b.Open())
		if !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), whatsappLIDID) {
			t.Errorf("%s: err = %v, want ErrCorrupt naming LID.sqlite", name, err)
		}
		if len(recs) != 2 || recs[1].String("record_type") != "chat_session" || recs[1].Data["partner_resolved_phone_number"] != nil {
			t.Errorf("%s: records = %v, want the message and the unresolved chat", name, recs)
		}
	}
}

func TestWhatsappCorrupt(t *testing.T) {
	assertCorrupt(t, Whatsapp{}, whatsappDomain, "ChatStorage.sqlite", []byte("not a database, but garbage bytes long enough to look like one"), "ChatStorage.sqlite")
	assertCorrupt(t, Whatsapp{}, whatsappDomain, "ChatStorage.sqlite", testkit.SQLite(t, "CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY);"), "ZWAMESSAGE")
}

func TestWhatsappConformance(t *testing.T) {
	run, err := runWithoutIndicators(t, Whatsapp{}, sharedBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	byType := map[string][]record.Record{}
	for _, r := range run.recs {
		byType[r.String("record_type")] = append(byType[r.String("record_type")], r)
	}
	if len(byType[""]) != 3 || len(byType["chat_session"]) != 2 || len(byType["lid_phone_number_pair"]) != 1 {
		t.Fatalf("records by type: %d messages, %d chats, %d pairs; want 3, 2, 1",
			len(byType[""]), len(byType["chat_session"]), len(byType["lid_phone_number_pair"]))
	}
	if len(run.events) != 9 || len(run.findings) != 0 {
		t.Errorf("T=%d A=%d, want 9, 0: %+v", len(run.events), len(run.findings), run.events)
	}
	var linked []string
	for _, m := range byType[""] {
		if m.String("ZTEXT") == "" {
			t.Errorf("message without ZTEXT: %v", m.Data)
		}
		linked = append(linked, m.Strings("links")...)
	}
	if diff := cmp.Diff([]string{"https://example.org/news"}, linked); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	pair := byType["lid_phone_number_pair"][0].Data
	if pair["lid"] != "100000000000001" || pair["phone_number"] != "14155550100" || pair["pair_timestamp"] != "2025-08-25 07:33:20.000000" {
		t.Errorf("pair = %v", pair)
	}
	alice, group := byType["chat_session"][0].Data, byType["chat_session"][1].Data
	wantAlice := map[string]any{"contact_jid": "100000000000001@lid", "partner_resolved_phone_number": "+14155550100",
		"first_stored_message_date": "2025-08-27 15:06:40.000000", "last_message_date": "2025-08-28 18:53:20.000000",
		"group_creation_date": nil, "stored_message_count": int64(2)}
	wantGroup := map[string]any{"group_creation_date": "2025-08-21 20:13:20.000000", "first_stored_message_date": "2025-08-29 22:40:00.000000",
		"last_stored_message_date": "2025-08-29 22:40:00.000000", "last_message_date": "2025-08-31 02:26:40.000000"}
	for _, c := range []struct{ got, want map[string]any }{{alice, wantAlice}, {group, wantGroup}} {
		for k, v := range c.want {
			if !cmp.Equal(c.got[k], v) {
				t.Errorf("%v: %s = %v, want %v", c.got["contact_jid"], k, c.got[k], v)
			}
		}
	}
	wantEvents := []record.Event{
		{Timestamp: "2025-08-27 15:06:40.000000", Module: "Whatsapp", Event: "chat_first_message", Data: "First stored message in WhatsApp chat with 'Alice Example' (+14155550100)"},
		{Timestamp: "2025-08-28 18:53:20.000000", Module: "Whatsapp", Event: "chat_last_message", Data: "Last message in WhatsApp chat with 'Alice Example' (+14155550100)"},
		{Timestamp: "2025-08-25 07:33:20.000000", Module: "Whatsapp", Event: "lid_pair_recorded", Data: "WhatsApp associated LID 100000000000001 with phone number 14155550100"},
		{Timestamp: "2025-08-21 20:13:20.000000", Module: "Whatsapp", Event: "group_created", Data: "WhatsApp group chat 'Example Group' (120000000000000001@g.us) was created"},
		{Timestamp: "2025-08-29 22:40:00.000000", Module: "Whatsapp", Event: "chat_first_message", Data: "First stored message in WhatsApp group chat 'Example Group' (120000000000000001@g.us)"},
		{Timestamp: "2025-08-31 02:26:40.000000", Module: "Whatsapp", Event: "chat_last_message", Data: "Last message in WhatsApp group chat 'Example Group' (120000000000000001@g.us)"},
	}
	have := map[record.Event]bool{}
	for _, ev := range run.events {
		have[ev] = true
	}
	for _, ev := range wantEvents {
		if !have[ev] {
			t.Errorf("missing timeline event %+v", ev)
		}
	}
	obs := Whatsapp{}.Observables(byType[""][1])
	if len(obs) != 1 || obs[0].Value != "https://example.org/news" {
		t.Errorf("urls.json observables = %+v", obs)
	}
}
