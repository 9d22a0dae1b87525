package ios

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

const smsAttachmentTables = `
	CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY, guid TEXT, created_date INTEGER, start_date INTEGER,
		filename TEXT, transfer_name TEXT, total_bytes INTEGER, is_outgoing INTEGER, is_sticker INTEGER,
		user_info BLOB, attribution_info BLOB);
	CREATE TABLE message_attachment_join (message_id INTEGER, attachment_id INTEGER);`

func TestSMSAttachmentsExtract(t *testing.T) {
	db := smsDB(t, smsAttachmentTables+`
		INSERT INTO message VALUES (1, 'G1', 'pic', 1, NULL, 'iMessage', NULL, 0, 0, 0, NULL);
		INSERT INTO attachment VALUES (1, 'A1', 700000000, 0, '/var/tmp/com.apple.messages/abc-1', 'abc-1', 1024, 0, 0, x'0102', NULL);
		INSERT INTO attachment VALUES (2, 'A2', 700000100, 700000100, '~/Library/SMS/Attachments/x.jpg', 'x.jpg', 5, 1, 1, NULL, NULL);
		INSERT INTO attachment VALUES (3, 'A3', NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL);
		INSERT INTO message_attachment_join VALUES (1, 1), (1, 2);`)
	recs, err := testkit.Extract(t, SMSAttachments{}, smsBackup(t, db))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("got %d records, want 3", len(recs))
	}
	want := map[string]any{"ROWID": int64(1), "attachment_id": int64(1), "guid": "A1", "created_date": int64(700000000), "isodate": "2023-03-08 20:26:40.000000",
		"start_date": "", "filename": "/var/tmp/com.apple.messages/abc-1", "transfer_name": "abc-1", "total_bytes": int64(1024),
		"is_outgoing": int64(0), "is_sticker": int64(0), "user_info": "AQI=", "attribution_info": nil, "direction": "received",
		"has_user_info": true, "service": "iMessage", "phone_number": "+15555550100"}
	if diff := cmp.Diff(want, recs[0].Data); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	if d := recs[2].Data; d["service"] != "Unknown" || d["filename"] != "NULL" || d["phone_number"] != nil || d["has_user_info"] != false {
		t.Errorf("orphan attachment = %v", d)
	}
	obs := SMSAttachments{}.Observables(recs[0])
	if len(obs) != 1 || obs[0].Kind != record.FilePath || obs[0].Severity != record.High || obs[0].Value != "/var/tmp/com.apple.messages/abc-1" {
		t.Errorf("observables = %+v", obs)
	}

	run := judgeWithoutIndicators(SMSAttachments{}, viaJSON(t, recs))
	if len(run.findings) != 1 || run.findings[0].Severity != record.Medium ||
		run.findings[0].Message != "Suspicious iMessage attachment /var/tmp/com.apple.messages/abc-1 on 2023-03-08 20:26:40.000000" {
		t.Errorf("findings: %s", findingTexts(run.findings))
	}
	wantEvents := []record.Event{
		{Timestamp: "2023-03-08 20:26:40.000000", Module: "SMSAttachments", Event: "sms_attachment",
			Data: "iMessage: Attachment 'abc-1' received from +15555550100 with 1024 bytes (is_sticker: 0, has_user_info: True)"},
		{Timestamp: "2023-03-08 20:28:20.000000", Module: "SMSAttachments", Event: "sms_attachment",
			Data: "iMessage: Attachment 'x.jpg' sent from +15555550100 with 5 bytes (is_sticker: 1, has_user_info: False)"},
	}
	if diff := cmp.Diff(wantEvents, run.events); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
}

func TestSMSAttachmentsHeuristicQuiet(t *testing.T) {
	for _, d := range []map[string]any{
		{"filename": "/var/tmp/com.apple.messages/abc-1", "direction": "sent"},
		{"filename": "/var/tmp/com.apple.messages/abc-2", "direction": "received"},
		{"filename": "/private/var/tmp/abc-1", "direction": "received"},
	} {
		if run := judgeWithoutIndicators(SMSAttachments{}, []record.Record{{Module: "sms_attachments", Data: d}}); len(run.findings) != 0 {
			t.Errorf("%v: findings %s", d, findingTexts(run.findings))
		}
	}
}

func TestSMSAttachmentsWithoutAttachmentTable(t *testing.T) {
	src := smsBackup(t, smsDB(t, ""))
	recs, err := testkit.Extract(t, SMSAttachments{}, src)
	if err != nil || len(recs) != 0 {
		t.Errorf("got %d records, %v; want none and no error", len(recs), err)
	}
	src = smsBackup(t, testkit.SQLite(t, "CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY);"))
	if _, err := testkit.Extract(t, SMSAttachments{}, src); !errors.Is(err, evidence.ErrCorrupt) {
		t.Errorf("database without message table: err = %v, want ErrCorrupt", err)
	}
}

func TestSMSAttachmentsConformance(t *testing.T) {
	// MVT's sms.db has no attachment table: MVT reports nothing.
	run, err := runWithoutIndicators(t, SMSAttachments{}, sharedBackup(t))
	if err != nil || len(run.recs) != 0 || len(run.events) != 0 || len(run.findings) != 0 {
		t.Errorf("R=%d T=%d A=%d err=%v, want nothing", len(run.recs), len(run.events), len(run.findings), err)
	}
}
