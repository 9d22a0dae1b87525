package ios

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

const interactionCPath = "Library/CoreDuet/People/interactionC.db"

// interactionCOld is the oldest schema: no attachments nor recipients,
// raw ZDIRECTION, no ZCUSTOMIDENTIFIER nor ZRECIPIENTCOUNT.
const interactionCOld = `
	CREATE TABLE ZINTERACTIONS (Z_PK INTEGER PRIMARY KEY, ZSENDER INTEGER, ZSTARTDATE REAL, ZENDDATE REAL, ZCREATIONDATE REAL,
		ZBUNDLEID TEXT, ZACCOUNT TEXT, ZDIRECTION INTEGER, ZDOMAINIDENTIFIER TEXT, ZISRESPONSE INTEGER, ZCONTENTURL TEXT,
		ZLOCATIONUUID TEXT, ZMECHANISM INTEGER);
	CREATE TABLE ZCONTACTS (Z_PK INTEGER PRIMARY KEY, ZDISPLAYNAME TEXT, ZIDENTIFIER TEXT, ZPERSONID TEXT,
		ZINCOMINGRECIPIENTCOUNT INTEGER, ZINCOMINGSENDERCOUNT INTEGER, ZOUTGOINGRECIPIENTCOUNT INTEGER, ZCREATIONDATE REAL,
		ZFIRSTINCOMINGRECIPIENTDATE REAL, ZFIRSTINCOMINGSENDERDATE REAL, ZFIRSTOUTGOINGRECIPIENTDATE REAL,
		ZLASTINCOMINGSENDERDATE REAL, ZLASTINCOMINGRECIPIENTDATE REAL, ZLASTOUTGOINGRECIPIENTDATE REAL);
	INSERT INTO ZCONTACTS VALUES (1, '+1 (555) 555-0100', '+15555550100', NULL, 0, 1, 0, 700000000, NULL, 700000000, NULL, 700000000, 0, NULL);
	INSERT INTO ZINTERACTIONS VALUES (1, 1, 700000000, 700000060, 700000000, 'com.apple.MobileSMS', 'acc', 0, NULL, 0, NULL, NULL, 3);
	INSERT INTO ZINTERACTIONS VALUES (2, NULL, 700000000, 700000000, 699990000, 'com.apple.MobileSMS', NULL, 1, NULL, 0, NULL, NULL, 3);`

func interactionCBackup(t *testing.T, db []byte) evidence.Source {
	return backupWith(t, "HomeDomain", interactionCPath, db)
}

func TestInteractionCOldSchema(t *testing.T) {
	run, err := runWithoutIndicators(t, InteractionC{}, interactionCBackup(t, testkit.SQLite(t, interactionCOld)))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.recs) != 2 {
		t.Fatalf("got %d records, want 2", len(run.recs))
	}
	in, out := run.recs[0].Data, run.recs[1].Data
	if in["direction"] != "INCOMING" || out["direction"] != "OUTGOING" || in["mechanism"] != int64(3) {
		t.Errorf("directions %v / %v", in["direction"], out["direction"])
	}
	if in["last_incoming_recipient_date"] != "0" || in["start_date"] != "2023-03-08 20:26:40.000000" || in["first_incoming_recipient_date"] != nil {
		t.Errorf("dates = %v", in)
	}
	if _, ok := in["sender_resolved_name"]; ok {
		t.Errorf("only WhatsApp peers are resolved: %v", in)
	}
	want := map[record.Event]bool{
		{Timestamp: "2023-03-08 20:26:40.000000", Module: "InteractionC", Event: "start_date", Data: "[com.apple.MobileSMS] acc INCOMING from +15555550100 to local user"}:                                                             true,
		{Timestamp: "2023-03-08 20:27:40.000000", Module: "InteractionC", Event: "end_date", Data: "[com.apple.MobileSMS] acc INCOMING from +15555550100 to local user"}:                                                               true,
		{Timestamp: "2023-03-08 20:26:40.000000", Module: "InteractionC", Event: "contacts_creation_date", Data: "Contact +15555550100 first recorded in interactionC"}:                                                                true,
		{Timestamp: "2023-03-08 20:26:40.000000", Module: "InteractionC", Event: "first_incoming_sender_date", Data: "First incoming interaction from +15555550100"}:                                                                   true,
		{Timestamp: "2023-03-08 20:26:40.000000", Module: "InteractionC", Event: "last_incoming_sender_date", Data: "Last incoming interaction from +15555550100"}:                                                                     true,
		{Timestamp: "0", Module: "InteractionC", Event: "last_incoming_recipient_date", Data: "Last incoming interaction where +15555550100 was a recipient"}:                                                                          true,
		{Timestamp: "2023-03-08 20:26:40.000000", Module: "InteractionC", Event: "start_date", Data: "[com.apple.MobileSMS] OUTGOING from local user to unknown"}:                                                                      true,
		{Timestamp: "2023-03-08 17:40:00.000000", Module: "InteractionC", Event: "interactions_creation_date", Data: "Interaction record created 3 hours before the event: [com.apple.MobileSMS] OUTGOING from local user to unknown"}: true,
	}
	for _, ev := range run.events {
		if !want[ev] {
			t.Errorf("unexpected event %+v", ev)
		}
		delete(want, ev)
	}
	for ev := range want {
		t.Errorf("missing event %+v", ev)
	}
}

func TestInteractionCMiddleSchema(t *testing.T) {
	// ZCUSTOMIDENTIFIER and ZRECIPIENTCOUNT present, still no joins: the third query.
	script := strings.Replace(strings.Replace(interactionCOld, "ZPERSONID TEXT,", "ZPERSONID TEXT, ZCUSTOMIDENTIFIER TEXT,", 1),
		"ZMECHANISM INTEGER);", "ZMECHANISM INTEGER, ZRECIPIENTCOUNT INTEGER);", 1)
	script = strings.NewReplacer("VALUES (1, '+1 (555) 555-0100', '+15555550100', NULL,", "VALUES (1, '+1 (555) 555-0100', '+15555550100', NULL, 'c1',",
		"NULL, NULL, 3);", "NULL, NULL, 3, 1);").Replace(script)
	recs, err := testkit.Extract(t, InteractionC{}, interactionCBackup(t, testkit.SQLite(t, script)))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Data["custom_id"] != "c1" || recs[0].Data["recipient_count"] != int64(1) {
		t.Errorf("records = %v", recs)
	}
}

func TestInteractionCProblems(t *testing.T) {
	for _, db := range map[string][]byte{
		"garbage":        []byte("garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage"),
		"unknown schema": testkit.SQLite(t, "CREATE TABLE ZINTERACTIONS (Z_PK INTEGER PRIMARY KEY);"),
	} {
		assertCorrupt(t, InteractionC{}, "HomeDomain", interactionCPath, db, interactionCPath)
	}
	// A damaged ContactsV2.sqlite: interactions still read, the error reported.
	b := testkit.NewBackup(t, nil)
	b.Add("HomeDomain", interactionCPath, testkit.SQLite(t, interactionCOld))
	b.Add(whatsappDomain, "ContactsV2.sqlite", []byte("garbage garbage garbage garbage garbage garbage garbage garbage"))
	recs, err := testkit.Extract(t, InteractionC{}, b.Open())
	if len(recs) != 2 || !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), "ContactsV2.sqlite") {
		t.Errorf("got %d records, err %v; want 2 and ErrCorrupt naming ContactsV2.sqlite", len(recs), err)
	}
}

func interactionCTexts(events []record.Event) string {
	var b strings.Builder
	for _, ev := range events {
		b.WriteString(ev.Event + " " + ev.Timestamp + " " + ev.Data + "\n")
	}
	return b.String()
}

func TestInteractionCConformance(t *testing.T) {
	run, err := runWithoutIndicators(t, InteractionC{}, sharedBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.recs) != 3 || len(run.findings) != 0 {
		t.Fatalf("R=%d A=%d, want 3, 0", len(run.recs), len(run.findings))
	}
	var in, out, sms map[string]any
	for _, r := range run.recs {
		switch {
		case r.String("bundle_id") == "com.apple.MobileSMS":
			sms = r.Data
		case r.String("sender_identifier") == "100000000000001@lid":
			in = r.Data
		case r.String("direction") == "OUTGOING":
			out = r.Data
		}
	}
	if in == nil || out == nil || sms == nil {
		t.Fatalf("records = %v", run.recs)
	}
	if in["direction"] != "INCOMING" || in["sender_resolved_phone_number"] != "+14155550100" || in["sender_resolved_name"] != "Alice Example" {
		t.Errorf("incoming = %v", in)
	}
	if out["recipient_identifier"] != "+14155550100" || out["recipient_resolved_name"] != "Alice Example" ||
		out["domain_resolved_phone_number"] != "+14155550100" || out["domain_resolved_name"] != "Alice Example" {
		t.Errorf("outgoing = %v", out)
	}
	if _, ok := sms["sender_resolved_name"]; ok || sms["sender_display_name"] != "Bob Example" {
		t.Errorf("sms = %v", sms)
	}
	texts := interactionCTexts(run.events)
	for _, want := range []string{
		"[net.whatsapp.WhatsApp] INCOMING from Alice Example (+14155550100) to local user",
		"[net.whatsapp.WhatsApp] OUTGOING from local user to Alice Example (+14155550100)",
		"[com.apple.MobileSMS] INCOMING from Bob Example (+14155550101) to local user",
		"Last incoming interaction from Bob Example (+14155550101)",
		"interactions_creation_date 2025-12-09 12:26:40.000000 Interaction record created 90 days after the event: [com.apple.MobileSMS] INCOMING from Bob Example (+14155550101) to local user\n",
		"first_incoming_sender_date 2025-09-03 13:46:40.000000 First incoming interaction from Bob Example (+14155550101)\n",
	} {
		if !strings.Contains(texts, want) {
			t.Errorf("timeline lacks %q:\n%s", want, texts)
		}
	}
	if n := strings.Count(texts, "interactions_creation_date "); n != 1 {
		t.Errorf("%d interactions_creation_date events, want 1", n)
	}
	if n := strings.Count(texts, "first_incoming_sender_date "); n != 1 {
		t.Errorf("%d first_incoming_sender_date events, want 1", n)
	}
}

func TestInteractionCConformanceWithoutWhatsappContacts(t *testing.T) {
	dir := testkit.SharedTestdata(t, "mvt", "ios_backup")
	db, err := os.ReadFile(filepath.Join(dir, "1f", interactionCQuery.BackupIDs[0]))
	if err != nil {
		t.Fatal(err)
	}
	run, err := runWithoutIndicators(t, InteractionC{}, interactionCBackup(t, db))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.recs) != 3 {
		t.Fatalf("R=%d, want 3", len(run.recs))
	}
	texts := interactionCTexts(run.events)
	for _, want := range []string{
		"[net.whatsapp.WhatsApp] INCOMING from 100000000000001@lid to local user",
		"[net.whatsapp.WhatsApp] OUTGOING from local user to +14155550100",
	} {
		if !strings.Contains(texts, want) {
			t.Errorf("timeline lacks %q:\n%s", want, texts)
		}
	}
}
